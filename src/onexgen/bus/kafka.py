"""Kafka adapter of the event-bus port, on plain aiokafka.

Why not omnibase_infra's ``EventBusKafka``: measured before this was written, it adds ~109
packages and a 2 s import, polls with 200-250 ms latency, enforces ``session_timeout_ms >= 6000``
and commits a failed message without redelivery. Here every subscription is its own
``AIOKafkaConsumer`` with auto-commit off: the offset of a message is committed only after its
handler returned or it was dead-lettered (:class:`onexgen.bus.delivery.GroupMembers`, the
delivery loop shared with the in-process adapter). The producer is a plain one (``acks="all"``,
no idempotent/transactional mode: not every Kafka-protocol broker supports it, and the worker's
idempotency is keyed by correlation id instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onexgen.bus.delivery import GroupMembers, Received, dead_letter_sender
from onexgen.bus.messages import now_utc
from onexgen.bus.port import BusError, BusUnavailableError, ModelRetryPolicy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Sequence

    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
    from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders
    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage

    from onexgen.bus.delivery import Fetch
    from onexgen.bus.port import MessageHandler, Unsubscribe
    from onexgen.bus.topics import ModelTopicSpec

_LOG = logging.getLogger("onexgen.bus")
# aiokafka logs every failed connection attempt; without a handler Python would print them to
# stderr next to our one-line error. Applications that configure logging still see them.
logging.getLogger("aiokafka").addHandler(logging.NullHandler())
HEADERS_JSON = "onex-headers"
"""Kafka header holding omnibase_core's ``ModelEventHeaders`` as JSON (the readable headers
``correlation_id``, ``causation_id``, ``event_type``, ``schema_version`` and ``timestamp``
repeat its main fields for tools that do not parse JSON)."""


class ModelKafkaSettings(BaseModel):
    """Connection and consumer timing; the defaults suit a production cluster."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bootstrap_servers: str = Field(min_length=1)
    client_id: str = "onexgen"
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    request_timeout_ms: int = Field(default=5000, ge=100)
    session_timeout_ms: int = Field(default=10_000, ge=100)
    heartbeat_interval_ms: int = Field(default=3000, ge=10)
    max_poll_interval_ms: int = Field(default=900_000, ge=1000)
    poll_timeout_ms: int = Field(default=200, ge=1)
    fetch_max_wait_ms: int = Field(
        default=20,
        ge=0,
        description="Longest a fetch waits for data; some brokers (tansu) do not answer a "
        "waiting fetch early when data arrives, so this bounds the pick-up latency.",
    )
    replication_factor: int = Field(default=1, ge=1)
    retry_backoff_ms: int = Field(default=100, ge=1)


def encode_headers(headers: ModelEventHeaders) -> list[tuple[str, bytes]]:
    """Kafka headers for omnibase_core's headers model."""
    data = headers.model_dump(mode="json")
    version = headers.schema_version
    readable = {
        "correlation_id": str(headers.correlation_id),
        "causation_id": headers.parent_span_id or "",
        "event_type": headers.event_type,
        "schema_version": f"{version.major}.{version.minor}.{version.patch}",
        "timestamp": headers.timestamp.isoformat(),
        "content_type": headers.content_type,
    }
    return [
        (HEADERS_JSON, json.dumps(data, sort_keys=True).encode("utf-8")),
        *((name, value.encode("utf-8")) for name, value in readable.items()),
    ]


def decode_headers(raw: Sequence[tuple[str, bytes]], topic: str) -> ModelEventHeaders:
    """omnibase_core's headers of a Kafka record (synthesised for records not sent by onexgen)."""
    from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders

    for name, value in raw:
        if name == HEADERS_JSON:
            with contextlib.suppress(ValidationError, ValueError):
                return ModelEventHeaders.model_validate_json(value)
    return ModelEventHeaders(source="unknown", event_type=topic, timestamp=now_utc())


def to_message(record: ConsumerRecord[bytes, bytes]) -> ModelEventMessage:
    """omnibase_core's message model of a Kafka record."""
    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage

    return ModelEventMessage(
        topic=record.topic,
        key=record.key,
        value=record.value or b"",
        headers=decode_headers(tuple(record.headers or ()), record.topic),
        offset=str(record.offset),
        partition=record.partition,
    )


class _KafkaTail:
    """A group-less consumer assigned to every partition of some topics, from their end."""

    def __init__(self, consumer: AIOKafkaConsumer, poll_ms: int) -> None:
        self._consumer = consumer
        self._poll_ms = poll_ms

    async def __aiter__(self) -> AsyncIterator[ModelEventMessage]:
        from aiokafka.errors import KafkaError

        while True:
            try:
                batch = await self._consumer.getmany(timeout_ms=self._poll_ms)
            except KafkaError as exc:  # the broker went away: aiokafka reconnects
                _LOG.debug("tail poll failed (%s); retrying", exc)
                await asyncio.sleep(0.2)
                continue
            for records in batch.values():
                for record in records:
                    yield to_message(record)

    async def close(self) -> None:
        await _stop_quietly(self._consumer)


class KafkaEventBus:
    """The port on a Kafka-protocol cluster (Apache Kafka, Redpanda, tansu)."""

    def __init__(self, settings: ModelKafkaSettings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._consumers: list[AIOKafkaConsumer] = []
        self._members = GroupMembers()

    @property
    def address(self) -> str:
        return self._settings.bootstrap_servers

    @property
    def settings(self) -> ModelKafkaSettings:
        """The connection settings."""
        return self._settings

    def _unavailable(self, exc: BaseException | None = None) -> BusUnavailableError:
        from aiokafka.errors import KafkaConnectionError

        reason = ""
        if exc is not None and str(exc) and not isinstance(exc, KafkaConnectionError | OSError):
            reason = f" ({' '.join(str(exc).split())})"
        return BusUnavailableError(
            f"cannot reach the Kafka broker at {self.address} within "
            f"{self._settings.connect_timeout_seconds:g} s{reason}; check the address and that "
            "the broker is running"
        )

    def _common(self) -> dict[str, Any]:
        s = self._settings
        return {
            "bootstrap_servers": s.bootstrap_servers,
            "client_id": s.client_id,
            "request_timeout_ms": s.request_timeout_ms,
            "retry_backoff_ms": s.retry_backoff_ms,
            "metadata_max_age_ms": 30_000,
        }

    def _consumer_options(self) -> dict[str, Any]:
        return {"fetch_max_wait_ms": self._settings.fetch_max_wait_ms, **self._common()}

    async def _start_client(
        self, client: AIOKafkaProducer | AIOKafkaConsumer, *, patience: float = 1.0
    ) -> None:
        from aiokafka.errors import KafkaError

        try:
            async with asyncio.timeout(self._settings.connect_timeout_seconds * patience):
                await client.start()
        except (TimeoutError, KafkaError, OSError) as exc:
            await _stop_quietly(client)
            raise self._unavailable(exc) from None

    async def start(self) -> None:
        from aiokafka import AIOKafkaProducer

        if self._producer is not None:
            return
        producer = AIOKafkaProducer(acks="all", linger_ms=0, **self._common())
        await self._start_client(producer)
        self._producer = producer

    async def drain(self, grace_seconds: float) -> None:
        await self._members.drain(grace_seconds)

    async def close(self) -> None:
        await self._members.close()
        for consumer in tuple(self._consumers):
            await _stop_quietly(consumer)  # leaves the group at once (no session timeout wait)
        self._consumers.clear()
        if self._producer is not None:
            with contextlib.suppress(Exception):
                await self._producer.stop()
            self._producer = None

    async def health_check(self) -> bool:
        producer = self._require_producer()
        try:
            async with asyncio.timeout(self._settings.connect_timeout_seconds):
                metadata = await producer.client.fetch_all_metadata()
        except (TimeoutError, Exception):
            return False
        return bool(metadata.brokers())

    async def ensure_topics(self, specs: Sequence[ModelTopicSpec]) -> tuple[str, ...]:
        from aiokafka.admin import AIOKafkaAdminClient, NewTopic
        from aiokafka.errors import KafkaError

        admin = AIOKafkaAdminClient(**self._common())
        try:
            async with asyncio.timeout(self._settings.connect_timeout_seconds):
                await admin.start()
                existing = set(await admin.list_topics())
            missing = [spec for spec in specs if spec.name not in existing]
            if not missing:
                return ()
            response = await admin.create_topics(
                [
                    NewTopic(spec.name, spec.partitions, self._settings.replication_factor)
                    for spec in missing
                ]
            )
            created: list[str] = []
            for name, code, message in _topic_errors(response):
                if code == 0:
                    created.append(name)
                elif code != 36:  # 36: TOPIC_ALREADY_EXISTS (another worker was faster)
                    raise RuntimeError(f"cannot create topic {name}: {message} (error {code})")
            return tuple(created)
        except (TimeoutError, KafkaError, OSError) as exc:
            raise self._unavailable(exc) from None
        finally:
            with contextlib.suppress(Exception):
                await admin.close()

    async def publish(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        headers: ModelEventHeaders | None = None,
    ) -> None:
        from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders

        producer = self._require_producer()
        if headers is None:
            headers = ModelEventHeaders(
                source=self._settings.client_id, event_type=topic, timestamp=now_utc()
            )
        await producer.send_and_wait(topic, value, key=key, headers=encode_headers(headers))

    async def publish_many(
        self, messages: Sequence[tuple[str, bytes | None, bytes, ModelEventHeaders | None]]
    ) -> None:
        from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders

        producer = self._require_producer()
        pending = []
        for topic, key, value, given in messages:
            headers = given or ModelEventHeaders(
                source=self._settings.client_id, event_type=topic, timestamp=now_utc()
            )
            pending.append(
                await producer.send(topic, value, key=key, headers=encode_headers(headers))
            )
        await asyncio.gather(*pending)

    async def subscribe(
        self,
        topics: Sequence[str],
        group_id: str,
        on_message: MessageHandler,
        *,
        dead_letter_topic: Callable[[str], str | None],
        retry: ModelRetryPolicy | None = None,
    ) -> Unsubscribe:
        from aiokafka import AIOKafkaConsumer

        s = self._settings
        consumer = AIOKafkaConsumer(
            *topics,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=s.session_timeout_ms,
            heartbeat_interval_ms=s.heartbeat_interval_ms,
            max_poll_interval_ms=s.max_poll_interval_ms,
            **{
                **self._consumer_options(),
                # The broker holds a JoinGroup until the group settles (up to a session
                # timeout); a shorter request timeout would abandon every join.
                "request_timeout_ms": max(s.request_timeout_ms, 2 * s.session_timeout_ms + 5000),
            },
        )
        # A group member's start also waits for the topics' metadata: the broker was reachable
        # (start() checked), so allow it longer than the connect timeout.
        await self._start_client(consumer, patience=6.0)
        self._consumers.append(consumer)
        task = self._members.add(
            self._fetcher(consumer),
            on_message,
            retry or ModelRetryPolicy(),
            group=group_id,
            send_dead_letter=dead_letter_sender(self.publish, dead_letter_topic),
            name=f"onexgen-consume-{group_id}",
        )

        async def unsubscribe() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            if consumer in self._consumers:
                self._consumers.remove(consumer)
                await _stop_quietly(consumer)

        return unsubscribe

    def _fetcher(self, consumer: AIOKafkaConsumer) -> Fetch:
        """One record at a time (a member works on one request); its commit moves the group's
        offset past it, and giving it back is leaving the offset where it is."""
        from aiokafka import TopicPartition
        from aiokafka.errors import CommitFailedError, KafkaError

        def give_back() -> None:
            """Nothing to do: the offset stays uncommitted, so the group redelivers it."""

        async def fetch() -> list[Received]:
            try:
                batch = await consumer.getmany(
                    timeout_ms=self._settings.poll_timeout_ms, max_records=1
                )
            except KafkaError as exc:  # broker gone: aiokafka reconnects; keep polling
                _LOG.warning("poll failed (%s); retrying", exc)
                await asyncio.sleep(0.5)
                return []
            received: list[Received] = []
            for partition, records in batch.items():
                for record in records:
                    offsets = {
                        TopicPartition(partition.topic, partition.partition): record.offset + 1
                    }

                    async def commit(offsets: dict[TopicPartition, int] = offsets) -> None:
                        try:
                            await consumer.commit(offsets)
                        except (CommitFailedError, KafkaError) as exc:
                            # The partition moved to another member during a rebalance: it
                            # sees this message again and its idempotency check answers it.
                            _LOG.warning("commit of %s failed (%s)", offsets, exc)

                    received.append(Received(to_message(record), commit, give_back))
            return received

        return fetch

    async def tail(self, topics: Sequence[str]) -> _KafkaTail:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(enable_auto_commit=False, **self._consumer_options())
        await self._start_client(consumer)
        try:
            async with asyncio.timeout(self._settings.connect_timeout_seconds):
                partitions: list[TopicPartition] = []
                for topic in topics:
                    numbers = consumer.partitions_for_topic(topic)
                    if not numbers:
                        await consumer.topics()  # refresh metadata once
                        numbers = consumer.partitions_for_topic(topic) or set()
                    if not numbers:
                        raise BusError(
                            f"topic {topic} does not exist on {self.address}; start "
                            "`onexgen worker` there (it creates the codegen topics)"
                        )
                    partitions.extend(TopicPartition(topic, n) for n in sorted(numbers))
                consumer.assign(partitions)
                await consumer.seek_to_end(*partitions)
                for partition in partitions:  # pin the positions before anything is published
                    await consumer.position(partition)
        except BaseException as exc:
            await _stop_quietly(consumer)
            if isinstance(exc, TimeoutError | OSError):
                raise self._unavailable(exc) from None
            raise
        return _KafkaTail(consumer, self._settings.poll_timeout_ms)

    async def read_all(self, topic: str) -> tuple[ModelEventMessage, ...]:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(enable_auto_commit=False, **self._consumer_options())
        await self._start_client(consumer)
        try:
            async with asyncio.timeout(self._settings.connect_timeout_seconds * 4):
                await consumer.topics()
                numbers = consumer.partitions_for_topic(topic) or set()
                partitions = [TopicPartition(topic, n) for n in sorted(numbers)]
                if not partitions:
                    return ()
                consumer.assign(partitions)
                await consumer.seek_to_beginning(*partitions)
                ends = await consumer.end_offsets(partitions)
                found: list[ModelEventMessage] = []
                for partition in partitions:
                    while await consumer.position(partition) < ends[partition]:
                        batch = await consumer.getmany(partition, timeout_ms=500)
                        found.extend(to_message(r) for r in batch.get(partition, ()))
                return tuple(found)
        finally:
            await _stop_quietly(consumer)

    def _require_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("the Kafka bus is not started; call start() first")
        return self._producer


async def _stop_quietly(client: AIOKafkaProducer | AIOKafkaConsumer) -> None:
    """Stop an aiokafka client whatever state its broker is in.

    With the broker gone, aiokafka's fetcher can surface the cancellation of its own retry
    sleep from ``stop()``; that is not ours to propagate unless this task is being cancelled.
    """
    try:
        await client.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
    except Exception as exc:
        _LOG.debug("stopping an aiokafka client failed: %s", exc)


def _topic_errors(response: object) -> list[tuple[str, int, str | None]]:
    errors = getattr(response, "topic_errors", ())
    found: list[tuple[str, int, str | None]] = []
    for item in errors:
        name, code = item[0], item[1]
        message = item[2] if len(item) > 2 else None
        found.append((str(name), int(code), None if message is None else str(message)))
    return found
