"""The ``onexgen`` console script: straight to the Typer app (``cli/app.py``)."""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``onexgen`` console script."""
    from onexgen.cli.app import main as run

    run()
