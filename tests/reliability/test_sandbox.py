"""Issue 10, defect 5: the generated code we run (its tests) cannot touch anything but its node.

The tests run under bubblewrap (installed by ``.ci/run``): read-only root, private /tmp, no
network. Without bubblewrap the run still works, after one warning line.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from onexgen.sandbox import bwrap_path

ONEXGEN = Path(sys.executable).parent / "onexgen"
PROMPT = "Create COMPUTE node that calculates order totals with tax"

needs_bwrap = pytest.mark.skipif(
    bwrap_path() is None and not os.environ.get("CI"),
    reason="bubblewrap is not installed here (.ci/run installs it; CI never skips)",
)


def _node(tmp_path: Path) -> Path:
    subprocess.run(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(tmp_path / "out"), "--validation", "none"],
        capture_output=True,
        check=True,
    )
    return next((tmp_path / "out").iterdir())


def _escape_test(outside: Path, port: int) -> str:
    return f'''"""Tries to leave its node: write elsewhere, delete elsewhere, open a socket."""

import socket
from pathlib import Path

import pytest


def test_writes_outside_the_node() -> None:
    Path({str(outside / "written.txt")!r}).write_text("escaped")


def test_deletes_outside_the_node() -> None:
    Path({str(outside / "keep.txt")!r}).unlink()


def test_writes_inside_the_node() -> None:
    (Path(__file__).parent / "scratch.txt").write_text("fine")


def test_private_tmp(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("fine")


def test_no_network() -> None:
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", {port}), timeout=2)
'''


@needs_bwrap
@pytest.mark.slow
def test_generated_tests_cannot_write_outside_their_node(tmp_path: Path) -> None:
    node = _node(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        (node / "tests" / "test_escape.py").write_text(_escape_test(outside, port))
        proc = subprocess.run(
            [str(ONEXGEN), "test", str(node), "--json", "--no-coverage"],
            capture_output=True,
            text=True,
            check=False,
        )
    result = json.loads(proc.stdout)
    failed = {test["name"].rsplit("::", 1)[-1] for test in result["failed_tests"]}
    assert failed == {"test_writes_outside_the_node", "test_deletes_outside_the_node"}, result
    assert (outside / "keep.txt").read_text() == "mine"
    assert not (outside / "written.txt").exists()
    assert (node / "tests" / "scratch.txt").exists(), "the node itself stays writable"


@pytest.mark.slow
def test_without_bubblewrap_one_warning_and_no_sandbox_silences_it(tmp_path: Path) -> None:
    node = _node(tmp_path)
    bin_dir = tmp_path / "bin"  # a PATH without bwrap
    bin_dir.mkdir()
    for tool in ("sh", "env"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    env = {**os.environ, "PATH": str(bin_dir)}
    args = [str(ONEXGEN), "test", str(node), "--json", "--no-coverage"]
    warned = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert warned.returncode == 0, warned.stderr
    lines = [line for line in warned.stderr.splitlines() if "bubblewrap" in line]
    assert len(lines) == 1, warned.stderr
    assert "without a sandbox" in lines[0]
    assert "--no-sandbox" in lines[0]
    quiet = subprocess.run(
        [*args, "--no-sandbox"], capture_output=True, text=True, env=env, check=False
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "bubblewrap" not in quiet.stderr
