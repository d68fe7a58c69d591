"""``BrokerDispatcher``: the service's generations run on ``onexgen worker`` processes via Kafka.

``onexgen serve --kafka-servers HOST:PORT`` swaps the local worker pool for this dispatcher.
Each accepted job is published to the analyze topic with the session id as correlation id (the
remote client of the CLI: one tail for every job in flight); the session's stage events come
back from the status topic into the service's subscribers (history, SSE hub, metrics) through
``CodeGenerationService.run_elsewhere``, and the returned files (SHA-256 checked) are written
below the data directory and recorded for archives and ``onexgen recover``.

A watcher checks the broker every second (a short connect timeout): ``/health`` reads its last
verdict and a POST while the broker is unreachable is refused at once (503), never left hanging.
After an outage it reconnects with a fresh producer and tail (topics ensured again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import TYPE_CHECKING

from onexgen.bus.port import BusError, BusUnavailableError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from onexgen.bus.kafka import KafkaEventBus
    from onexgen.bus.messages import ModelRemoteFile
    from onexgen.history.recording import RecordingGenerationService
    from onexgen.models.generation import ModelGenerationResult, ModelProgressEvent
    from onexgen.remote.client import RemoteClient
    from onexgen.service.pool import GenerationJob, ResultCallback

_LOG = logging.getLogger("onexgen.service")
CHECK_EVERY_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 2.0
BROKER_OK = "ok"


class BrokerDispatcher:
    """Runs accepted jobs on the workers of a Kafka cluster (see the module docstring)."""

    def __init__(
        self,
        service: RecordingGenerationService,
        on_result: ResultCallback,
        *,
        servers: str,
        queue_limit: int = 1000,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        self._service = service
        self._on_result = on_result
        self._servers = servers
        self._queue_limit = queue_limit
        self._connect_timeout = connect_timeout
        self._bus: KafkaEventBus | None = None
        self._client: RemoteClient | None = None
        self._broken = False
        self._jobs: set[asyncio.Task[None]] = set()
        self._watcher: asyncio.Task[None] | None = None
        self.status = f"not checked yet ({servers})"
        """``ok`` or why the broker cannot be used (what ``/health`` shows)."""

    async def start(self) -> None:
        """Check the broker once (the service starts even when it is down), then keep watching."""
        self.status = await self._check()
        self._watcher = asyncio.create_task(self._watch(), name="onexgen-broker-watch")

    async def stop(self) -> None:
        """Cancel the jobs in flight (recorded as cancelled) and disconnect."""
        tasks = [t for t in (self._watcher, *self._jobs) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._disconnect()

    def unavailable(self) -> str | None:
        """Why a job cannot be accepted now (None: it can)."""
        if self.status != BROKER_OK or self._client is None:
            return (
                f"no generation can be queued now: Kafka broker {self.status}; "
                "retry when GET /health reports broker ok"
            )
        return None

    def submit(self, job: GenerationJob) -> None:
        """Publish ``job`` in the background (``QueueFullError`` beyond the queue limit)."""
        from onexgen.service.pool import QueueFullError

        if len(self._jobs) >= self._queue_limit:
            raise QueueFullError(f"{self._queue_limit} sessions are already in flight; retry later")
        task = asyncio.create_task(self._run(job), name=f"onexgen-remote-{job.session_id}")
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    def depth(self) -> int:
        """Jobs published and not answered yet."""
        return len(self._jobs)

    # -- the broker ---------------------------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_EVERY_SECONDS)
            status = await self._check()
            if status != self.status:
                _LOG.warning("Kafka broker at %s: %s", self._servers, status)
            self.status = status

    async def _check(self) -> str:
        """Connect when not connected; otherwise ask the broker for its metadata."""
        if self._bus is not None and self._broken and not self._jobs:
            await self._disconnect()  # a lost connection: start afresh with a new tail
        if self._bus is None:
            return await self._connect()
        if await self._bus.health_check():
            return BROKER_OK
        # An outage: the broker may come back without its topics (the tail's partitions gone),
        # so reconnect afresh once the jobs in flight have ended.
        self._broken = True
        return (
            f"unreachable: no answer from the Kafka broker at {self._servers} within "
            f"{self._connect_timeout:g} s"
        )

    async def _connect(self) -> str:
        from onexgen.bus.topics import ModelCodegenTopics
        from onexgen.remote.client import RemoteClient
        from onexgen.remote.operations import kafka_bus

        topics = ModelCodegenTopics()
        bus = kafka_bus(
            self._servers, client_id="onexgen-serve", connect_timeout_seconds=self._connect_timeout
        )
        try:
            await bus.start()
            # The tail needs the codegen topics; workers create them too (idempotent).
            await bus.ensure_topics(topics.all_topics())
        except (BusError, RuntimeError, OSError) as exc:
            await bus.close()
            return f"unreachable: {' '.join(str(exc).split())}"
        self._bus, self._client, self._broken = (
            bus,
            RemoteClient(bus, topics, source="serve"),
            False,
        )
        return BROKER_OK

    async def _disconnect(self) -> None:
        client, bus = self._client, self._bus
        self._client = self._bus = None
        if client is not None:
            await client.close()
        if bus is not None:
            await bus.close()

    # -- one job ------------------------------------------------------------------------------

    async def _run(self, job: GenerationJob) -> None:
        from onexgen.pipeline.hooks import RunRequest
        from onexgen.pipeline.service import one_line

        # The session was recorded when it was accepted: its run only marks it running.
        request = RunRequest(
            correlation_id=job.session_id,
            prompt=job.prompt,
            requirements=job.requirements,
            contract=job.contract,
            options={},
        )

        async def execute(
            emit: Callable[[ModelProgressEvent], object],
        ) -> tuple[ModelGenerationResult, tuple[tuple[str, str], ...]]:
            return await self._remote(job, emit)

        try:
            result = await self._service.run_elsewhere(request, execute)
        except asyncio.CancelledError:
            self._on_result(job, None, "cancelled", "cancelled: the service stopped")
            raise
        except BusUnavailableError as exc:
            self._broken = True
            _LOG.warning("session %s: %s", job.session_id, exc)
            self._on_result(job, None, "failed", one_line(exc))
            return
        except (BusError, TimeoutError, TypeError, ValueError, OSError) as exc:
            _LOG.warning("session %s: %s", job.session_id, exc)
            self._on_result(job, None, "failed", one_line(exc))
            return
        self._on_result(job, result, "succeeded" if result.success else "failed", "")

    async def _remote(
        self, job: GenerationJob, emit: Callable[[ModelProgressEvent], object]
    ) -> tuple[ModelGenerationResult, tuple[tuple[str, str], ...]]:
        from onexgen.bus.messages import (
            ModelAnalyzeRequest,
            ModelAnalyzeResponse,
            ModelGenerationOptions,
        )
        from onexgen.bus.topics import EnumCodegenOperation
        from onexgen.remote.client import DEFAULT_CONTACT_TIMEOUT_SECONDS
        from onexgen.remote.operations import write_response
        from onexgen.worker.handlers import OUTPUT_PLACEHOLDER

        client = self._client
        if client is None:
            raise BusUnavailableError(self.unavailable() or f"not connected to {self._servers}")
        request = ModelAnalyzeRequest(
            prompt=job.prompt,
            requirements_file=_remote_file(job.requirements),
            contract_file=_remote_file(job.contract),
            options=ModelGenerationOptions(
                node_type=job.node_type,
                validation_level=job.validation,
                run_tests=job.run_tests,
                strict_mode=job.strict,
                timeout_seconds=job.timeout,
                strategy=job.strategy,
            ),
        )
        here = os.path.abspath(job.output_dir)

        def show(event: ModelProgressEvent) -> None:
            if event.event == "stage_completed" and OUTPUT_PLACEHOLDER in event.detail:
                event = event.model_copy(
                    update={"detail": event.detail.replace(OUTPUT_PLACEHOLDER, here)}
                )
            emit(event)

        response = await client.request(
            EnumCodegenOperation.ANALYZE,
            request,
            contact_timeout=job.timeout or DEFAULT_CONTACT_TIMEOUT_SECONDS,
            timeout=None if job.timeout is None else job.timeout + 30.0,
            on_status=show,
            correlation_id=job.session_id,
        )
        if not isinstance(response, ModelAnalyzeResponse):
            raise TypeError(f"the worker answered with {type(response).__name__}")
        try:  # what history keeps for archives and recover: only files whose digest matches
            files = tuple((item.path, item.content) for item in _verified(response.files))
        except ValueError:
            files = ()
        result = await asyncio.to_thread(write_response, response, job.output_dir, force=False)
        return result, files


def _verified(files: tuple[ModelRemoteFile, ...]) -> tuple[ModelRemoteFile, ...]:
    return tuple(item.verified() for item in files)


def _remote_file(path: Path | None) -> ModelRemoteFile | None:
    from onexgen.bus.messages import ModelRemoteFile

    if path is None:
        return None
    return ModelRemoteFile.of(path.name, path.read_text(encoding="utf-8"))
