"""Delivery rules: retries, dead letters (``<request topic>_dlq``), draining on shutdown.

The dead-letter record follows omnibase_infra's DLQ payload (original topic, partition,
offset, key, value and headers; error type and message; retry count; failure time; consumer
group), so one record is enough to understand a failure and to replay it (``onexgen dlq replay``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from onexgen.bus.messages import MessageDecodeError, now_utc

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage

    from onexgen.bus.port import MessageHandler, ModelRetryPolicy

_LOG = logging.getLogger("onexgen.bus")

type SendDeadLetter = Callable[[ModelEventMessage, ModelDeadLetter], Awaitable[None]]
"""The adapter's way of publishing a dead letter for a message."""


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


async def drain_tasks(flag: asyncio.Event, tasks: set[asyncio.Task[None]], grace: float) -> None:
    """Stop taking messages; let handlers in flight finish within ``grace`` s, cancel the rest."""
    flag.set()
    running = tuple(tasks)
    if not running:
        return
    _, pending = await asyncio.wait(running, timeout=grace)
    for task in pending:  # cancelled work stays uncommitted: the group redelivers it
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
