"""``onexgen recover SESSION``: write a recorded node again, byte for byte (hashes checked)."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer resolves the annotations at run time
from typing import TYPE_CHECKING, Annotated

import typer

from onexgen.cli.options import DatabaseUrlOption  # noqa: TC001 - Typer reads it at run time

if TYPE_CHECKING:
    from onexgen.history.models import ModelSessionDetail


def recover(
    session: Annotated[str, typer.Argument(help="Session id (or its first characters).")],
    *,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir", "-o", help="Where to write the node (default: the session's own)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Replace an existing node (atomically).")
    ] = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Restore the files of a session whose write failed or whose output was deleted."""
    import asyncio

    from onexgen.history.recover import default_output_dir, recover_session
    from onexgen.history.store import HistoryError, HistoryStore

    async def load() -> ModelSessionDetail:
        store = await HistoryStore.open(database_url)
        try:
            return await store.get_session(session, with_content=True)
        finally:
            await store.close()

    try:
        detail = asyncio.run(load())
        target = recover_session(detail, output_dir or default_output_dir(detail), force=force)
    except HistoryError as exc:
        typer.echo(f"onexgen: error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"recovered {len(detail.files)} files of session {detail.id} -> {target}")
