"""The ``onexgen`` command: registers the sub-commands, nothing more.

Each command lives in its own ``cli/<name>_cmd.py`` module and imports heavy dependencies
(omnibase_core, Jinja2, the pipeline) inside the command function, so ``onexgen parse`` starts fast.
"""

from __future__ import annotations

import typer

from onexgen.cli import batch_cmd, generate_cmd, parse_cmd, test_cmd, validate_cmd

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


def run_app(args: list[str] | None = None, prog_name: str | None = None) -> None:
    """Run the Typer app inside :func:`~onexgen.process_control.command_scope`.

    SIGTERM takes the Ctrl-C path; a command interrupted either way exits 130 (Ctrl-C) or 143
    (SIGTERM), with no tool process or temporary directory of ours left behind.
    """
    from onexgen.process_control import EXIT_INTERRUPTED, command_scope, interrupted_exit_code

    with command_scope():
        try:
            if args is None:
                app()
            else:
                app(args=args, prog_name=prog_name)
        except SystemExit as exc:
            if exc.code == EXIT_INTERRUPTED:
                raise SystemExit(interrupted_exit_code()) from None
            raise


def main() -> None:
    """Run the Typer app (the console script goes through ``cli/entry.py`` first)."""
    run_app()


def generate_alias() -> None:
    """Console-script entry point for ``omninode-generate`` (= ``onexgen generate``)."""
    import sys

    run_app(args=["generate", *sys.argv[1:]], prog_name="omninode-generate")
