"""Nothing of ours outlives the run: signals, child process groups and per-run temp directories.

Why one module: a SIGTERM, a Ctrl-C or a ``kill -9`` can hit any command at any moment. So

* SIGTERM takes the Ctrl-C path (asyncio cancels the running task, every ``finally`` and the
  writer's rollback run), and the command then exits 143 instead of 130;
* every tool process runs in its own process group, is registered here while it runs, is killed
  with its whole group when we stop, and gets ``PR_SET_PDEATHSIG`` so that even our ``kill -9``
  takes it down;
* temporary directories live under one per-run directory ``$TMPDIR/onexgen-run-<pid>-<token>/``,
  removed when the command ends; a later run removes those whose owner pid is gone.

The state is per process (one CLI run is one process), kept in one object, never shared.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import os
import secrets
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType

RUN_DIR_PREFIX = "onexgen-run-"
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
_PR_SET_PDEATHSIG = 1


@dataclass
class _ProcessState:
    """What this process must clean up when it stops."""

    terminated: bool = False
    children: set[int] = field(default_factory=set)
    run_dirs: dict[Path, Path] = field(default_factory=dict)
    """Per base directory (TMPDIR, /dev/shm): this run's directory in it."""


_STATE = _ProcessState()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into the Ctrl-C path, remembering that it was a SIGTERM."""
    del signum, frame
    _STATE.terminated = True
    kill_children()
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started with SIGINT ignored
        raise KeyboardInterrupt
    # Through SIGINT so that a running asyncio loop cancels its task cleanly, as for Ctrl-C.
    signal.raise_signal(signal.SIGINT)


def install_signal_handlers() -> None:
    """Handle SIGTERM like Ctrl-C (call once, from the main thread, before any work)."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def was_terminated() -> bool:
    """True once a SIGTERM arrived."""
    return _STATE.terminated


def interrupted_exit_code() -> int:
    """143 after a SIGTERM, 130 after a Ctrl-C."""
    return EXIT_TERMINATED if _STATE.terminated else EXIT_INTERRUPTED


# -- child processes ---------------------------------------------------------------------------


@functools.cache
def _prctl() -> Callable[..., int] | None:
    try:
        func = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    func.restype = ctypes.c_int
    return func


def child_setup() -> None:
    """``preexec_fn`` of every tool process: die (SIGKILL) when the process that started it dies.

    Runs in the child between fork and exec, so it only makes one system call.
    """
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def register_child(pid: int) -> None:
    """Remember a tool process (leader of its own group) until :func:`unregister_child`."""
    _STATE.children.add(pid)


def unregister_child(pid: int) -> None:
    """The tool process finished and was reaped."""
    _STATE.children.discard(pid)


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (the tool and anything it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def kill_children() -> None:
    """Kill every registered tool process group now."""
    for pid in sorted(_STATE.children):
        kill_group(pid)


# -- per-run temporary directories -------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def processes_mentioning(marker: str) -> list[int]:
    """Pids of live (not zombie) processes whose command line or working directory mentions
    ``marker``, this process excepted: how the signal tests and ``benchmarks/kill_stress.py``
    check that nothing started under a private TMPDIR outlived its run."""
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().decode(errors="replace")
            cwd = os.readlink(f"/proc/{entry}/cwd")
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and (marker in cmdline or marker in cwd):
            found.append(int(entry))
    return found


def wait_until(predicate: Callable[[], object], limit: float) -> bool:
    """Poll ``predicate`` every 50 ms for up to ``limit`` seconds; whether it became true."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def sweep_dead_run_dirs(base: Path | None = None) -> tuple[str, ...]:
    """Remove the per-run directories of runs whose process is gone; return their names."""
    root = Path(base or tempfile.gettempdir())
    removed: list[str] = []
    try:
        entries = os.listdir(root)
    except OSError:
        return ()
    for entry in entries:
        if not entry.startswith(RUN_DIR_PREFIX):
            continue
        pid_text, _, token = entry.removeprefix(RUN_DIR_PREFIX).partition("-")
        if not pid_text.isdigit() or not token:
            continue
        pid = int(pid_text)
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(root / entry, ignore_errors=True)
            removed.append(entry)
    return tuple(sorted(removed))


def run_temp_dir(base: Path | None = None) -> Path:
    """This run's directory for temporary files in ``base`` (default TMPDIR), made on first use."""
    root = Path(base) if base is not None else Path(tempfile.gettempdir())
    current = _STATE.run_dirs.get(root)
    if current is not None and current.is_dir():
        return current
    path = root / f"{RUN_DIR_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    path.mkdir(mode=0o700)
    if not _STATE.run_dirs:
        atexit.register(remove_run_temp_dir)  # library use, without command_scope
    _STATE.run_dirs[root] = path
    return path


def remove_run_temp_dir() -> None:
    """Delete this run's temporary directories and everything in them."""
    while _STATE.run_dirs:
        _, current = _STATE.run_dirs.popitem()
        shutil.rmtree(current, ignore_errors=True)


class TempSpaceError(RuntimeError):
    """Copying into the temporary directory failed (full, read-only); one line says which."""


def copy_tree(source: Path, destination: Path, ignore: Callable[..., object] | None = None) -> None:
    """``shutil.copytree`` whose failure is one line naming the cause and the directory.

    A full TMPDIR otherwise surfaces as ``shutil.Error`` holding every failed file (kilobytes).
    """
    try:
        shutil.copytree(source, destination, ignore=ignore)  # type: ignore[arg-type]
    except shutil.Error as exc:
        failures = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
        first = str(failures[0][2]) if failures else str(exc)
        raise TempSpaceError(_copy_message(destination, _reason(first), len(failures))) from None
    except OSError as exc:
        raise TempSpaceError(_copy_message(destination, exc.strerror or str(exc), 1)) from None


def _reason(text: str) -> str:
    """``No space left on device`` from ``[Errno 28] No space left on device: 'a' -> 'b'``."""
    if text.startswith("[Errno"):
        text = text.split("] ", 1)[-1]
    return text.split(": '", 1)[0]


def _copy_message(destination: Path, reason: str, count: int) -> str:
    more = f" ({count} files failed)" if count > 1 else ""
    where = os.path.dirname(os.path.dirname(destination)) or str(destination)
    return (
        f"cannot copy the node into the temporary directory {where}: {reason}{more}; "
        "free space there or point TMPDIR at a larger directory"
    )


@contextlib.contextmanager
def temporary_directory(prefix: str) -> Iterator[str]:
    """Like ``tempfile.TemporaryDirectory`` but inside this run's directory."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=run_temp_dir()) as tmp:
        yield tmp


@contextlib.contextmanager
def command_scope() -> Iterator[None]:
    """Around one CLI command: handlers in, dead runs' leftovers out, ours removed at the end."""
    install_signal_handlers()
    sweep_dead_run_dirs()
    shm = Path("/dev/shm")  # ruff formats generated files in a RAM folder when there is one
    if shm.is_dir():
        sweep_dead_run_dirs(shm)
    try:
        yield
    finally:
        kill_children()
        remove_run_temp_dir()
