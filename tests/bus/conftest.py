"""Fixtures of the event-bus tests: a tansu broker per test, ``onexgen worker`` processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from onexgen.bus.local import Broker, Worker

if TYPE_CHECKING:
    from pathlib import Path

type StartWorker = Callable[..., Worker]


@pytest.fixture
def broker() -> Iterator[Broker]:
    server = Broker()
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[StartWorker]:
    started: list[Worker] = []

    def start(servers: str, *extra: str) -> Worker:
        worker = Worker(servers, tmp_path / f"worker-{len(started)}.log", *extra)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
