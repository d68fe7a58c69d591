"""Typed models passed between pipeline stages.

The names below are loaded on first use (PEP 562): importing ``onexgen.models.enums`` or
``onexgen.models.facts`` must not pull in every pydantic model, so that commands which need
one enum (``onexgen parse``) start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onexgen.models.classification import (
        ModelClassificationAlternative,
        ModelClassificationResult,
    )
    from onexgen.models.enums import EnumCategory, EnumNodeKind
    from onexgen.models.requirements import (
        ModelFieldConfidence,
        ModelPerformanceRequirements,
        ModelPRDRequirements,
        ModelRateLimit,
    )

_HOMES: dict[str, str] = {
    "EnumCategory": "onexgen.models.enums",
    "EnumNodeKind": "onexgen.models.enums",
    "ModelClassificationAlternative": "onexgen.models.classification",
    "ModelClassificationResult": "onexgen.models.classification",
    "ModelFieldConfidence": "onexgen.models.requirements",
    "ModelPRDRequirements": "onexgen.models.requirements",
    "ModelPerformanceRequirements": "onexgen.models.requirements",
    "ModelRateLimit": "onexgen.models.requirements",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'onexgen.models' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "EnumCategory",
    "EnumNodeKind",
    "ModelClassificationAlternative",
    "ModelClassificationResult",
    "ModelFieldConfidence",
    "ModelPRDRequirements",
    "ModelPerformanceRequirements",
    "ModelRateLimit",
]
