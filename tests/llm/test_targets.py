"""Finding the methods a model writes, and replacing their bodies by ast position."""

from __future__ import annotations

import pytest

from onexgen.llm.targets import (
    CodeAnswerError,
    apply_bodies,
    check_body,
    check_import,
    find_all_targets,
    find_targets,
)

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
