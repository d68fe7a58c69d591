"""Results of validating (stage 6) and refining (stage 7) a generated node directory.

These models are embedded in ``ModelGenerationResult`` and printed by ``onexgen validate``,
so they carry everything a user needs to act on: where (file:line), how bad, and how to fix it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from onexgen.models.testing import ModelTestResults


class EnumValidationLevel(StrEnum):
    """How much checking to do; each level includes everything of the one before."""

    NONE = "none"
    BASIC = "basic"
    STANDARD = "standard"
    STRICT = "strict"

    @property
    def rank(self) -> int:
        """Position in the order none < basic < standard < strict."""
        return _LEVEL_ORDER.index(self)

    def includes(self, other: EnumValidationLevel) -> bool:
        """Whether this level runs the checks introduced at ``other``."""
        return self.rank >= other.rank


_LEVEL_ORDER = (
    EnumValidationLevel.NONE,
    EnumValidationLevel.BASIC,
    EnumValidationLevel.STANDARD,
    EnumValidationLevel.STRICT,
)


class EnumValidationComponent(StrEnum):
    """The five scored components of the quality score."""

    ONEX_COMPLIANCE = "onex_compliance"
    TYPE_SAFETY = "type_safety"
    CODE_QUALITY = "code_quality"
    DOCUMENTATION = "documentation"
    TESTS = "tests"


class EnumIssueSeverity(StrEnum):
    """How much an issue matters; ``critical`` and ``error`` always fail validation."""

    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def blocks(self) -> bool:
        """Whether an issue of this severity fails validation regardless of the score."""
        return self in (EnumIssueSeverity.CRITICAL, EnumIssueSeverity.ERROR)


class ModelValidationIssue(BaseModel):
    """One problem found in a node, with its location and a concrete fix."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    component: EnumValidationComponent
    severity: EnumIssueSeverity
    code: str = Field(min_length=1, description="Rule id, e.g. ONEX003, mypy:arg-type, ruff:F401.")
    message: str = Field(min_length=1)
    file: str = Field(description="Path relative to the node directory; '' for the node itself.")
    line: int | None = Field(default=None, ge=1)
    column: int | None = Field(default=None, ge=1)
    suggested_fix: str = Field(min_length=1)

    @property
    def location(self) -> str:
        """``file:line`` (or just ``file``) for display."""
        where = self.file or "."
        return f"{where}:{self.line}" if self.line is not None else where


class ModelComponentScore(BaseModel):
    """The score of one component, its weight and whether it was checked at this level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    component: EnumValidationComponent
    score: float = Field(ge=0.0, le=1.0)
    weight: float = Field(ge=0.0, le=1.0)
    checked: bool = True
    issue_count: int = Field(default=0, ge=0)
    details: tuple[str, ...] = ()


class ModelValidationResult(BaseModel):
    """Everything stage 6 found about one node directory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_dir: str
    level: EnumValidationLevel
    passed: bool
    quality_score: float = Field(ge=0.0, le=1.0)
    threshold: float = Field(ge=0.0, le=1.0)
    component_scores: tuple[ModelComponentScore, ...] = ()
    issues: tuple[ModelValidationIssue, ...] = ()
    tools_run: tuple[str, ...] = ()
    duration_seconds: float = Field(default=0.0, ge=0.0)
    test_results: ModelTestResults | None = Field(
        default=None, description="The pytest run made at the strict level, if any."
    )

    @property
    def blocking_issues(self) -> tuple[ModelValidationIssue, ...]:
        """Issues that fail validation whatever the score."""
        return tuple(issue for issue in self.issues if issue.severity.blocks)

    def component(self, component: EnumValidationComponent) -> ModelComponentScore | None:
        """The score of one component, if it is part of this result."""
        for score in self.component_scores:
            if score.component is component:
                return score
        return None


class ModelFileChange(BaseModel):
    """What one automatic fix did to one file (a diff summary, not the diff)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    lines_added: int = Field(ge=0)
    lines_removed: int = Field(ge=0)


class ModelRefinementStep(BaseModel):
    """One kind of automatic fix, whether it was kept, and why not if it was rolled back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fix: str
    description: str
    changes: tuple[ModelFileChange, ...] = ()
    kept: bool
    reason: str = ""


class ModelRefinementResult(BaseModel):
    """Outcome of stage 7: fixes tried, which were kept, and the validation before and after."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_dir: str
    steps: tuple[ModelRefinementStep, ...] = ()
    before: ModelValidationResult
    after: ModelValidationResult

    @property
    def changed(self) -> bool:
        """Whether any kept fix changed a file."""
        return any(step.kept and step.changes for step in self.steps)

    @property
    def improved(self) -> bool:
        """Whether the score rose or the issue count fell."""
        return self.after.quality_score > self.before.quality_score or len(self.after.issues) < len(
            self.before.issues
        )
