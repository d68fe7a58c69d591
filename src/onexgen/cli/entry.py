"""The ``onexgen`` console script: answers ``onexgen parse PROMPT`` before Typer is imported.

Importing Typer and building the app costs more than the whole parse budget (300 ms), so the
common prompt-parsing call takes the Typer-free path of ``parse_fast``; everything else goes
to the Typer app in ``cli/app.py``.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the ``onexgen`` console script."""
    from onexgen.cli import parse_fast

    argv = sys.argv[1:]
    if parse_fast.wants_fast_path(argv):
        raise SystemExit(parse_fast.run_without_typer(argv[1:]))
    from onexgen.cli.app import run_app

    run_app()
