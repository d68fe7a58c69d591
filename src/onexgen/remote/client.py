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
    ModelSessionStatus,
    decode,
    encode,
)
from onexgen.bus.port import BusError, BusUnavailableError
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
    """Sends requests on ``bus`` (started and closed by the caller)."""

    def __init__(
        self, bus: EventBusPort, topics: ModelCodegenTopics | None = None, *, source: str = "cli"
    ) -> None:
        self._bus = bus
        self._topics = topics or ModelCodegenTopics()
        self._source = f"onexgen-{source}"

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
        follow = [self._topics.response(operation)]
        if operation is EnumCodegenOperation.ANALYZE:
            follow.append(self._topics.status)
        if self._topics.status not in follow:
            follow.append(self._topics.status)
        tail = await self._bus.tail(follow)
        inbox: asyncio.Queue[ModelEventMessage] = asyncio.Queue()
        activity = _Activity(self._topics.status)
        reader = asyncio.create_task(_pump(tail, inbox, session, activity))
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
                activity=activity,
                contact_timeout=contact_timeout,
                timeout=timeout,
                on_status=on_status,
            )
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            with contextlib.suppress(Exception):
                await tail.close()

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
                await self._remaining_events(answer, seen, inbox, on_status)
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
            try:
                envelope = decode(message.value)
            except MessageDecodeError:
                continue
            if envelope.correlation_id != session:
                continue
            contacted = True
            payload = envelope.payload
            if message.topic == response_topic:
                if isinstance(payload, ModelAnalyzeResponse) and on_status is not None:
                    answer = payload
                    continue
                return payload
            if isinstance(payload, ModelSessionStatus):
                seen[payload.worker] = seen.get(payload.worker, 0) + 1
                if on_status is not None:
                    on_status(payload.event)

    @staticmethod
    async def _remaining_events(
        answer: ModelAnalyzeResponse,
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
            try:
                payload = decode(message.value).payload
            except MessageDecodeError:
                continue
            if isinstance(payload, ModelSessionStatus):
                seen[payload.worker] = seen.get(payload.worker, 0) + 1
                if on_status is not None:
                    on_status(payload.event)

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
    tail: Tail, inbox: asyncio.Queue[ModelEventMessage], session: UUID, activity: _Activity
) -> None:
    """Move this session's messages from the tail into ``inbox`` (cheap header filter first)."""
    async for message in tail:
        if message.topic == activity.status_topic:
            activity.last = time.monotonic()
        if message.headers.correlation_id == session:
            inbox.put_nowait(message)
