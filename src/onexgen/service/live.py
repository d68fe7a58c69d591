"""``SessionHub``: the live stage events of the sessions this service runs, for SSE clients.

Each session keeps its events in order (a list, so a client that connects late still gets
every event from the first) plus an ``asyncio.Event`` that wakes the clients waiting for more.
Finished sessions stay a short while, then the database is their record.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from uuid import UUID

    from onexgen.models.generation import ModelProgressEvent

KEEP_FINISHED_SECONDS = 120.0


@dataclass
class _Live:
    events: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def touch(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


class SessionHub:
    """Live sessions of one service instance (one event loop)."""

    def __init__(self) -> None:
        self._sessions: dict[str, _Live] = {}

    def open(self, session_id: UUID | str) -> None:
        """Start keeping the events of ``session_id`` (before it is queued)."""
        self._sessions.setdefault(str(session_id), _Live())

    def on_event(self, event: ModelProgressEvent) -> None:
        """Progress subscriber of the service's pipeline."""
        live = self._sessions.get(str(event.correlation_id))
        if live is None:
            return
        payload = event.model_dump(mode="json")
        payload["seq"] = len(live.events) + 1
        live.events.append(payload)
        live.touch()

    def close(self, session_id: UUID | str, result: dict[str, Any]) -> None:
        """The session ended with ``result``; forget it after a while."""
        key = str(session_id)
        live = self._sessions.get(key)
        if live is None:
            return
        live.result = result
        live.touch()
        asyncio.get_running_loop().call_later(KEEP_FINISHED_SECONDS, self._sessions.pop, key, None)

    def has(self, session_id: str) -> bool:
        """Whether the session runs (or ran recently) here."""
        return session_id in self._sessions

    async def follow(self, session_id: str) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Every event so far, then each new one, then ``("result", ...)``."""
        live = self._sessions.get(session_id)
        if live is None:
            return
        sent = 0
        while True:
            waiter = live.changed
            while sent < len(live.events):
                event = live.events[sent]
                sent += 1
                yield str(event["event"]), event
            if live.result is not None:
                yield "result", live.result
                return
            await waiter.wait()
