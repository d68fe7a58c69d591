"""Issue 10, defect 6: ``--force`` never silently replaces files the user edited.

The manifest's digests tell which files were edited by hand; ``--force`` lists them and asks in
a terminal, refuses with ``--json`` (or a pipe), and replaces them only with ``--overwrite-edits``.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

ONEXGEN = Path(sys.executable).parent / "onexgen"
PROMPT = "Create EFFECT node for PostgreSQL writes with connection pooling"


def _generate(out: Path, *extra: str, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--validation", "none", *extra],
        capture_output=stdin is None,
        stdout=subprocess.PIPE if stdin is not None else None,
        stderr=subprocess.PIPE if stdin is not None else None,
        stdin=stdin,
        text=True,
        check=False,
    )


def _edited_node(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    first = _generate(out, "--json")
    node = Path(json.loads(first.stdout)["node_path"])
    (node / "node.py").write_text((node / "node.py").read_text() + "# my change\n")
    (node / "notes.txt").write_text("mine")
    return node


def test_force_with_json_refuses_and_lists_the_edited_files(tmp_path: Path) -> None:
    node = _edited_node(tmp_path)
    proc = _generate(node.parent, "--force", "--json")
    assert proc.returncode == 1
    errors = json.loads(proc.stdout)["errors"]
    assert len(errors) == 1
    assert "2 file(s) edited by hand" in errors[0]
    assert "node.py, notes.txt" in errors[0]
    assert "--overwrite-edits" in errors[0]
    assert (node / "node.py").read_text().endswith("# my change\n")
    assert (node / "notes.txt").exists()

    again = _generate(node.parent, "--force", "--json", "--overwrite-edits")
    assert again.returncode == 0, again.stdout
    assert not (node / "notes.txt").exists()
    assert "# my change" not in (node / "node.py").read_text()


def test_force_in_a_terminal_asks(tmp_path: Path) -> None:
    node = _edited_node(tmp_path)
    for answer, code in (("n", 1), ("y", 0)):
        primary, secondary = pty.openpty()
        try:
            os.write(primary, f"{answer}\n".encode())
            proc = _generate(node.parent, "--force", stdin=secondary)
        finally:
            os.close(secondary)
            os.close(primary)
        assert proc.returncode == code, proc.stderr
        assert "Replace them?" in proc.stderr
        assert "  node.py\n" in proc.stderr
        assert "  notes.txt\n" in proc.stderr
        assert (node / "notes.txt").exists() is (answer == "n")


def test_batch_force_keeps_an_edited_node_unless_overwrite_edits(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "defaults: {output_dir: out, validation: basic}\n"
        "nodes:\n  - name: writer\n    prompt: " + PROMPT + "\n"
    )
    batch = [str(ONEXGEN), "batch", str(spec), "--json"]
    assert subprocess.run(batch, capture_output=True, check=False).returncode == 0
    node = next((tmp_path / "out").iterdir())
    (node / "notes.txt").write_text("mine")
    refused = subprocess.run([*batch, "--force"], capture_output=True, text=True, check=False)
    assert refused.returncode == 1
    row = json.loads(refused.stdout)["nodes"][0]
    assert any("edited by hand (notes.txt)" in error for error in row["errors"]), row
    assert (node / "notes.txt").exists()
    replaced = subprocess.run(
        [*batch, "--force", "--overwrite-edits"], capture_output=True, text=True, check=False
    )
    assert replaced.returncode == 0, replaced.stdout
    assert not (node / "notes.txt").exists()
