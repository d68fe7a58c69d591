"""``onexgen history``: the recorded generations, newest first (a table or JSON)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from onexgen.cli.options import DatabaseUrlOption  # noqa: TC001 - Typer reads it at run time

if TYPE_CHECKING:
    from onexgen.history.models import ModelSessionSummary


class StatusOption(StrEnum):
    """Choices of ``--status`` (the session states)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


def history(
    *,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10000, help="Rows.")] = 20,
    status: Annotated[
        StatusOption | None,
        typer.Option("--status", "-s", case_sensitive=False, help="Only sessions in this state."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """List recorded generations: when, node, kind, status, duration, score."""
    import asyncio

    from onexgen.history.models import EnumSessionStatus
    from onexgen.history.store import HistoryError, HistoryStore

    async def load() -> tuple[tuple[ModelSessionSummary, ...], int]:
        store = await HistoryStore.open(database_url)
        try:
            return await store.list_sessions(
                limit=limit, status=EnumSessionStatus(status.value) if status else None
            )
        finally:
            await store.close()

    try:
        rows, total = asyncio.run(load())
    except HistoryError as exc:
        typer.echo(f"onexgen: error: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        import json

        payload = {"total": total, "sessions": [row.model_dump(mode="json") for row in rows]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    _print_table(rows, total)


def _print_table(rows: tuple[ModelSessionSummary, ...], total: int) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    if not rows:
        console.print("no recorded generations yet (run 'onexgen generate ...')", markup=False)
        return
    styles = {"succeeded": "green", "failed": "red", "interrupted": "yellow", "cancelled": "yellow"}
    table = Table(show_header=True, box=None)
    widths = {"when": 16, "session": 8, "kind": 12, "status": 11, "duration": 8, "score": 5}
    for column in ("when", "session", "node", "kind", "status", "duration", "score"):
        table.add_column(
            column,
            justify="right" if column in {"duration", "score"} else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=widths.get(column),
        )
    for row in rows:
        table.add_row(
            row.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            row.id[:8],
            Text(row.node_name or row.package_name or "-"),
            row.node_kind or "-",
            Text(row.status.value, style=styles.get(row.status.value, "")),
            _duration(row.duration_ms),
            f"{row.quality_score:.2f}" if row.quality_score is not None else "-",
        )
    console.print(table)
    if total > len(rows):
        console.print(f"{len(rows)} of {total} sessions (--limit N for more)", markup=False)


def _duration(ms: float | None) -> str:
    if ms is None:
        return "-"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"
