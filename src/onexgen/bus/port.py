"""The event-bus port: what the worker and the remote CLI need from any bus.

Shaped on omnibase_core's ``ProtocolEventBus`` (publisher + subscriber + lifecycle): the same
``publish(topic, key, value, headers)`` with omnibase_core's ``ModelEventHeaders``, a
``subscribe`` that returns an async unsubscribe callable and hands the handler omnibase_core's
``ModelEventMessage``, and ``start`` / ``close`` / ``health_check``. Two things the framework
protocol leaves to the implementation are part of this port's contract, because the worker's
guarantees rest on them:

* delivery: a subscription's offset is committed only after its handler returned (or the message
  went to its dead-letter topic), so a crash redelivers the message (at-least-once);
* failure: a handler that raises :class:`~onexgen.bus.messages.MessageDecodeError` sends the
  message to its dead-letter topic at once; any other error is retried per
  :class:`ModelRetryPolicy`, then dead-lettered with the error and the original headers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

    from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders
    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage

    from onexgen.bus.topics import ModelTopicSpec

type MessageHandler = Callable[[ModelEventMessage], Awaitable[None]]
type Unsubscribe = Callable[[], Awaitable[None]]


class BusError(Exception):
    """A remote run could not complete; the message is one line that says what to check."""


class BusUnavailableError(BusError, ConnectionError):
    """The broker cannot be reached; the message names the address and what to check."""


class ModelRetryPolicy(BaseModel):
    """How often a failing handler is retried before its message is dead-lettered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_attempts: int = Field(default=3, ge=1)
    initial_backoff_seconds: float = Field(default=0.2, ge=0.0)
    backoff_multiplier: float = Field(default=2.0, ge=1.0)
    max_backoff_seconds: float = Field(default=5.0, ge=0.0)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        delay = self.initial_backoff_seconds * self.backoff_multiplier ** (attempt - 1)
        return float(min(delay, self.max_backoff_seconds))


class Tail(Protocol):
    """Messages published after the tail was opened, on a fixed set of topics (no group)."""

    def __aiter__(self) -> AsyncIterator[ModelEventMessage]: ...

    async def close(self) -> None: ...


@runtime_checkable
class EventBusPort(Protocol):
    """Publisher, subscriber and lifecycle of one bus connection."""

    @property
    def address(self) -> str:
        """Where the bus is (``HOST:PORT`` list, or ``memory``), for messages to users."""
        ...

    async def start(self) -> None:
        """Connect; raise :class:`BusUnavailableError` within the connect timeout."""
        ...

    async def drain(self, grace_seconds: float) -> None:
        """Take no new messages; wait up to ``grace_seconds`` for handlers in flight, then cancel
        them (their offsets stay uncommitted, so the group hands them to another member)."""
        ...

    async def close(self) -> None:
        """Stop every subscription (leaving consumer groups) and disconnect."""
        ...

    async def health_check(self) -> bool:
        """Whether the broker answers right now."""
        ...

    async def ensure_topics(self, specs: Sequence[ModelTopicSpec]) -> tuple[str, ...]:
        """Create the topics that do not exist yet; return the names created."""
        ...

    async def publish(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        headers: ModelEventHeaders | None = None,
    ) -> None:
        """Publish one message and wait until the broker acknowledged it."""
        ...

    async def publish_many(
        self, messages: Sequence[tuple[str, bytes | None, bytes, ModelEventHeaders | None]]
    ) -> None:
        """Publish ``(topic, key, value, headers)`` messages in order; wait for all acks once.

        Same-key messages keep their order; one wait instead of one round trip per message.
        """
        ...

    async def subscribe(
        self,
        topics: Sequence[str],
        group_id: str,
        on_message: MessageHandler,
        *,
        dead_letter_topic: Callable[[str], str | None],
        retry: ModelRetryPolicy | None = None,
    ) -> Unsubscribe:
        """Consume ``topics`` as a member of ``group_id`` with the delivery rules above."""
        ...

    async def tail(self, topics: Sequence[str]) -> Tail:
        """Follow ``topics`` from their current end; ready when this returns."""
        ...

    async def read_all(self, topic: str) -> tuple[ModelEventMessage, ...]:
        """Every message currently retained in ``topic`` (dead-letter inspection)."""
        ...
