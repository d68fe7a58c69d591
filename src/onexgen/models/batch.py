"""What ``onexgen batch`` reports: one row per node plus the timings of the whole run.

Printed as the summary table and, with ``--json``, dumped as is; so every field is plain data.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from onexgen.models.enums import EnumNodeKind
from onexgen.models.testing import ModelTestResults
from onexgen.models.validation import EnumValidationLevel, ModelValidationResult

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class EnumBatchNodeStatus(StrEnum):
    """How one node of a batch ended."""

    OK = "ok"
    FAILED = "failed"
    REFUSED = "refused"
    TIMED_OUT = "timed_out"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def is_ok(self) -> bool:
        """Only ``ok`` counts as success for the exit code."""
        return self is EnumBatchNodeStatus.OK


class ModelBatchNodeResult(BaseModel):
    """One node of the batch: what it became, how it ended, how long it took, how good it is."""

    model_config = _FROZEN

    name: str
    kind: EnumNodeKind | None = None
    status: EnumBatchNodeStatus
    stage: int | None = Field(default=None, ge=0, description="Dependency stage it ran in.")
    depends_on: tuple[str, ...] = ()
    package_name: str | None = None
    node_path: Path | None = None
    duration_seconds: float = Field(
        default=0.0, ge=0.0, description="This node's own generation time (its stage timings)."
    )
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    validation: ModelValidationResult | None = None
    test_results: ModelTestResults | None = None
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


class ModelBatchStageTiming(BaseModel):
    """Wall-clock time of one dependency stage of the generation."""

    model_config = _FROZEN

    index: int = Field(ge=0)
    nodes: tuple[str, ...]
    duration_seconds: float = Field(ge=0.0)
    failed: bool = False


class ModelBatchToolTiming(BaseModel):
    """One batched tool run (mypy or pytest over every node)."""

    model_config = _FROZEN

    tool: str
    duration_seconds: float = Field(ge=0.0)
    node_count: int = Field(ge=0)
    exit_code: int | None = None
    timed_out: bool = False


class ModelBatchResult(BaseModel):
    """The whole batch: per-node rows (spec order), timings, speedup and every error."""

    model_config = _FROZEN

    spec: str
    output_dir: Path
    validation_level: EnumValidationLevel
    jobs: int = Field(ge=1)
    fail_fast: bool
    nodes: tuple[ModelBatchNodeResult, ...]
    stages: tuple[ModelBatchStageTiming, ...] = ()
    total_duration_seconds: float = Field(ge=0.0)
    generation_duration_seconds: float = Field(default=0.0, ge=0.0)
    generation_step_seconds: float = Field(
        default=0.0,
        ge=0.0,
        description=(
            "Sum of the nodes' own generation times (their pipeline stage timings). Over "
            "generation_duration_seconds it says how much generation overlapped: about 1.0 "
            "in one process, since pipeline stages are CPU-bound Python."
        ),
    )
    validation_duration_seconds: float = Field(default=0.0, ge=0.0)
    tool_runs: tuple[ModelBatchToolTiming, ...] = ()
    failed_stage: int | None = None
    errors: tuple[str, ...] = ()
    cancelled: bool = False
    template_cache_hit_rate: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Of the batch's shared compiled-template cache."
    )
    template_cache_size: int | None = Field(default=None, ge=0)

    @property
    def success(self) -> bool:
        """Every node ok and nothing cancelled."""
        return not self.cancelled and all(node.status.is_ok for node in self.nodes)

    def node(self, name: str) -> ModelBatchNodeResult:
        """The row of node ``name`` (KeyError when absent)."""
        for row in self.nodes:
            if row.name == name:
                return row
        raise KeyError(name)

    def counts(self) -> dict[str, int]:
        """How many nodes ended in each status, in the enum's order (zeros left out)."""
        found = {status.value: 0 for status in EnumBatchNodeStatus}
        for row in self.nodes:
            found[row.status.value] += 1
        return {key: value for key, value in found.items() if value}


__all__ = [
    "EnumBatchNodeStatus",
    "ModelBatchNodeResult",
    "ModelBatchResult",
    "ModelBatchStageTiming",
    "ModelBatchToolTiming",
]
