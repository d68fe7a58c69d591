"""Fixture nodes for the validator tests: a good node and its deliberately broken variants.

pytest never collects the fixture nodes' own tests from here; they run only inside the validator.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

collect_ignore_glob = ["fixtures/*"]

FIXTURES = Path(__file__).parent / "fixtures"
GOOD_EFFECT = "node_postgres_writer_effect"
HANDLER = "handlers/handler_postgres_writer.py"
UNIT_TEST = "tests/unit/test_handler_postgres_writer.py"

# variant -> (file, text to replace, replacement); each breaks exactly one thing.
BROKEN_VARIANTS: dict[str, tuple[str, str, str]] = {
    "syntax_error": (
        HANDLER,
        "    async def delete(\n        self, request: ModelPostgresWriterInput\n    )",
        "    async def delete(\n        self, request: ModelPostgresWriterInput\n",
    ),
    "base_class_removed": (
        "node.py",
        "class NodePostgresWriterEffect(NodeEffect):",
        "class NodePostgresWriterEffect:",
    ),
    "process_renamed": (
        "node.py",
        "    async def process(self, input_data: ModelEffectInput)",
        "    async def execute_effect(self, input_data: ModelEffectInput)",
    ),
    "type_error": (
        HANDLER,
        "operation=request.operation, record_id=request.record_id, affected_rows=1",
        'operation=request.operation, record_id=request.record_id, affected_rows="1"',
    ),
    "operation_without_handler": (
        "contract.yaml",
        "- name: delete\n",
        "- name: delete\n  description: Delete one record by id.\n  timeout_ms: 5000\n"
        "- name: archive\n",
    ),
    "failing_test": (
        UNIT_TEST,
        "    assert result.affected_rows == 1",
        "    assert result.affected_rows == 2",
    ),
    "missing_module": (
        HANDLER,
        "from omnibase_core.enums import EnumCoreErrorCode\n",
        "import aiomysql\nfrom omnibase_core.enums import EnumCoreErrorCode\n",
    ),
    "hanging_test": (
        UNIT_TEST,
        "@pytest.mark.unit\ndef test_create_inserts_one_row(",
        "@pytest.mark.unit\ndef test_waits_forever() -> None:\n    threading.Event().wait()\n\n\n"
        "@pytest.mark.unit\ndef test_create_inserts_one_row(",
    ),
}


def copy_good_node(destination: Path, name: str = GOOD_EFFECT) -> Path:
    """A fresh copy of a good fixture node under ``destination``."""
    target = destination / name
    shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def make_broken_node(destination: Path, variant: str) -> Path:
    """A copy of the good effect node with one deliberate defect."""
    node = copy_good_node(destination)
    rel, old, new = BROKEN_VARIANTS[variant]
    path = node / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} not in {rel}"
    text = text.replace(old, new, 1)
    if variant == "hanging_test":
        text = text.replace("import asyncio\n", "import asyncio\nimport threading\n", 1)
    path.write_text(text, encoding="utf-8")
    return node


@pytest.fixture
def good_node(tmp_path: Path) -> Path:
    """A copy of the good effect fixture node."""
    return copy_good_node(tmp_path)


@pytest.fixture(scope="session")
def broken_node_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], Path]:
    """Builds one broken variant per call, each in its own directory."""

    def build(variant: str) -> Path:
        return make_broken_node(tmp_path_factory.mktemp(variant), variant)

    return build


@pytest.fixture(scope="session")
def good_node_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """Builds fresh copies of the good effect node."""

    def build() -> Path:
        return copy_good_node(tmp_path_factory.mktemp("good"))

    return build
