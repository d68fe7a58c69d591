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


def main(argv: list[str] | None = None) -> None:
    """Run ``onexgen`` with ``argv`` (default: the process arguments)."""
    args = sys.argv[1:] if argv is None else argv
    only = args[0] if args and (args[0] in COMMANDS or args[0] in GROUPS) else None
    build_app(only)(args=args, prog_name="onexgen")


def generate_alias() -> None:
    """Console-script entry point for ``omninode-generate`` (= ``onexgen generate``)."""
    build_app("generate")(args=["generate", *sys.argv[1:]], prog_name="omninode-generate")
