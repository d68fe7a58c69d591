"""FailureAnalyzer: categories from real failures, and the severity rules on exact counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from onexgen.models.testing import (
    EnumFailureCategory,
    EnumFailureSeverity,
    EnumTestType,
    ModelFailedTest,
    ModelTestResults,
)
from onexgen.testing.failure_analyzer import FailureAnalyzer
from onexgen.testing.test_executor import TestExecutor

if TYPE_CHECKING:
    from pathlib import Path

ANALYZER = FailureAnalyzer()


def _results(passed: int, failed: int, error: str = "AssertionError: x") -> ModelTestResults:
    return ModelTestResults(
        node_dir="/nodes/node_x_effect",
        passed=passed,
        failed=failed,
        total=passed + failed,
        exit_code=1 if failed else 0,
        timeout_seconds=60,
        failed_tests=tuple(
            ModelFailedTest(name=f"tests/test_a.py::test_{i}", error=error, file="tests/test_a.py")
            for i in range(failed)
        ),
    )


@pytest.mark.parametrize(
    ("passed", "failed", "severity"),
    [
        (10, 0, EnumFailureSeverity.NONE),
        (0, 4, EnumFailureSeverity.CRITICAL),
        (4, 6, EnumFailureSeverity.HIGH),
        (5, 5, EnumFailureSeverity.MEDIUM),
        (8, 2, EnumFailureSeverity.MEDIUM),
        (9, 1, EnumFailureSeverity.LOW),
    ],
)
def test_severity_rules(passed: int, failed: int, severity: EnumFailureSeverity) -> None:
    assert ANALYZER.analyze(_results(passed, failed)).severity is severity


def test_import_error_is_high_even_when_rare() -> None:
    analysis = ANALYZER.analyze(_results(19, 1, "ModuleNotFoundError: No module named 'aiokafka'"))
    assert analysis.severity is EnumFailureSeverity.HIGH
    assert analysis.root_causes[0].missing_modules == ("aiokafka",)
    assert "uv add aiokafka" in analysis.recommended_fixes[0]


@pytest.mark.parametrize(
    ("error", "category"),
    [
        ("ModuleNotFoundError: No module named 'x'", EnumFailureCategory.IMPORT_ERROR),
        ("ImportError: cannot import name 'A' from 'b'", EnumFailureCategory.IMPORT_ERROR),
        ("TypeError: unsupported operand", EnumFailureCategory.TYPE_ERROR),
        ("pydantic_core.ValidationError: 1 validation error", EnumFailureCategory.TYPE_ERROR),
        ("AssertionError: assert 1 == 2", EnumFailureCategory.ASSERTION_ERROR),
        ("fixture 'db' not found", EnumFailureCategory.CONFIGURATION_ERROR),
        ("FileNotFoundError: contract.yaml", EnumFailureCategory.CONFIGURATION_ERROR),
        ("ConnectionRefusedError: [Errno 111]", EnumFailureCategory.INFRASTRUCTURE_ERROR),
        ("Timeout: test did not finish within 5 s", EnumFailureCategory.TIMEOUT_ERROR),
        ("KeyError: 'amount'", EnumFailureCategory.RUNTIME_ERROR),
    ],
)
def test_categories(error: str, category: EnumFailureCategory) -> None:
    failed = ModelFailedTest(name="t", error=error)
    assert ANALYZER.categorize(failed) is category


def test_name_error_is_auto_fixable() -> None:
    analysis = ANALYZER.analyze(_results(9, 1, "NameError: name 'UUID' is not defined"))
    assert analysis.root_causes[0].category is EnumFailureCategory.RUNTIME_ERROR
    assert analysis.auto_fixable


@pytest.mark.slow
def test_real_failing_test_is_an_assertion_error(failing_test_node: Path) -> None:
    results = TestExecutor(120).run_sync(failing_test_node, coverage=False)
    analysis = ANALYZER.analyze(results)
    assert analysis.categories == (EnumFailureCategory.ASSERTION_ERROR,)
    assert analysis.severity is EnumFailureSeverity.LOW
    cause = analysis.root_causes[0]
    assert cause.tests == (
        "tests/unit/test_handler_postgres_writer.py::test_create_inserts_one_row",
    )
    assert "tests/unit/test_handler_postgres_writer.py" in cause.recommended_fix
    report = ANALYZER.to_markdown(analysis, results)
    assert "## assertion_error" in report
    assert "test_create_inserts_one_row" in report


@pytest.mark.slow
def test_real_missing_module_is_an_import_error_naming_the_package(
    missing_module_node: Path,
) -> None:
    results = TestExecutor(120).run_sync(missing_module_node, coverage=False)
    analysis = ANALYZER.analyze(results)
    assert results.passed == 0
    assert EnumFailureCategory.IMPORT_ERROR in analysis.categories
    assert analysis.severity is EnumFailureSeverity.CRITICAL
    cause = next(c for c in analysis.root_causes if c.category is EnumFailureCategory.IMPORT_ERROR)
    assert "aiomysql" in cause.missing_modules
    assert "uv add aiomysql" in cause.recommended_fix
    assert cause.estimated_fix_minutes > 0


@pytest.mark.slow
def test_real_hang_is_a_timeout_error_naming_the_test(hanging_node: Path) -> None:
    results = TestExecutor(10).run_sync(hanging_node, coverage=False)
    analysis = ANALYZER.analyze(results)
    assert analysis.categories == (EnumFailureCategory.TIMEOUT_ERROR,)
    cause = analysis.root_causes[0]
    assert any(name.endswith("::test_waits_forever") for name in cause.tests)
    assert "test_waits_forever" in cause.recommended_fix
    assert "tests/unit/test_handler_postgres_writer.py" in cause.recommended_fix


@pytest.mark.slow
def test_real_type_error(type_error_node: Path) -> None:
    results = TestExecutor(120).run_sync(type_error_node, coverage=False)
    analysis = ANALYZER.analyze(results)
    assert analysis.categories == (EnumFailureCategory.TYPE_ERROR,)


def test_no_tests_selected_by_marker_is_a_configuration_error() -> None:
    results = ModelTestResults(
        node_dir="/nodes/node_x_effect",
        test_type=EnumTestType.UNIT,
        exit_code=5,
        timeout_seconds=60,
    )
    analysis = ANALYZER.analyze(results)
    assert analysis.categories == (EnumFailureCategory.CONFIGURATION_ERROR,)
    assert analysis.severity is EnumFailureSeverity.CRITICAL
    assert "@pytest.mark.unit" in analysis.recommended_fixes[0]
