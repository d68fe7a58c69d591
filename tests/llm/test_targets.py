"""Finding the methods a model writes, and replacing their bodies by ast position."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from onexgen.llm.candidate import drop_not_implemented_tests
from onexgen.llm.targets import (
    CodeAnswerError,
    apply_bodies,
    check_body,
    check_import,
    find_all_targets,
    find_targets,
)

from .answers import render_files

if TYPE_CHECKING:
    from pathlib import Path

NEW_CONVENTION = '''"""Handler."""

from omnibase_core.enums import EnumCoreErrorCode
from omnibase_core.errors import ModelOnexError


class HandlerThing:
    """Does the thing."""

    def validate(self, value: int) -> None:
        """Already real."""
        if value < 0:
            raise ModelOnexError("negative", error_code=EnumCoreErrorCode.VALIDATION_ERROR)

    async def handle_score(self, value: int) -> int:
        """Score ``value``."""
        raise ModelOnexError(
            "not implemented: score the value by the request's rules",
            error_code=EnumCoreErrorCode.METHOD_NOT_IMPLEMENTED,
        )

    def tail(self) -> str:
        """After the target."""
        return "tail"
'''

LEGACY = '''class HandlerOld:
    async def handle_run(self, n: int) -> int:
        """Run."""
        # BUSINESS LOGIC: run the job here;
        #   keep it pure.
        return n

    def validate(self, n: int) -> None:
        """Checks, then a marker at the end (not a target)."""
        if n < 0:
            raise ValueError(n)
        # BUSINESS LOGIC: add checks here.
'''


def test_finds_the_not_implemented_convention() -> None:
    (target,) = find_targets("handlers/handler_thing.py", NEW_CONVENTION)
    assert target.key == "HandlerThing.handle_score"
    assert target.hint == "score the value by the request's rules"
    assert target.header == "async def handle_score(self, value: int) -> int:"
    assert target.indent == " " * 8


def test_finds_legacy_markers_only_right_after_the_docstring() -> None:
    (target,) = find_targets("handlers/handler_old.py", LEGACY)
    assert target.key == "HandlerOld.handle_run"
    assert target.hint == "run the job here; keep it pure."


def test_replaces_the_body_and_adds_imports_keeping_everything_else() -> None:
    targets = find_targets("h.py", NEW_CONVENTION)
    body = check_body(targets[0], "    return value * 2\n")
    result = apply_bodies(NEW_CONVENTION, targets, {targets[0].key: body}, ["import math"])
    assert "not implemented" not in result
    assert '        """Score ``value``."""\n        return value * 2\n\n    def tail' in result
    assert "import math\n" in result
    assert result.index("import math") < result.index("class HandlerThing")
    assert 'raise ModelOnexError("negative"' in result


def test_rejects_bodies_that_do_not_parse_or_still_raise() -> None:
    (target,) = find_targets("h.py", NEW_CONVENTION)
    with pytest.raises(CodeAnswerError, match="does not parse"):
        check_body(target, "return (value")
    with pytest.raises(CodeAnswerError, match="still raises"):
        check_body(target, 'raise ModelOnexError("not implemented: later")')
    with pytest.raises(CodeAnswerError, match="single import"):
        check_import("import os; os.system('x')")


def test_skips_tests_and_non_python_files() -> None:
    files = {"tests/test_x.py": NEW_CONVENTION, "README.md": "not implemented", "h.py": LEGACY}
    assert [t.key for t in find_all_targets(files)] == ["HandlerOld.handle_run"]


RENDERED = {
    "compute": "Create a COMPUTE node that computes the p95 latency of request durations",
    "effect": "Create an EFFECT node that updates user profiles stored as JSON files",
    "reducer": "Create a REDUCER node that aggregates order totals per customer",
    "orchestrator": (
        "Create an ORCHESTRATOR node that coordinates the order fulfilment workflow "
        "and schedules shipments"
    ),
}


@pytest.mark.parametrize("kind", sorted(RENDERED))
def test_finds_the_operations_left_to_write_in_every_kinds_handler(
    kind: str, tmp_path: Path
) -> None:
    """Generated handlers: compute, effect and a second orchestrator workflow raise 'not
    implemented'; the reducer's fold is a working default marked for replacement."""
    _, files = render_files(RENDERED[kind], tmp_path)
    targets = find_all_targets(files)
    assert targets
    for target in targets:
        assert target.file.startswith("handlers/handler_")
        assert target.method.startswith("handle_")
        assert target.not_implemented is (kind != "reducer")
        assert target.hint
        assert target.key.split(".")[0] in files[target.file]
    if kind == "orchestrator":  # the default workflow is the templates' own, not a target
        assert [t.method for t in targets] == ["handle_schedule"]


def test_written_operations_drop_only_the_tests_that_pinned_the_placeholder() -> None:
    tests = """import pytest


@pytest.mark.parametrize("operation", ["a", "b"])
def test_unimplemented_operations_fail_loudly(operation: str) -> None:
    assert EnumCoreErrorCode.METHOD_NOT_IMPLEMENTED


def test_kept() -> None:
    assert EnumCoreErrorCode.VALIDATION_ERROR
"""
    result = drop_not_implemented_tests(tests)
    assert "fail_loudly" not in result
    assert "parametrize" not in result
    assert "def test_kept() -> None:\n    assert EnumCoreErrorCode.VALIDATION_ERROR\n" in result
    assert drop_not_implemented_tests("x = 1\n") == "x = 1\n"
