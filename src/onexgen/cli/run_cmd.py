"""``onexgen run NODE_DIR``: run a node on omnibase_core's ``RuntimeLocal``, print the outcome.

Exit codes: 0 the runtime reported COMPLETED, 1 anything else (one line saying why), 2 usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path  # noqa: TC003 - Typer reads the annotation at run time
from typing import Annotated

import typer

from onexgen.cli.options import require_node_dir


def run_node(
    node_dir: Annotated[
        Path, typer.Argument(help="The node package directory.", show_default=False)
    ],
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="Request JSON for the node's input model (default: examples/request.json).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Give up after this many seconds.")
    ] = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Run a node on the framework's RuntimeLocal with a request; print outcome and result."""
    require_node_dir(node_dir, "onexgen run generated_nodes/node_user_store_effect")
    import asyncio

    from onexgen.running import NodeRunError
    from onexgen.running import run_node as run_on_runtime

    try:
        outcome = asyncio.run(run_on_runtime(node_dir, input_file, timeout=timeout))
    except NodeRunError as exc:
        sys.stderr.write(f"onexgen: error: {exc}\n")
        raise typer.Exit(code=1) from None
    if as_json:
        sys.stdout.write(outcome.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(
            f"{outcome.result.upper()} {node_dir.resolve().name} on RuntimeLocal "
            f"({outcome.handler or 'no handler'}) in {outcome.duration_seconds:.2f} s\n"
        )
        if outcome.handler_result is not None:
            sys.stdout.write(json.dumps(outcome.handler_result, indent=2) + "\n")
    if not outcome.completed:
        reason = outcome.last_error or "no error was reported"
        sys.stderr.write(
            f"onexgen: error: {node_dir.resolve().name} did not complete on RuntimeLocal "
            f"({outcome.result.upper()}): {' '.join(reason.split())}\n"
        )
        raise typer.Exit(code=1)
