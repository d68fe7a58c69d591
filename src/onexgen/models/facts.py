"""Structured facts stage 1 extracts from a request, each with the words it came from.

These are what the user asked for beyond kind and name: the orchestrator's steps in their order,
grouping keys, windows, schedules, durations, counts, thresholds and named outputs. The contract
carries them in the framework's own sections and the generated code and tests use their values,
so nothing the user wrote is lost between the prompt and the node.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

_SNAKE_PATTERN = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"

FactName = Annotated[str, Field(min_length=1, max_length=80, pattern=_SNAKE_PATTERN)]
SourceText = Annotated[str, Field(max_length=400)]

DurationRole = Literal[
    "ttl", "timeout", "window", "slide", "interval", "lookback", "segment", "delay", "other"
]
LimitRole = Literal[
    "top_n", "concurrency", "retries", "page_size", "batch_size", "count", "variants", "other"
]


class _Fact(BaseModel):
    """Base of every fact: frozen, strict, and carrying the request's own words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: SourceText = ""


class ModelWorkflowStepFact(_Fact):
    """One step of an orchestrated workflow, named in the user's words and order.

    ``depends_on`` names earlier steps that must complete first; steps sharing a
    ``parallel_group`` run side by side; ``compensation`` says how to undo the step when a later
    step fails ("roll back the reservation if payment fails"), ``None`` when nothing undoes it.
    """

    name: FactName
    description: str = Field(default="", max_length=400)
    depends_on: tuple[FactName, ...] = ()
    parallel_group: FactName | None = None
    compensation: str | None = Field(default=None, max_length=400)
    compensation_trigger: FactName | None = None


class ModelGroupingKeyFact(_Fact):
    """A key the node groups by or keeps state per ("per URL" -> ``url``)."""

    name: FactName


class ModelWindowFact(_Fact):
    """A time window: tumbling (``slide_seconds`` None) or sliding."""

    kind: Literal["tumbling", "sliding"]
    size_seconds: float = Field(gt=0)
    slide_seconds: float | None = Field(default=None, gt=0)


class ModelScheduleFact(_Fact):
    """When the node runs on its own: every N seconds, or a named cadence ("nightly")."""

    every_seconds: float | None = Field(default=None, gt=0)
    cron: str | None = Field(default=None, max_length=100)
    label: str = Field(default="", max_length=40)


class ModelDurationFact(_Fact):
    """A duration with its unit normalised to seconds and what it is for."""

    role: DurationRole = "other"
    seconds: float = Field(gt=0)


class ModelLimitFact(_Fact):
    """A count or limit ("top 100", "concurrency ten", "three sizes")."""

    role: LimitRole = "other"
    value: int = Field(ge=0)


class ModelThresholdFact(_Fact):
    """A threshold the node compares against ("error rate above 5 percent")."""

    metric: FactName
    value: float
    unit: str | None = Field(default=None, max_length=20)
    comparison: Literal["above", "below", "at_least", "at_most"] = "above"


class ModelNamedOutputFact(_Fact):
    """An output the user named (``p95``, ``presigned_url``)."""

    name: FactName


class ModelRequestFacts(BaseModel):
    """Every structured fact of one request; empty tuples mean the request stated none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: tuple[ModelWorkflowStepFact, ...] = ()
    parallel: bool = False
    compensation: bool = False
    group_by: tuple[ModelGroupingKeyFact, ...] = ()
    windows: tuple[ModelWindowFact, ...] = ()
    schedules: tuple[ModelScheduleFact, ...] = ()
    durations: tuple[ModelDurationFact, ...] = ()
    limits: tuple[ModelLimitFact, ...] = ()
    thresholds: tuple[ModelThresholdFact, ...] = ()
    outputs: tuple[ModelNamedOutputFact, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the request stated no structured fact at all."""
        return self == ModelRequestFacts()


__all__ = [
    "ModelDurationFact",
    "ModelGroupingKeyFact",
    "ModelLimitFact",
    "ModelNamedOutputFact",
    "ModelRequestFacts",
    "ModelScheduleFact",
    "ModelThresholdFact",
    "ModelWindowFact",
    "ModelWorkflowStepFact",
]
