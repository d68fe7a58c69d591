"""Where the service's generations run: a bounded queue and a pool of worker tasks.

``GenerationDispatcher`` is the seam for other executors: ``service/broker.py`` implements it on
the event-driven issue's Kafka workers (``serve --kafka-servers``) and ``create_app`` takes any
dispatcher; the local pool is the default and needs no broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from onexgen.pipeline.service import one_line

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from uuid import UUID

    from onexgen.history.recording import RecordingGenerationService
    from onexgen.models.generation import ModelGenerationResult

_LOG = logging.getLogger("onexgen.service")


class QueueFullError(Exception):
    """The service has as many waiting sessions as it accepts; retry later."""


@dataclass(frozen=True)
class GenerationJob:
    """One accepted ``POST /v1/generate``: everything a worker needs to run it."""

    session_id: UUID
    output_dir: Path
    prompt: str | None = None
    requirements: Path | None = None
    contract: Path | None = None
    node_type: str | None = None
    validation: str = "basic"
    run_tests: bool = False
    strict: bool = False
    timeout: float | None = None
    strategy: str = "auto"


type ResultCallback = Callable[[GenerationJob, "ModelGenerationResult | None", str, str], None]
"""Called once per job with its result (None when it raised), its final status and, without a
result, the one line that says why (shown to SSE clients)."""


class GenerationDispatcher(Protocol):
    """Runs accepted jobs somewhere and reports each outcome through the result callback."""

    async def start(self) -> None:
        """Begin taking jobs."""

    async def stop(self) -> None:
        """Stop; running jobs are cancelled (recorded as cancelled)."""

    def submit(self, job: GenerationJob) -> None:
        """Accept ``job`` or raise ``QueueFullError``."""

    def depth(self) -> int:
        """Jobs accepted and not started yet."""

    def unavailable(self) -> str | None:
        """Why no job can be accepted now (e.g. the broker is down); None when one can."""


class LocalWorkerPool:
    """``workers`` asyncio tasks that run jobs through one ``RecordingGenerationService``."""

    def __init__(
        self,
        service: RecordingGenerationService,
        on_result: ResultCallback,
        *,
        workers: int = 2,
        queue_limit: int = 1000,
    ) -> None:
        self._service = service
        self._on_result = on_result
        self._workers = workers
        self._queue: asyncio.Queue[GenerationJob] = asyncio.Queue(maxsize=queue_limit)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start the worker tasks."""
        self._tasks = [
            asyncio.create_task(self._work(), name=f"onexgen-worker-{n}")
            for n in range(self._workers)
        ]

    async def stop(self) -> None:
        """Cancel the workers and wait for them."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def submit(self, job: GenerationJob) -> None:
        """Queue ``job`` (raises ``QueueFullError`` when the queue is full)."""
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            raise QueueFullError(
                f"{self._queue.maxsize} sessions are already waiting; retry later"
            ) from None

    def depth(self) -> int:
        """Jobs waiting for a worker."""
        return self._queue.qsize()

    def unavailable(self) -> str | None:
        """Never: the pool runs in this process (a full queue is ``submit``'s refusal)."""
        return None

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._run(job)
            finally:
                self._queue.task_done()

    async def _run(self, job: GenerationJob) -> None:
        options: dict[str, Any] = {
            "prompt": job.prompt,
            "contract": job.contract,
            "node_type": job.node_type,
            "validation_level": job.validation,
            "run_tests": job.run_tests,
            "strict_mode": job.strict,
            "timeout": job.timeout,
            "strategy": job.strategy,
            "correlation_id": job.session_id,
        }
        try:
            result = await self._service.generate_node(job.requirements, job.output_dir, **options)
        except asyncio.CancelledError:
            self._on_result(job, None, "cancelled", "cancelled: the service stopped")
            raise
        except Exception as exc:
            _LOG.exception("generation %s raised", job.session_id)
            self._on_result(job, None, "failed", one_line(exc))
            return
        self._on_result(job, result, "succeeded" if result.success else "failed", "")
