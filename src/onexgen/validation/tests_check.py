"""Tests (10%): test files for the node's kind present (``basic``), and at ``strict`` the tests
pass under pytest with handler line coverage measured by pytest-cov.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onexgen.models.validation import EnumIssueSeverity, EnumValidationComponent
from onexgen.testing.failure_analyzer import FailureAnalyzer
from onexgen.testing.test_executor import TestExecutor
from onexgen.validation.scoring import ComponentOutcome

if TYPE_CHECKING:
    from onexgen.models.testing import ModelTestResults
    from onexgen.validation.layout import NodeLayout
    from onexgen.validation.workspace import Workspace

REQUIRED_TEST_DIRS = ("unit", "contract", "integration", "performance")
MIN_HANDLER_COVERAGE = 80.0
PRESENCE_WEIGHT = 0.2
PASS_WEIGHT = 0.6
COVERAGE_WEIGHT = 0.2


# A test type is present when a test file sits in tests/<type>/, carries the pytest marker, or
# is named for the type (the handler's tests are its unit tests, the node's its integration tests).
_NAME_HINTS: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "handler"),
    "contract": ("contract",),
    "integration": ("integration", "node", "e2e"),
    "performance": ("performance", "perf", "benchmark"),
}


def check_test_files(layout: NodeLayout) -> ComponentOutcome:
    """Whether tests of every type exist and a tests/conftest.py is present."""
    outcome = ComponentOutcome(EnumValidationComponent.TESTS, checked=False)
    test_modules = [
        parsed for parsed in layout.test_files if parsed.rel.rsplit("/", 1)[-1].startswith("test_")
    ]
    present = 0
    for kind in REQUIRED_TEST_DIRS:
        if any(_is_of_type(parsed.rel, parsed.text, kind) for parsed in test_modules):
            present += 1
            continue
        outcome.add(
            EnumIssueSeverity.WARNING,
            "TEST001",
            f"no {kind} tests (tests/{kind}/test_*.py or tests marked @pytest.mark.{kind})",
            f"Add tests/{kind}/test_<name>.py with tests marked @pytest.mark.{kind}.",
            file=f"tests/{kind}",
        )
    if layout.file("tests/conftest.py") is None:
        outcome.add(
            EnumIssueSeverity.WARNING,
            "TEST002",
            "tests/conftest.py is missing",
            "Add tests/conftest.py with the node fixtures and marker registration.",
            file="tests/conftest.py",
        )
    ratio = present / len(REQUIRED_TEST_DIRS)
    outcome.base_score = ratio
    outcome.details.append(f"test types present {present}/{len(REQUIRED_TEST_DIRS)}")
    return outcome


def _is_of_type(rel: str, text: str, kind: str) -> bool:
    if rel.startswith(f"tests/{kind}/") or f"pytest.mark.{kind}" in text:
        return True
    stem = rel.rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_")
    words = set(stem.split("_"))
    return any(hint in words for hint in _NAME_HINTS[kind])


async def run_tests(
    workspace: Workspace, outcome: ComponentOutcome, timeout_seconds: float
) -> ModelTestResults:
    """Run the node copy's tests with coverage, then score them with :func:`score_test_results`."""
    results = await TestExecutor(timeout_seconds).run(workspace.node_dir)
    score_test_results(results, outcome)
    return results


def score_test_results(results: ModelTestResults, outcome: ComponentOutcome) -> None:
    """Fold pytest results into the tests outcome: failures and low handler coverage are issues.

    Public so that batched validation, which runs pytest once for many nodes, scores each
    node's share exactly as single-node validation does. ``outcome.base_score`` must still hold
    the test-presence ratio from :func:`check_test_files`; it becomes the weighted tests score.
    """
    outcome.tools.append("pytest --cov")
    outcome.checked = True
    presence = outcome.base_score
    analyzer = FailureAnalyzer()
    for failed in results.failed_tests:
        category = analyzer.categorize(failed)
        cause = analyzer.analyze(
            results.model_copy(update={"failed_tests": (failed,), "failed": 1})
        ).root_causes
        fix = cause[0].recommended_fix if cause else "Make the test pass."
        outcome.add(
            EnumIssueSeverity.ERROR,
            f"TEST:{category.value}",
            f"test {failed.name} failed: {failed.error}",
            fix,
            file=failed.file,
            line=failed.line,
        )
    if results.total == 0 and not results.failed_tests:
        outcome.add(
            EnumIssueSeverity.ERROR,
            "TEST003",
            f"pytest ran no tests (exit {results.exit_code})",
            "Add tests under tests/ whose names start with test_ and make them importable.",
            file="tests",
        )
    ran = results.total - results.skipped
    pass_rate = results.passed / ran if ran > 0 else 0.0
    handler_cov = handler_coverage(results)
    if handler_cov is not None and handler_cov < MIN_HANDLER_COVERAGE:
        outcome.add(
            EnumIssueSeverity.WARNING,
            "TEST004",
            f"handler line coverage is {handler_cov:.0f}% (< {MIN_HANDLER_COVERAGE:.0f}%)",
            "Add unit tests that call every handler method, including its error paths.",
            file="handlers",
        )
    coverage_part = (handler_cov or 0.0) / 100.0
    outcome.base_score = (
        PRESENCE_WEIGHT * presence + PASS_WEIGHT * pass_rate + COVERAGE_WEIGHT * coverage_part
    )
    outcome.details.append(
        f"pytest: {results.passed} passed, {results.failed} failed, {results.skipped} skipped"
    )
    if handler_cov is not None:
        outcome.details.append(f"handler line coverage {handler_cov:.0f}%")


def handler_coverage(results: ModelTestResults) -> float | None:
    """Mean line coverage of the node's ``handlers/`` modules, or None when none was measured.

    The handler is where the node's behaviour lives, so its coverage (not the package total,
    which the generated models inflate) is what the tests score and TEST004 judge.
    """
    values = [
        percent
        for rel, percent in sorted(results.coverage_by_file.items())
        if rel.startswith("handlers/") and not rel.endswith("__init__.py")
    ]
    return sum(values) / len(values) if values else None
