"""Delivery rules of both adapters: retries, dead letters (``<request topic>_dlq``), commit after
the handler, give back on cancellation, draining on shutdown.

The dead-letter record follows omnibase_infra's DLQ payload (original topic, partition,
offset, key, value and headers; error type and message; retry count; failure time; consumer
group), so one record is enough to understand a failure and to replay it (``onexgen dlq replay``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from onexgen.bus.messages import MessageDecodeError, now_utc

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection, Sequence

    from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders
    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage

    from onexgen.bus.port import MessageHandler, ModelRetryPolicy

_LOG = logging.getLogger("onexgen.bus")

type SendDeadLetter = Callable[[ModelEventMessage, ModelDeadLetter], Awaitable[None]]
"""The adapter's way of publishing a dead letter for a message."""
type Publish = Callable[[str, bytes | None, bytes, ModelEventHeaders | None], Awaitable[None]]
"""An adapter's ``publish(topic, key, value, headers)``."""


class ModelDeadLetter(BaseModel):
    """One failed message with everything needed to understand and replay it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    original_topic: str
    original_partition: int | None = None
    original_offset: str | None = None
    original_key: str | None = None
    original_value: str
    value_encoding: Literal["utf-8", "base64"] = "utf-8"
    original_headers: dict[str, object] = Field(default_factory=dict)
    correlation_id: UUID | None = None
    error_type: str
    error_message: str
    retry_count: int = Field(ge=0)
    failed_at: datetime = Field(default_factory=now_utc)
    consumer_group: str = ""

    def value_bytes(self) -> bytes:
        """The original message body, exactly as it was published."""
        if self.value_encoding == "base64":
            return base64.b64decode(self.original_value)
        return self.original_value.encode("utf-8")

    def key_bytes(self) -> bytes | None:
        """The original key as bytes."""
        return None if self.original_key is None else self.original_key.encode("utf-8")


def dead_letter_of(
    message: ModelEventMessage, error: BaseException, *, attempts: int, group: str
) -> ModelDeadLetter:
    """The dead-letter record of ``message`` that failed with ``error`` after ``attempts``."""
    try:
        value, encoding = message.value.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        value, encoding = base64.b64encode(message.value).decode("ascii"), "base64"
    key = None
    if message.key is not None:
        key = message.key.decode("utf-8", errors="replace")
    return ModelDeadLetter(
        original_topic=message.topic,
        original_partition=message.partition,
        original_offset=message.offset,
        original_key=key,
        original_value=value,
        value_encoding="base64" if encoding == "base64" else "utf-8",
        original_headers=message.headers.model_dump(mode="json"),
        correlation_id=message.headers.correlation_id,
        error_type=type(error).__name__,
        error_message=" ".join(str(error).split()) or type(error).__name__,
        retry_count=attempts,
        consumer_group=group,
    )


async def deliver(
    message: ModelEventMessage,
    handler: MessageHandler,
    retry: ModelRetryPolicy,
    *,
    group: str,
    send_dead_letter: SendDeadLetter,
) -> bool:
    """Run ``handler`` on ``message`` under the retry policy; dead-letter it when it fails.

    Returns True when the handler succeeded. Either way the caller may commit afterwards:
    the message is answered or parked. Cancellation propagates (the offset stays uncommitted,
    so the message is redelivered to another member of the group).
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            await handler(message)
            return True
        except MessageDecodeError as exc:
            error: Exception = exc
            break
        except Exception as exc:
            _LOG.warning(
                "handler failed on %s (attempt %d/%d): %s",
                message.topic,
                attempt,
                retry.max_attempts,
                exc,
                exc_info=_LOG.isEnabledFor(logging.DEBUG),
            )
            if attempt >= retry.max_attempts:
                error = exc
                break
            await asyncio.sleep(retry.backoff(attempt))
    letter = dead_letter_of(message, error, attempts=attempt, group=group)
    await send_dead_letter(message, letter)
    return False


def dead_letter_sender(
    publish: Publish, dead_letter_topic: Callable[[str], str | None]
) -> SendDeadLetter:
    """Publish a dead letter on its request topic's ``_dlq`` topic, with the original headers
    (their ``event_type`` set to the dead-letter topic and ``retry_count`` to the attempts)."""

    async def send(message: ModelEventMessage, letter: ModelDeadLetter) -> None:
        target = dead_letter_topic(message.topic)
        if target is None:
            _LOG.error("dropping failed message of %s: no dead-letter topic", message.topic)
            return
        await publish(
            target,
            message.key,
            letter.model_dump_json().encode("utf-8"),
            message.headers.model_copy(
                update={"event_type": target, "retry_count": letter.retry_count}
            ),
        )

    return send


@dataclass(frozen=True, slots=True)
class Received:
    """One message an adapter handed to a group member, and how to settle it.

    ``commit`` marks it done (Kafka: commits the offset after it; in-process: nothing to do),
    ``give_back`` returns it unsettled so another member of the group receives it (Kafka:
    nothing to do, the uncommitted offset is redelivered; in-process: back into the queue).
    """

    message: ModelEventMessage
    commit: Callable[[], Awaitable[None]]
    give_back: Callable[[], None]


@dataclass(frozen=True, slots=True)
class _Policy:
    handler: MessageHandler
    retry: ModelRetryPolicy
    group: str
    send_dead_letter: SendDeadLetter


type Fetch = Callable[[], Awaitable[Sequence[Received]]]
"""An adapter's next messages for one group member (may return none after a poll timeout)."""


class GroupMembers:
    """The members of an adapter's subscriptions, all under one delivery policy.

    Each member loops: fetch, :func:`deliver` (retry, then dead letter), and only then commit
    (at-least-once); a message taken while draining, or whose handler is cancelled, is given
    back uncommitted. Both adapters run their members here, so the policy is written once.
    """

    def __init__(self) -> None:
        self._members: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()
        self._draining = asyncio.Event()

    def add(
        self,
        fetch: Fetch,
        handler: MessageHandler,
        retry: ModelRetryPolicy,
        *,
        group: str,
        send_dead_letter: SendDeadLetter,
        name: str,
    ) -> asyncio.Task[None]:
        """Start one member; cancel the returned task to stop it (as unsubscribing does)."""
        policy = _Policy(handler, retry, group, send_dead_letter)
        task = asyncio.create_task(self._member(fetch, policy), name=name)
        self._members.add(task)
        task.add_done_callback(self._members.discard)
        return task

    async def _member(self, fetch: Fetch, policy: _Policy) -> None:
        me = asyncio.current_task()
        assert me is not None  # always runs as a task
        while not self._draining.is_set():
            received = list(await fetch())
            while received:
                item = received.pop(0)
                if self._draining.is_set():  # not taken: leave it for another member
                    item.give_back()
                    for rest in received:
                        rest.give_back()
                    return
                self._busy.add(me)  # until committed: draining waits for the commit too
                try:
                    try:
                        await deliver(
                            item.message,
                            policy.handler,
                            policy.retry,
                            group=policy.group,
                            send_dead_letter=policy.send_dead_letter,
                        )
                    except asyncio.CancelledError:
                        item.give_back()
                        for rest in received:
                            rest.give_back()
                        raise
                    await item.commit()
                finally:
                    self._busy.discard(me)

    async def drain(self, grace: float) -> None:
        """Take no new messages; let handlers in flight finish within ``grace`` s, then cancel
        them (their messages are given back uncommitted, so the group redelivers them)."""
        self._draining.set()
        for task in self._members - self._busy:  # waiting for a message: nothing in flight
            task.cancel()
        await _finish(tuple(self._members), grace)

    async def close(self) -> None:
        """Stop every member at once."""
        await _finish(tuple(self._members), 0.0)


async def _finish(tasks: Sequence[asyncio.Task[None]], grace: float) -> None:
    if not tasks:
        return
    pending: Collection[asyncio.Task[None]] = tasks
    if grace > 0:
        _, pending = await asyncio.wait(tasks, timeout=grace)
    for task in pending:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
