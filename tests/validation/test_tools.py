"""The tool runner's bytecode cache: tools reuse compiled dependencies across runs, write nothing
beside the sources, and a temporary copy's bytecode is dropped again.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from onexgen.cache_dirs import CACHE_DIR_ENV
from onexgen.validation.tools import (
    bytecode_cache_dir,
    drop_cached_bytecode,
    run_tool,
    run_tool_sync,
    tool_env,
)

if TYPE_CHECKING:
    import pytest


def test_tool_env_writes_bytecode_to_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = tool_env({"EXTRA": "1"})
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path / "cache" / "pycache")
    assert env["EXTRA"] == "1"
    assert tool_env({"PYTHONPYCACHEPREFIX": "x"})["PYTHONPYCACHEPREFIX"] == "x"
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert "PYTHONPATH" not in tool_env({"PYTHONPATH": None})


def test_a_tool_run_caches_bytecode_outside_the_sources_and_drop_forgets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    root = tmp_path / "copy"
    tests = root / "tests"
    tests.mkdir(parents=True)
    (root / "helper.py").write_text("VALUE = 41\n", encoding="utf-8")
    (tests / "test_helper.py").write_text(
        "from helper import VALUE\n\n\ndef test_value() -> None:\n    assert VALUE + 1 == 42\n",
        encoding="utf-8",
    )
    run = asyncio.run(
        run_tool(
            "pytest",
            ["-q", "-p", "no:cacheprovider", "tests"],
            cwd=root,
            timeout=60.0,
            env={"PYTHONPATH": str(root)},
        )
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert not list(root.rglob("__pycache__")), "bytecode was written beside the sources"
    cached = bytecode_cache_dir() / root.resolve().relative_to(root.resolve().anchor)
    assert list(cached.glob("helper.cpython-*.pyc"))
    # the tool's own modules (pytest's) were cached too: the next run does not compile them
    assert any(bytecode_cache_dir().rglob("_pytest/fixtures.cpython-*.pyc"))
    drop_cached_bytecode(root)
    assert not cached.exists()
    assert any(bytecode_cache_dir().rglob("_pytest/fixtures.cpython-*.pyc"))


def test_sync_runner_kills_the_whole_process_group_on_timeout(tmp_path: Path) -> None:
    """A tool that started a child and hangs: both are gone after the timeout."""
    pid_file = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    run = run_tool_sync("python", ["-c", script], cwd=tmp_path, timeout=3.0)
    assert run.timed_out
    assert run.exit_code is None
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_sync_runner_returns_the_tools_output(tmp_path: Path) -> None:
    run = run_tool_sync("python", ["-c", "print('hi')"], cwd=tmp_path, timeout=30.0)
    assert (run.returncode, run.stdout.strip(), run.timed_out) == (0, "hi", False)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie left for its dead parent's reaper counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")
