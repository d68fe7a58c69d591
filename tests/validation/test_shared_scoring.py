"""The public functions single-node and batched validation share: one implementation each, so a
finding reads and scores the same whichever way the node was validated.
"""

from __future__ import annotations

import pytest

from onexgen.models.testing import ModelFailedTest, ModelTestResults
from onexgen.models.validation import EnumIssueSeverity, EnumValidationComponent
from onexgen.validation.onex_compliance import (
    add_onex_failure,
    add_onex_findings,
    add_onex_timeout,
    onex_fix,
    parse_onex_output,
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

# Real output of `onex --verbose validate --strict node_postgres_writer_effect` (omnibase-core
# 0.47.57) for the fixture node with `record_id: str` in its input model.
ONEX_OUTPUT = """\
Validating node_postgres_writer_effect...
  [PASS] architecture
       Files processed: 10
  [FAIL] patterns
       Files processed: 19
       Issues: 1
         - node_postgres_writer_effect/models/model_postgres_writer_input.py: Line 20: \
Field 'record_id' should use UUID type instead of str
Validation failures detected.
"""


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


def test_onex_output_is_parsed_relative_to_the_node() -> None:
    assert parse_onex_output(ONEX_OUTPUT, "node_postgres_writer_effect/") == [
        (
            "models/model_postgres_writer_input.py",
            20,
            "Field 'record_id' should use UUID type instead of str",
        )
    ]


def test_onex_findings_become_errors_with_a_fix() -> None:
    outcome = ComponentOutcome(EnumValidationComponent.ONEX_COMPLIANCE)
    assert add_onex_findings(outcome, ONEX_OUTPUT, "node_postgres_writer_effect/") == 1
    (issue,) = outcome.issues
    assert issue.code == "ONEX041"
    assert issue.location == "models/model_postgres_writer_input.py:20"
    assert issue.suggested_fix == "Annotate the identifier field as uuid.UUID instead of str."
    assert add_onex_findings(outcome, "Validating x...\nAll validations passed!\n", "x/") == 0


def test_onex_failure_and_timeout_are_blocking_errors() -> None:
    outcome = ComponentOutcome(EnumValidationComponent.ONEX_COMPLIANCE)
    add_onex_failure(outcome, "exit 2")
    add_onex_timeout(outcome, 120.0)
    assert [issue.code for issue in outcome.issues] == ["ONEX040", "ONEX040"]
    assert all(issue.severity.blocks for issue in outcome.issues)
    assert outcome.issues[0].message == "onex validate --strict failed: exit 2"
    assert "within 120 s" in outcome.issues[1].message


def test_onex_fix_names_the_file_for_unknown_messages() -> None:
    assert onex_fix("something odd", "contract.yaml").startswith("Change contract.yaml")
