"""The ``onexgen`` command: registers the sub-commands, nothing more.

Each command lives in its own ``cli/<name>_cmd.py`` module and imports heavy dependencies
(omnibase_core, Jinja2, the pipeline) inside the command function. Typer builds a parameter
adapter for every option of every registered command when the app starts, so ``main`` registers
only the command being run (all of them for ``onexgen --help`` or an unknown command); that
keeps ``onexgen parse`` inside its 300 ms budget without a second CLI.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("onexgen.cli.parse_cmd", "parse"),
    "generate": ("onexgen.cli.generate_cmd", "generate"),
    "validate": ("onexgen.cli.validate_cmd", "validate"),
    "test": ("onexgen.cli.test_cmd", "run_tests"),
    "batch": ("onexgen.cli.batch_cmd", "batch"),
    "run": ("onexgen.cli.run_cmd", "run_node"),
    "worker": ("onexgen.cli.worker_cmd", "worker"),
    "history": ("onexgen.cli.history_cmd", "history"),
    "show": ("onexgen.cli.show_cmd", "show"),
    "recover": ("onexgen.cli.recover_cmd", "recover"),
    "serve": ("onexgen.cli.serve_cmd", "serve"),
}
"""Command name -> (module, function); the order is the order of ``onexgen --help``."""

GROUPS: dict[str, tuple[str, str]] = {
    "dlq": ("onexgen.cli.dlq_cmd", "app"),
}
"""Sub-command group name -> (module, Typer app attribute)."""

_HELP = "Generate complete, validated ONEX nodes for omnibase-core from plain-language requests."


def build_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every command, or with just ``only`` (faster start-up)."""
    import typer

    app = typer.Typer(
        name="onexgen",
        help=_HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root() -> None:
        # A callback keeps `onexgen NAME ...` a group even when only NAME is registered.
        pass

    for name, (module, function) in COMMANDS.items():
        if only is None or name == only:
            app.command(name)(getattr(importlib.import_module(module), function))
    for name, (module, attribute) in GROUPS.items():
        if only is None or name == only:
            app.add_typer(getattr(importlib.import_module(module), attribute), name=name)
    return app


def __getattr__(name: str) -> Any:
    """``onexgen.cli.app.app``: the full app, built on first access (tests, embedding)."""
    if name == "app":
        return build_app()
    raise AttributeError(name)


def run_app(args: list[str] | None = None, prog_name: str = "onexgen") -> None:
    """Run ``onexgen`` with ``args`` inside :func:`~onexgen.process_control.command_scope`.

    SIGTERM takes the Ctrl-C path; a command interrupted either way exits 130 (Ctrl-C) or 143
    (SIGTERM), with no tool process or temporary directory of ours left behind.
    """
    from onexgen.process_control import (
        EXIT_INTERRUPTED,
        command_scope,
        install_signal_handlers,
        interrupted_exit_code,
    )

    # Before the command's imports (a few hundred ms on a loaded machine): a SIGTERM or Ctrl-C
    # during start-up then exits 143/130 quietly, like one during the command.
    install_signal_handlers()
    argv = sys.argv[1:] if args is None else args
    only = argv[0] if argv and (argv[0] in COMMANDS or argv[0] in GROUPS) else None
    try:
        app = build_app(only)
        with command_scope():
            try:
                app(args=argv, prog_name=prog_name)
            except SystemExit as exc:
                if exc.code == EXIT_INTERRUPTED:
                    raise SystemExit(interrupted_exit_code()) from None
                raise
    except KeyboardInterrupt:
        raise SystemExit(interrupted_exit_code()) from None


def main(argv: list[str] | None = None) -> None:
    """Run ``onexgen`` with ``argv`` (default: the process arguments)."""
    run_app(argv)


def generate_alias() -> None:
    """Console-script entry point for ``omninode-generate`` (= ``onexgen generate``)."""
    run_app(["generate", *sys.argv[1:]], prog_name="omninode-generate")
