"""Build a model's candidate node, format it, and run the strict checks on it (subprocesses only).

The candidate is written to a temporary directory, ruff fixes and formats it, then the same
``QualityValidator`` at ``strict`` as any node runs ruff, mypy, pytest and ``onex validate`` through
the one tool runner (``validation.tools.run_tool``), with their timeouts. Model code is never
imported into onexgen's own process.
"""

from __future__ import annotations

import ast
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from onexgen.llm.targets import (
    CodeAnswerError,
    apply_bodies,
    check_body,
    check_import,
)
from onexgen.models.strategy import ModelDiagnostic
from onexgen.models.validation import EnumValidationLevel, ModelValidationResult

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from onexgen.llm.schemas import ModelCodeAnswer
    from onexgen.llm.targets import CodeTarget

MAX_DIAGNOSTICS = 25


@dataclass(frozen=True, slots=True)
class Candidate:
    """One model's version of the node's files and what the strict checks said."""

    model: str
    round: int
    files: dict[str, str]
    validation: ModelValidationResult
    methods: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        """Passed strict validation and its tests ran and passed."""
        tests = self.validation.test_results
        return self.validation.passed and tests is not None and tests.is_passing

    @property
    def score(self) -> float:
        """Quality score (the quorum's first criterion)."""
        return self.validation.quality_score


def apply_answer(
    files: Mapping[str, str],
    targets: Sequence[CodeTarget],
    answer: ModelCodeAnswer,
    test_path: str,
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The node's files with the answer applied; CodeAnswerError before anything is written."""
    by_key = {t.key: t for t in targets}
    bodies: dict[str, str] = {}
    for method in answer.methods:
        target = by_key.get(method.target) or next(
            (t for t in targets if t.method == method.target), None
        )
        if target is None:
            raise CodeAnswerError(
                f"{method.target!r} is not a target; use one of {', '.join(sorted(by_key))}"
            )
        bodies[target.key] = check_body(target, method.body)
    imports = [check_import(line) for line in answer.imports]
    result = dict(files)
    for path in sorted({t.file for t in targets}):
        mine = [t for t in targets if t.file == path]
        if any(t.key in bodies for t in mine):
            result[path] = apply_bodies(files[path], mine, bodies, imports)
    if all(t.key in bodies for t in targets if t.not_implemented):
        for path in sorted(files):
            if PurePosixPath(path).parts[0] == "tests" and path.endswith(".py"):
                result[path] = drop_not_implemented_tests(result[path])
    try:
        tree = ast.parse(answer.tests, filename=test_path)
    except SyntaxError as exc:
        raise CodeAnswerError(
            f"{test_path} does not parse (line {exc.lineno}: {exc.msg})"
        ) from None
    if not any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
        for node in ast.walk(tree)
    ):
        raise CodeAnswerError(f"{test_path} defines no test_ function")
    result[test_path] = answer.tests if answer.tests.endswith("\n") else answer.tests + "\n"
    return result, tuple(sorted(bodies))


def drop_not_implemented_tests(source: str) -> str:
    """``source`` without the template's tests that pin ``METHOD_NOT_IMPLEMENTED``.

    They state that an operation fails loudly until its logic is written; once the model has
    written every such operation they are false by design, and the model's behaviour tests
    pin what the operations do instead. Removed by ast line numbers, decorators included.
    """
    if "METHOD_NOT_IMPLEMENTED" not in source:
        return source
    tree = ast.parse(source)
    lines = source.splitlines()
    spans: list[tuple[int, int]] = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not node.name.startswith("test_"):
            continue
        pins = any(
            isinstance(sub, ast.Attribute) and sub.attr == "METHOD_NOT_IMPLEMENTED"
            for sub in ast.walk(node)
        )
        if pins:
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            spans.append((first, node.end_lineno or node.lineno))
    for first, last in sorted(spans, reverse=True):
        del lines[first - 1 : last]
    return "\n".join(lines) + "\n"


def _scratch_parent(destination: Path | None) -> Path | None:
    """The nearest existing folder of ``destination``: a candidate checked there finds the
    destination project's ruff settings (line length) exactly as the node will."""
    if destination is None:
        return None
    current = destination.absolute()
    while not current.is_dir() and current != current.parent:
        current = current.parent
    return current if current.is_dir() else None


async def check_candidate(
    files: Mapping[str, str], package_name: str, destination: Path | None = None
) -> tuple[dict[str, str], ModelValidationResult]:
    """Format ``files`` with ruff and validate them strictly; returns the formatted files too.

    The scratch copy sits in the nearest existing folder of ``destination`` (the output
    directory), so formatting and checks use the settings the written node will see.
    """
    from onexgen.refinement.fixes import ruff_fix, ruff_format
    from onexgen.validation.quality_validator import QualityValidator
    from onexgen.validation.workspace import config_workspace

    parent = _scratch_parent(destination)
    with tempfile.TemporaryDirectory(prefix=".onexgen-llm-", dir=parent) as tmp:
        node_dir = Path(tmp) / package_name
        for path, text in files.items():
            target = node_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        with config_workspace(node_dir) as workspace:
            await ruff_fix(workspace)
            await ruff_format(workspace)
        formatted = {
            path: (node_dir / path).read_text(encoding="utf-8") if path.endswith(".py") else text
            for path, text in files.items()
        }
        validation = await QualityValidator().validate(node_dir, EnumValidationLevel.STRICT)
    return formatted, validation


def diagnostics(validation: ModelValidationResult) -> tuple[ModelDiagnostic, ...]:
    """What the checks found, as typed findings: the validator's blocking issues (ruff, mypy,
    onex, test failures) and pytest's failed tests with the end of their traceback."""
    found = [
        ModelDiagnostic(
            tool=issue.code.split(":", 1)[0].lower() if ":" in issue.code else "onex",
            code=issue.code,
            file=issue.file,
            line=issue.line,
            message=issue.message,
            fix=issue.suggested_fix,
        )
        for issue in validation.issues
        if issue.severity.blocks
    ]
    tests = validation.test_results
    if tests is not None:
        found.extend(
            ModelDiagnostic(
                tool="pytest",
                code="pytest:failed",
                file=failed.file,
                line=failed.line,
                message=f"{failed.name}: {failed.error}",
                fix=failed.traceback[-800:],
            )
            for failed in tests.failed_tests
        )
        if not tests.is_passing and not tests.failed_tests:
            found.append(
                ModelDiagnostic(
                    tool="pytest",
                    code="pytest:session",
                    message="the tests did not pass",
                    fix=tests.output_tail[-800:],
                )
            )
    if not found and not validation.passed:
        found.append(
            ModelDiagnostic(
                tool="score",
                code="score",
                message=f"quality {validation.quality_score:.2f} is below the threshold "
                f"{validation.threshold:.2f}",
            )
        )
    return tuple(found[:MAX_DIAGNOSTICS])
