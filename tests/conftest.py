"""Suite-wide set-up: generation history goes to a throwaway data directory, never the user's;
the fixtures that start a real Kafka-protocol broker and ``onexgen worker`` processes (used by
the event-bus tests and by the service's broker mode tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from typing import TYPE_CHECKING

import pytest

from onexgen.bus.local import Broker, Worker

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

type StartWorker = Callable[..., Worker]
type RunNodeTests = Callable[..., subprocess.CompletedProcess[str]]


def pytest_configure(config: pytest.Config) -> None:
    """Point ``ONEXGEN_DATA_DIR`` (history database, service data) at a temp dir for the run."""
    if "ONEXGEN_DATA_DIR" not in os.environ:
        os.environ["ONEXGEN_DATA_DIR"] = tempfile.mkdtemp(prefix="onexgen-test-data-")


@pytest.fixture
def broker() -> Iterator[Broker]:
    """A tansu broker (in-memory storage) on a free port, killed after the test."""
    server = Broker()
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[StartWorker]:
    """Starts ``onexgen worker`` processes (``start(servers, *extra)``); all stopped after."""
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


def _run_node_tests(
    root: Path, packages: list[str], *, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run the generated packages' own test suites under ``root`` (their import root) in one
    pytest process, as a user would from that folder."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(root),
            *[f"{package}/tests" for package in packages],
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


@pytest.fixture
def run_node_tests() -> RunNodeTests:
    """``run_node_tests(root, packages, timeout=900)``: the generated packages' own tests."""
    return _run_node_tests
