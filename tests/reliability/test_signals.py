"""Issue 10, defect 4: after SIGTERM, Ctrl-C or kill -9 nothing of ours is left running or lying.

Each run gets its own TMPDIR, so "a process of ours" is any process whose command line or
working directory mentions it, and "a temp dir of ours" is anything left in it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onexgen.process_control import processes_mentioning, wait_until
from onexgen.writing import BACKUP_PREFIX, STAGING_PREFIX, verify_manifest

ONEXGEN = Path(sys.executable).parent / "onexgen"
PROMPT = "Create EFFECT node for PostgreSQL writes with connection pooling and retry logic"
HANGING_TEST = "def test_hang() -> None:\n    while True:\n        pass\n"


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp)}


@pytest.fixture
def hanging_node(tmp_path: Path) -> tuple[Path, Path]:
    """A generated node with a test that never ends, and a private TMPDIR."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.run(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(tmp_path / "out"), "--validation", "none"],
        capture_output=True,
        text=True,
        check=True,
        env=_env(tmp),
    )
    del proc
    node = next((tmp_path / "out").iterdir())
    (node / "tests" / "test_hang.py").write_text(HANGING_TEST)
    return node, tmp


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "sig", "code"),
    [
        ("validate", signal.SIGTERM, 143),
        ("validate", signal.SIGINT, 130),
        ("test", signal.SIGTERM, 143),
        ("test", signal.SIGINT, 130),
    ],
)
def test_signal_while_tests_run_kills_them_and_cleans_up(
    hanging_node: tuple[Path, Path], command: str, sig: signal.Signals, code: int
) -> None:
    node, tmp = hanging_node
    args = [str(ONEXGEN), command, str(node), "--timeout", "100"]
    if command == "validate":
        args += ["--level", "strict"]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp)
    )
    assert wait_until(lambda: any(p != proc.pid for p in processes_mentioning(str(tmp))), 60.0), (
        "no pytest started"
    )
    time.sleep(1.0)  # let the hanging test start
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == code, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    assert "Event loop is closed" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert wait_until(lambda: not processes_mentioning(str(tmp)), 5.0), (
        "a child process outlived onexgen"
    )
    assert os.listdir(tmp) == [], "a temporary directory was left behind"


@pytest.mark.slow
def test_kill_9_takes_the_children_down_and_the_next_run_removes_the_temp_dir(
    hanging_node: tuple[Path, Path],
) -> None:
    node, tmp = hanging_node
    proc = subprocess.Popen(
        [str(ONEXGEN), "test", str(node), "--timeout", "100"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(tmp),
    )
    assert wait_until(lambda: any(p != proc.pid for p in processes_mentioning(str(tmp))), 60.0), (
        "no pytest started"
    )
    time.sleep(1.0)
    proc.kill()
    proc.wait()
    assert wait_until(lambda: not processes_mentioning(str(tmp)), 5.0), (
        "a child process outlived kill -9"
    )
    assert os.listdir(tmp), "the killed run's directory is expected until the next run"
    subprocess.run(
        [str(ONEXGEN), "validate", str(node), "--level", "basic"],
        capture_output=True,
        check=False,
        env=_env(tmp),
    )
    assert os.listdir(tmp) == []


@pytest.mark.slow
def test_random_kills_never_leave_a_partial_node_a_process_or_a_temp_dir(tmp_path: Path) -> None:
    """20 runs of ``generate --force`` killed (SIGKILL or SIGTERM) at a random moment."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    args = [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--force", "--json"]
    first = subprocess.run(
        [*args, "--validation", "none"], capture_output=True, text=True, env=_env(tmp), check=True
    )
    node = Path(json.loads(first.stdout)["node_path"])
    rng = random.Random(10)
    pids: list[int] = []
    for run in range(20):
        sig = signal.SIGKILL if run % 2 else signal.SIGTERM
        level = "standard" if run % 4 < 2 else "basic"
        proc = subprocess.Popen(
            [*args, "--validation", level],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp),
        )
        pids.append(proc.pid)
        time.sleep(rng.uniform(0.2, 3.0))
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
        # -15: the SIGTERM came while the interpreter was still starting (before onexgen could
        # install its handler; seen at load 10): nothing had started, which the checks below prove.
        assert proc.returncode in {0, -9, -15, 143, 1}, (run, proc.returncode, stderr)
        assert "Traceback" not in stderr, stderr
        assert wait_until(lambda: not processes_mentioning(str(tmp)), 5.0), (
            f"run {run}: a process outlived us"
        )
        # the node is the old one or the new one, complete either way
        assert node.is_dir(), f"run {run}: the node disappeared"
        assert verify_manifest(node) == {"modified": (), "missing": (), "added": ()}, run
    # one more (complete) run cleans up what the killed ones left
    subprocess.run([*args, "--validation", "none"], capture_output=True, env=_env(tmp), check=True)
    assert os.listdir(tmp) == []
    shm = Path("/dev/shm")  # where ruff formats the generated files, when it exists
    if shm.is_dir():
        ours = [n for n in os.listdir(shm) if any(n.startswith(f"onexgen-run-{p}-") for p in pids)]
        assert ours == []
    leftovers = [
        p.name for p in out.iterdir() if p.name.startswith((STAGING_PREFIX, BACKUP_PREFIX))
    ]
    assert leftovers == []
    assert verify_manifest(node) == {"modified": (), "missing": (), "added": ()}
