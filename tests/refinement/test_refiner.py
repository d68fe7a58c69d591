"""Refinement on real node copies: safe fixes are applied and kept, a fix that breaks the tests
is rolled back, and every change is reported per file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from onexgen.models.validation import EnumValidationLevel
from onexgen.refinement.file_changes import diff_summary, restore, snapshot
from onexgen.refinement.refiner import refine_sync

FIXTURE = Path(__file__).parents[1] / "validation" / "fixtures" / "node_postgres_writer_effect"
HANDLER = "handlers/handler_postgres_writer.py"
UNIT_TEST = "tests/unit/test_handler_postgres_writer.py"

pytestmark = pytest.mark.slow


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _edit(node: Path, rel: str, old: str, new: str) -> None:
    path = node / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_safe_fixes_are_applied_and_the_node_passes(tmp_path: Path) -> None:
    node = _copy(tmp_path)
    # missing import of UUID, an unused and unsorted import, and bad formatting
    _edit(node, HANDLER, "from uuid import UUID\n\n", "")
    _edit(
        node,
        HANDLER,
        "from omnibase_core.errors import ModelOnexError\n",
        "from omnibase_core.errors import ModelOnexError\nimport os\n",
    )
    _edit(
        node,
        HANDLER,
        "removed = self._records.pop(request.record_id, None)",
        "removed = self._records.pop( request.record_id,None )",
    )
    result = refine_sync(node, level=EnumValidationLevel.STANDARD)

    assert not result.before.passed
    assert result.after.passed
    assert result.after.quality_score == 1.0
    assert result.improved
    assert result.changed
    assert [step.fix for step in result.steps] == ["missing-imports", "ruff-fix", "ruff-format"]
    assert all(step.kept for step in result.steps)
    assert all(step.changes[0].file == HANDLER for step in result.steps)
    text = (node / HANDLER).read_text(encoding="utf-8")
    assert "from uuid import UUID" in text
    assert "import os" not in text
    assert "pop(request.record_id, None)" in text


def test_fix_that_breaks_tests_is_rolled_back(tmp_path: Path) -> None:
    node = _copy(tmp_path)
    # A fixture imported from a helper module looks unused to ruff (F401); removing it breaks
    # the tests, so the strict re-validation must reject ruff's fix and restore the file.
    helper = node / "tests" / "unit" / "handler_fixtures.py"
    helper.write_text(
        '"""Fixtures shared by the unit tests."""\n\n'
        "import pytest\n\n"
        "from ...handlers.handler_postgres_writer import HandlerPostgresWriter\n\n\n"
        "@pytest.fixture\n"
        "def writer() -> HandlerPostgresWriter:\n"
        '    """A fresh handler."""\n'
        "    return HandlerPostgresWriter()\n",
        encoding="utf-8",
    )
    _edit(
        node,
        UNIT_TEST,
        "from ...models.model_postgres_writer_input import ModelPostgresWriterInput\n",
        "from ...models.model_postgres_writer_input import ModelPostgresWriterInput\n"
        "from .handler_fixtures import writer\n",
    )
    _edit(
        node,
        UNIT_TEST,
        "def test_delete_is_idempotent(handler: HandlerPostgresWriter) -> None:\n"
        "    asyncio.run(handler.handle(",
        "def test_delete_is_idempotent(writer: HandlerPostgresWriter) -> None:\n"
        "    handler = writer\n"
        "    asyncio.run(handler.handle(",
    )
    original = (node / UNIT_TEST).read_text(encoding="utf-8")

    result = refine_sync(node, level=EnumValidationLevel.STRICT)

    ruff_step = next(step for step in result.steps if step.fix == "ruff-fix")
    assert not ruff_step.kept
    assert ruff_step.reason.startswith("rolled back")
    assert ruff_step.changes
    assert (node / UNIT_TEST).read_text(encoding="utf-8") == original
    assert result.after.quality_score >= result.before.quality_score
    assert result.after.test_results is not None
    assert result.after.test_results.failed == 0


def test_snapshot_diff_and_restore(tmp_path: Path) -> None:
    node = _copy(tmp_path)
    before = snapshot(node)
    (node / "node.py").write_text("x = 1\n", encoding="utf-8")
    (node / "extra.py").write_text("y = 2\n", encoding="utf-8")
    after = snapshot(node)
    changes = {change.file: change for change in diff_summary(before, after)}
    assert set(changes) == {"node.py", "extra.py"}
    assert changes["extra.py"].lines_added == 1
    assert changes["node.py"].lines_removed > 1
    restore(node, before, after)
    assert snapshot(node) == before
