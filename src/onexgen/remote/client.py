"""``RemoteClient``: one request over the bus, its stage events as they arrive, its response.

The client follows the status and response topics from their current end *before* it publishes
(so nothing can be missed), filters by the request's correlation id, and tells three failures
apart, each with one line: the broker cannot be reached (within the connect timeout), no worker
took the request (``contact_timeout``), and the broker went away while a worker was on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from onexgen.bus.messages import (
    MessageDecodeError,
    ModelAnalyzeResponse,
    decode,
    encode,
)
from onexgen.bus.port import BusError, BusUnavailableError
from onexgen.bus.status import session_status_of
from onexgen.bus.topics import EnumCodegenOperation, ModelCodegenTopics

if TYPE_CHECKING:
    from collections.abc import Callable

    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage
    from pydantic import BaseModel

    from onexgen.bus.port import EventBusPort, Tail
    from onexgen.models.generation import ModelProgressEvent

DEFAULT_CONTACT_TIMEOUT_SECONDS = 30.0
HEALTH_CHECK_EVERY_SECONDS = 2.0
EVENT_GRACE_SECONDS = 3.0


class NoWorkerError(BusError, TimeoutError):
    """Nobody picked the request up in time."""


class AnswerTimeoutError(BusError, TimeoutError):
    """A worker took the request but no answer came within the time allowed."""


class RemoteClient:
    """Sends requests on ``bus`` (started and closed by the caller); close the client after use.

    One tail on the status and response topics serves every request in flight, so a batch of a
    hundred requests costs one consumer, not a hundred.
    """

    def __init__(
        self, bus: EventBusPort, topics: ModelCodegenTopics | None = None, *, source: str = "cli"
    ) -> None:
        self._bus = bus
        self._topics = topics or ModelCodegenTopics()
        self._source = f"onexgen-{source}"
        self._tail: Tail | None = None
        self._reader: asyncio.Task[None] | None = None
        self._opening = asyncio.Lock()
        self._sessions: dict[UUID, asyncio.Queue[ModelEventMessage]] = {}
        self._activity = _Activity(self._topics.status)

    async def __aenter__(self) -> RemoteClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop following the topics."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
            self._reader = None
        if self._tail is not None:
            with contextlib.suppress(Exception):
                await self._tail.close()
            self._tail = None

    async def _follow(self) -> asyncio.Task[None]:
        async with self._opening:
            if self._reader is None:
                topics = [self._topics.status]
                topics.extend(self._topics.response(op) for op in EnumCodegenOperation)
                self._tail = await self._bus.tail(topics)
                self._reader = asyncio.create_task(
                    _pump(self._tail, self._sessions, self._activity)
                )
            return self._reader

    async def request(
        self,
        operation: EnumCodegenOperation,
        payload: BaseModel,
        *,
        contact_timeout: float = DEFAULT_CONTACT_TIMEOUT_SECONDS,
        timeout: float | None = None,
        on_status: Callable[[ModelProgressEvent], None] | None = None,
        correlation_id: UUID | None = None,
    ) -> BaseModel:
        """Publish ``payload`` as a new session and return the response payload.

        ``contact_timeout``: how long to wait for a first sign of a worker: an event of this
        session, or while it waits in the queue, of any session (workers are busy, not gone).
        ``timeout``: how long to wait in all (None: as long as a worker is on it).
        """
        session = correlation_id or uuid4()
        reader = await self._follow()
        inbox: asyncio.Queue[ModelEventMessage] = asyncio.Queue()
        self._sessions[session] = inbox
        try:
            value, headers, _ = encode(
                payload,
                correlation_id=session,
                topic=self._topics.request(operation),
                source=self._source,
            )
            await self._bus.publish(
                self._topics.request(operation), str(session).encode("ascii"), value, headers
            )
            return await self._await_response(
                operation,
                session,
                inbox=inbox,
                reader=reader,
                activity=self._activity,
                contact_timeout=contact_timeout,
                timeout=timeout,
                on_status=on_status,
            )
        finally:
            self._sessions.pop(session, None)

    async def _await_response(
        self,
        operation: EnumCodegenOperation,
        session: UUID,
        *,
        inbox: asyncio.Queue[ModelEventMessage],
        reader: asyncio.Task[None],
        activity: _Activity,
        contact_timeout: float,
        timeout: float | None,
        on_status: Callable[[ModelProgressEvent], None] | None,
    ) -> BaseModel:
        began = time.monotonic()
        contacted = False
        response_topic = self._topics.response(operation)
        seen: dict[str, int] = {}  # stage events received, per worker
        answer: ModelAnalyzeResponse | None = None
        while True:
            if answer is not None:
                # The worker published its stage events before the response, but the two topics
                # arrive independently: show every event before returning.
                await self._remaining_events(answer, session, seen, inbox, on_status)
                return answer
            now = time.monotonic()
            limits = [HEALTH_CHECK_EVERY_SECONDS]
            quiet_since = max(began, activity.last)
            if not contacted:
                limits.append(quiet_since + contact_timeout - now)
            if timeout is not None:
                limits.append(began + timeout - now)
            wait = max(0.0, min(limits))
            try:
                message = await asyncio.wait_for(inbox.get(), wait)
            except TimeoutError:
                if reader.done() and (error := reader.exception()) is not None:
                    raise self._lost(error) from None
                now = time.monotonic()
                if not contacted and now - max(began, activity.last) >= contact_timeout:
                    raise NoWorkerError(
                        f"no worker answered within {contact_timeout:g} s on "
                        f"{self._bus.address}; is `onexgen worker` running?"
                    ) from None
                if timeout is not None and now - began >= timeout:
                    raise AnswerTimeoutError(
                        f"no answer within {timeout:g} s on {self._bus.address} although a "
                        "worker took the request; raise --timeout"
                    ) from None
                if not await self._bus.health_check():
                    raise self._lost(None) from None
                continue
            if self._show(message, session, seen, on_status):
                contacted = True
                continue
            if message.topic != response_topic:
                continue
            try:
                envelope = decode(message.value)
            except MessageDecodeError:
                continue
            if envelope.correlation_id != session:
                continue
            contacted = True
            payload = envelope.payload
            if isinstance(payload, ModelAnalyzeResponse) and on_status is not None:
                answer = payload
                continue
            return payload

    async def _remaining_events(
        self,
        answer: ModelAnalyzeResponse,
        session: UUID,
        seen: dict[str, int],
        inbox: asyncio.Queue[ModelEventMessage],
        on_status: Callable[[ModelProgressEvent], None] | None,
    ) -> None:
        """Wait (at most a few seconds) for the answering worker's stage events still missing."""
        deadline = time.monotonic() + EVENT_GRACE_SECONDS
        while seen.get(answer.worker, 0) < answer.status_events:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                message = await asyncio.wait_for(inbox.get(), remaining)
            except TimeoutError:
                return
            self._show(message, session, seen, on_status)

    def _show(
        self,
        message: ModelEventMessage,
        session: UUID,
        seen: dict[str, int],
        on_status: Callable[[ModelProgressEvent], None] | None,
    ) -> bool:
        """Hand a stage event of ``session`` to the display (read as a local run's display
        reads them, :func:`~onexgen.bus.status.session_status_of`); False for anything else."""
        status = session_status_of(message, self._topics.status)
        if status is None or status.event.correlation_id != session:
            return False
        seen[status.worker] = seen.get(status.worker, 0) + 1
        if on_status is not None:
            on_status(status.event)
        return True

    def _lost(self, error: BaseException | None) -> BusUnavailableError:
        reason = f" ({' '.join(str(error).split())})" if error is not None and str(error) else ""
        return BusUnavailableError(
            f"lost the connection to the Kafka broker at {self._bus.address} while waiting for "
            f"the answer{reason}; the request may still be answered: check the broker and retry"
        )


class _Activity:
    """When a worker was last seen working on any session (a queued request sees no events of
    its own until a worker takes it, yet the workers are alive)."""

    def __init__(self, status_topic: str) -> None:
        self.status_topic = status_topic
        self.last = 0.0


async def _pump(
    tail: Tail, sessions: dict[UUID, asyncio.Queue[ModelEventMessage]], activity: _Activity
) -> None:
    """Hand each message to the queue of its session (by the correlation id header)."""
    async for message in tail:
        if message.topic == activity.status_topic:
            activity.last = time.monotonic()
        inbox = sessions.get(message.headers.correlation_id)
        if inbox is not None:
            inbox.put_nowait(message)
