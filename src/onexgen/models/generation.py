"""What a generation run reports: the result model and the typed progress events.

The CLI prints the result as JSON (``--json``) and draws the live stage view from the progress
events, so both are plain frozen pydantic models with no behaviour beyond formatting helpers.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from onexgen.models.enums import EnumNodeKind
from onexgen.models.strategy import ModelStrategyReport
from onexgen.models.testing import ModelTestResults
from onexgen.models.validation import ModelRefinementResult, ModelValidationResult

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class EnumPipelineStage(IntEnum):
    """The nine stages, numbered as in the reference pipeline."""

    PROMPT_PARSING = 1
    INTELLIGENCE_GATHERING = 2
    CONTRACT_BUILDING = 3
    CODE_GENERATION = 4
    EVENT_BUS_INTEGRATION = 5
    VALIDATION = 6
    REFINEMENT = 7
    FILE_WRITING = 8
    TEST_GENERATION = 9

    @property
    def title(self) -> str:
        """``Prompt Parsing``, ``Event Bus Integration``... for display."""
        return self.name.replace("_", " ").title()


class EnumStageStatus(StrEnum):
    """How a stage ended (``pending`` only appears in live views)."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class ModelStageTiming(BaseModel):
    """One stage of one run: how it ended and how long it took."""

    model_config = _FROZEN

    number: int = Field(ge=1, le=9)
    name: str
    status: EnumStageStatus
    duration_ms: float = Field(ge=0.0)
    detail: str = ""


class _ModelStageEvent(BaseModel):
    """What every progress event carries: the run, the stage and its display name."""

    model_config = _FROZEN

    correlation_id: UUID
    stage: EnumPipelineStage
    name: str


class ModelStageStarted(_ModelStageEvent):
    """A stage began."""

    event: Literal["stage_started"] = "stage_started"


class ModelStageCompleted(_ModelStageEvent):
    """A stage finished; ``detail`` says what it produced (``24 files``, ``score 0.93``)."""

    event: Literal["stage_completed"] = "stage_completed"
    duration_ms: float = Field(ge=0.0)
    detail: str = ""


class ModelStageFailed(_ModelStageEvent):
    """A stage raised; ``error`` is the one-line reason."""

    event: Literal["stage_failed"] = "stage_failed"
    duration_ms: float = Field(ge=0.0)
    error: str


class ModelStageSkipped(_ModelStageEvent):
    """A stage did not run (dry run, ``--validation none``, an earlier failure)."""

    event: Literal["stage_skipped"] = "stage_skipped"
    reason: str


ModelProgressEvent = Annotated[
    ModelStageStarted | ModelStageCompleted | ModelStageFailed | ModelStageSkipped,
    Field(discriminator="event"),
]
"""Any progress event; subscribers switch on ``event``."""


class ModelGenerationResult(BaseModel):
    """Outcome of one run: what was generated, where, how long each stage took, how good it is."""

    model_config = _FROZEN

    success: bool
    correlation_id: UUID
    node_name: str | None = None
    service_name: str | None = None
    node_type: EnumNodeKind | None = None
    package_name: str | None = None
    node_path: Path | None = Field(
        default=None, description="Absolute path of the node directory (would-be path on dry run)."
    )
    files: tuple[str, ...] = Field(default=(), description="Relative POSIX paths, sorted.")
    stage_timings: tuple[ModelStageTiming, ...] = ()
    total_duration_ms: float = Field(default=0.0, ge=0.0)
    quality_score: float | None = Field(default=None, ge=0.0, le=1.0)
    validation: ModelValidationResult | None = None
    refinement: ModelRefinementResult | None = None
    test_results: ModelTestResults | None = None
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    dry_run: bool = False
    contract_yaml: str | None = Field(
        default=None, description="The contract that was (or, on a dry run, would be) written."
    )
    strategy: ModelStrategyReport | None = Field(
        default=None, description="Strategy used, model calls, votes, review state."
    )

    def timing(self, stage: EnumPipelineStage) -> ModelStageTiming | None:
        """The timing entry of one stage, if it was reached."""
        for entry in self.stage_timings:
            if entry.number == stage.value:
                return entry
        return None
