"""The batched package checks must catch what each tool catches (a check that passes everything
would make the acceptance test and ``scripts/check_corpus.py`` worthless)."""

from __future__ import annotations

import asyncio
import shutil
from typing import TYPE_CHECKING

import pytest

from onexgen.pipeline import CodeGenerationService
from onexgen.pipeline.package_checks import CHECKS, check_packages

if TYPE_CHECKING:
    from pathlib import Path

PROMPT = "Create EFFECT node for PostgreSQL writes"


def renamed_copy(node: Path, name: str) -> Path:
    """A copy of ``node`` as package ``name`` (directory, imports and contract renamed)."""
    target = node.parent / name
    shutil.copytree(node, target)
    for path in target.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".yaml", ".md"}:
            path.write_text(path.read_text().replace(node.name, name))
    return target


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


@pytest.mark.slow
def test_each_tool_failure_is_caught_and_attributed(tmp_path: Path) -> None:
    result = CodeGenerationService().generate_node_sync(
        None, tmp_path, prompt=PROMPT, validation_level="none"
    )
    assert result.node_path is not None
    good = result.node_path
    kind = good.name.rsplit("_", 1)[1]

    lint = renamed_copy(good, f"node_broken_lint_{kind}")
    append(lint / "node.py", "\nimport os\n")  # F401 unused import

    layout = renamed_copy(good, f"node_broken_format_{kind}")
    append(layout / "enums" / "__init__.py", "\nX=[1,\n  2]\n")  # ruff format would rewrite

    types = renamed_copy(good, f"node_broken_types_{kind}")
    append(types / "node.py", '\n\ndef broken() -> int:\n    """Wrong type."""\n    return "x"\n')

    tests = renamed_copy(good, f"node_broken_tests_{kind}")
    (tests / "tests" / "test_zz_broken.py").write_text(
        '"""A failing test."""\n\n\ndef test_broken() -> None:\n    """Fails."""\n'
        "    assert 1 + 1 == 3\n"
    )

    contract = renamed_copy(good, f"node_broken_contract_{kind}")
    path = contract / "contract.yaml"
    path.write_text(path.read_text().replace("node_type: EFFECT_GENERIC", "node_type: effect"))

    handler = renamed_copy(good, f"node_broken_handler_{kind}")
    path = handler / "contract.yaml"
    text = path.read_text()
    path.write_text(text.replace("default_handler: ", "default_handler: missing_", 1))

    checked = {
        c.node_dir: c
        for c in asyncio.run(check_packages([good, lint, layout, types, tests, contract, handler]))
    }

    def failed(node: Path) -> set[str]:
        return {name for name, ok in checked[str(node)].results.items() if not ok}

    assert failed(good) == set(), checked[str(good)].problems
    assert checked[str(good)].passed
    assert set(checked[str(good)].results) == set(CHECKS)
    assert "ruff_check" in failed(lint)
    assert "F401" in " ".join(checked[str(lint)].problems)
    assert "ruff_format" in failed(layout)
    assert "mypy" in failed(types)
    assert "pytest" in failed(tests)
    assert "onex_validate" in failed(contract)
    assert "framework" in failed(handler)
    assert "ONEX051" in " ".join(checked[str(handler)].problems)
    for node in (lint, layout, types, tests, contract, handler):
        assert not checked[str(node)].passed
