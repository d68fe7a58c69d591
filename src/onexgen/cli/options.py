"""Command-line options shared by several commands, declared once so they read the same."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

TemplatesDirOption = Annotated[
    Path | None,
    typer.Option(
        "--templates-dir",
        help="Directory whose templates override the built-in ones of the same name.",
        exists=True,
        file_okay=False,
    ),
]
"""``--templates-dir``: per-template overrides of the packaged Jinja2 templates."""


def require_node_dir(node_dir: Path, example: str) -> None:
    """Exit 2 with one line when ``node_dir`` is not a folder (a usage error, not a failure)."""
    if not node_dir.is_dir():
        sys.stderr.write(
            f"error: {node_dir} is not a directory; pass the node package folder, e.g. {example}\n"
        )
        raise typer.Exit(code=2)


NoSandboxOption = Annotated[
    bool,
    typer.Option(
        "--no-sandbox",
        help="Run the generated code (its tests, onex validate) without the bubblewrap sandbox.",
    ),
]
"""``--no-sandbox``: run generated code unconfined (and without the warning when it must be)."""


def apply_sandbox_flag(no_sandbox: bool) -> None:
    """Tell every tool run of this command (``validation.tools.run_tool``) the sandbox choice."""
    if no_sandbox:
        import os

        from onexgen.sandbox import SANDBOX_ENV

        os.environ[SANDBOX_ENV] = "off"


DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="ONEXGEN_DATABASE_URL",
        help="History database (default: SQLite in the user data dir), e.g. "
        "postgresql://user:pass@host/db.",
        show_envvar=True,
    ),
]
"""``--database-url``: where generation history is kept."""

NoHistoryOption = Annotated[
    bool, typer.Option("--no-history", help="Do not record this run in the generation history.")
]
"""``--no-history``: opt out of recording."""


def history_notice(message: str) -> None:
    """Print a history problem once, as a warning (generation goes on)."""
    sys.stderr.write(f"onexgen: warning: {message}\n")


KafkaServersOption = Annotated[
    str | None,
    typer.Option(
        "--kafka-servers",
        help="Run on `onexgen worker` processes via this Kafka/Redpanda cluster "
        "(HOST:PORT[,HOST:PORT]) instead of in this process; results are written here as by "
        "a local run.",
    ),
]
"""``--kafka-servers``: the remote mode of generate, batch and validate (declared once)."""
