"""The typed requirements every later stage works from (output of stage 1)."""

from __future__ import annotations

import keyword
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.models.facts import ModelRequestFacts

_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")

PascalName = Annotated[str, Field(min_length=1, max_length=80, pattern=_PASCAL.pattern)]
SnakeName = Annotated[str, Field(min_length=1, max_length=80, pattern=_SNAKE.pattern)]

ExplicitField = Literal["node_type", "node_name", "domain", "service_name"]


class ModelRateLimit(BaseModel):
    """A rate limit as stated ("5000 requests/hour") and normalised to seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: int = Field(gt=0)
    period_seconds: float = Field(gt=0)

    @property
    def per_second(self) -> float:
        """Requests per second, for token-bucket configuration."""
        return self.requests / self.period_seconds


class ModelPerformanceRequirements(BaseModel):
    """Every number the prompt stated, in structured form; ``None`` means not stated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_latency_ms: float | None = Field(default=None, gt=0)
    throughput_per_second: float | None = Field(default=None, gt=0)
    timeout_seconds: float | None = Field(default=None, gt=0)
    retry_attempts: int | None = Field(default=None, ge=0, le=100)
    pool_min_size: int | None = Field(default=None, ge=0)
    pool_max_size: int | None = Field(default=None, gt=0)
    cache_ttl_seconds: float | None = Field(default=None, gt=0)
    rate_limit: ModelRateLimit | None = None
    circuit_breaker_threshold: int | None = Field(default=None, gt=0)
    batch_size: int | None = Field(default=None, gt=0)
    window_seconds: tuple[float, ...] = ()


class ModelFieldConfidence(BaseModel):
    """How sure stage 1 is of each identity field: 1.0 stated, lower when inferred or derived."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_type: float = Field(default=1.0, ge=0.0, le=1.0)
    node_name: float = Field(default=1.0, ge=0.0, le=1.0)
    domain: float = Field(default=1.0, ge=0.0, le=1.0)


class ModelPRDRequirements(BaseModel):
    """What the user asked for, whichever way they asked (prompt, requirements file, contract)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_type: EnumNodeKind
    node_name: PascalName
    service_name: SnakeName
    domain: SnakeName
    category: EnumCategory = EnumCategory.GENERAL
    business_description: str = Field(min_length=1, max_length=4000)
    operations: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    external_systems: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    performance_requirements: ModelPerformanceRequirements = Field(
        default_factory=ModelPerformanceRequirements
    )
    extraction_confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    explicit_fields: tuple[ExplicitField, ...] = ()
    field_confidence: ModelFieldConfidence = Field(default_factory=ModelFieldConfidence)
    facts: ModelRequestFacts = Field(default_factory=ModelRequestFacts)
    original_prompt: str = ""

    @field_validator("node_name", "service_name", "domain")
    @classmethod
    def _not_a_keyword(cls, value: str) -> str:
        if keyword.iskeyword(value) or keyword.issoftkeyword(value):
            raise ValueError(f"{value!r} is a Python keyword and cannot name a node")
        return value

    @field_validator("operations", "features", "dependencies")
    @classmethod
    def _snake_items(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for item in values:
            if not _SNAKE.match(item) or keyword.iskeyword(item):
                raise ValueError(
                    f"{item!r} must be a snake_case identifier such as 'create' or 'retry_logic'"
                )
        return tuple(dict.fromkeys(values))
