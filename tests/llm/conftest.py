"""A real scripted OpenAI-compatible server process per test, and helpers to script it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SERVER = Path(__file__).with_name("scripted_server.py")
collect_ignore = ["scripted_server.py"]


@dataclass
class ScriptedServer:
    """A running server: its base URL and the requests it received."""

    base_url: str
    log: Path

    def requests(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def llm_server(
    tmp_path: Path,
) -> Iterator[Callable[[dict[str, list[dict[str, Any]]]], ScriptedServer]]:
    """Start ``scripted_server.py`` with a script; stopped (by pid) after the test."""
    started: list[subprocess.Popen[str]] = []

    def start(script: dict[str, list[dict[str, Any]]]) -> ScriptedServer:
        index = len(started)
        script_path = tmp_path / f"script{index}.json"
        script_path.write_text(json.dumps(script), encoding="utf-8")
        log = tmp_path / f"requests{index}.jsonl"
        process = subprocess.Popen(
            [sys.executable, str(SERVER), str(script_path), str(log)],
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("PORT "), line
        return ScriptedServer(f"http://127.0.0.1:{int(line.split()[1])}/v1", log)

    yield start
    for process in started:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture
def refused_url() -> str:
    """A localhost URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def ok(content: str | dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A 200 step answering ``content`` (dicts are sent as JSON text)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return {"status": 200, "content": text, **extra}
