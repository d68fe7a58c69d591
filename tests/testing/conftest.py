"""Copies of the validator's good fixture node, broken in the ways a test run can fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parents[1] / "validation" / "fixtures" / "node_postgres_writer_effect"
UNIT_TEST = "tests/unit/test_handler_postgres_writer.py"
HANDLER = "handlers/handler_postgres_writer.py"


def _copy(destination: Path) -> Path:
    target = destination / FIXTURE.name
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _edit(node: Path, rel: str, old: str, new: str) -> None:
    path = node / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def good_node(tmp_path: Path) -> Path:
    """The good node: 8 tests, all passing."""
    return _copy(tmp_path)


@pytest.fixture
def failing_test_node(tmp_path: Path) -> Path:
    """One unit test expects the wrong row count."""
    node = _copy(tmp_path)
    _edit(node, UNIT_TEST, "assert result.affected_rows == 1", "assert result.affected_rows == 2")
    return node


@pytest.fixture
def missing_module_node(tmp_path: Path) -> Path:
    """The handler imports a package that is not installed, so no test module imports."""
    node = _copy(tmp_path)
    _edit(
        node,
        HANDLER,
        "from omnibase_core.enums import EnumCoreErrorCode\n",
        "import aiomysql\nfrom omnibase_core.enums import EnumCoreErrorCode\n",
    )
    return node


@pytest.fixture
def hanging_node(tmp_path: Path) -> Path:
    """One unit test blocks forever."""
    node = _copy(tmp_path)
    _edit(
        node,
        UNIT_TEST,
        "@pytest.mark.unit\ndef test_create_inserts_one_row(",
        "@pytest.mark.unit\ndef test_waits_forever() -> None:\n    threading.Event().wait()\n\n\n"
        "@pytest.mark.unit\ndef test_create_inserts_one_row(",
    )
    _edit(node, UNIT_TEST, "import asyncio\n", "import asyncio\nimport threading\n")
    return node


@pytest.fixture
def type_error_node(tmp_path: Path) -> Path:
    """A handler returns the wrong type at run time; one test trips over it."""
    node = _copy(tmp_path)
    _edit(
        node,
        UNIT_TEST,
        "    result = asyncio.run(handler.create(_request(EnumPostgresWriterOperation.CREATE)))",
        "    result = asyncio.run(handler.create(_request(EnumPostgresWriterOperation.CREATE)))\n"
        "    assert len(result.affected_rows) == 1  # type: ignore[arg-type]",
    )
    return node
