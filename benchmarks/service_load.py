"""How much does ``onexgen serve`` take? ``/health`` requests/s and generations/s.

Usage (from the repo root)::

    .venv/bin/python benchmarks/service_load.py [--health-requests 5000] [--generations 100]
    .venv/bin/python benchmarks/service_load.py --broker-workers 2   # serve --kafka-servers

Targets (issue 12): ``/health`` >= 1,000 requests/s; >= 20 generations/s at ``--validation
none``. Method: a real ``onexgen serve`` process (SQLite history in a temp data dir, default
two workers) and a bounded asyncio client in this process: ``/health`` over ``--connections``
keep-alive HTTP/1.1 connections (raw streams, so the client's own cost stays small), then
``--generations`` ``POST /v1/generate`` with at most ``--in-flight`` requests open, timed from
the first request until every session is final in ``GET /v1/sessions``. Each figure is the
median of ``--rounds`` rounds. Client and server share the machine's cores. With
``--broker-workers N`` the service runs in broker mode: a local tansu broker and N ``onexgen
worker`` processes on the same machine do the generations (``serve --kafka-servers``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

from onexgen.machine import machine_facts

PROMPT = "Create EFFECT node for PostgreSQL writes"
TARGET_HEALTH_RPS = 1000.0
TARGET_GENERATIONS_PS = 20.0
_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    data_dir: Path, token: str, workers: int, *extra: str
) -> tuple[subprocess.Popen[bytes], int]:
    """A served instance and its port, once ``/health`` answers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "onexgen", "serve", "--port", str(port), "--data-dir",
         str(data_dir), "--workers", str(workers), *extra],
        env={**os.environ, "ONEXGEN_API_TOKEN": token},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process, port
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("onexgen serve did not come up")


async def health_round(port: int, requests: int, connections: int) -> float:
    """Requests per second of ``GET /health``."""
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    async def client(count: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(count):
                writer.write(request)
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                found = _LENGTH.search(head)
                assert head.startswith(b"HTTP/1.1 200"), head
                assert found is not None, head
                await reader.readexactly(int(found.group(1)))
        finally:
            writer.close()

    share = requests // connections
    began = time.perf_counter()
    await asyncio.gather(*(client(share) for _ in range(connections)))
    return share * connections / (time.perf_counter() - began)


async def generation_round(port: int, token: str, count: int, in_flight: int) -> float:
    """Generations per second, from the first POST until all are final."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = asyncio.Semaphore(in_flight)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120
    ) as client:

        async def post() -> str:
            async with limits:
                answer = await client.post(
                    "/v1/generate", json={"prompt": PROMPT, "validation": "none"}
                )
                assert answer.status_code == 202, answer.text
                return str(answer.json()["session_id"])

        began = datetime.now(UTC)
        ids = set(await asyncio.gather(*(post() for _ in range(count))))
        pending = set(ids)
        finished: list[datetime] = []
        while pending:
            # Polled slowly so the client does not compete with the workers; the end is the
            # last session's own finished_at, not the moment the poll saw it.
            await asyncio.sleep(0.25)
            listed = (await client.get("/v1/sessions", params={"limit": count})).json()
            for row in listed["sessions"]:
                if row["id"] in pending and row["status"] not in {"queued", "running"}:
                    assert row["status"] == "succeeded", row
                    pending.discard(row["id"])
                    finished.append(datetime.fromisoformat(row["finished_at"]))
        return count / (max(finished) - began).total_seconds()


def _broker_and_workers(stack: ExitStack, tmp: Path, count: int) -> str:
    """A local broker and ``count`` ready workers, stopped when ``stack`` closes."""
    from onexgen.bus.local import Broker, Worker

    broker = Broker()
    broker.start()
    stack.callback(broker.kill)
    for n in range(count):
        worker = Worker(broker.servers, tmp / f"worker-{n}.log", "--no-history")
        stack.callback(worker.stop)
        worker.wait_ready()
    return broker.servers


def main() -> None:
    """Run the rounds and print the medians (and whether the targets are met)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--health-requests", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--generations", type=int, default=100)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--broker-workers",
        type=int,
        default=0,
        help="run on this many `onexgen worker` processes via a local broker (0: local pool)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    token = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="onexgen-serve-bench-") as tmp, ExitStack() as stack:
        extra: tuple[str, ...] = ()
        if args.broker_workers:
            extra = ("--kafka-servers", _broker_and_workers(stack, Path(tmp), args.broker_workers))
        process, port = start(Path(tmp) / "data", token, args.workers, *extra)
        try:
            asyncio.run(health_round(port, 500, 4))  # warm-up
            health = [
                asyncio.run(health_round(port, args.health_requests, args.connections))
                for _ in range(args.rounds)
            ]
            asyncio.run(generation_round(port, token, 10, args.in_flight))  # warm-up
            generations = [
                asyncio.run(generation_round(port, token, args.generations, args.in_flight))
                for _ in range(args.rounds)
            ]
        finally:
            process.terminate()
            process.wait(timeout=60)
    figures: dict[str, object] = {
        "health_rps_median": round(statistics.median(health), 1),
        "health_rps_rounds": [round(x, 1) for x in health],
        "generations_per_s_median": round(statistics.median(generations), 2),
        "generations_per_s_rounds": [round(x, 2) for x in generations],
        "health_met": statistics.median(health) >= TARGET_HEALTH_RPS,
        "generations_met": statistics.median(generations) >= TARGET_GENERATIONS_PS,
        "settings": vars(args),
        "machine": machine_facts("fastapi", "uvicorn", "sqlalchemy"),
    }
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    for key, value in figures.items():
        sys.stdout.write(f"{key}: {value}\n")


if __name__ == "__main__":
    main()
