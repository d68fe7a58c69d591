"""Stage 8: the node appears completely or not at all, and never outside the output directory."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from onexgen.writing import atomic_writer
from onexgen.writing.atomic_writer import (
    BACKUP_PREFIX,
    STAGING_PREFIX,
    AtomicNodeWriter,
    NodeExistsError,
    NodeWriteError,
    UnsafePathError,
    validate_node_dir_name,
    validate_relative_path,
)

if TYPE_CHECKING:
    from pathlib import Path

NODE = "node_demo_effect"
NEW_FILES = [
    ("__init__.py", '"""new."""\n'),
    ("node.py", "VALUE = 'new'\n"),
    ("handlers/__init__.py", ""),
    ("handlers/handler_demo.py", "X = 1\n"),
    ("models/model_demo_input.py", "Y = 2\n"),
    ("tests/unit/test_demo.py", "def test_x() -> None:\n    assert True\n"),
]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (the observable state of the output dir)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def make_old_node(output: Path) -> dict[str, bytes]:
    old = output / NODE
    (old / "models").mkdir(parents=True)
    (old / "node.py").write_text("VALUE = 'old'\n")
    (old / "models" / "old_only.py").write_text("OLD = True\n")
    return snapshot(output)


def failing_after(count: int, code: int) -> atomic_writer.FileWriteHook:
    calls: list[str] = []

    def hook(rel: str) -> None:
        calls.append(rel)
        if len(calls) > count:
            raise OSError(code, os.strerror(code), rel)

    return hook


@pytest.fixture(params=["renameat2", "plain-rename"])
def rename_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each test with the atomic exchange and with the two-rename fallback."""
    if request.param == "plain-rename":
        monkeypatch.setattr(atomic_writer, "_renameat2", lambda: None)
    return str(request.param)


def test_stage_and_commit_writes_exact_files(tmp_path: Path, rename_mode: str) -> None:
    with AtomicNodeWriter(tmp_path / "out", NODE) as writer:
        staged = writer.stage(NEW_FILES)
        assert staged.name == NODE  # tools see the real package name while it is staged
        assert staged.parent.parent == tmp_path / "out"
        assert staged.parent.name.startswith(STAGING_PREFIX + NODE + "-")
        assert writer.list_files() == tuple(sorted(rel for rel, _ in NEW_FILES))
        assert not (tmp_path / "out" / NODE).exists()
        target = writer.commit()
    assert target == tmp_path / "out" / NODE
    assert snapshot(tmp_path / "out") == {f"{NODE}/{rel}": text.encode() for rel, text in NEW_FILES}
    assert sorted(os.listdir(tmp_path / "out")) == [NODE]


def test_existing_node_is_not_touched_without_force(tmp_path: Path) -> None:
    before = make_old_node(tmp_path)
    writer = AtomicNodeWriter(tmp_path, NODE)
    with pytest.raises(NodeExistsError, match="--force"):
        writer.stage(NEW_FILES)
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == [NODE]


def test_node_appearing_during_generation_is_not_overwritten(tmp_path: Path) -> None:
    writer = AtomicNodeWriter(tmp_path, NODE)
    writer.stage(NEW_FILES)
    make_old_node(tmp_path)  # someone else created it meanwhile
    before = snapshot(tmp_path / NODE)
    with pytest.raises(NodeExistsError):
        writer.commit()
    writer.discard()
    assert snapshot(tmp_path / NODE) == before
    assert sorted(os.listdir(tmp_path)) == [NODE]


def test_force_replaces_atomically_and_drops_old(tmp_path: Path, rename_mode: str) -> None:
    make_old_node(tmp_path)
    with AtomicNodeWriter(tmp_path, NODE, force=True) as writer:
        writer.stage(NEW_FILES)
        writer.commit()
        # the old node is kept aside (for rollback) until the block finalizes
        assert any(n.startswith(BACKUP_PREFIX) for n in os.listdir(tmp_path))
    assert snapshot(tmp_path / NODE) == {rel: text.encode() for rel, text in NEW_FILES}
    assert sorted(os.listdir(tmp_path)) == [NODE]


def test_rollback_after_commit_restores_old_node(tmp_path: Path, rename_mode: str) -> None:
    before = make_old_node(tmp_path)
    writer = AtomicNodeWriter(tmp_path, NODE, force=True)
    writer.stage(NEW_FILES)
    writer.commit()
    assert (tmp_path / NODE / "node.py").read_text() == "VALUE = 'new'\n"
    writer.rollback()
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == [NODE]


def test_rollback_of_fresh_node_removes_it(tmp_path: Path, rename_mode: str) -> None:
    writer = AtomicNodeWriter(tmp_path, NODE)
    writer.stage(NEW_FILES)
    writer.commit()
    writer.rollback()
    assert os.listdir(tmp_path) == []


def test_exception_inside_block_rolls_back(tmp_path: Path) -> None:
    before = make_old_node(tmp_path)

    def run_failing_stage() -> None:
        with AtomicNodeWriter(tmp_path, NODE, force=True) as writer:
            writer.stage(NEW_FILES)
            writer.commit()
            raise RuntimeError("stage 9 failed")

    with pytest.raises(RuntimeError, match="stage 9"):
        run_failing_stage()
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EIO])
def test_failure_mid_write_leaves_old_state(tmp_path: Path, code: int) -> None:
    before = make_old_node(tmp_path)
    writer = AtomicNodeWriter(tmp_path, NODE, force=True, before_file_write=failing_after(3, code))
    with pytest.raises(NodeWriteError, match=errno.errorcode[code]) as info:
        writer.stage(NEW_FILES)
    assert "nothing was changed" in str(info.value)
    assert "\n" not in str(info.value)
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == [NODE]


def test_ctrl_c_mid_write_leaves_nothing(tmp_path: Path) -> None:
    def interrupt(rel: str) -> None:
        if rel.startswith("models/"):
            raise KeyboardInterrupt

    writer = AtomicNodeWriter(tmp_path, NODE, before_file_write=interrupt)
    with pytest.raises(KeyboardInterrupt):
        writer.stage(NEW_FILES)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "bad",
    [
        "/etc/passwd",
        "../escape.py",
        "models/../../escape.py",
        "a/./b.py",
        "a//b.py",
        "models\\x.py",
        "bad\x00name.py",
        "line\nbreak.py",
        "",
        "dir/",
        "x" * 300,
        "sp ace.py",
    ],
)
def test_unsafe_relative_paths_are_rejected_before_writing(tmp_path: Path, bad: str) -> None:
    with pytest.raises(UnsafePathError):
        validate_relative_path(bad)
    writer = AtomicNodeWriter(tmp_path / "out", NODE)
    with pytest.raises(UnsafePathError):
        writer.stage([("ok.py", ""), (bad, "payload")])
    assert not (tmp_path / "out").exists()
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize(
    "bad", ["../node_x", ".hidden", "a/b", "..", "", "node x", "node-x", "1node", "node.x"]
)
def test_unsafe_node_dir_names_are_rejected(bad: str) -> None:
    with pytest.raises(UnsafePathError):
        validate_node_dir_name(bad)


def test_duplicate_paths_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError, match="twice"):
        AtomicNodeWriter(tmp_path, NODE).stage([("a.py", "1"), ("a.py", "2")])
    assert os.listdir(tmp_path) == []


def test_target_symlink_is_refused_even_with_force(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / NODE).symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(NodeWriteError, match="not a directory"):
        AtomicNodeWriter(out, NODE, force=True).stage(NEW_FILES)
    assert list(elsewhere.iterdir()) == []


def test_output_dir_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("")
    with pytest.raises(NodeWriteError, match="not a directory"):
        AtomicNodeWriter(tmp_path / "out", NODE).stage(NEW_FILES)


def dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout)


def test_stale_leftovers_of_dead_runs_are_recovered(tmp_path: Path) -> None:
    pid = dead_pid()
    stale = tmp_path / f"{STAGING_PREFIX}{NODE}-{pid}-abc1"
    (stale / "models").mkdir(parents=True)
    (stale / "node.py").write_text("partial")
    # a run that died between "old aside" and "new in": the backup is the only copy
    backup = tmp_path / f"{BACKUP_PREFIX}{NODE}-{pid}-abc"
    backup.mkdir()
    (backup / "node.py").write_text("VALUE = 'old'\n")
    live = tmp_path / f"{STAGING_PREFIX}{NODE}-{os.getppid()}-live1"
    live.mkdir()
    other = tmp_path / f"{STAGING_PREFIX}node_other_effect-{pid}-abc1"
    other.mkdir()

    actions = AtomicNodeWriter(tmp_path, NODE).recover_stale()

    assert len(actions) == 2
    assert not stale.exists()
    assert not backup.exists()
    assert (tmp_path / NODE / "node.py").read_text() == "VALUE = 'old'\n"
    assert live.exists(), "a live process's staging dir must be left alone"
    assert other.exists(), "another node's leftovers are not ours to judge"


def test_stale_backup_is_dropped_when_new_node_is_in_place(tmp_path: Path) -> None:
    pid = dead_pid()
    (tmp_path / NODE).mkdir()
    (tmp_path / NODE / "node.py").write_text("VALUE = 'new'\n")
    backup = tmp_path / f"{BACKUP_PREFIX}{NODE}-{pid}-abc"
    backup.mkdir()
    with AtomicNodeWriter(tmp_path, NODE, force=True) as writer:
        writer.stage(NEW_FILES)  # staging runs the recovery first
        assert not backup.exists()
        writer.commit()
    assert sorted(os.listdir(tmp_path)) == [NODE]


def test_fresh_staging_path_and_tool_artifacts(tmp_path: Path) -> None:
    with AtomicNodeWriter(tmp_path, NODE) as writer:
        first = writer.stage(NEW_FILES)
        (first / "__pycache__").mkdir()
        (first / "__pycache__" / "node.cpython-312.pyc").write_bytes(b"\0")
        (first / "tests" / ".pytest_cache").mkdir()
        second = writer.fresh_staging_path()
        assert second != first
        assert second.name == NODE
        assert not first.exists()
        assert writer.staging_path == second
        assert writer.remove_tool_artifacts() == ("__pycache__", "tests/.pytest_cache")
        writer.add_file("node.manifest.yaml", "x: 1\n")
        writer.commit()
    assert sorted(snapshot(tmp_path / NODE)) == sorted(
        [rel for rel, _ in NEW_FILES] + ["node.manifest.yaml"]
    )


def test_unicode_content_is_written_byte_exact(tmp_path: Path) -> None:
    text = "S = 'caf\u00e9 \u2603 \U0001f600'\r\n\t\\x00\n"
    with AtomicNodeWriter(tmp_path, NODE) as writer:
        writer.stage([("node.py", text)])
        writer.commit()
    assert (tmp_path / NODE / "node.py").read_bytes() == text.encode("utf-8")


def without_dac_override(command: list[str]) -> list[str]:
    """Run ``command`` so that file permissions apply to it, even when the tests run as root."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make permissions bite")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]


def test_read_only_output_dir_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    """A real EACCES (not injected): a directory the writing process may not write to."""
    out = tmp_path / "out"
    make_old_node(out)
    before = snapshot(out)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from onexgen.writing import AtomicNodeWriter, NodeWriteError\n"
        "w = AtomicNodeWriter(Path(sys.argv[1]), 'node_demo_effect', force=True)\n"
        "try:\n"
        "    w.stage([('node.py', 'x')])\n"
        "except NodeWriteError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    out.chmod(0o555)
    try:
        proc = subprocess.run(
            without_dac_override([sys.executable, "-c", script, str(out)]),
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        out.chmod(0o755)
    assert proc.returncode == 3, proc.stderr
    assert "EACCES" in proc.stdout
    assert snapshot(out) == before
    assert sorted(os.listdir(out)) == [NODE]


def test_per_file_fsync_path_when_syncfs_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic_writer, "_syncfs", lambda: None)
    with AtomicNodeWriter(tmp_path, NODE) as writer:
        writer.stage(NEW_FILES)
        writer.add_file("node.manifest.yaml", "x: 1\n")
        writer.commit()
    assert len(snapshot(tmp_path / NODE)) == len(NEW_FILES) + 1


def test_restored_backup_counts_as_existing_node(tmp_path: Path) -> None:
    """A dead run's only copy of the old node is put back first, then --force rules apply."""
    backup = tmp_path / f"{BACKUP_PREFIX}{NODE}-{dead_pid()}-abc"
    backup.mkdir()
    (backup / "node.py").write_text("VALUE = 'old'\n")
    with pytest.raises(NodeExistsError):
        AtomicNodeWriter(tmp_path, NODE).stage(NEW_FILES)
    assert (tmp_path / NODE / "node.py").read_text() == "VALUE = 'old'\n"
    assert os.listdir(tmp_path) == [NODE]


def test_failed_write_removes_the_output_dirs_it_created(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "out"
    writer = AtomicNodeWriter(out, NODE, before_file_write=failing_after(2, errno.ENOSPC))
    with pytest.raises(NodeWriteError):
        writer.stage(NEW_FILES)
    assert os.listdir(tmp_path) == []
    with AtomicNodeWriter(out, NODE) as second:
        second.stage(NEW_FILES)
    assert os.listdir(tmp_path) == []  # discarded without a commit: nothing left behind
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "keep.txt").write_text("")
    with AtomicNodeWriter(out, NODE) as third:
        third.stage(NEW_FILES)
    assert os.listdir(tmp_path / "a") == ["keep.txt"]  # never more than what it created
