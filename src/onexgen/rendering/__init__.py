"""Stage 4: Jinja2 templates, context-aware escaping and the template manager.

Exports resolve lazily so ``onexgen.rendering.escaping`` can be imported by the contract
builders without pulling in the renderer (which imports them back).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onexgen.rendering.render import render_node
    from onexgen.rendering.template_manager import ModelTemplateCacheStats, TemplateManager

__all__ = ["ModelTemplateCacheStats", "TemplateManager", "render_node"]

_EXPORTS = {
    "render_node": "onexgen.rendering.render",
    "TemplateManager": "onexgen.rendering.template_manager",
    "ModelTemplateCacheStats": "onexgen.rendering.template_manager",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
