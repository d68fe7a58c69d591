"""Result of classifying requirements into a node kind (stage 1, second half)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onexgen.models.enums import EnumNodeKind


class ModelClassificationAlternative(BaseModel):
    """A kind that was considered, with its normalised score and why it lost."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_type: EnumNodeKind
    confidence: float = Field(ge=0.0, le=1.0)
    indicators: tuple[str, ...] = ()
    reason: str = Field(default="", max_length=400)


class ModelClassificationResult(BaseModel):
    """The chosen kind, why, and what it was weighed against (best first)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_type: EnumNodeKind
    confidence: float = Field(ge=0.0, le=1.0)
    template_name: str
    template_variant: str
    primary_indicators: tuple[str, ...] = ()
    alternatives: tuple[ModelClassificationAlternative, ...] = ()
