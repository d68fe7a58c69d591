"""The one configured Jinja2 environment for node templates.

User text is data, never template source: it enters templates only as ``UserText`` values, and
``finalize`` refuses to print one that has not passed through an escaping filter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from onexgen.rendering import escaping
from onexgen.rendering.formatting import DEFAULT_LINE_LENGTH

PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"

__all__ = ["PACKAGED_TEMPLATES", "UnescapedUserTextError", "create_environment"]


class UnescapedUserTextError(TypeError):
    """A template printed user text without choosing an escaping filter."""


def _finalize(value: Any) -> Any:
    if isinstance(value, escaping.UserText):
        raise UnescapedUserTextError(
            "user text printed without an escaping filter (py_str, py_docstring, ...)"
        )
    return value


def _py_literal(value: Any) -> str:
    """A Python literal for trusted scalars from the contract (numbers, booleans, None)."""
    if isinstance(value, escaping.UserText):
        raise UnescapedUserTextError("py_literal is for numbers and booleans, not user text")
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        items = ", ".join(_py_literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, str):
        return escaping.py_str(value)
    raise TypeError(f"no Python literal for {type(value).__name__}")


@jinja2.pass_context
def _fit_docstring(context: jinja2.runtime.Context, value: str, indent: int = 0) -> str:
    """``fit_docstring`` at the line length of the render (``line_length`` in the context)."""
    if isinstance(value, escaping.UserText):
        raise UnescapedUserTextError("fit_docstring lays out template prose; use py_docstring")
    line_length = context.get("line_length", DEFAULT_LINE_LENGTH)
    return escaping.fit_docstring(str(value), indent, line_length)


def create_environment(
    templates_dir: Path | None = None, cache_size: int = 128
) -> jinja2.Environment:
    """Environment preferring ``templates_dir`` per template name, then the packaged templates."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGED_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
        cache_size=cache_size,
        auto_reload=False,
    )
    env.filters.update(
        {
            "py_str": escaping.py_str,
            "py_docstring": escaping.py_docstring,
            "fit_docstring": _fit_docstring,
            "py_comment": escaping.py_comment,
            "yaml_scalar": escaping.yaml_scalar,
            "identifier": escaping.identifier,
            "filename": escaping.filename,
            "md_text": escaping.md_text,
            "pascal": escaping.pascal,
            "py_literal": _py_literal,
        }
    )
    return env
