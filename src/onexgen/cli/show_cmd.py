"""``onexgen show SESSION``: one recorded generation: request, stages, timings, issues, files."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from onexgen.cli.options import DatabaseUrlOption  # noqa: TC001 - Typer reads it at run time

if TYPE_CHECKING:
    from onexgen.history.models import ModelSessionDetail


def show(
    session: Annotated[str, typer.Argument(help="Session id (or its first characters).")],
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Print the session as JSON.")] = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Show one recorded generation: stages and timings, validation issues, errors, files."""
    import asyncio

    from onexgen.history.store import HistoryError, HistoryStore

    async def load() -> ModelSessionDetail:
        store = await HistoryStore.open(database_url)
        try:
            return await store.get_session(session)
        finally:
            await store.close()

    try:
        detail = asyncio.run(load())
    except HistoryError as exc:
        typer.echo(f"onexgen: error: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(detail.model_dump_json(indent=2) + "\n")
        return
    sys.stdout.write("".join(f"{line}\n" for line in describe(detail)))


def describe(detail: ModelSessionDetail) -> list[str]:
    """The plain-text report of one session."""
    duration = f"{detail.duration_ms:.1f} ms" if detail.duration_ms is not None else "-"
    score = f"{detail.quality_score:.2f}" if detail.quality_score is not None else "-"
    lines = [
        f"session   {detail.id}",
        f"status    {detail.status.value}"
        + (f" (last completed stage {detail.last_stage})" if detail.last_stage else ""),
        f"source    {detail.source}   started {detail.created_at.astimezone():%Y-%m-%d %H:%M:%S}"
        f"   duration {duration}   score {score}",
        f"node      {detail.package_name or detail.node_name or '-'} ({detail.node_kind or '-'})",
        f"path      {detail.node_path or '-'}",
        f"request   {detail.request_kind.value}: {_first_line(detail.request_text)}",
        "options   " + ", ".join(f"{k}={v}" for k, v in sorted(detail.options.items()) if v),
        "",
        "stages",
    ]
    for event in detail.events:
        if event.event == "stage_started":
            continue
        state = event.event.removeprefix("stage_")
        took = f"{event.duration_ms:8.1f} ms" if event.duration_ms is not None else " " * 11
        lines.append(f"  [{event.stage}/9] {event.name:<24} {state:<9} {took}  {event.message}")
    if detail.validation:
        summary = detail.validation
        lines += [
            "",
            f"validation {summary.get('level')}: score {summary.get('quality_score', 0):.2f}, "
            f"{summary.get('issue_count', 0)} issues ({summary.get('blocking', 0)} blocking), "
            f"{'passed' if summary.get('passed') else 'failed'}",
        ]
        lines += [
            f"  {i['severity']:<8} {i['location']}: {i['message']} [{i['code']}]"
            for i in summary.get("issues", [])
        ]
    for title, items in (("errors", detail.errors), ("warnings", detail.warnings)):
        if items:
            lines += ["", title, *(f"  {item}" for item in items)]
    lines += ["", f"files ({len(detail.files)})"]
    lines += [f"  {f.path:<60} {f.size:>8} B  {f.sha256[:12]}" for f in detail.files]
    return lines


def _first_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= 100 else first[:97] + "..."
