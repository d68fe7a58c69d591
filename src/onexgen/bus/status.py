"""Stage status events on the bus: one way to publish them, one way to read them back.

The pipeline tells its in-process subscribers about each stage synchronously; on the bus each
event becomes a ``ModelSessionStatus`` envelope on the status topic (and, for stage 9, one of the
three test-generation events), keyed by the session's correlation id so it stays in order.
:class:`StatusPublisher` does that for a worker (on Kafka) and for a local run (on the in-process
adapter) alike, and :func:`session_status_of` is how every display reads them back, so a local
and a remote ``generate`` show their stages through the same event path.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Literal

from onexgen.bus.messages import (
    MessageDecodeError,
    ModelSessionStatus,
    ModelTestGenerationEvent,
    decode,
    encode,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders
    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage
    from pydantic import BaseModel

    from onexgen.bus.port import EventBusPort
    from onexgen.bus.topics import ModelCodegenTopics
    from onexgen.models.generation import ModelProgressEvent

type OutgoingMessage = tuple[str, bytes | None, bytes, ModelEventHeaders | None]
"""``(topic, key, value, headers)`` as the port's ``publish_many`` takes them."""

TEST_GENERATION_STAGE = 9
_TEST_STATUS: dict[str, Literal["started", "completed", "failed"]] = {
    "stage_started": "started",
    "stage_completed": "completed",
    "stage_failed": "failed",
}


def outgoing(
    topic: str, payload: BaseModel, *, correlation_id: UUID, causation_id: UUID | None, source: str
) -> OutgoingMessage:
    """``payload`` in its envelope, keyed by the session's correlation id."""
    value, headers, _ = encode(
        payload,
        correlation_id=correlation_id,
        topic=topic,
        source=source,
        causation_id=causation_id,
    )
    return topic, str(correlation_id).encode("ascii"), value, headers


def status_messages(
    event: ModelProgressEvent,
    topics: ModelCodegenTopics,
    *,
    causation_id: UUID | None,
    source: str,
    worker: str,
) -> list[OutgoingMessage]:
    """The status message of ``event`` and, for stage 9, its test-generation event."""
    session = event.correlation_id
    status = ModelSessionStatus(event=event, worker=worker)
    messages = [
        outgoing(
            topics.status, status, correlation_id=session, causation_id=causation_id, source=source
        )
    ]
    kind = _TEST_STATUS.get(event.event)
    if event.stage.value == TEST_GENERATION_STAGE and kind is not None:
        detail = getattr(event, "detail", "") or getattr(event, "error", "")
        test_event = ModelTestGenerationEvent(
            status=kind,
            correlation_id=session,
            detail=detail,
            worker=worker,
        )
        messages.append(
            outgoing(
                topics.test_generation(kind),
                test_event,
                correlation_id=session,
                causation_id=causation_id,
                source=source,
            )
        )
    return messages


def session_status_of(message: ModelEventMessage, status_topic: str) -> ModelSessionStatus | None:
    """The stage event ``message`` carries, if it is one (anything else on the topic: None)."""
    if message.topic != status_topic:
        return None
    try:
        payload = decode(message.value).payload
    except MessageDecodeError:
        return None
    return payload if isinstance(payload, ModelSessionStatus) else None


class StatusPublisher:
    """Publishes the stage events of the sessions it was told about, each session in order.

    :meth:`on_progress` is a pipeline subscriber (synchronous, never blocks the pipeline): it
    queues the event, and one task per session publishes whatever is waiting in one batch.
    """

    def __init__(
        self,
        bus: EventBusPort,
        topics: ModelCodegenTopics,
        *,
        source: str,
        worker: str,
        prepare: Callable[[ModelProgressEvent], ModelProgressEvent] | None = None,
    ) -> None:
        self._bus = bus
        self._topics = topics
        self._source = source
        self._worker = worker
        self._prepare = prepare
        self._queues: dict[UUID, asyncio.Queue[ModelProgressEvent | None]] = {}
        self._tasks: dict[UUID, asyncio.Task[int]] = {}

    def begin(self, correlation_id: UUID, causation_id: UUID | None = None) -> None:
        """Publish the events of session ``correlation_id`` from now on."""
        queue: asyncio.Queue[ModelProgressEvent | None] = asyncio.Queue()
        self._queues[correlation_id] = queue
        self._tasks[correlation_id] = asyncio.create_task(self._publish(queue, causation_id))

    def on_progress(self, event: ModelProgressEvent) -> None:
        """Queue ``event`` when its session was begun (other sessions are not ours)."""
        queue = self._queues.get(event.correlation_id)
        if queue is not None:
            queue.put_nowait(event)

    async def end(self, correlation_id: UUID) -> int:
        """Publish what is still queued for the session; return how many events it published."""
        queue = self._queues.pop(correlation_id, None)
        task = self._tasks.pop(correlation_id, None)
        if queue is None or task is None:
            return 0
        queue.put_nowait(None)
        return await task

    async def abandon(self, correlation_id: UUID) -> None:
        """Stop publishing the session at once (shutdown: the request goes back to the group)."""
        self._queues.pop(correlation_id, None)
        task = self._tasks.pop(correlation_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _publish(
        self, queue: asyncio.Queue[ModelProgressEvent | None], causation_id: UUID | None
    ) -> int:
        published = 0
        finished = False
        while not finished:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            messages: list[OutgoingMessage] = []
            for event in batch:
                if event is None:
                    finished = True
                    break
                shown = event if self._prepare is None else self._prepare(event)
                messages.extend(
                    status_messages(
                        shown,
                        self._topics,
                        causation_id=causation_id,
                        source=self._source,
                        worker=self._worker,
                    )
                )
                published += 1
            if messages:
                await self._bus.publish_many(messages)
        return published
