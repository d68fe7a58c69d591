"""``python -m onexgen.history.writer_process [URL]``: the CLI's history writer.

Why a helper process: importing SQLAlchemy costs a CLI run ~0.3 s of CPU, more than a third of
a whole ``onexgen generate``. The CLI starts this process first thing and streams its records
to it (one JSON line per batch, ``ops.encode_ops``); the import, the schema check and the writes
happen here, on the other core, while the pipeline runs. At end of input it prints one JSON
line, ``{"ok": true}`` or ``{"ok": false, "problem": "..."}``, for the CLI's single notice.
If the CLI dies, end of input comes early: what arrived is written, and the session stays
``running`` until the next start marks it ``interrupted``.
"""

from __future__ import annotations

import asyncio
import json
import queue
import sys
import threading


def _pump(lines: queue.Queue[str | None]) -> None:
    """Read stdin from the first moment, so the CLI's writes never wait for our imports."""
    for raw in sys.stdin.buffer:
        lines.put(raw.decode("utf-8"))
    lines.put(None)


async def _run(url: str | None, lines: queue.Queue[str | None]) -> str | None:
    from onexgen.history.ops import decode_ops
    from onexgen.history.store import HistoryStore

    problem: str | None = None
    store: HistoryStore | None = None
    try:
        store = await HistoryStore.open(url)
    except Exception as exc:
        problem = _describe(exc)
    try:
        while (line := await asyncio.to_thread(lines.get)) is not None:
            if problem is not None or store is None or not line.strip():
                continue  # keep reading so the CLI never blocks on a full pipe
            try:
                await store.write(decode_ops(line))
            except Exception as exc:
                problem = _describe(exc)
    finally:
        if store is not None:
            await store.close()
    return problem


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if ":" in text else f"{type(exc).__name__}: {text}"


def main() -> None:
    """Write what arrives on stdin; report the outcome on stdout."""
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(lines,), daemon=True).start()
    problem = asyncio.run(_run(url, lines))
    sys.stdout.write(json.dumps({"ok": problem is None, "problem": problem}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
