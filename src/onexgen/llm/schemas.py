"""The shapes a model must answer in; every answer is validated against one of these.

Field descriptions are part of the prompt (the JSON schema is shown to the model), so they say
exactly what is expected.
"""

from __future__ import annotations

import keyword
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_ANSWER = ConfigDict(extra="ignore", frozen=True)


class ModelMethodBody(BaseModel):
    """The new body of one target method."""

    model_config = _ANSWER

    target: str = Field(description="The target's key exactly as given: Class.method")
    body: str = Field(
        min_length=1,
        max_length=20_000,
        description="Python statements of the body only (no def line, no docstring).",
    )


class ModelCodeAnswer(BaseModel):
    """Bodies for the target methods and a test module pinning their behaviour."""

    model_config = _ANSWER

    methods: list[ModelMethodBody] = Field(min_length=1, max_length=50)
    imports: list[str] = Field(
        default_factory=list,
        max_length=30,
        description="Extra import statements the bodies need, one per item.",
    )
    tests: str = Field(
        min_length=1,
        max_length=40_000,
        description="A complete pytest module (relative imports, like the example test).",
    )


NodeKindName = Literal["effect", "compute", "reducer", "orchestrator"]


class ModelRequirementsAnswer(BaseModel):
    """What the model understands the request to ask for."""

    model_config = _ANSWER

    node_type: NodeKindName
    operations: list[str] = Field(
        default_factory=list,
        max_length=12,
        description="snake_case operation names the node offers, e.g. calculate_percentile.",
    )
    output_fields: list[str] = Field(
        default_factory=list,
        max_length=12,
        description="snake_case names of the values the node returns, e.g. p95_ms.",
    )
    group_by: list[str] = Field(
        default_factory=list,
        max_length=6,
        description="snake_case keys a reducer groups by, e.g. customer_id (else empty).",
    )
    reason: str = Field(default="", max_length=500, description="One sentence: why.")

    @field_validator("operations", "output_fields", "group_by")
    @classmethod
    def _snake(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _SNAKE.match(value) or keyword.iskeyword(value):
                raise ValueError(f"{value!r} is not a snake_case identifier")
        return sorted(dict.fromkeys(values))
