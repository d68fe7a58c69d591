"""Issue 10, defect 1: the writer never replaces a node it did not check under ``--force``.

Each test reproduces a race by doing the other party's step at the exact moment the old writer
was exposed (while the staged tree is made durable, or while a backup is being deleted).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onexgen.cli.generate_cmd import HOLD_ENV
from onexgen.writing import atomic_writer
from onexgen.writing.atomic_writer import BACKUP_PREFIX, AtomicNodeWriter, NodeExistsError

NODE = "node_demo_effect"
FILES = [(f"pkg/file_{i}.py", f"VALUE = {i}\n") for i in range(30)]
PROMPT = "Create EFFECT node for PostgreSQL writes with connection pooling and retry logic"
ONEXGEN = Path(sys.executable).parent / "onexgen"


def _user_node(target: Path) -> None:
    target.mkdir()
    (target / "node.py").write_text("# edited by the user\n")


def test_node_put_in_place_during_sync_is_not_replaced_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_flush = atomic_writer._flush

    def flush_while_user_moves_node_in(*args: object, **kwargs: object) -> None:
        real_flush(*args, **kwargs)  # type: ignore[arg-type]
        _user_node(tmp_path / NODE)

    monkeypatch.setattr(atomic_writer, "_flush", flush_while_user_moves_node_in)
    writer = AtomicNodeWriter(tmp_path, NODE)
    writer.stage(FILES)
    with pytest.raises(NodeExistsError, match="already exists"):
        writer.commit()
    writer.discard()
    assert (tmp_path / NODE / "node.py").read_text() == "# edited by the user\n"
    assert sorted(os.listdir(tmp_path)) == [NODE]


def test_force_run_whose_target_appears_mid_commit_still_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = atomic_writer._rename_noreplace
    calls: list[int] = []

    def racing(source: Path, destination: Path) -> None:
        if not calls:
            _user_node(destination)  # another (forced) run won the race by a hair
        calls.append(1)
        real(source, destination)

    monkeypatch.setattr(atomic_writer, "_rename_noreplace", racing)
    with AtomicNodeWriter(tmp_path, NODE, force=True) as writer:
        writer.stage(FILES)
        writer.commit()  # used to fail asking for the --force it was given
    assert (tmp_path / NODE / "pkg" / "file_3.py").read_text() == "VALUE = 3\n"
    assert sorted(os.listdir(tmp_path)) == [NODE]


def test_kill_during_backup_delete_never_resurrects_a_partial_node(tmp_path: Path) -> None:
    (tmp_path / NODE).mkdir()
    (tmp_path / NODE / "node.py").write_text("old\n")
    script = f"""
import os, shutil, signal, sys
from pathlib import Path
from onexgen.writing import atomic_writer
from onexgen.writing.atomic_writer import AtomicNodeWriter

real = shutil.rmtree
def rmtree(path, *a, **k):
    # delete part of the old node, then die as if killed -9 in the middle of the delete
    victims = sorted(Path(path).rglob("*.py"))
    for victim in victims[: len(victims) // 2]:
        victim.unlink()
    os.kill(os.getpid(), signal.SIGKILL)
atomic_writer.shutil.rmtree = rmtree
old = Path({str(tmp_path / NODE)!r})
for i in range(20):
    (old / f"old_{{i}}.py").write_text("x")
with AtomicNodeWriter(Path({str(tmp_path)!r}), {NODE!r}, force=True) as writer:
    writer.stage({FILES!r})
    writer.commit()
"""
    proc = subprocess.run([sys.executable, "-c", script], check=False)
    assert proc.returncode == -9
    # the user deletes the (complete, new) node; a later run must not bring back half the old one
    atomic_writer._remove_tree(tmp_path / NODE)
    actions = AtomicNodeWriter(tmp_path, NODE).recover_stale()
    assert not (tmp_path / NODE).exists(), actions
    assert os.listdir(tmp_path) == []


def _start(out: Path, hold: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--validation", "none", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, HOLD_ENV: str(hold)},
    )


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return
        if proc.poll() is not None:
            pytest.fail(f"onexgen exited early: {proc.communicate()}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("onexgen never reached the commit point")


@pytest.mark.parametrize("force", [False, True])
def test_two_concurrent_generates_of_one_node(tmp_path: Path, force: bool) -> None:
    """Both runs are held at the commit point, then released together."""
    out = tmp_path / "out"
    extra = ("--force", "--json") if force else ("--json",)
    holds = [tmp_path / "hold_a", tmp_path / "hold_b"]
    procs = [_start(out, hold, *extra) for hold in holds]
    for hold, proc in zip(holds, procs, strict=True):
        _wait_for(hold, proc)
    for hold in holds:
        hold.unlink()
    results = [(proc.wait(60), *proc.communicate()) for proc in procs]
    codes = sorted(code for code, _, _ in results)
    if force:
        assert codes == [0, 0], results
    else:
        assert codes == [0, 1], results
        loser = next(out + err for code, out, err in results if code == 1)
        assert "already exists" in loser, loser
    nodes = list(out.iterdir())
    assert len(nodes) == 1, nodes
    node = nodes[0]
    winner = json.loads(next(o for code, o, _ in results if code == 0))
    assert sorted(winner["files"]) == sorted(
        p.relative_to(node).as_posix() for p in node.rglob("*") if p.is_file()
    )
    assert not any(p.name.startswith(BACKUP_PREFIX) for p in out.iterdir())
