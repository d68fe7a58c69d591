"""Locate and run the external tools (ruff, mypy, pytest, onex, python) as subprocesses.

The one subprocess runner of onexgen: :func:`run_tool` (async) and :func:`run_tool_sync` (for
callers without an event loop) start each tool in its own process group and kill the whole group
on timeout or cancellation. Tools come from the bin directory of the running interpreter's venv
(:func:`locate_tool`, also the one way to find ruff), so validation and rendering use exactly the
versions the project locked. A missing tool raises ``ToolNotFoundError``: validation never passes
silently because a checker could not run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from onexgen.cache_dirs import user_cache_dir

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_INSTALL_HINTS = {
    "ruff": "uv add ruff",
    "mypy": "uv add mypy",
    "pytest": "uv add pytest pytest-cov",
    "onex": "uv add omnibase-core",
}


class ToolNotFoundError(RuntimeError):
    """A validation tool is not installed next to the running interpreter."""

    def __init__(self, tool: str, searched: Path) -> None:
        hint = _INSTALL_HINTS.get(tool, f"install {tool}")
        super().__init__(
            f"{tool} not found in {searched}: validation cannot run without it "
            f"(install it with `{hint}` in this environment)"
        )
        self.tool = tool


class ModelToolRun(BaseModel):
    """What one tool invocation returned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration_seconds: float
    timed_out: bool = False

    @property
    def exit_code(self) -> int | None:
        """The tool's exit status; None when it was killed at the timeout (it never finished)."""
        return None if self.timed_out else self.returncode


def tools_bin_dir() -> Path:
    """The bin directory of the venv that runs us (not resolved: the venv's symlink counts)."""
    return Path(sys.executable).parent


def locate_tool(tool: str) -> Path:
    """Absolute path of ``tool`` in the interpreter's bin dir, or ``ToolNotFoundError``."""
    bin_dir = tools_bin_dir()
    candidate = bin_dir / tool
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    raise ToolNotFoundError(tool, bin_dir)


def mypy_cache_dir() -> Path:
    """The one persistent mypy cache shared by every validation run (created on demand)."""
    path = user_cache_dir() / "mypy"
    path.mkdir(parents=True, exist_ok=True)
    return path


def bytecode_cache_dir() -> Path:
    """The persistent bytecode cache (``PYTHONPYCACHEPREFIX``) every Python tool shares.

    Tools import omnibase_core, pydantic and pytest afresh in each process. Without ``.pyc``
    files (the venv ships none and ``PYTHONDONTWRITEBYTECODE`` is often set) every import
    compiles its source again: ~1 s of each pytest and ``onex`` run. Python's own mtime and
    size check keeps a cached file honest, so no check is weakened.
    """
    path = user_cache_dir() / "pycache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def tool_env(overrides: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The environment of a tool process: ours, bytecode cached in :func:`bytecode_cache_dir`,
    then ``overrides`` (a None value removes the variable).

    Bytecode goes to the cache, never beside the sources, so the node's directory stays clean.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache_dir())
    for name, value in sorted((overrides or {}).items()):
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def drop_cached_bytecode(root: Path) -> None:
    """Forget the bytecode compiled for files under ``root`` (a temporary copy now removed).

    Each validation checks a copy at a fresh path; without this its ``.pyc`` files would pile up
    in the cache although no later run can use them.
    """
    cache = bytecode_cache_dir()
    # Python keys the cache by the path it imported from, which may or may not pass a symlink
    for path in sorted({root.absolute(), root.resolve()}):
        shutil.rmtree(cache / path.relative_to(path.anchor), ignore_errors=True)


async def run_tool(
    tool: str,
    args: list[str],
    *,
    cwd: Path,
    timeout: float,
    env: Mapping[str, str | None] | None = None,
    dump_signal: int | None = None,
    writable: Sequence[Path] | None = None,
) -> ModelToolRun:
    """Run ``tool args`` in its own process group; on timeout kill the whole group.

    With ``dump_signal``, the tool first gets that signal and a second to report where it is
    stuck (pytest's stack dump via faulthandler) before the group is killed. Tools that run
    generated code (pytest, onex) run in the bubblewrap sandbox of :mod:`onexgen.sandbox`, able
    to change only ``writable`` (default: ``cwd``), this run's temp dir and the bytecode cache.
    """
    from onexgen.process_control import (
        child_setup,
        register_child,
        run_temp_dir,
        unregister_child,
    )
    from onexgen.sandbox import sandboxed_argv

    executable = locate_tool(tool)
    full_env = tool_env(env)
    argv = sandboxed_argv(
        [str(executable), *args],
        cwd=cwd,
        writable=[*(writable or [cwd]), bytecode_cache_dir(), run_temp_dir()],
        tool=tool,
    )
    if argv[0] != str(executable):
        dump_signal = None  # it would reach bubblewrap, not the tool
    started = time.perf_counter()
    # Own session (so its whole group can be killed), and it dies with us even on our kill -9.
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=str(cwd),
        env=full_env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
        preexec_fn=child_setup,
    )
    register_child(process.pid)
    try:
        return await _supervise(
            tool, args, process, started=started, timeout=timeout, dump_signal=dump_signal
        )
    finally:
        unregister_child(process.pid)


async def _supervise(
    tool: str,
    args: list[str],
    process: asyncio.subprocess.Process,
    *,
    started: float,
    timeout: float,
    dump_signal: int | None,
) -> ModelToolRun:
    """Wait for ``process`` within ``timeout``; on timeout or cancellation kill its group."""
    assert process.stdout is not None
    assert process.stderr is not None
    # Read the pipes in tasks of their own: cancelling communicate() on timeout would lose what
    # the tool printed so far, which is exactly what explains a hang.
    readers = (
        asyncio.ensure_future(process.stdout.read()),
        asyncio.ensure_future(process.stderr.read()),
    )
    timed_out = False
    try:
        await asyncio.wait_for(process.wait(), timeout=timeout)
    except TimeoutError:
        timed_out = True
        if dump_signal is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, dump_signal)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(process.wait()), timeout=1.0)
        _kill_group(process.pid)
        await process.wait()
    except BaseException:
        # Cancelled (a sibling failed, Ctrl-C, SIGTERM): leave no tool running behind us, and
        # reap it before the loop closes (else asyncio reports "Event loop is closed").
        _kill_group(process.pid)
        with contextlib.suppress(BaseException):
            await asyncio.shield(process.wait())
        for reader in readers:
            reader.cancel()
        raise
    stdout, stderr = await asyncio.gather(*readers)
    return ModelToolRun(
        tool=tool,
        args=tuple(args),
        returncode=process.returncode if process.returncode is not None else -9,
        stdout=stdout.decode("utf-8", errors="replace"),
        stderr=stderr.decode("utf-8", errors="replace"),
        duration_seconds=time.perf_counter() - started,
        timed_out=timed_out,
    )


def run_tool_sync(
    tool: str,
    args: list[str],
    *,
    cwd: Path,
    timeout: float,
    env: Mapping[str, str | None] | None = None,
) -> ModelToolRun:
    """Blocking :func:`run_tool` for code without an event loop (the renderer's ruff pass).

    Same process group and kill on timeout; usable from inside a running loop's thread, where
    ``asyncio.run`` would fail.
    """
    from onexgen.process_control import child_setup, register_child, unregister_child

    executable = locate_tool(tool)
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(executable), *args],
        cwd=str(cwd),
        env=tool_env(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=child_setup,  # noqa: PLW1509 - async-signal-safe prctl only; dies with us
    )
    register_child(process.pid)
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process.pid)
        stdout, stderr = process.communicate()
    except BaseException:
        _kill_group(process.pid)
        process.wait()
        raise
    finally:
        unregister_child(process.pid)
    return ModelToolRun(
        tool=tool,
        args=tuple(args),
        returncode=process.returncode if process.returncode is not None else -9,
        stdout=stdout.decode("utf-8", errors="replace"),
        stderr=stderr.decode("utf-8", errors="replace"),
        duration_seconds=time.perf_counter() - started,
        timed_out=timed_out,
    )


def _kill_group(pid: int) -> None:
    """Kill the process group led by ``pid`` (the tool and anything it started)."""
    from onexgen.process_control import kill_group

    kill_group(pid)
