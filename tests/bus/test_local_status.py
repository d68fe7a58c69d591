"""A local run's display is fed through the in-process bus (the status topic), not by the
pipeline directly: the same envelopes a worker publishes on Kafka."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from onexgen.bus.in_process_status import InProcessStatus
from onexgen.bus.inmemory import InMemoryEventBus
from onexgen.bus.messages import ModelSessionStatus, ModelTestGenerationEvent, decode
from onexgen.bus.topics import ModelCodegenTopics
from onexgen.models.generation import EnumPipelineStage
from onexgen.pipeline.service import CodeGenerationService

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path
    from uuid import UUID

    from onexgen.models.generation import ModelGenerationResult, ModelProgressEvent

PROMPT = "Create EFFECT node for PostgreSQL writes"
TOPICS = ModelCodegenTopics()


def generation(
    service: CodeGenerationService, output: Path
) -> Callable[[UUID], Awaitable[ModelGenerationResult]]:
    """One ``--validation none`` generation of PROMPT as session ``session``."""

    async def work(session: UUID) -> ModelGenerationResult:
        return await service.generate_node(
            output_directory=output, prompt=PROMPT, validation_level="none", correlation_id=session
        )

    return work


def test_display_receives_every_stage_event_from_the_status_topic(tmp_path: Path) -> None:
    async def main() -> None:
        bus = InMemoryEventBus()
        await bus.start()
        service = CodeGenerationService()
        direct: list[ModelProgressEvent] = []
        service.subscribe(direct.append)
        status = InProcessStatus(TOPICS, bus=bus)
        shown: list[ModelProgressEvent] = []
        status.subscribe(shown.append)
        try:
            result = await status.run(service.subscribe, generation(service, tmp_path))
            on_topic = await bus.read_all(TOPICS.status)
            tests_done = await bus.read_all(TOPICS.test_generation("completed"))
        finally:
            await bus.close()
        assert result.success
        # Everything the pipeline emitted reached the display, in order, through the topic.
        assert shown == direct
        assert all(a is not b for a, b in zip(shown, direct, strict=True))  # decoded copies
        assert {event.stage for event in shown} == set(EnumPipelineStage)
        envelopes = [decode(message.value) for message in on_topic]
        assert [e.payload for e in envelopes] == [
            ModelSessionStatus(event=event, worker="local") for event in shown
        ]
        assert {e.correlation_id for e in envelopes} == {result.correlation_id}
        assert {m.key for m in on_topic} == {str(result.correlation_id).encode("ascii")}
        (test_event,) = [decode(m.value).payload for m in tests_done]
        assert isinstance(test_event, ModelTestGenerationEvent)
        assert test_event.correlation_id == result.correlation_id

    asyncio.run(main())


def test_a_failing_display_is_a_warning_not_a_lost_node(tmp_path: Path) -> None:
    def broken(event: ModelProgressEvent) -> None:
        raise RuntimeError("terminal went away")

    async def main() -> ModelGenerationResult:
        service = CodeGenerationService()
        status = InProcessStatus(TOPICS)
        status.subscribe(broken)
        result = await status.run(service.subscribe, generation(service, tmp_path))
        assert status.warnings
        assert all("terminal went away" in w for w in status.warnings)
        return result

    result = asyncio.run(main())
    assert result.success
    assert result.node_path is not None
    assert (result.node_path / "node.py").is_file()


def test_cli_plain_display_shows_the_nine_stages_from_the_bus(tmp_path: Path) -> None:
    """End to end: the console script's plain display (a pipe) prints one line per stage."""
    onexgen = os.path.join(os.path.dirname(sys.executable), "onexgen")
    done = subprocess.run(
        [onexgen, "generate", PROMPT, "--validation", "none", "-o", str(tmp_path), "--no-history"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in lines] == [f"[{n}/9" for n in range(1, 10)]
    assert "skipped (validation level none)" in lines[5]
    assert done.stderr == ""
