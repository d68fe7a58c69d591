"""The CLI against a real broker process and real ``onexgen worker`` processes."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING

from onexgen.bus.local import free_port
from onexgen.bus.local import run_onexgen as onexgen
from onexgen.bus.topics import ModelCodegenTopics
from onexgen.remote.operations import kafka_bus

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from onexgen.bus.local import Broker, Worker

PROMPT = "Create EFFECT node for PostgreSQL writes"


def node_files(root: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.name == "node.manifest.yaml":
            data = b"\n".join(
                line
                for line in data.splitlines()
                if not line.startswith((b"generated_at:", b"correlation_id:"))
            )
        found[path.relative_to(root).as_posix()] = data
    return found


def test_remote_generate_on_two_workers_matches_a_local_run(
    broker: Broker, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    workers = [start_worker(broker.servers), start_worker(broker.servers)]
    for worker in workers:
        worker.wait_ready()
    remote = onexgen(
        "generate", PROMPT, "-o", str(tmp_path / "remote"), "--validation", "none",
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    local = onexgen("generate", PROMPT, "-o", str(tmp_path / "local"), "--validation", "none")
    assert remote.returncode == 0, remote.stderr + remote.stdout
    assert local.returncode == 0, local.stderr
    assert node_files(tmp_path / "remote") == node_files(tmp_path / "local")
    for stage in range(1, 10):
        assert f"[{stage}/9] " in remote.stdout, remote.stdout
    assert str(tmp_path / "remote") in remote.stdout
    assert "onexgen-worker-" not in remote.stdout
    # The same exit code as a local run when the node exists already.
    again = onexgen(
        "generate", PROMPT, "-o", str(tmp_path / "remote"), "--validation", "none",
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    assert again.returncode == 1
    assert "already exists; pass --force" in again.stderr
    # Remote validation of the node, with the same exit code and report as a local one.
    node = next((tmp_path / "remote").iterdir())
    checked = onexgen(
        "validate", str(node), "--level", "basic", "--threshold", "0.5",
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "PASSED" in checked.stdout
    # Remote batch: stage 1 here, generation on the workers, the nodes written here.
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "nodes:\n"
        "  - name: orders_store\n"
        "    prompt: Create EFFECT node called OrdersStore that writes orders to PostgreSQL\n"
        "  - name: order_totals\n"
        "    prompt: Calculate order totals with tax and discounts\n"
        "    depends_on: [orders_store]\n",
        encoding="utf-8",
    )
    batch = onexgen(
        "batch", str(spec), "-o", str(tmp_path / "batch"), "--validation", "none",
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    assert batch.returncode == 0, batch.stdout + batch.stderr
    written = sorted((tmp_path / "batch").iterdir())
    assert [p.name.rsplit("_", 1)[1] for p in written] == ["compute", "effect"]
    assert all((p / "node.manifest.yaml").is_file() for p in written)
    # Clean shutdown on SIGTERM: the worker leaves the group and reports what it did.
    assert workers[0].terminate() == 0
    assert "stopped after" in workers[0].text()


def test_no_worker_gives_one_clear_line(broker: Broker, tmp_path: Path) -> None:
    result = onexgen("generate", PROMPT, "-o", str(tmp_path), "--kafka-servers", broker.servers)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"onexgen: error: topic omninode_codegen_status_session_v1 does not exist on "
        f"{broker.servers}; start `onexgen worker` there (it creates the codegen topics)"
    ]

    async def create_topics() -> None:
        bus = kafka_bus(broker.servers)
        await bus.start()
        try:
            await bus.ensure_topics(ModelCodegenTopics().all_topics())
        finally:
            await bus.close()

    asyncio.run(create_topics())  # as a worker that ran once and stopped leaves them
    began = time.monotonic()
    result = onexgen(
        "generate", PROMPT, "-o", str(tmp_path), "--timeout", "2",
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"onexgen: error: no worker answered within 2 s on {broker.servers}; "
        "is `onexgen worker` running?"
    ]
    assert time.monotonic() - began < 30
    assert not any(tmp_path.glob("node_*"))


def test_unreachable_broker_fails_within_five_seconds(tmp_path: Path) -> None:
    servers = f"127.0.0.1:{free_port()}"
    began = time.monotonic()
    result = onexgen("generate", PROMPT, "-o", str(tmp_path), "--kafka-servers", servers)
    elapsed = time.monotonic() - began
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"onexgen: error: cannot reach the Kafka broker at {servers}")
    assert "Traceback" not in result.stderr
    assert elapsed < 5 + 5  # the 5 s connect budget plus the CLI start-up on a busy machine
    worker = onexgen("worker", "--kafka-servers", servers)
    assert worker.returncode == 1
    assert "cannot reach the Kafka broker" in worker.stderr


def test_a_worker_records_each_generation_it_answers_in_the_history(
    broker: Broker, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'worker-history.sqlite3'}"
    worker = start_worker(broker.servers, "--database-url", database_url)
    worker.wait_ready()
    remote = onexgen(
        "generate", PROMPT, "-o", str(tmp_path / "remote"), "--validation", "none",
        "--kafka-servers", broker.servers, "--no-history",
    )  # fmt: skip
    assert remote.returncode == 0, remote.stderr + remote.stdout
    # SIGTERM: the worker writes what its recorder still holds before it exits.
    assert worker.terminate() == 0, worker.text()
    assert "warning" not in worker.text().lower(), worker.text()
    listed = onexgen("history", "--json", "--database-url", database_url)
    assert listed.returncode == 0, listed.stderr
    sessions = json.loads(listed.stdout)["sessions"]
    assert [(s["source"], s["status"]) for s in sessions] == [("worker", "succeeded")]
