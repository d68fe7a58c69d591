"""In-process adapter of the event-bus port, on omnibase_core's ``EventBusInmemory``.

omnibase_core's bus stores the history and calls every subscriber of a topic; consumer-group
semantics (each message to one member of a group) and the port's delivery rules are added here:
the members of one group share a queue, and each message goes through the same
:class:`onexgen.bus.delivery.GroupMembers` as on Kafka. Nothing leaves the process, so this
is what runs the worker and the remote client side by side in one process (tests, ``memory://``).
"""

from __future__ import annotations

import asyncio
import contextlib
from itertools import count
from typing import TYPE_CHECKING

from onexgen.bus.delivery import GroupMembers, Received, dead_letter_sender
from onexgen.bus.port import ModelRetryPolicy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Sequence

    from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders
    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage

    from onexgen.bus.delivery import Fetch
    from onexgen.bus.port import MessageHandler, Unsubscribe
    from onexgen.bus.topics import ModelTopicSpec


class _QueueTail:
    def __init__(self, queue: asyncio.Queue[ModelEventMessage], stop: Unsubscribe) -> None:
        self._queue = queue
        self._stop = stop

    async def __aiter__(self) -> AsyncIterator[ModelEventMessage]:
        while True:
            yield await self._queue.get()

    async def close(self) -> None:
        await self._stop()


class InMemoryEventBus:
    """The port inside one process."""

    def __init__(self, *, max_history: int = 10_000) -> None:
        from omnibase_core.event_bus.event_bus_inmemory import EventBusInmemory

        self._bus = EventBusInmemory(environment="local", group="onexgen", max_history=max_history)
        self._groups: dict[tuple[str, str], asyncio.Queue[ModelEventMessage]] = {}
        self._members = GroupMembers()
        self._topics: set[str] = set()
        self._ids = count()

    @property
    def address(self) -> str:
        return "memory"

    async def start(self) -> None:
        await self._bus.start()

    async def drain(self, grace_seconds: float) -> None:
        await self._members.drain(grace_seconds)

    async def close(self) -> None:
        await self._members.close()
        await self._bus.close()

    async def health_check(self) -> bool:
        health = await self._bus.health_check()
        return bool(health.get("healthy"))

    async def ensure_topics(self, specs: Sequence[ModelTopicSpec]) -> tuple[str, ...]:
        created = tuple(spec.name for spec in specs if spec.name not in self._topics)
        self._topics.update(created)
        return created

    async def publish(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        headers: ModelEventHeaders | None = None,
    ) -> None:
        await self._bus.publish(topic, key, value, headers)

    async def publish_many(
        self, messages: Sequence[tuple[str, bytes | None, bytes, ModelEventHeaders | None]]
    ) -> None:
        for topic, key, value, headers in messages:
            await self._bus.publish(topic, key, value, headers)

    async def subscribe(
        self,
        topics: Sequence[str],
        group_id: str,
        on_message: MessageHandler,
        *,
        dead_letter_topic: Callable[[str], str | None],
        retry: ModelRetryPolicy | None = None,
    ) -> Unsubscribe:
        queues: list[asyncio.Queue[ModelEventMessage]] = []
        for topic in topics:
            key = (topic, group_id)
            queue = self._groups.get(key)
            if queue is None:
                # The group's queue is fed for the bus's lifetime, not its first member's: as on
                # Kafka, what a group has not consumed waits for its next member.
                queue = asyncio.Queue()
                self._groups[key] = queue
                await self._bus.subscribe(topic, None, queue.put, group_id=group_id)
            queues.append(queue)
        send_dead_letter = dead_letter_sender(self.publish, dead_letter_topic)
        tasks = [
            self._members.add(
                _fetcher(queue),
                on_message,
                retry or ModelRetryPolicy(),
                group=group_id,
                send_dead_letter=send_dead_letter,
                name=f"onexgen-member-{group_id}",
            )
            for queue in queues
        ]

        async def unsubscribe() -> None:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        return unsubscribe

    async def tail(self, topics: Sequence[str]) -> _QueueTail:
        queue: asyncio.Queue[ModelEventMessage] = asyncio.Queue()
        group = f"tail-{next(self._ids)}"
        stops = [await self._bus.subscribe(t, None, queue.put, group_id=group) for t in topics]

        async def stop() -> None:
            for item in stops:
                await item()

        return _QueueTail(queue, stop)

    async def read_all(self, topic: str) -> tuple[ModelEventMessage, ...]:
        return tuple(await self._bus.get_event_history(limit=10**9, topic=topic))


def _fetcher(queue: asyncio.Queue[ModelEventMessage]) -> Fetch:
    """A group's shared queue as a member's source: taking a message is receiving it, so
    committing is a no-op and giving it back puts it in the queue again for another member."""

    async def commit() -> None:
        """Nothing to do: a message taken from the queue is gone from it."""

    async def fetch() -> list[Received]:
        message = await queue.get()
        return [Received(message, commit, lambda: queue.put_nowait(message))]

    return fetch
