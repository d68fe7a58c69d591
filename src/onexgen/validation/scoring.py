"""Reference weights and the arithmetic that turns issues into component and total scores.

A component's score starts from what was measured (e.g. annotation or docstring coverage) and loses
a fixed amount per issue by severity. Any critical or error issue fails validation whatever the
total, so one broken node can never average its way past the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onexgen.models.validation import (
    EnumIssueSeverity,
    EnumValidationComponent,
    EnumValidationLevel,
    ModelComponentScore,
    ModelValidationIssue,
    ModelValidationResult,
)

WEIGHTS: dict[EnumValidationComponent, float] = {
    EnumValidationComponent.ONEX_COMPLIANCE: 0.30,
    EnumValidationComponent.TYPE_SAFETY: 0.25,
    EnumValidationComponent.CODE_QUALITY: 0.20,
    EnumValidationComponent.DOCUMENTATION: 0.15,
    EnumValidationComponent.TESTS: 0.10,
}

PENALTIES: dict[EnumIssueSeverity, float] = {
    EnumIssueSeverity.CRITICAL: 1.0,
    EnumIssueSeverity.ERROR: 0.25,
    EnumIssueSeverity.WARNING: 0.05,
    EnumIssueSeverity.INFO: 0.0,
}

_SEVERITY_ORDER = {
    EnumIssueSeverity.CRITICAL: 0,
    EnumIssueSeverity.ERROR: 1,
    EnumIssueSeverity.WARNING: 2,
    EnumIssueSeverity.INFO: 3,
}


@dataclass
class ComponentOutcome:
    """What one checker found; ``base_score`` is its measured quality before issue penalties."""

    component: EnumValidationComponent
    base_score: float = 1.0
    issues: list[ModelValidationIssue] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    checked: bool = True

    def add(
        self,
        severity: EnumIssueSeverity,
        code: str,
        message: str,
        fix: str,
        *,
        file: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        """Record one issue of this component."""
        self.issues.append(
            ModelValidationIssue(
                component=self.component,
                severity=severity,
                code=code,
                message=message,
                file=file,
                line=line if line is not None and line >= 1 else None,
                column=column if column is not None and column >= 1 else None,
                suggested_fix=fix,
            )
        )

    def score(self) -> float:
        """``base_score`` minus the penalties of its issues, clamped to [0, 1]."""
        penalty = sum(PENALTIES[issue.severity] for issue in self.issues)
        return round(min(1.0, max(0.0, self.base_score - penalty)), 4)


def issue_sort_key(issue: ModelValidationIssue) -> tuple[int, str, int, int, str, str]:
    """Most severe first, then by location: a stable order whatever the tools' order."""
    return (
        _SEVERITY_ORDER[issue.severity],
        issue.file,
        issue.line or 0,
        issue.column or 0,
        issue.code,
        issue.message,
    )


def compose_result(
    node_dir: str,
    level: EnumValidationLevel,
    threshold: float,
    outcomes: list[ComponentOutcome],
    duration_seconds: float,
) -> ModelValidationResult:
    """Weighted total, pass/fail and the sorted, de-duplicated issue list."""
    by_component = {outcome.component: outcome for outcome in outcomes}
    scores: list[ModelComponentScore] = []
    total = 0.0
    for component, weight in WEIGHTS.items():
        outcome = by_component.get(component) or ComponentOutcome(component, checked=False)
        component_score = outcome.score()
        total += weight * component_score
        scores.append(
            ModelComponentScore(
                component=component,
                score=component_score,
                weight=weight,
                checked=outcome.checked,
                issue_count=len(outcome.issues),
                details=tuple(outcome.details),
            )
        )
    issues = sorted({issue for outcome in outcomes for issue in outcome.issues}, key=issue_sort_key)
    quality = round(min(1.0, max(0.0, total)), 4)
    blocking = any(issue.severity.blocks for issue in issues)
    tools = sorted({tool for outcome in outcomes for tool in outcome.tools})
    return ModelValidationResult(
        node_dir=node_dir,
        level=level,
        passed=quality >= threshold and not blocking,
        quality_score=quality,
        threshold=threshold,
        component_scores=tuple(scores),
        issues=tuple(issues),
        tools_run=tuple(tools),
        duration_seconds=round(duration_seconds, 3),
    )
