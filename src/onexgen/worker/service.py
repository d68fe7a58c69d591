"""``CodegenWorker``: one member of the codegen consumer group, on any event-bus adapter.

Per request: decode the envelope (a message that does not decode is poison: dead-lettered at
once), skip it when its correlation id was already answered, run the operation, publish the
stage events as they happen and then the response, and only then return, which lets the adapter
commit the offset (at-least-once). A handler that raises is retried by the adapter and then
dead-lettered with the error and the original headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import TYPE_CHECKING

from onexgen.bus.messages import (
    MessageDecodeError,
    ModelAnalyzeRequest,
    ModelAnalyzeResponse,
    ModelIntelligenceRequest,
    ModelValidateRequest,
    decode,
)
from onexgen.bus.status import StatusPublisher, outgoing
from onexgen.bus.topics import EnumCodegenOperation, ModelCodegenTopics
from onexgen.worker import handlers
from onexgen.worker.idempotency import AnsweredRequests

if TYPE_CHECKING:
    from uuid import UUID

    from omnibase_core.models.event_bus.model_event_message import ModelEventMessage
    from pydantic import BaseModel

    from onexgen.bus.port import EventBusPort, ModelRetryPolicy, Tail
    from onexgen.llm.engine import StrategyEngine
    from onexgen.pipeline.service import CodeGenerationService

_LOG = logging.getLogger("onexgen.worker")
WORKER_SERVICE = "onexgen"
WORKER_NODE = "codegen_worker"
WORKER_VERSION = "v1"
TOPIC_CHECK_SECONDS = 2.0


def default_group_id() -> str:
    """omnibase_core's canonical group id: ``{env}.onexgen.codegen_worker.consume.v1``.

    The environment token comes from ``ONEX_ENVIRONMENT`` (``local`` when unset), as for every
    ONEX consumer.
    """
    from omnibase_core.event_bus.util_consumer_group import (
        compute_consumer_group_id,
        resolve_environment_token,
    )

    return compute_consumer_group_id(
        env=resolve_environment_token(),
        service=WORKER_SERVICE,
        node_name=WORKER_NODE,
        version=WORKER_VERSION,
    )


def worker_name() -> str:
    """``host-pid``: which worker answered, in responses and status events."""
    return f"{socket.gethostname()}-{os.getpid()}"


class CodegenWorker:
    """Consumes the request topics of ``topics`` in ``group`` with ``concurrency`` members."""

    def __init__(
        self,
        bus: EventBusPort,
        *,
        topics: ModelCodegenTopics | None = None,
        group: str | None = None,
        concurrency: int = 1,
        retry: ModelRetryPolicy | None = None,
        service: CodeGenerationService | None = None,
        name: str | None = None,
        history: bool = False,
        database_url: str | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._bus = bus
        self._topics = topics or ModelCodegenTopics()
        self._group = group or default_group_id()
        self._concurrency = concurrency
        self._retry = retry
        self._service = service
        self._name = name or worker_name()
        self._history = history
        self._database_url = database_url
        self._answered = AnsweredRequests()
        self._source = f"onexgen-worker.{self._name}"
        self._status = StatusPublisher(
            bus,
            self._topics,
            source=self._source,
            worker=self._name,
            prepare=handlers.hide_scratch_in_event,
        )
        self._tail: Tail | None = None
        self._tail_task: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._subscribed = False
        self._strategy_engine: StrategyEngine | None = None
        self.handled = 0
        self.skipped = 0

    @property
    def group(self) -> str:
        """The consumer group this worker joined."""
        return self._group

    @property
    def name(self) -> str:
        """This worker's name in responses."""
        return self._name

    def _pipeline(self) -> CodeGenerationService:
        if self._service is None:
            from onexgen.pipeline.service import CodeGenerationService

            # Scratch output is read back and deleted: no fsync (the client's write is durable).
            if self._history:
                from onexgen.history.recording import RecordingGenerationService

                # Each answered generation is a session (source "worker"). A long-lived
                # worker keeps recording after a failed batch, which only costs a warning.
                self._service = RecordingGenerationService(
                    source="worker",
                    database_url=self._database_url,
                    stop_on_failure=False,
                    durable=False,
                    strategy_engine=self._engine(),
                )
            else:
                self._service = CodeGenerationService(durable=False, strategy_engine=self._engine())
            self._service.template_manager().preload()
        if not self._subscribed:
            self._service.subscribe(self._status.on_progress)
            self._subscribed = True
        return self._service

    def _engine(self) -> StrategyEngine | None:
        """The model this worker asks for hybrid/llm requests (its own ``ONEXGEN_LLM_*``)."""
        from onexgen.llm.engine import engine_from_env

        self._strategy_engine = engine_from_env()
        return self._strategy_engine

    async def start(self) -> None:
        """Create missing topics, follow the responses, join the group."""
        self._pipeline()
        await self._bus.ensure_topics(self._topics.all_topics())
        responses = [self._topics.response(op) for op in EnumCodegenOperation]
        self._tail = await self._bus.tail(responses)
        self._tail_task = asyncio.create_task(self._follow_responses(self._tail))
        requests = [self._topics.request(op) for op in EnumCodegenOperation]

        def dead_letter_topic(topic: str) -> str | None:
            operation = self._topics.operation_of_request(topic)
            return None if operation is None else self._topics.dlq(operation)

        for _ in range(self._concurrency):
            await self._bus.subscribe(
                requests,
                self._group,
                self._handle,
                dead_letter_topic=dead_letter_topic,
                retry=self._retry,
            )
        self._keeper = asyncio.create_task(self._keep_topics())
        _LOG.info("worker %s joined %s on %s", self._name, self._group, self._bus.address)

    async def _keep_topics(self) -> None:
        """Re-create missing topics now and then: a broker restarted without its data (or an
        operator's cleanup) must not leave clients facing a cluster without codegen topics."""
        from onexgen.bus.port import BusError

        while True:
            await asyncio.sleep(TOPIC_CHECK_SECONDS)
            try:
                created = await self._bus.ensure_topics(self._topics.all_topics())
            except (BusError, RuntimeError) as exc:
                _LOG.warning("cannot check the codegen topics: %s", exc)
                continue
            if created:
                _LOG.warning("re-created %d missing codegen topics", len(created))

    async def stop(self, grace_seconds: float = 30.0) -> None:
        """Finish work in flight (or hand it back after ``grace_seconds``), leave the group."""
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        await self._bus.drain(grace_seconds)
        if self._tail_task is not None:
            self._tail_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tail_task
        if self._tail is not None:
            with contextlib.suppress(Exception):
                await self._tail.close()
        await self._bus.close()
        close_history = getattr(self._service, "close_history", None)
        if close_history is not None:
            # Whatever the recorder could not write is a warning, never a failed shutdown.
            with contextlib.suppress(Exception):
                await close_history()
        if self._strategy_engine is not None:
            await self._strategy_engine.aclose()

    async def _follow_responses(self, tail: Tail) -> None:
        async for message in tail:
            operation = self._operation_of_response(message.topic)
            if operation is not None:
                self._answered.record(operation, message.headers.correlation_id)

    def _operation_of_response(self, topic: str) -> EnumCodegenOperation | None:
        for operation in EnumCodegenOperation:
            if topic == self._topics.response(operation):
                return operation
        return None

    # -- one request ----------------------------------------------------------------------

    async def _handle(self, message: ModelEventMessage) -> None:
        operation = self._topics.operation_of_request(message.topic)
        if operation is None:
            raise MessageDecodeError(f"{message.topic} is not a codegen request topic")
        envelope = decode(message.value)
        correlation_id = envelope.correlation_id
        assert correlation_id is not None  # decode() refuses envelopes without one
        if self._answered.answered(operation, correlation_id):
            self.skipped += 1
            _LOG.info("skipping %s %s: already answered", operation.value, correlation_id)
            return
        payload = envelope.payload
        cause = envelope.envelope_id
        response: BaseModel
        if operation is EnumCodegenOperation.ANALYZE:
            if not isinstance(payload, ModelAnalyzeRequest) or payload.source_count() != 1:
                raise MessageDecodeError(
                    "an analyze request needs exactly one of prompt, requirements or contract"
                )
            response = await self._analyze(payload, correlation_id, cause)
        elif operation is EnumCodegenOperation.VALIDATE:
            if not isinstance(payload, ModelValidateRequest):
                raise MessageDecodeError("a validate request must carry a node's files")
            response = await handlers.validate(payload, worker=self._name)
        else:
            if not isinstance(payload, ModelIntelligenceRequest):
                raise MessageDecodeError(f"a {operation.value} request must carry a prompt")
            answer = (
                handlers.patterns if operation is EnumCodegenOperation.PATTERN else handlers.mixins
            )
            response = answer(payload, worker=self._name)
        await self._publish(self._topics.response(operation), response, correlation_id, cause)
        self._answered.record(operation, correlation_id)
        self.handled += 1

    async def _analyze(
        self, request: ModelAnalyzeRequest, correlation_id: UUID, cause: UUID
    ) -> ModelAnalyzeResponse:
        self._status.begin(correlation_id, cause)
        try:
            response = await handlers.analyze(
                request, correlation_id, self._pipeline(), worker=self._name
            )
        except asyncio.CancelledError:  # shutdown: the request goes back to the group
            await self._status.abandon(correlation_id)
            raise
        except Exception:  # this attempt failed: let its events out, then retry or dead-letter
            with contextlib.suppress(Exception):
                await self._status.end(correlation_id)
            raise
        published = await self._status.end(correlation_id)  # every event before the response
        return response.model_copy(update={"status_events": published})

    async def _publish(
        self, topic: str, payload: BaseModel, correlation_id: UUID, cause: UUID
    ) -> None:
        await self._bus.publish(
            *outgoing(
                topic,
                payload,
                correlation_id=correlation_id,
                causation_id=cause,
                source=self._source,
            )
        )
