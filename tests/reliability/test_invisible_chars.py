"""Issue 10, defect 6: terminal escapes, bidi overrides and zero-width characters never reach a
generated file (docstrings, README, contract, manifest), whether they come from the prompt or a
requirements file."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from onexgen.rendering.escaping import clean_text, md_text, py_docstring

ONEXGEN = Path(sys.executable).parent / "onexgen"
HOSTILE = "\u200b\x1b[31mred\x1b[0m \u202eevil\u202c \u2066iso\u2069 zw\u200dj \x1b]0;title\x07"


def _invisible(text: str) -> set[str]:
    return {
        f"U+{ord(c):04X}"
        for c in text
        if c not in "\n\t" and unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"}
    }


def _scan(node: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for path in sorted(node.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            bad = _invisible(text)
            if bad or "[31m" in text or "0;title" in text:
                found[path.relative_to(node).as_posix()] = bad or "escape sequence text"
    return found


@pytest.mark.parametrize("helper", [clean_text, md_text, py_docstring])
def test_escaping_filters_drop_every_invisible_character(helper: object) -> None:
    out = helper(f"Writes orders {HOSTILE} done")  # type: ignore[operator]
    assert not _invisible(out), out
    assert "[31m" not in out
    assert "0;title" not in out
    assert "red" in out
    assert "evil" in out


def test_prompt_and_requirements_file_leave_no_invisible_character(tmp_path: Path) -> None:
    prompt = f"Create EFFECT node for PostgreSQL writes {HOSTILE} with retry logic"
    proc = subprocess.run(
        [str(ONEXGEN), "generate", prompt, "-o", str(tmp_path / "a"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert _scan(Path(json.loads(proc.stdout)["node_path"])) == {}
    requirements = tmp_path / "req.json"
    requirements.write_text(
        json.dumps(
            {
                "node_type": "effect",
                "node_name": "Writer",
                "service_name": "writer",
                "domain": "orders",
                "business_description": f"Writes orders {HOSTILE}",
                "features": ["retry_logic"],
            }
        )
    )
    proc = subprocess.run(
        [str(ONEXGEN), "generate", "-r", str(requirements), "-o", str(tmp_path / "b"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert _scan(Path(json.loads(proc.stdout)["node_path"])) == {}
