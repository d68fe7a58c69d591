"""The ``--kafka-servers`` branch of ``generate``, ``batch`` and ``validate``.

Kept out of the command modules so each of them changes by a few lines: here the Kafka bus is
opened and closed around one remote operation (:mod:`onexgen.remote.operations`), and the
command's own display and exit codes are reused unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from onexgen.batch.runner import ModelBatchOptions
    from onexgen.batch.spec import ModelBatchSpec
    from onexgen.bus.port import EventBusPort
    from onexgen.models.batch import EnumBatchNodeStatus, ModelBatchResult
    from onexgen.models.generation import ModelGenerationResult, ModelProgressEvent
    from onexgen.models.validation import ModelValidationResult


async def with_kafka_bus[T](
    servers: str, work: Callable[[EventBusPort], Awaitable[T]], *, client_id: str = "onexgen-cli"
) -> T:
    """Run ``work`` on a started Kafka bus and close it afterwards, whatever happens."""
    from onexgen.remote.operations import kafka_bus

    bus = kafka_bus(servers, client_id=client_id)
    await bus.start()
    try:
        return await work(bus)
    finally:
        await bus.close()


class RemoteGeneration:
    """``generate --kafka-servers``: the same ``subscribe`` + coroutine shape as a local run."""

    def __init__(
        self,
        servers: str,
        *,
        prompt: str | None,
        requirements: Path | None,
        contract: Path | None,
        output_dir: Path,
        node_type: str | None,
        force: bool,
        dry_run: bool,
        validation: str,
        run_tests: bool,
        strict: bool,
        timeout: float | None,
        strategy: str = "auto",
    ) -> None:
        from onexgen.bus.messages import ModelGenerationOptions

        self._servers = servers
        self._prompt = prompt
        self._requirements = requirements
        self._contract = contract
        self._output_dir = output_dir
        self._force = force
        self._options = ModelGenerationOptions(
            node_type=node_type,
            validation_level=validation,
            run_tests=run_tests,
            strict_mode=strict,
            dry_run=dry_run,
            timeout_seconds=timeout,
            strategy=strategy,
        )
        self._subscribers: list[Callable[[ModelProgressEvent], None]] = []

    def subscribe(self, subscriber: Callable[[ModelProgressEvent], None]) -> None:
        """Receive the session's stage events as the worker publishes them."""
        self._subscribers.append(subscriber)

    def _emit(self, event: ModelProgressEvent) -> None:
        for subscriber in self._subscribers:
            subscriber(event)

    async def run(self) -> ModelGenerationResult:
        """Publish, follow, write; the result as a local run would return it."""
        from onexgen.remote.operations import generate_remote

        async def work(bus: EventBusPort) -> ModelGenerationResult:
            return await generate_remote(
                bus,
                prompt=self._prompt,
                requirements=self._requirements,
                contract=self._contract,
                output_dir=self._output_dir,
                options=self._options,
                force=self._force,
                on_status=self._emit,
            )

        return await with_kafka_bus(self._servers, work)


async def batch_remote(
    servers: str,
    spec: ModelBatchSpec,
    options: ModelBatchOptions,
    *,
    spec_label: str,
    on_node_finished: Callable[[str, EnumBatchNodeStatus, str | None], None] | None = None,
    strategy: str = "auto",
) -> ModelBatchResult:
    """``batch --kafka-servers``."""
    from onexgen.remote import operations

    async def work(bus: EventBusPort) -> ModelBatchResult:
        return await operations.batch_remote(
            bus,
            spec,
            options,
            spec_label=spec_label,
            on_node_finished=on_node_finished,
            strategy=strategy,
        )

    return await with_kafka_bus(servers, work)


def validate_remote(
    servers: str, node_dir: Path, *, level: str, threshold: float
) -> ModelValidationResult:
    """``validate --kafka-servers`` (blocking)."""
    import asyncio

    from onexgen.remote import operations

    async def work(bus: EventBusPort) -> ModelValidationResult:
        return await operations.validate_remote(
            bus,
            node_dir,
            level=level,
            threshold=threshold,
        )

    return asyncio.run(with_kafka_bus(servers, work))
