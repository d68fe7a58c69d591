"""Worker and remote client on the in-process adapter (omnibase_core's EventBusInmemory):
the same request/response protocol as on Kafka, without a broker."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING
from uuid import uuid4

from onexgen.bus.delivery import ModelDeadLetter
from onexgen.bus.inmemory import InMemoryEventBus
from onexgen.bus.messages import (
    ModelAnalyzeRequest,
    ModelGenerationOptions,
    ModelIntelligenceRequest,
    ModelMixinResponse,
    ModelPatternResponse,
    ModelRemoteFile,
    ModelValidateResponse,
    encode,
)
from onexgen.bus.port import EventBusPort, ModelRetryPolicy
from onexgen.bus.topics import EnumCodegenOperation, ModelCodegenTopics
from onexgen.pipeline.service import CodeGenerationService
from onexgen.remote.client import RemoteClient
from onexgen.remote.operations import generate_remote, validate_remote
from onexgen.worker.service import CodegenWorker

if TYPE_CHECKING:
    from pathlib import Path

    from onexgen.models.generation import ModelProgressEvent

PROMPT = "Create EFFECT node for PostgreSQL writes"
TOPICS = ModelCodegenTopics()
FAST_RETRY = ModelRetryPolicy(max_attempts=2, initial_backoff_seconds=0.0)


def node_files(root: Path) -> dict[str, str]:
    """Every file of a node; the manifest without its per-run lines (time, correlation id)."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if path.name == "node.manifest.yaml":
            text = "\n".join(
                line
                for line in text.splitlines()
                if not line.startswith(("generated_at:", "correlation_id:"))
            )
        found[path.relative_to(root).as_posix()] = text
    return found


async def dead_letters(bus: EventBusPort, operation: EnumCodegenOperation) -> list[ModelDeadLetter]:
    return [
        ModelDeadLetter.model_validate_json(m.value)
        for m in await bus.read_all(TOPICS.dlq(operation))
    ]


def test_generation_through_the_bus_matches_a_local_run(tmp_path: Path) -> None:
    async def main() -> None:
        local = await CodeGenerationService().generate_node(
            None, tmp_path / "local", prompt=PROMPT, validation_level="none"
        )
        assert local.success, local.errors
        bus = InMemoryEventBus()
        await bus.start()
        worker = CodegenWorker(bus, group="test", concurrency=2, retry=FAST_RETRY)
        await worker.start()
        events: list[ModelProgressEvent] = []
        try:
            remote = await generate_remote(
                bus,
                prompt=PROMPT,
                requirements=None,
                contract=None,
                output_dir=tmp_path / "remote",
                options=ModelGenerationOptions(validation_level="none"),
                force=False,
                on_status=events.append,
            )
            test_events = {
                status: await bus.read_all(TOPICS.test_generation(status))
                for status in ("started", "completed", "failed")
            }
        finally:
            await worker.stop(1.0)
        assert remote.success, remote.errors
        assert [len(found) for found in test_events.values()] == [1, 1, 0]
        assert test_events["completed"][0].headers.correlation_id == remote.correlation_id
        assert local.package_name is not None
        assert remote.node_path == tmp_path / "remote" / local.package_name
        assert local.node_path is not None
        assert node_files(remote.node_path) == node_files(local.node_path)
        assert sorted({e.stage.value for e in events}) == list(range(1, 10))
        writing = [e for e in events if e.event == "stage_completed" and e.stage.value == 8]
        assert str(tmp_path / "remote") in writing[0].detail  # the client's path, not the worker's

    asyncio.run(main())


def test_duplicates_are_skipped_and_failures_dead_lettered(tmp_path: Path) -> None:
    async def main() -> None:
        bus = InMemoryEventBus()
        await bus.start()
        worker = CodegenWorker(bus, group="test", retry=FAST_RETRY)
        await worker.start()
        try:
            # The same request twice (a redelivery): answered once, skipped once.
            session = uuid4()
            value, headers, _ = encode(
                ModelAnalyzeRequest(
                    prompt=PROMPT, options=ModelGenerationOptions(validation_level="none")
                ),
                correlation_id=session,
                topic=TOPICS.request(EnumCodegenOperation.ANALYZE),
                source="test",
            )
            request_topic = TOPICS.request(EnumCodegenOperation.ANALYZE)
            for _ in range(2):
                await bus.publish(request_topic, str(session).encode(), value, headers)
            # Poison: not an envelope at all.
            await bus.publish(request_topic, b"poison", b"\xff\x00 not json")
            # Fails every time: a requirements file whose digest does not match.
            broken = ModelRemoteFile.of("r.yaml", "node_name: X\n").model_copy(
                update={"content": "changed"}
            )
            value, headers, _ = encode(
                ModelAnalyzeRequest(requirements_file=broken),
                correlation_id=uuid4(),
                topic=request_topic,
                source="test",
            )
            await bus.publish(request_topic, b"broken", value, headers)
            for _ in range(200):
                if len(await dead_letters(bus, EnumCodegenOperation.ANALYZE)) == 2:
                    break
                await asyncio.sleep(0.05)
            letters = await dead_letters(bus, EnumCodegenOperation.ANALYZE)
            responses = await bus.read_all(TOPICS.response(EnumCodegenOperation.ANALYZE))
        finally:
            await worker.stop(1.0)
        assert len(responses) == 1
        assert worker.handled == 1
        assert worker.skipped == 1
        poison, broken_letter = sorted(letters, key=lambda letter: letter.retry_count)
        assert poison.error_type == "MessageDecodeError"
        assert poison.retry_count == 1  # never retried
        assert poison.value_encoding == "base64"
        assert poison.value_bytes() == b"\xff\x00 not json"
        assert broken_letter.retry_count == FAST_RETRY.max_attempts
        assert "SHA-256" in broken_letter.error_message
        assert broken_letter.original_topic == request_topic
        assert json.loads(broken_letter.value_bytes())["payload"]["kind"] == "analyze_request"
        assert broken_letter.original_headers["source"] == "test"

    asyncio.run(main())


def test_pattern_mixin_and_validate_requests(tmp_path: Path) -> None:
    async def main() -> None:
        bus = InMemoryEventBus()
        await bus.start()
        worker = CodegenWorker(bus, group="test")
        await worker.start()
        client = RemoteClient(bus)
        try:
            ask = ModelIntelligenceRequest(prompt=PROMPT)
            patterns = await client.request(EnumCodegenOperation.PATTERN, ask, contact_timeout=30)
            mixins = await client.request(EnumCodegenOperation.MIXIN, ask, contact_timeout=30)
            local = await CodeGenerationService().generate_node(
                None, tmp_path, prompt=PROMPT, validation_level="none"
            )
            assert local.node_path is not None
            checked = await validate_remote(bus, local.node_path, level="basic", threshold=0.5)
            refused = await client.request(
                EnumCodegenOperation.PATTERN,
                ModelIntelligenceRequest(prompt="Create EFFECT node", node_type="sideways"),
                contact_timeout=30,
            )
        finally:
            await client.close()
            await worker.stop(1.0)
        assert isinstance(patterns, ModelPatternResponse)
        assert patterns.node_type == "effect"
        assert patterns.category == "database"
        assert patterns.patterns
        assert isinstance(mixins, ModelMixinResponse)
        names = [mixin.name for mixin in mixins.mixins]
        assert "ModelEffectSubcontract" in names  # the recommender's answer, as parse --json
        assert all(mixin.reason and mixin.import_path for mixin in mixins.mixins)
        assert checked.passed, checked.issues
        assert checked.node_dir == str(local.node_path)
        assert isinstance(refused, ModelPatternResponse)
        assert refused.error is not None
        assert "sideways" in refused.error

    asyncio.run(main())


def test_validate_answers_with_an_error_for_an_unsafe_package_name(tmp_path: Path) -> None:
    from onexgen.bus.messages import ModelValidateRequest

    async def main() -> ModelValidateResponse:
        bus = InMemoryEventBus()
        await bus.start()
        worker = CodegenWorker(bus, group="test")
        await worker.start()
        try:
            async with RemoteClient(bus) as client:
                answer = await client.request(
                    EnumCodegenOperation.VALIDATE,
                    ModelValidateRequest(
                        package_name="../escape", files=(ModelRemoteFile.of("a.py", ""),)
                    ),
                    contact_timeout=30,
                )
        finally:
            await worker.stop(1.0)
        assert isinstance(answer, ModelValidateResponse)
        return answer

    answer = asyncio.run(main())
    assert answer.result is None
    assert answer.error is not None
    assert "package name" in answer.error
