"""Command-line options shared by several commands, declared once so they read the same."""

from __future__ import annotations

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
