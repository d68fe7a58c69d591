"""Issue 10, defect 6: each failure is one line that names its cause.

Read-only and full filesystems are real ones, made with bubblewrap's mount namespace (a
read-only bind, a 64 KiB tmpfs); ``.ci/run`` installs bubblewrap.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from onexgen.batch.spec import BatchSpecError, load_batch_spec
from onexgen.sandbox import bwrap_path

ONEXGEN = Path(sys.executable).parent / "onexgen"
PROMPT = "Create EFFECT node for PostgreSQL writes with connection pooling"

needs_bwrap = pytest.mark.skipif(
    bwrap_path() is None and not os.environ.get("CI"),
    reason="bubblewrap is not installed here (.ci/run installs it; CI never skips)",
)


def _in_mounts(mounts: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    bwrap = bwrap_path() or "bwrap"
    command = [bwrap, "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", *mounts]
    return subprocess.run(
        [*command, str(ONEXGEN), *args], capture_output=True, text=True, check=False
    )


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error" in line]


@needs_bwrap
def test_read_only_output_dir_names_the_cause(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    proc = _in_mounts(["--ro-bind", str(out), str(out)], "generate", PROMPT, "-o", str(out))
    assert proc.returncode == 1
    lines = _error_lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert "Read-only file system (EROFS)" in lines[0]
    assert "cannot create a staging directory" in lines[0]
    assert "Errno" not in lines[0]


@needs_bwrap
@pytest.mark.slow
@pytest.mark.parametrize("command", ["generate", "validate"])
def test_full_tmpdir_is_one_line(tmp_path: Path, command: str) -> None:
    small = tmp_path / "small"
    small.mkdir()
    out = tmp_path / "out"
    subprocess.run(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--validation", "none"],
        capture_output=True,
        check=True,
    )
    node = next(out.iterdir())
    mounts = ["--size", "65536", "--tmpfs", str(small), "--setenv", "TMPDIR", str(small)]
    if command == "generate":
        args = ["generate", PROMPT, "-o", str(tmp_path / "out2"), "--validation", "standard"]
    else:
        args = ["validate", str(node), "--level", "standard"]
    proc = _in_mounts(mounts, *args)
    assert proc.returncode == 1
    lines = _error_lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert "No space left on device" in lines[0]
    assert "TMPDIR" in lines[0]
    assert len(lines[0]) < 400, lines[0]
    assert "Traceback" not in proc.stderr


def test_batch_entry_with_prompt_and_requirements_says_so(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "nodes:\n  - name: a\n    prompt: Create EFFECT node for PostgreSQL writes\n"
        "    requirements:\n      node_type: effect\n      node_name: Writer\n"
    )
    with pytest.raises(BatchSpecError) as info:
        load_batch_spec(spec)
    assert info.value.problems == (
        "nodes[0] ('a'): has both 'prompt' and 'requirements'; give exactly one of them",
    )


def test_dangling_symlink_as_output_dir_says_where_it_points(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "missing" / "dir")
    proc = subprocess.run(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(link), "--validation", "none"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    lines = _error_lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert f"{link} is a symbolic link to {tmp_path / 'missing' / 'dir'}" in lines[0]
    assert "File exists" not in lines[0]
