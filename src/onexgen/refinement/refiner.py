"""Refinement (stage 7): try each safe fix, re-validate, keep it only if nothing got worse.

"Worse" means a lower quality score, more issues or more blocking issues than before the fix;
such a fix is rolled back file by file. Each step reports what it changed per file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from onexgen.models.validation import (
    EnumValidationLevel,
    ModelRefinementResult,
    ModelRefinementStep,
    ModelValidationResult,
)
from onexgen.refinement.file_changes import diff_summary, restore, snapshot
from onexgen.refinement.fixes import add_missing_imports, ruff_fix, ruff_format
from onexgen.validation.quality_validator import QualityValidator
from onexgen.validation.workspace import Workspace, config_workspace

FixAction = Callable[[Workspace], Awaitable[object]]

FIXES: tuple[tuple[str, str, FixAction], ...] = (
    (
        "missing-imports",
        "import undefined names that have exactly one source",
        add_missing_imports,
    ),
    (
        "ruff-fix",
        "ruff check --fix: sort imports, drop unused imports, safe rewrites",
        ruff_fix,
    ),
    ("ruff-format", "ruff format", ruff_format),
)


def is_worse(after: ModelValidationResult, before: ModelValidationResult) -> bool:
    """Whether anything got worse: the total, any component score, the issue count, or a
    blocking issue that was not there before (compared without line numbers, which fixes shift).
    """
    if after.quality_score < before.quality_score or len(after.issues) > len(before.issues):
        return True
    previous = {score.component: score.score for score in before.component_scores}
    if any(score.score < previous.get(score.component, 0.0) for score in after.component_scores):
        return True
    known = {(issue.code, issue.file, issue.message) for issue in before.blocking_issues}
    return any(
        (issue.code, issue.file, issue.message) not in known for issue in after.blocking_issues
    )


def refine_sync(
    node_dir: Path,
    validation_result: ModelValidationResult | None = None,
    *,
    level: EnumValidationLevel | None = None,
    validator: QualityValidator | None = None,
) -> ModelRefinementResult:
    """Blocking form of :func:`refine`."""
    return asyncio.run(refine(node_dir, validation_result, level=level, validator=validator))


async def refine(
    node_dir: Path,
    validation_result: ModelValidationResult | None = None,
    *,
    level: EnumValidationLevel | None = None,
    validator: QualityValidator | None = None,
) -> ModelRefinementResult:
    """Apply the safe fixes to ``node_dir`` in place, one at a time, each checked by validation."""
    node_dir = Path(node_dir).resolve()
    validator = validator or QualityValidator()
    if level is None:
        level = validation_result.level if validation_result else EnumValidationLevel.STANDARD
    if level is EnumValidationLevel.NONE:
        level = EnumValidationLevel.BASIC
    current = validation_result
    if current is None or current.level is not level:
        current = await validator.validate(node_dir, level)
    before = current
    steps: list[ModelRefinementStep] = []
    with config_workspace(node_dir) as workspace:
        for name, description, action in FIXES:
            files_before = snapshot(node_dir)
            await action(workspace)
            files_after = snapshot(node_dir)
            changes = diff_summary(files_before, files_after)
            if not changes:
                steps.append(ModelRefinementStep(fix=name, description=description, kept=True))
                continue
            result = await validator.validate(node_dir, level)
            if is_worse(result, current):
                restore(node_dir, files_before, files_after)
                steps.append(
                    ModelRefinementStep(
                        fix=name,
                        description=description,
                        changes=changes,
                        kept=False,
                        reason=_rollback_reason(current, result),
                    )
                )
                continue
            current = result
            steps.append(
                ModelRefinementStep(fix=name, description=description, changes=changes, kept=True)
            )
    return ModelRefinementResult(
        node_dir=str(node_dir), steps=tuple(steps), before=before, after=current
    )


def _rollback_reason(before: ModelValidationResult, after: ModelValidationResult) -> str:
    previous = {score.component: score.score for score in before.component_scores}
    worse = [
        f"{score.component.value} {previous.get(score.component, 0.0):.2f} -> {score.score:.2f}"
        for score in after.component_scores
        if score.score < previous.get(score.component, 0.0)
    ]
    known = {(issue.code, issue.file, issue.message) for issue in before.blocking_issues}
    new = [
        f"{issue.location} {issue.message}"
        for issue in after.blocking_issues
        if (issue.code, issue.file, issue.message) not in known
    ]
    parts = [
        f"score {before.quality_score:.3f} -> {after.quality_score:.3f}",
        f"issues {len(before.issues)} -> {len(after.issues)}",
        *worse,
        *(f"new: {text}" for text in new[:3]),
    ]
    return "rolled back: " + "; ".join(parts)
