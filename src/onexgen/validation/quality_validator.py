"""QualityValidator (stage 6): run the checkers for a level and compose the weighted score.

Levels: ``none`` (skip); ``basic`` (AST: syntax, naming, base class, process signature, contract
consistency, annotations, docstrings, test files); ``standard`` (+ ruff check/format, mypy
--strict, the contract's sections in omnibase_core's models and its handler resolved as the
runtime resolves it); ``strict`` (+ pytest with coverage, + ``onex validate --strict``'s checks).
The tools of a level run concurrently on a fresh copy of the node.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

from onexgen.models.validation import EnumValidationLevel, ModelValidationResult
from onexgen.validation.code_quality import check_complexity, run_ruff_check, run_ruff_format
from onexgen.validation.documentation import check_documentation
from onexgen.validation.layout import load_layout
from onexgen.validation.levels import DEFAULT_LEVEL, DEFAULT_THRESHOLD
from onexgen.validation.onex_compliance import check_onex_compliance, run_framework_checks_on
from onexgen.validation.scoring import ComponentOutcome, compose_result
from onexgen.validation.tests_check import check_test_files, run_tests
from onexgen.validation.tools import drop_cached_bytecode, locate_tool
from onexgen.validation.type_safety import check_annotations, run_mypy
from onexgen.validation.workspace import node_workspace

if TYPE_CHECKING:
    from onexgen.models.enums import EnumNodeKind
    from onexgen.models.testing import ModelTestResults
    from onexgen.validation.workspace import Workspace

DEFAULT_TEST_TIMEOUT_SECONDS = 120.0


class NodeDirectoryError(ValueError):
    """The path given for validation is not a node directory."""


class QualityValidator:
    """Validates node directories; ``passed`` needs score >= threshold and no blocking issue."""

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        test_timeout_seconds: float = DEFAULT_TEST_TIMEOUT_SECONDS,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.threshold = threshold
        self.test_timeout_seconds = test_timeout_seconds

    def validate_sync(
        self, node_dir: Path, level: EnumValidationLevel | str = DEFAULT_LEVEL
    ) -> ModelValidationResult:
        """Blocking form of :meth:`validate`."""
        return asyncio.run(self.validate(node_dir, level))

    async def validate(
        self, node_dir: Path, level: EnumValidationLevel | str = DEFAULT_LEVEL
    ) -> ModelValidationResult:
        """Validate ``node_dir`` at ``level``; raises ToolNotFoundError if a tool is missing."""
        level = EnumValidationLevel(level)
        node_dir = Path(node_dir).resolve()
        if not node_dir.is_dir():
            raise NodeDirectoryError(f"{node_dir} is not a directory; pass a node package folder")
        started = time.perf_counter()
        if level is EnumValidationLevel.NONE:
            return ModelValidationResult(
                node_dir=str(node_dir),
                level=level,
                passed=True,
                quality_score=0.0,
                threshold=self.threshold,
            )
        layout = load_layout(node_dir)
        onex = check_onex_compliance(layout)
        types = check_annotations(layout)
        quality = check_complexity(layout)
        docs = check_documentation(layout)
        tests = check_test_files(layout)
        test_results: ModelTestResults | None = None
        if level.includes(EnumValidationLevel.STANDARD):
            for tool in _tools_for(level):
                locate_tool(tool)  # fail before starting anything if one is missing
            quality = ComponentOutcome(quality.component, checked=False)
            with node_workspace(node_dir) as workspace:
                try:
                    test_results = await self._run_tools(
                        workspace,
                        level,
                        kind=layout.kind,
                        onex=onex,
                        types=types,
                        quality=quality,
                        tests=tests,
                    )
                finally:
                    # the copy's bytecode in the shared cache is of no use to any later run
                    drop_cached_bytecode(workspace.root)
        _drop_duplicate_syntax_reports(types)
        result = compose_result(
            str(node_dir),
            level,
            self.threshold,
            [onex, types, quality, docs, tests],
            time.perf_counter() - started,
        )
        if test_results is not None:
            result = result.model_copy(update={"test_results": test_results})
        return result

    async def _run_tools(
        self,
        workspace: Workspace,
        level: EnumValidationLevel,
        *,
        kind: EnumNodeKind | None,
        onex: ComponentOutcome,
        types: ComponentOutcome,
        quality: ComponentOutcome,
        tests: ComponentOutcome,
    ) -> ModelTestResults | None:
        """Run the level's tools concurrently on the copy; pytest's results at ``strict``.

        Longest first (pytest, then the framework checks, then mypy): on two cores the short
        tools fit beside pytest, which sets the wall time. The framework checks (contract
        models, handler resolution; at ``strict`` also ``onex validate``'s validators) run in
        one subprocess at both levels. A TaskGroup cancels (and so kills) the other
        tools if one checker fails, before the workspace they run in is removed.
        """
        strict = level.includes(EnumValidationLevel.STRICT)
        try:
            async with asyncio.TaskGroup() as group:
                pytest_task = (
                    group.create_task(run_tests(workspace, tests, self.test_timeout_seconds))
                    if strict
                    else None
                )
                group.create_task(run_framework_checks_on(workspace, kind, onex, suite=strict))
                group.create_task(run_mypy(workspace, types))
                group.create_task(run_ruff_check(workspace, quality))
                group.create_task(run_ruff_format(workspace, quality))
        except ExceptionGroup as failures:
            # callers expect the checker's own error (e.g. ToolNotFoundError), not a group
            raise failures.exceptions[0] from failures
        return pytest_task.result() if pytest_task is not None else None


def _tools_for(level: EnumValidationLevel) -> tuple[str, ...]:
    """The external tools a level runs."""
    if level.includes(EnumValidationLevel.STRICT):
        return ("ruff", "mypy", "pytest", "python")
    return ("ruff", "mypy", "python")


def _drop_duplicate_syntax_reports(types: ComponentOutcome) -> None:
    """mypy repeats syntax errors that ONEX001 already reports as critical."""
    types.issues = [issue for issue in types.issues if issue.code != "mypy:syntax"]
