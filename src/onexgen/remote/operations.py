"""Remote forms of ``generate``, ``validate`` and ``batch``: build the request, await the answer,
write the returned files locally with the same atomic writer a local run uses.

Exit-code parity with local runs rests on returning the same result models
(``ModelGenerationResult``, ``ModelValidationResult``, ``ModelBatchResult``); the commands
print and score them with their existing code.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from onexgen.bus.messages import (
    ModelAnalyzeRequest,
    ModelAnalyzeResponse,
    ModelGenerationOptions,
    ModelRemoteFile,
    ModelRuffConfig,
    ModelValidateRequest,
    ModelValidateResponse,
)
from onexgen.bus.port import BusUnavailableError
from onexgen.bus.topics import EnumCodegenOperation, ModelCodegenTopics
from onexgen.remote.client import DEFAULT_CONTACT_TIMEOUT_SECONDS, RemoteClient
from onexgen.worker.handlers import OUTPUT_PLACEHOLDER

if TYPE_CHECKING:
    from collections.abc import Callable

    from onexgen.batch.runner import ModelBatchOptions
    from onexgen.batch.spec import ModelBatchSpec
    from onexgen.bus.kafka import KafkaEventBus
    from onexgen.bus.port import EventBusPort
    from onexgen.models.batch import EnumBatchNodeStatus, ModelBatchResult
    from onexgen.models.generation import ModelGenerationResult, ModelProgressEvent
    from onexgen.models.validation import ModelValidationResult

SKIPPED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".git"})
"""Never sent for validation: tool caches are build products, not part of the node."""
MAX_VALIDATE_BYTES = 8 * 1024 * 1024


def kafka_bus(servers: str, **settings: object) -> KafkaEventBus:
    """A Kafka bus for ``HOST:PORT[,HOST:PORT...]`` (started by the caller)."""
    from onexgen.bus.kafka import KafkaEventBus, ModelKafkaSettings

    return KafkaEventBus(
        ModelKafkaSettings.model_validate({"bootstrap_servers": servers, **settings})
    )


class ModelRemoteNode(BaseModel):
    """The returned node in the shape :func:`write_node_atomically` takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    package_name: str
    files: tuple[ModelRemoteFile, ...]


def ruff_config_for(output_dir: Path) -> ModelRuffConfig | None:
    """The destination's ruff settings (what a local run would format with), to send along."""
    from onexgen.rendering.formatting import find_ruff_config

    found = find_ruff_config(output_dir)
    if found is None or found.name not in {"ruff.toml", ".ruff.toml", "pyproject.toml"}:
        return None
    return ModelRuffConfig.model_validate(
        {"file_name": found.name, "content": found.read_text(encoding="utf-8")}
    )


def _file(path: Path | None) -> ModelRemoteFile | None:
    if path is None:
        return None
    return ModelRemoteFile.of(path.name, path.read_text(encoding="utf-8"))


async def generate_remote(
    bus: EventBusPort,
    *,
    prompt: str | None,
    requirements: Path | None,
    contract: Path | None,
    output_dir: Path,
    options: ModelGenerationOptions,
    force: bool,
    on_status: Callable[[ModelProgressEvent], None] | None = None,
    topics: ModelCodegenTopics | None = None,
    client: RemoteClient | None = None,
) -> ModelGenerationResult:
    """Generate one node on a worker and write it into ``output_dir`` (atomically).

    Pass ``client`` to share one client (one tail) between many requests in flight.
    """
    request = ModelAnalyzeRequest(
        prompt=prompt,
        requirements_file=_file(requirements),
        contract_file=_file(contract),
        options=options,
        ruff_config=ruff_config_for(output_dir),
    )
    here = os.path.abspath(output_dir)

    def show(event: ModelProgressEvent) -> None:
        if on_status is not None:
            if event.event == "stage_completed" and OUTPUT_PLACEHOLDER in event.detail:
                event = event.model_copy(
                    update={"detail": event.detail.replace(OUTPUT_PLACEHOLDER, here)}
                )
            on_status(event)

    own = client is None
    sender = RemoteClient(bus, topics) if client is None else client
    try:
        response = await sender.request(
            EnumCodegenOperation.ANALYZE,
            request,
            contact_timeout=options.timeout_seconds or DEFAULT_CONTACT_TIMEOUT_SECONDS,
            timeout=None if options.timeout_seconds is None else options.timeout_seconds + 30.0,
            on_status=show,
        )
    finally:
        if own:
            await sender.close()
    if not isinstance(response, ModelAnalyzeResponse):
        raise TypeError(f"the worker answered with {type(response).__name__}")
    return write_response(response, output_dir, force=force)


def write_response(
    response: ModelAnalyzeResponse, output_dir: Path, *, force: bool
) -> ModelGenerationResult:
    """Put the returned node in place; a refused write becomes a failed stage 8, as locally."""
    from onexgen.models.generation import EnumPipelineStage
    from onexgen.pipeline.service import one_line
    from onexgen.writing.atomic_writer import NodeWriteError, write_node_atomically

    here = os.path.abspath(output_dir)
    result = response.result
    result = result.model_copy(
        update={
            "stage_timings": tuple(
                t.model_copy(update={"detail": t.detail.replace(OUTPUT_PLACEHOLDER, here)})
                for t in result.stage_timings
            )
        }
    )
    package = result.package_name
    target = None if package is None else Path(os.path.abspath(output_dir)) / package
    if not result.success or package is None:
        return result.model_copy(update={"node_path": None})
    if result.dry_run:
        return result.model_copy(update={"node_path": target})
    stage = EnumPipelineStage.FILE_WRITING
    try:
        files = tuple(item.verified() for item in response.files)
        written = write_node_atomically(
            ModelRemoteNode(package_name=package, files=files), output_dir, force=force
        )
    except (NodeWriteError, ValueError, OSError) as exc:
        return result.model_copy(
            update={
                "success": False,
                "node_path": None,
                "files": (),
                "errors": (*result.errors, f"stage {stage.value} ({stage.title}): {one_line(exc)}"),
            }
        )
    return result.model_copy(update={"node_path": written})


def node_files(node_dir: Path) -> tuple[ModelRemoteFile, ...]:
    """Every text file of a node folder, tool caches left out, sorted by path."""
    found: list[ModelRemoteFile] = []
    total = 0
    for current, dirs, names in os.walk(node_dir):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(names):
            path = Path(current, name)
            if path.is_symlink() or not path.is_file() or name.endswith((".pyc", ".coverage")):
                continue
            data = path.read_bytes()
            total += len(data)
            if total > MAX_VALIDATE_BYTES:
                raise ValueError(
                    f"{node_dir} holds more than {MAX_VALIDATE_BYTES // 1024 // 1024} MB of files; "
                    "validate it locally"
                )
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue  # binary files are not checked by any validator
            found.append(ModelRemoteFile.of(path.relative_to(node_dir).as_posix(), text))
    return tuple(found)


async def validate_remote(
    bus: EventBusPort,
    node_dir: Path,
    *,
    level: str,
    threshold: float,
    timeout: float | None = None,
    topics: ModelCodegenTopics | None = None,
) -> ModelValidationResult:
    """Validate a node folder on a worker; raise with the worker's one line when it could not."""
    request = ModelValidateRequest(
        package_name=Path(os.path.abspath(node_dir)).name,
        files=node_files(node_dir),
        level=level,
        threshold=threshold,
        ruff_config=ruff_config_for(node_dir.parent),
    )
    async with RemoteClient(bus, topics) as client:
        response = await client.request(
            EnumCodegenOperation.VALIDATE,
            request,
            contact_timeout=timeout or DEFAULT_CONTACT_TIMEOUT_SECONDS,
            timeout=None if timeout is None else timeout + 300.0,
        )
    if not isinstance(response, ModelValidateResponse):
        raise TypeError(f"the worker answered with {type(response).__name__}")
    if response.result is None:
        raise RuntimeError(response.error or "the worker could not validate the node")
    return response.result.model_copy(update={"node_dir": str(node_dir)})


async def batch_remote(
    bus: EventBusPort,
    spec: ModelBatchSpec,
    options: ModelBatchOptions,
    *,
    spec_label: str,
    on_node_finished: Callable[[str, EnumBatchNodeStatus, str | None], None] | None = None,
    topics: ModelCodegenTopics | None = None,
    strategy: str = "auto",
) -> ModelBatchResult:
    """Every node of ``spec`` generated by the workers (all in flight at once), written here.

    Stage 1 runs locally first, as in a local batch, so refusals and duplicate packages are
    reported before anything is sent; each node then travels as a requirements file.
    """
    from onexgen.batch.runner import prepare_requirements
    from onexgen.models.batch import EnumBatchNodeStatus, ModelBatchNodeResult, ModelBatchResult

    began = time.perf_counter()
    prepared = prepare_requirements(spec)
    generation = ModelGenerationOptions(
        validation_level=options.validation.value,
        timeout_seconds=options.timeout_seconds,
        strategy=strategy,
    )
    ruff = ruff_config_for(options.output_dir)
    client = RemoteClient(bus, topics)
    rows: dict[str, ModelBatchNodeResult] = {}

    async def one(name: str) -> None:
        ready = prepared[name]
        entry = next(e for e in spec.nodes if e.name == name)
        if ready.requirements is None:
            status = EnumBatchNodeStatus.REFUSED if ready.refused else EnumBatchNodeStatus.FAILED
            rows[name] = ModelBatchNodeResult(
                name=name, status=status, errors=(f"{name}: {ready.error}",)
            )
        else:
            started = time.perf_counter()
            request = ModelAnalyzeRequest(
                requirements_file=ModelRemoteFile.of(
                    "requirements.json", ready.requirements.model_dump_json()
                ),
                options=generation,
                ruff_config=ruff,
            )
            try:
                response = await client.request(
                    EnumCodegenOperation.ANALYZE,
                    request,
                    contact_timeout=options.timeout_seconds or DEFAULT_CONTACT_TIMEOUT_SECONDS,
                    timeout=None
                    if options.timeout_seconds is None
                    else options.timeout_seconds + 30.0,
                )
                if not isinstance(response, ModelAnalyzeResponse):
                    raise TypeError(f"the worker answered with {type(response).__name__}")
                result = write_response(response, options.output_dir, force=options.force)
                rows[name] = ModelBatchNodeResult(
                    name=name,
                    kind=result.node_type,
                    status=EnumBatchNodeStatus.OK if result.success else EnumBatchNodeStatus.FAILED,
                    depends_on=entry.depends_on,
                    package_name=result.package_name,
                    node_path=result.node_path,
                    duration_seconds=round(time.perf_counter() - started, 3),
                    score=result.quality_score,
                    validation=result.validation,
                    errors=tuple(f"{name}: {error}" for error in result.errors),
                    warnings=result.warnings,
                )
            except TimeoutError as exc:
                rows[name] = ModelBatchNodeResult(
                    name=name, status=EnumBatchNodeStatus.TIMED_OUT, errors=(f"{name}: {exc}",)
                )
        if on_node_finished is not None:
            row = rows[name]
            on_node_finished(name, row.status, row.errors[0] if row.errors else None)

    try:
        async with client, asyncio.TaskGroup() as group:
            for entry in spec.nodes:
                group.create_task(one(entry.name))
    except ExceptionGroup as failures:
        lost = [e for e in failures.exceptions if isinstance(e, BusUnavailableError)]
        if lost:
            raise lost[0] from None
        raise
    nodes = tuple(rows[entry.name] for entry in spec.nodes)
    total = round(time.perf_counter() - began, 3)
    return ModelBatchResult(
        spec=spec_label,
        output_dir=options.output_dir,
        validation_level=options.validation,
        jobs=options.jobs,
        fail_fast=options.fail_fast,
        nodes=nodes,
        total_duration_seconds=total,
        generation_duration_seconds=total,
        errors=tuple(error for row in nodes for error in row.errors),
    )
