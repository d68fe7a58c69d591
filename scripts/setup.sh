#!/usr/bin/env bash
# Create .venv in the repo root from the lock file, with Python >= 3.12.
# Why a script: omnibase-core needs Python 3.12+, which is not the default python3 on every
# machine (pyenv shims may hide it), so we look for one explicitly before handing over to uv.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidate
  for candidate in "${ONEXGEN_PYTHON:-}" python3.13 python3.12; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

PY=$(find_python) || { echo "onexgen setup: Python >= 3.12 not found; install it or set ONEXGEN_PYTHON=/path/to/python3.12" >&2; exit 1; }

if ! command -v uv >/dev/null 2>&1; then
  # uv is a PyPI wheel with its binary inside; install it for the current user.
  "$PY" -m pip install --quiet --user uv >/dev/null 2>&1 || "$PY" -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
fi

# Byte-compile at install time: the first `onexgen` run (and every tool subprocess that
# imports omnibase_core) then starts fast instead of compiling ~1,100 modules.
uv sync --frozen --compile-bytecode --python "$PY" --quiet
echo "onexgen setup: .venv ready ($(.venv/bin/python --version))"
