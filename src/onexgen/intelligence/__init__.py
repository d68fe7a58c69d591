"""Stage 2: best-practice intelligence (built-in, offline library).

``gather_intelligence`` loads on first use, so that the light ``mixins`` recommender can be
imported by ``onexgen parse`` without pulling in the models (pydantic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onexgen.intelligence.gather import gather_intelligence

__all__ = ["gather_intelligence"]


def __getattr__(name: str) -> Any:
    if name == "gather_intelligence":
        from onexgen.intelligence.gather import gather_intelligence

        return gather_intelligence
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
