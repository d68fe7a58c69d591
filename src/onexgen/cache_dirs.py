"""Where onexgen keeps its caches: one root for mypy data, tool bytecode and compiled templates.

One function, so ``ONEXGEN_CACHE_DIR`` and ``XDG_CACHE_HOME`` move every cache at once.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_DIR_ENV = "ONEXGEN_CACHE_DIR"


def user_cache_dir() -> Path:
    """Cache root: ``$ONEXGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/onexgen`` or ~/.cache/onexgen."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "onexgen"
