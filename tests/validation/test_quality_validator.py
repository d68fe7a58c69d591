"""The validator on real files with the real tools: the good node passes strict with >= 0.95,
and every deliberately broken variant is detected, scored down, fails and gets a concrete fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from onexgen.models.validation import (
    EnumIssueSeverity,
    EnumValidationComponent,
    EnumValidationLevel,
    ModelValidationResult,
)
from onexgen.validation.quality_validator import NodeDirectoryError, QualityValidator
from onexgen.validation.tools import ToolNotFoundError, locate_tool

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

# variant -> (component scored down, issue code prefix, file of the issue, words the fix must use)
EXPECTED: dict[str, tuple[EnumValidationComponent, str, str, str]] = {
    "syntax_error": (
        EnumValidationComponent.ONEX_COMPLIANCE,
        "ONEX001",
        "handlers/handler_postgres_writer.py",
        "Fix the syntax at line",
    ),
    "base_class_removed": (
        EnumValidationComponent.ONEX_COMPLIANCE,
        "ONEX012",
        "node.py",
        "class NodePostgresWriterEffect(NodeEffect)",
    ),
    "process_renamed": (
        EnumValidationComponent.ONEX_COMPLIANCE,
        "ONEX014",
        "node.py",
        "Rename execute_effect() to process()",
    ),
    "type_error": (
        EnumValidationComponent.TYPE_SAFETY,
        "mypy:arg-type",
        "handlers/handler_postgres_writer.py",
        "declared type",
    ),
    "operation_without_handler": (
        EnumValidationComponent.ONEX_COMPLIANCE,
        "ONEX026",
        "handlers/handler_postgres_writer.py",
        "async def archive(self",
    ),
    "failing_test": (
        EnumValidationComponent.TESTS,
        "TEST:assertion_error",
        "tests/unit/test_handler_postgres_writer.py",
        "expectation",
    ),
    "missing_module": (
        EnumValidationComponent.ONEX_COMPLIANCE,
        "ONEX032",
        "handlers/handler_postgres_writer.py",
        "uv add aiomysql",
    ),
    "hanging_test": (
        EnumValidationComponent.TESTS,
        "TEST:timeout_error",
        "tests/unit/test_handler_postgres_writer.py",
        "did not finish within",
    ),
}

VALIDATOR = QualityValidator(test_timeout_seconds=10.0)


@pytest.fixture(scope="module")
def good_result(good_node_factory: Callable[[], Path]) -> ModelValidationResult:
    return VALIDATOR.validate_sync(good_node_factory(), EnumValidationLevel.STRICT)


@pytest.mark.slow
def test_good_node_passes_strict_with_high_score(good_result: ModelValidationResult) -> None:
    assert good_result.passed
    assert good_result.quality_score >= 0.95
    assert not good_result.blocking_issues
    assert set(good_result.tools_run) == {
        "mypy --strict",
        "omnibase_core contract models + handler resolution",
        "onex validate --strict",
        "pytest --cov",
        "ruff check",
        "ruff format --check",
    }
    assert all(score.checked for score in good_result.component_scores)
    assert good_result.test_results is not None
    assert good_result.test_results.passed == 8


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_broken_variant_is_detected_scored_down_and_fails(
    variant: str,
    broken_node_factory: Callable[[str], Path],
    good_result: ModelValidationResult,
) -> None:
    component, code, file, fix_words = EXPECTED[variant]
    result = VALIDATOR.validate_sync(broken_node_factory(variant), EnumValidationLevel.STRICT)

    assert not result.passed
    assert result.quality_score < good_result.quality_score
    broken = result.component(component)
    assert broken is not None
    assert broken.score < 1.0
    matching = [issue for issue in result.issues if issue.code.startswith(code)]
    assert matching, [issue.code for issue in result.issues]
    issue = matching[0]
    assert issue.severity.blocks
    assert issue.file == file
    assert fix_words in issue.suggested_fix
    if variant not in {"operation_without_handler"}:
        assert issue.line is not None
    if variant == "hanging_test":
        assert result.test_results is not None
        assert result.test_results.timed_out
        assert "test_waits_forever" in issue.message


@pytest.mark.parametrize(
    ("variant", "code"),
    [
        ("syntax_error", "ONEX001"),
        ("base_class_removed", "ONEX012"),
        ("process_renamed", "ONEX014"),
        ("operation_without_handler", "ONEX026"),
        ("missing_module", "ONEX032"),
    ],
)
def test_basic_level_finds_structural_defects_without_tools(
    variant: str, code: str, broken_node_factory: Callable[[str], Path]
) -> None:
    result = VALIDATOR.validate_sync(broken_node_factory(variant), EnumValidationLevel.BASIC)
    assert result.tools_run == ()
    assert not result.passed
    assert any(issue.code == code for issue in result.issues)


def test_basic_level_on_good_node_passes(good_node: Path) -> None:
    result = VALIDATOR.validate_sync(good_node, "basic")
    assert result.passed
    assert result.quality_score == 1.0
    assert result.tools_run == ()


def test_syntax_error_is_critical_with_line(broken_node_factory: Callable[[str], Path]) -> None:
    result = VALIDATOR.validate_sync(broken_node_factory("syntax_error"), "basic")
    critical = [i for i in result.issues if i.severity is EnumIssueSeverity.CRITICAL]
    assert critical
    assert critical[0].location.startswith("handlers/handler_postgres_writer.py:")


def test_threshold_is_configurable(good_node: Path) -> None:
    (good_node / "README.md").unlink()
    lenient = QualityValidator(threshold=0.5).validate_sync(good_node, "basic")
    strict = QualityValidator(threshold=1.0).validate_sync(good_node, "basic")
    assert lenient.passed
    assert not strict.passed
    assert lenient.quality_score == strict.quality_score < 1.0


def test_level_none_checks_nothing(good_node: Path) -> None:
    result = VALIDATOR.validate_sync(good_node, EnumValidationLevel.NONE)
    assert result.passed
    assert result.component_scores == ()
    assert result.quality_score == 0.0


def test_not_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NodeDirectoryError, match="is not a directory"):
        VALIDATOR.validate_sync(tmp_path / "missing", "basic")


def test_missing_tool_is_an_error_not_a_pass() -> None:
    with pytest.raises(ToolNotFoundError, match="no-such-tool not found in"):
        locate_tool("no-such-tool")


def test_same_input_same_result(good_node: Path) -> None:
    first = VALIDATOR.validate_sync(good_node, "basic")
    second = VALIDATOR.validate_sync(good_node, "basic")
    assert first.model_dump(exclude={"duration_seconds"}) == second.model_dump(
        exclude={"duration_seconds"}
    )
