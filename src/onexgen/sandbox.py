"""Run the code we generated (its tests, ``onex validate`` importing it) inside bubblewrap.

Why: a node's tests are code; once a language model writes handlers, arbitrary code. Under
``bwrap`` the whole filesystem is read-only except the node's directory (and this run's temp
and bytecode-cache directories), ``/tmp`` is private, there is no network, and the sandbox dies
with us. Where bubblewrap is missing or cannot run (no user namespaces) the tools run as before,
after one warning line; ``ONEXGEN_SANDBOX=off`` (the ``--no-sandbox`` flag) turns it off knowingly
and ``ONEXGEN_SANDBOX=require`` makes a missing sandbox an error.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

SANDBOX_ENV = "ONEXGEN_SANDBOX"
"""``auto`` (default: sandbox when possible, warn once when not), ``off`` or ``require``."""

SANDBOXED_TOOLS = frozenset({"pytest", "onex", "python", "python3"})
"""Tools that import or run the generated code (ruff and mypy only read it)."""

_INSTALL_HINT = "apt-get install bubblewrap"


class SandboxUnavailableError(RuntimeError):
    """``ONEXGEN_SANDBOX=require`` and bubblewrap cannot run here."""


def sandbox_mode() -> str:
    """The mode asked for through :data:`SANDBOX_ENV` (unknown values count as ``auto``)."""
    value = os.environ.get(SANDBOX_ENV, "auto").strip().lower()
    return value if value in {"auto", "off", "require"} else "auto"


@functools.cache
def bwrap_path() -> str | None:
    """The bubblewrap executable when it exists and works on this machine, else None."""
    found = shutil.which("bwrap")
    if found is None:
        return None
    try:
        probe = subprocess.run(
            [found, "--ro-bind", "/", "/", "--unshare-net", "--die-with-parent", "true"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found if probe.returncode == 0 else None


@functools.cache
def _warn_once(message: str) -> None:
    sys.stderr.write(f"onexgen: warning: {message}\n")
    sys.stderr.flush()


def _existing_path(arg: str) -> bool:
    return os.path.isabs(arg) and os.path.exists(arg)


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


def sandboxed_argv(argv: list[str], *, cwd: Path, writable: Iterable[Path], tool: str) -> list[str]:
    """``argv``, wrapped in bubblewrap when ``tool`` runs generated code and the sandbox can.

    ``writable`` are the only paths the tool may change (the node, or its copy, and the
    directories the tool reports into); everything else is read-only, ``/tmp`` is empty and
    private, the network is gone.
    """
    mode = sandbox_mode()
    if tool not in SANDBOXED_TOOLS or mode == "off":
        return argv
    bwrap = bwrap_path()
    if bwrap is None:
        reason = f"bubblewrap is not available (install it with `{_INSTALL_HINT}`)"
        if mode == "require":
            raise SandboxUnavailableError(f"{reason}; generated code is only run in a sandbox")
        _warn_once(f"{reason}: generated code runs without a sandbox (--no-sandbox silences this)")
        return argv
    command = [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--die-with-parent",
        "--new-session",
    ]  # fmt: skip
    # Paths named on the command line stay visible (read-only) even under the private /tmp,
    # binds go parents first, so a writable directory inside a read-only one stays writable.
    rw = {os.path.abspath(path) for path in writable if os.path.isdir(path)}
    # ... and so does the working directory (e.g. the import root a node is run from).
    # So does the interpreter the tools run from (its venv and import path), which may itself
    # live under /tmp (a checkout in a temp directory, as CI may use).
    visible = [*argv[1:], str(cwd), *_interpreter_paths()]
    binds = {
        os.path.abspath(arg): "--ro-bind"
        for arg in visible
        if _existing_path(arg) and not any(_inside(os.path.abspath(arg), top) for top in rw)
    }
    binds |= dict.fromkeys(rw, "--bind")
    for path in sorted(binds):
        command += [binds[path], path, path]
    command += ["--chdir", os.path.abspath(cwd), "--", *argv]
    return command


def _interpreter_paths() -> list[str]:
    """The running interpreter's installation and import path that the private /tmp would hide.

    Tool executables are scripts of this venv (``.venv/bin/pytest``), so the venv, the base
    interpreter and the source directories on ``sys.path`` must stay visible inside the sandbox.
    """
    candidates = {sys.prefix, sys.base_prefix, *sys.path}
    return sorted(
        os.path.abspath(path)
        for path in candidates
        if path
        and os.path.isdir(path)
        and os.path.abspath(path) != "/tmp"
        and _inside(os.path.abspath(path), "/tmp")
    )
