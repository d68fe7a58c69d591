"""Final ``ruff format`` pass over the rendered Python files and README (one subprocess per node).

Templates already emit near-formatted code; the pass settles line wrapping that depends on
name lengths. ``config`` is the ruff settings file of the project the node lands in (its
``pyproject.toml`` or ``ruff.toml``), so ``ruff format --check`` agrees there too; without one,
ruff's defaults (line length 88) apply. The validator reads the same settings through
``find_ruff_config`` and ``ruff_line_length``.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onexgen.models.rendered import ModelRenderedFile

__all__ = [
    "DEFAULT_LINE_LENGTH",
    "RuffFormatError",
    "find_ruff_config",
    "format_with_ruff",
    "ruff_executable",
    "ruff_line_length",
]

DEFAULT_LINE_LENGTH = 88
_FORMAT_TIMEOUT_SECONDS = 60.0
_FORMATTED_SUFFIXES = (".py", ".md")
"""ruff's own default: generated code targets it wherever no project settings say otherwise."""


class RuffFormatError(RuntimeError):
    """ruff could not format the rendered files (a template produced invalid Python)."""


def ruff_executable() -> str:
    """The ruff binary installed next to this interpreter (the project depends on ruff).

    Found by :func:`onexgen.validation.tools.locate_tool`, the one place tools are looked up.
    """
    from onexgen.validation.tools import locate_tool

    return str(locate_tool("ruff"))


def _scratch_dir() -> str | None:
    """A RAM-backed folder when the system has one: the files live only for one ruff run."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _ruff_settings(path: Path) -> dict[str, object] | None:
    """The ruff table of a settings file, or None if it has none or cannot be read."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if path.name != "pyproject.toml":
        return data
    settings = data.get("tool", {}).get("ruff")
    return settings if isinstance(settings, dict) else None


def find_ruff_config(start: Path) -> Path | None:
    """Nearest ruff settings file (ruff.toml, .ruff.toml, pyproject.toml) at or above ``start``.

    Like ruff itself, a ``pyproject.toml`` without a ``[tool.ruff]`` table is passed over; so is
    a file that is not valid TOML (ruff could not use it either). ``start`` need not exist yet.
    """
    folder = Path(os.path.abspath(start))
    for directory in [folder, *folder.parents]:
        for name in ("ruff.toml", ".ruff.toml", "pyproject.toml"):
            path = directory / name
            if path.is_file() and _ruff_settings(path) is not None:
                return path
    return None


def ruff_line_length(config: Path | None) -> int:
    """The ``line-length`` that ruff applies with ``config`` (its default 88 when unset)."""
    settings = _ruff_settings(config) if config is not None else None
    value = settings.get("line-length") if settings is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return DEFAULT_LINE_LENGTH


def format_with_ruff(
    files: tuple[ModelRenderedFile, ...], *, config: Path | None = None
) -> tuple[ModelRenderedFile, ...]:
    """``files`` with every ``.py`` and ``.md`` file passed through ``ruff format``.

    ruff formats the Python code blocks of Markdown too (and ``ruff format --check`` reports
    them), so the README's examples are formatted like the code. Other files are unchanged.
    """
    python = [f for f in files if f.path.endswith(_FORMATTED_SUFFIXES)]
    if not python:
        return files
    from onexgen.process_control import run_temp_dir

    scratch = _scratch_dir()
    base = run_temp_dir(Path(scratch) if scratch is not None else None)
    with tempfile.TemporaryDirectory(prefix="onexgen-fmt-", dir=base) as tmp:
        root = Path(tmp)
        for item in python:
            target = root / item.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.content, encoding="utf-8")
        settings = ["--config", str(config)] if config is not None else ["--isolated"]
        from onexgen.validation.tools import run_tool_sync

        proc = run_tool_sync(
            "ruff",
            ["format", "--no-cache", "--quiet", *settings, "."],
            cwd=root,
            timeout=_FORMAT_TIMEOUT_SECONDS,
        )
        if proc.returncode != 0 or proc.timed_out:
            raise RuffFormatError(proc.stderr.strip() or proc.stdout.strip() or "ruff timed out")
        formatted = {item.path: (root / item.path).read_text(encoding="utf-8") for item in python}
    return tuple(
        f.model_copy(update={"content": formatted[f.path]}) if f.path in formatted else f
        for f in files
    )
