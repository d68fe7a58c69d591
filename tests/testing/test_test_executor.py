"""TestExecutor on real node copies: counts, markers, coverage, failures and a killed hang."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from onexgen.models.testing import EnumTestType
from onexgen.testing.test_executor import TestExecutor

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow


def test_good_node_passes_with_coverage(good_node: Path) -> None:
    results = TestExecutor(120).run_sync(good_node)
    assert (results.passed, results.failed, results.skipped, results.total) == (8, 0, 0, 8)
    assert results.is_passing
    assert results.success_rate == 1.0
    assert results.exit_code == 0
    assert results.coverage_percent == 100.0
    assert results.coverage_by_file["handlers/handler_postgres_writer.py"] == 100.0
    assert not any(rel.startswith("tests/") for rel in results.coverage_by_file)
    assert not list(good_node.rglob("__pycache__"))


@pytest.mark.parametrize(
    ("test_type", "expected"),
    [
        (EnumTestType.UNIT, 3),
        (EnumTestType.CONTRACT, 2),
        (EnumTestType.INTEGRATION, 2),
        (EnumTestType.PERFORMANCE, 1),
    ],
)
def test_marker_filtering(good_node: Path, test_type: EnumTestType, expected: int) -> None:
    results = TestExecutor(120).run_sync(good_node, test_type, coverage=False)
    assert results.total == results.passed == expected
    assert results.test_type is test_type
    assert results.coverage_percent is None


def test_failing_test_is_reported_with_file_line_and_error(failing_test_node: Path) -> None:
    results = TestExecutor(120).run_sync(failing_test_node, coverage=False)
    assert (results.passed, results.failed, results.total) == (7, 1, 8)
    assert not results.is_passing
    assert results.exit_code == 1
    failed = results.failed_tests[0]
    assert failed.name == (
        "tests/unit/test_handler_postgres_writer.py::test_create_inserts_one_row"
    )
    assert failed.file == "tests/unit/test_handler_postgres_writer.py"
    assert failed.line is not None
    assert failed.error.startswith("AssertionError")
    assert "assert 1 == 2" in failed.traceback


def test_hanging_test_is_killed_at_the_timeout(hanging_node: Path) -> None:
    started = time.perf_counter()
    results = TestExecutor(10).run_sync(hanging_node, coverage=False)
    assert time.perf_counter() - started < 25
    assert results.timed_out
    assert not results.is_passing
    hung = [t for t in results.failed_tests if t.name.endswith("::test_waits_forever")]
    assert hung
    assert hung[0].error.startswith("Timeout")
    assert hung[0].file == "tests/unit/test_handler_postgres_writer.py"
    assert hung[0].line is not None


def test_rejects_non_positive_timeout() -> None:
    with pytest.raises(ValueError, match="positive"):
        TestExecutor(0)
