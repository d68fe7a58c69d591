"""How a node's code was produced: the generation strategy, model calls, votes and review state.

These models travel in ``ModelGenerationResult.strategy`` and (without usage figures) in
``node.manifest.yaml``. They never hold an API key: settings keep it as a ``SecretStr`` and no
report field is built from it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class EnumGenerationStrategy(StrEnum):
    """``--strategy``: who writes what.

    ``jinja2``: templates only. ``hybrid``: templates write the package, a model writes the bodies
    of the operations a user must otherwise implement and tests pinning them. ``llm``: hybrid,
    and the model also proposes the operations. ``auto``: hybrid when a model is configured, else
    jinja2.
    """

    JINJA2 = "jinja2"
    LLM = "llm"
    HYBRID = "hybrid"
    AUTO = "auto"


class ModelLLMCall(BaseModel):
    """One request to a model (after retries): what it cost and how it ended."""

    model_config = _FROZEN

    stage: str = Field(description="understanding, proposal, code, repair_2, quorum_vote, ...")
    model: str
    outcome: str = Field(description="ok, invalid_answer, unavailable")
    latency_ms: float = Field(ge=0.0)
    attempts: int = Field(default=1, ge=0)
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    detail: str = ""


class ModelStageUsage(BaseModel):
    """Token usage and model latency summed per stage (``code``, ``understanding``...)."""

    model_config = _FROZEN

    stage: str
    calls: int = Field(ge=0)
    prompt_tokens: int = Field(ge=0)
    completion_tokens: int = Field(ge=0)
    latency_ms: float = Field(ge=0.0)


class ModelQuorumVote(BaseModel):
    """One model's vote (a kind, a requirements digest, or a code candidate's score)."""

    model_config = _FROZEN

    model: str
    subject: str = Field(description="node_type, operations or code")
    answer: str
    reason: str = ""
    score: float | None = Field(default=None, ge=0.0, le=1.0)


class ModelQuorumDecision(BaseModel):
    """The outcome of one vote: what won, with which agreement, or why the rules decided."""

    model_config = _FROZEN

    subject: str
    votes: tuple[ModelQuorumVote, ...]
    winner: str | None = Field(description="None: no quorum, the rules decided")
    agreement: float = Field(ge=0.0, le=1.0)
    reason: str


class ModelDiagnostic(BaseModel):
    """One finding of the checks, as it goes back to the model (structured, not a raw log)."""

    model_config = _FROZEN

    tool: str = Field(description="json, ast, ruff, mypy, pytest, onex, score")
    code: str = Field(description="Rule id, e.g. mypy:assignment, ruff:F401, ONEX003")
    file: str = ""
    line: int | None = None
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f" {self.file}:{self.line}" if self.line else (f" {self.file}" if self.file else "")
        return f"[{self.code}]{where}: {self.message}"


class ModelRepairRound(BaseModel):
    """One candidate the model wrote and what the strict checks said about it."""

    model_config = _FROZEN

    round: int = Field(ge=1)
    model: str
    accepted: bool
    quality_score: float | None = Field(default=None, ge=0.0, le=1.0)
    diagnostics: tuple[ModelDiagnostic, ...] = Field(
        default=(), description="What went back to the model."
    )


class ModelStrategyReport(BaseModel):
    """What the strategy machinery did for one node."""

    model_config = _FROZEN

    requested: EnumGenerationStrategy
    used: EnumGenerationStrategy
    reason: str = Field(description="Why this strategy (auto's choice, a fallback, ...).")
    model: str | None = None
    needs_review: bool = False
    review_reason: str = ""
    methods_written: tuple[str, ...] = Field(default=(), description="Class.method the model wrote")
    test_file: str | None = None
    rounds: tuple[ModelRepairRound, ...] = ()
    quorum: tuple[ModelQuorumDecision, ...] = ()
    disagreements: tuple[str, ...] = Field(
        default=(), description="Where the model's understanding differed from the request's."
    )
    proposals: tuple[str, ...] = Field(
        default=(), description="What the llm strategy let the model propose (fields, ...)."
    )
    calls: tuple[ModelLLMCall, ...] = ()
    usage: tuple[ModelStageUsage, ...] = ()
    overhead_ms: float = Field(
        default=0.0, ge=0.0, description="Strategy time beyond model latency and validation."
    )
    checks_ms: float = Field(
        default=0.0, ge=0.0, description="Time the strict checks of candidates took."
    )
    busy_ms: float = Field(default=0.0, ge=0.0, description="All time spent in the strategy.")
    warnings: tuple[str, ...] = ()


class ModelStrategyManifest(BaseModel):
    """The part of the report the manifest keeps (no timings: the manifest is a baseline)."""

    model_config = _FROZEN

    requested: EnumGenerationStrategy
    used: EnumGenerationStrategy
    reason: str
    model: str | None = None
    needs_review: bool = False
    review_reason: str = ""
    methods_written: tuple[str, ...] = ()
    quorum: tuple[ModelQuorumDecision, ...] = ()

    @classmethod
    def of(cls, report: ModelStrategyReport) -> ModelStrategyManifest:
        """The manifest's view of ``report``."""
        return cls(
            requested=report.requested,
            used=report.used,
            reason=report.reason,
            model=report.model,
            needs_review=report.needs_review,
            review_reason=report.review_reason,
            methods_written=report.methods_written,
            quorum=report.quorum,
        )


def summarise_usage(calls: tuple[ModelLLMCall, ...]) -> tuple[ModelStageUsage, ...]:
    """Per-stage sums of ``calls``, in first-seen stage order."""
    order: list[str] = []
    sums: dict[str, list[float]] = {}
    for call in calls:
        if call.stage not in sums:
            order.append(call.stage)
            sums[call.stage] = [0, 0, 0, 0.0]
        entry = sums[call.stage]
        entry[0] += 1
        entry[1] += call.prompt_tokens
        entry[2] += call.completion_tokens
        entry[3] += call.latency_ms
    return tuple(
        ModelStageUsage(
            stage=stage,
            calls=int(sums[stage][0]),
            prompt_tokens=int(sums[stage][1]),
            completion_tokens=int(sums[stage][2]),
            latency_ms=round(sums[stage][3], 3),
        )
        for stage in order
    )
