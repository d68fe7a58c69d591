"""Load and faults on a real broker: a worker SIGKILLed mid-run, poison messages, a broker
restart. Requests come from this process through the same client the CLI uses."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest

from onexgen.bus.local import run_onexgen as onexgen
from onexgen.bus.messages import ModelGenerationOptions
from onexgen.bus.topics import EnumCodegenOperation, ModelCodegenTopics
from onexgen.remote.operations import generate_remote, kafka_bus

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from onexgen.bus.local import Broker, Worker
    from onexgen.models.generation import ModelGenerationResult


PROMPT = "Create EFFECT node for PostgreSQL writes"
TOPICS = ModelCodegenTopics()
NONE = ModelGenerationOptions(validation_level="none")


def prompt(number: int) -> str:
    return f"Create EFFECT node named OrderWriter{number} that writes orders to PostgreSQL"


@pytest.mark.slow
def test_forty_requests_survive_a_worker_killed_mid_run(
    broker: Broker, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    workers = [start_worker(broker.servers), start_worker(broker.servers)]
    for worker in workers:
        worker.wait_ready()
    out = tmp_path / "out"

    async def main() -> list[ModelGenerationResult]:
        bus = kafka_bus(broker.servers)
        await bus.start()
        try:
            jobs = [
                asyncio.create_task(
                    generate_remote(
                        bus,
                        prompt=prompt(n),
                        requirements=None,
                        contract=None,
                        output_dir=out,
                        options=NONE,
                        force=False,
                    )
                )
                for n in range(40)
            ]
            while sum(job.done() for job in jobs) < 5:
                await asyncio.sleep(0.02)
            workers[0].sigkill()  # mid-run: it holds requests it has not answered yet
            return await asyncio.gather(*jobs)
        finally:
            await bus.close()

    results = asyncio.run(main())
    assert [r.errors for r in results if not r.success] == []
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"node_order_writer{n}_effect" for n in range(40))
    assert all((out / name / "node.manifest.yaml").is_file() for name in names)
    assert workers[1].terminate() == 0
    assert "stopped after" in workers[1].text()


def test_poison_goes_to_the_dead_letter_topic_and_workers_go_on(
    broker: Broker, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    worker = start_worker(broker.servers, "--max-attempts", "2")
    worker.wait_ready()

    async def main() -> ModelGenerationResult:
        bus = kafka_bus(broker.servers)
        await bus.start()
        try:
            await bus.publish(
                TOPICS.request(EnumCodegenOperation.ANALYZE), b"poison", b"{not an envelope"
            )
            return await generate_remote(
                bus,
                prompt=PROMPT,
                requirements=None,
                contract=None,
                output_dir=tmp_path,
                options=NONE,
                force=False,
            )
        finally:
            await bus.close()

    assert asyncio.run(main()).success
    listed = onexgen("dlq", "list", "analyze", "--kafka-servers", broker.servers)
    assert listed.returncode == 0, listed.stderr
    assert "omninode_codegen_request_analyze_v1_dlq: 1 dead letter(s)" in listed.stdout
    assert "MessageDecodeError" in listed.stdout
    replayed = onexgen(
        "dlq", "replay", "omninode_codegen_request_analyze_v1_dlq",
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed 1 of 1" in replayed.stdout
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the replayed poison is dead-lettered again
        listed = onexgen("dlq", "list", "analyze", "--kafka-servers", broker.servers)
        if ": 2 dead letter(s)" in listed.stdout:
            break
    assert ": 2 dead letter(s)" in listed.stdout
    unknown = onexgen("dlq", "list", "nonsense", "--kafka-servers", broker.servers)
    assert unknown.returncode == 1
    assert "not a codegen request or dead-letter topic" in unknown.stderr


def test_broker_restart_cli_fails_clearly_and_workers_reconnect(
    broker: Broker, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    worker = start_worker(broker.servers)
    worker.wait_ready()
    broker.kill()
    down = onexgen("generate", PROMPT, "-o", str(tmp_path / "a"), "--kafka-servers", broker.servers)
    assert down.returncode == 1
    assert "cannot reach the Kafka broker" in down.stderr
    broker.start()  # same port, empty storage: topics and groups are gone
    deadline = time.monotonic() + 60
    while True:
        up = onexgen(
            "generate", PROMPT, "-o", str(tmp_path / "b"), "--validation", "none",
            "--timeout", "20", "--kafka-servers", broker.servers,
        )  # fmt: skip
        if up.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert up.returncode == 0, up.stderr + worker.text()
    assert worker.process.poll() is None


def test_client_waiting_for_an_answer_notices_the_broker_going_away(broker: Broker) -> None:
    from onexgen.bus.messages import ModelIntelligenceRequest
    from onexgen.bus.port import BusUnavailableError
    from onexgen.remote.client import RemoteClient

    async def main() -> str:
        bus = kafka_bus(broker.servers)
        await bus.start()
        await bus.ensure_topics(TOPICS.all_topics())
        try:
            async with RemoteClient(bus) as client:
                waiting = asyncio.create_task(
                    client.request(
                        EnumCodegenOperation.PATTERN,
                        ModelIntelligenceRequest(prompt=PROMPT),
                        contact_timeout=60,
                    )
                )
                await asyncio.sleep(0.5)
                broker.kill()
                began = time.monotonic()
                with pytest.raises(BusUnavailableError) as caught:
                    await waiting
                assert time.monotonic() - began < 15
                return str(caught.value)
        finally:
            await bus.close()

    message = asyncio.run(main())
    assert message.startswith(f"lost the connection to the Kafka broker at {broker.servers}")


def test_shutdown_hands_unfinished_work_back_to_the_group(broker: Broker, tmp_path: Path) -> None:
    from onexgen.pipeline.service import CodeGenerationService
    from onexgen.worker.service import CodegenWorker

    async def main() -> tuple[ModelGenerationResult, int, int]:
        started = asyncio.Event()

        async def hold_forever(_staging: Path) -> None:  # stage 8 never finishes
            started.set()
            await asyncio.Event().wait()

        buses = [kafka_bus(broker.servers, session_timeout_ms=2000, heartbeat_interval_ms=500)]
        buses.append(kafka_bus(broker.servers, session_timeout_ms=2000, heartbeat_interval_ms=500))
        client_bus = kafka_bus(broker.servers)
        for bus in (*buses, client_bus):
            await bus.start()
        stuck = CodegenWorker(
            buses[0], group="handback", service=CodeGenerationService(before_commit=hold_forever)
        )
        await stuck.start()
        request = asyncio.create_task(
            generate_remote(
                client_bus,
                prompt=PROMPT,
                requirements=None,
                contract=None,
                output_dir=tmp_path,
                options=NONE,
                force=False,
            )
        )
        await asyncio.wait_for(started.wait(), 60)
        await stuck.stop(grace_seconds=0.2)  # cannot finish: hands the request back
        healthy = CodegenWorker(buses[1], group="handback")
        await healthy.start()
        try:
            result = await asyncio.wait_for(request, 120)
        finally:
            await healthy.stop(1.0)
            await client_bus.close()
        return result, stuck.handled, healthy.handled

    result, stuck_handled, healthy_handled = asyncio.run(main())
    assert result.success, result.errors
    assert (stuck_handled, healthy_handled) == (0, 1)
    assert result.node_path is not None
    assert (result.node_path / "node.manifest.yaml").is_file()
