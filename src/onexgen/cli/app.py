"""The ``onexgen`` command: registers the sub-commands, nothing more.

Each command lives in its own ``cli/<name>_cmd.py`` module and imports heavy dependencies
(omnibase_core, Jinja2, the pipeline) inside the command function, so ``onexgen parse`` starts fast.
"""

from __future__ import annotations

import typer

from onexgen.cli import (
    batch_cmd,
    generate_cmd,
    history_cmd,
    parse_cmd,
    recover_cmd,
    serve_cmd,
    show_cmd,
    test_cmd,
    validate_cmd,
)

app = typer.Typer(
    name="onexgen",
    help="Generate complete, validated ONEX nodes for omnibase-core from plain-language requests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("parse")(parse_cmd.parse)
app.command("generate")(generate_cmd.generate)
app.command("validate")(validate_cmd.validate)
app.command("test")(test_cmd.run_tests)
app.command("batch")(batch_cmd.batch)
app.command("history")(history_cmd.history)
app.command("show")(show_cmd.show)
app.command("recover")(recover_cmd.recover)
app.command("serve")(serve_cmd.serve)


def main() -> None:
    """Run the Typer app (the console script goes through ``cli/entry.py`` first)."""
    app()


def generate_alias() -> None:
    """Console-script entry point for ``omninode-generate`` (= ``onexgen generate``)."""
    import sys

    app(args=["generate", *sys.argv[1:]], prog_name="omninode-generate")
