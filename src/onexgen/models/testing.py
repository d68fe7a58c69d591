"""Results of running a node's tests (stage 9) and the analysis of why they failed."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class EnumTestType(StrEnum):
    """The pytest markers a generated node's tests carry; ``all`` means no filtering."""

    ALL = "all"
    UNIT = "unit"
    INTEGRATION = "integration"
    CONTRACT = "contract"
    PERFORMANCE = "performance"


class ModelFailedTest(BaseModel):
    """One failed or errored test: what, where, and the error pytest reported."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="pytest node id, e.g. tests/unit/test_x.py::test_y.")
    error: str = Field(description="The one-line error message, e.g. 'ModuleNotFoundError: ...'.")
    traceback: str = ""
    file: str = Field(default="", description="Test file relative to the node directory.")
    line: int | None = Field(default=None, ge=1)
    is_error: bool = Field(
        default=False, description="True for an error in setup/collection rather than a failure."
    )


class ModelTestResults(BaseModel):
    """Counts, timing, coverage and failures of one test run of one node.

    ``success_rate`` and ``is_passing`` are properties (not stored) so a dumped result
    validates back into the model; ``summary_dict`` adds them for JSON output.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_dir: str
    test_type: EnumTestType = EnumTestType.ALL
    passed: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0, description="Failures plus errors.")
    skipped: int = Field(default=0, ge=0)
    total: int = Field(default=0, ge=0)
    duration: float = Field(default=0.0, ge=0.0, description="Wall-clock seconds.")
    coverage_percent: float | None = Field(default=None, ge=0.0, le=100.0)
    coverage_by_file: dict[str, float] = Field(
        default_factory=dict, description="Line coverage percent per node file (tests excluded)."
    )
    failed_tests: tuple[ModelFailedTest, ...] = ()
    exit_code: int
    timed_out: bool = False
    timeout_seconds: float = Field(gt=0)
    output_tail: str = Field(default="", description="Last lines of pytest's own output.")

    @property
    def success_rate(self) -> float:
        """Passed / (total - skipped); 0.0 when nothing ran."""
        ran = self.total - self.skipped
        return self.passed / ran if ran > 0 else 0.0

    @property
    def is_passing(self) -> bool:
        """Tests ran, none failed, and pytest exited cleanly."""
        return self.exit_code == 0 and not self.timed_out and self.failed == 0 and self.passed > 0

    def summary_dict(self) -> dict[str, object]:
        """The dumped model plus the derived ``success_rate`` and ``is_passing`` (for JSON)."""
        data = self.model_dump(mode="json")
        data["success_rate"] = round(self.success_rate, 4)
        data["is_passing"] = self.is_passing
        return data


class EnumFailureCategory(StrEnum):
    """Root-cause categories of a test failure."""

    IMPORT_ERROR = "import_error"
    TYPE_ERROR = "type_error"
    RUNTIME_ERROR = "runtime_error"
    ASSERTION_ERROR = "assertion_error"
    CONFIGURATION_ERROR = "configuration_error"
    INFRASTRUCTURE_ERROR = "infrastructure_error"
    TIMEOUT_ERROR = "timeout_error"


class EnumFailureSeverity(StrEnum):
    """How bad a run is: critical when all fail, high above 50% or with import errors, ..."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ModelRootCause(BaseModel):
    """One category of failure, the tests it explains and what to do about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: EnumFailureCategory
    tests: tuple[str, ...] = ()
    evidence: str = Field(description="The error text that led to this category.")
    missing_modules: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    recommended_fix: str = Field(min_length=1)
    auto_fixable: bool = False
    estimated_fix_minutes: int = Field(ge=0)


class ModelFailureAnalysis(BaseModel):
    """Why a test run failed, how badly, and the fixes, ready to render as Markdown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_dir: str
    severity: EnumFailureSeverity
    failure_rate: float = Field(ge=0.0, le=1.0)
    root_causes: tuple[ModelRootCause, ...] = ()
    recommended_fixes: tuple[str, ...] = ()
    auto_fixable: bool = False
    estimated_fix_minutes: int = Field(default=0, ge=0)
    summary: str = ""

    @property
    def categories(self) -> tuple[EnumFailureCategory, ...]:
        """The distinct categories found, in order of first appearance."""
        return tuple(dict.fromkeys(cause.category for cause in self.root_causes))
