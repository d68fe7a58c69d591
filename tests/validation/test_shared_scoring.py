"""The public functions single-node and batched validation share: one implementation each, so a
finding reads and scores the same whichever way the node was validated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from onexgen.models.testing import ModelFailedTest, ModelTestResults
from onexgen.models.validation import EnumIssueSeverity, EnumValidationComponent
from onexgen.validation.framework import (
    ModelFrameworkNodeReport,
    ModelFrameworkReport,
    ModelSuiteItem,
    add_framework_findings,
    onex_fix,
)
from onexgen.validation.scoring import ComponentOutcome
from onexgen.validation.tests_check import (
    COVERAGE_WEIGHT,
    PASS_WEIGHT,
    PRESENCE_WEIGHT,
    handler_coverage,
    score_test_results,
)
from onexgen.validation.type_safety import MYPY_FIXES, mypy_fix


def _results(**fields: object) -> ModelTestResults:
    base: dict[str, object] = {"node_dir": "/n", "exit_code": 0, "timeout_seconds": 60.0}
    base.update(fields)
    return ModelTestResults.model_validate(base)


def _tests_outcome(presence: float = 1.0) -> ComponentOutcome:
    return ComponentOutcome(EnumValidationComponent.TESTS, base_score=presence, checked=False)


def test_handler_coverage_is_the_mean_over_handler_modules_only() -> None:
    results = _results(
        coverage_by_file={
            "handlers/__init__.py": 0.0,
            "handlers/handler_a.py": 90.0,
            "handlers/resilience.py": 70.0,
            "models/model_input.py": 10.0,
        }
    )
    assert handler_coverage(results) == pytest.approx(80.0)
    assert handler_coverage(_results(coverage_by_file={"node.py": 50.0})) is None


def test_all_passing_and_covered_scores_full_marks() -> None:
    outcome = _tests_outcome()
    score_test_results(
        _results(passed=8, total=8, coverage_by_file={"handlers/h.py": 100.0}), outcome
    )
    assert outcome.checked
    assert outcome.tools == ["pytest --cov"]
    assert outcome.issues == []
    assert outcome.base_score == pytest.approx(1.0)
    assert "pytest: 8 passed, 0 failed, 0 skipped" in outcome.details


def test_failures_and_low_handler_coverage_become_issues_and_lower_the_score() -> None:
    failed = ModelFailedTest(
        name="tests/unit/test_h.py::test_x",
        error="AssertionError: assert 2 == 1",
        file="tests/unit/test_h.py",
        line=12,
    )
    outcome = _tests_outcome(presence=0.5)
    score_test_results(
        _results(
            passed=3,
            failed=1,
            total=4,
            failed_tests=(failed,),
            exit_code=1,
            coverage_by_file={"handlers/h.py": 60.0},
        ),
        outcome,
    )
    codes = [issue.code for issue in outcome.issues]
    assert codes == ["TEST:assertion_error", "TEST004"]
    assert outcome.issues[0].location == "tests/unit/test_h.py:12"
    assert outcome.issues[0].severity is EnumIssueSeverity.ERROR
    expected = PRESENCE_WEIGHT * 0.5 + PASS_WEIGHT * 0.75 + COVERAGE_WEIGHT * 0.6
    assert outcome.base_score == pytest.approx(expected)


def test_a_run_without_tests_is_an_error() -> None:
    outcome = _tests_outcome()
    score_test_results(_results(exit_code=5), outcome)
    assert [issue.code for issue in outcome.issues] == ["TEST003"]
    assert "exit 5" in outcome.issues[0].message


def test_mypy_fix_uses_the_table_and_appends_mypy_hint() -> None:
    assert mypy_fix("arg-type") == MYPY_FIXES["arg-type"]
    assert mypy_fix("arg-type", "use int") == f"{MYPY_FIXES['arg-type']} (use int)"
    assert mypy_fix("no-such-code") == "Fix the type so that mypy --strict accepts it."


NODE = Path("/tmp/node_postgres_writer_effect")


def test_framework_findings_become_errors_with_a_fix() -> None:
    item = ModelSuiteItem(
        validator="patterns",
        file="models/model_postgres_writer_input.py",
        line=20,
        message="Field 'record_id' should use UUID type instead of str",
    )
    report = ModelFrameworkReport(
        nodes={str(NODE): ModelFrameworkNodeReport(suite=(item,))}, suite_run=True
    )
    outcome = ComponentOutcome(EnumValidationComponent.ONEX_COMPLIANCE)
    add_framework_findings(outcome, report, NODE)
    (issue,) = outcome.issues
    assert issue.code == "ONEX041"
    assert issue.location == "models/model_postgres_writer_input.py:20"
    assert issue.suggested_fix == "Annotate the identifier field as uuid.UUID instead of str."
    assert "onex validate --strict" in outcome.tools


def test_framework_failure_and_missing_node_are_blocking_errors() -> None:
    for report in (
        ModelFrameworkReport(failure="the framework checks did not finish within 120 s"),
        ModelFrameworkReport(nodes={}),
    ):
        outcome = ComponentOutcome(EnumValidationComponent.ONEX_COMPLIANCE)
        add_framework_findings(outcome, report, NODE)
        assert [issue.code for issue in outcome.issues] == ["ONEX040"]
        assert outcome.issues[0].severity.blocks


def test_onex_fix_names_the_file_for_unknown_messages() -> None:
    assert onex_fix("something odd", "contract.yaml").startswith("Change contract.yaml")
