"""What the strategy machinery costs per node beyond the model's latency (target <= 50 ms).

Runs hybrid generation of several nodes through one service (one engine, one client) against
the scripted OpenAI-compatible server of the tests, answering instantly with a good answer. Per
node it reports, from the strategy report:

- ``busy``: all time spent in the strategy (prompts, HTTP, answer parsing, ast checks and body
  replacement, candidate formatting and strict checks, report);
- ``checks``: the strict checks of the candidate (ruff, mypy, pytest, ``onex validate``: the same
  validation any node gets; not machinery);
- ``model``: request latency as the client saw it (SDK + HTTP + the instant server);
- ``overhead`` = busy - checks - model, and ``overhead+http`` = busy - checks (counting the
  whole HTTP round trip as machinery, since this server answers instantly).

The first node also pays one-time imports (openai, the circuit breaker); it is reported apart.

    .venv/bin/python benchmarks/strategy_overhead.py [--nodes 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "llm"))

PROMPT = "Create a COMPUTE node that computes the p95 latency of request durations"


def _machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from answers import content, good_answer, render_files  # type: ignore[import-not-found]

    from onexgen.llm.engine import StrategyEngine
    from onexgen.llm.settings import ModelLLMSettings
    from onexgen.pipeline import CodeGenerationService

    with tempfile.TemporaryDirectory(prefix="onexgen-bench-") as tmp:
        root = Path(tmp)
        _, files = render_files(PROMPT, root / "render")
        script = root / "script.json"
        answer = {"status": 200, "content": content(good_answer(files))}
        script.write_text(json.dumps({"*": [answer]}), encoding="utf-8")
        server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests/llm/scripted_server.py"),
                str(script),
                str(root / "log.jsonl"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline().split()[1])
            engine = StrategyEngine(
                ModelLLMSettings(base_url=f"http://127.0.0.1:{port}/v1", model="bench")
            )
            service = CodeGenerationService(strategy_engine=engine)

            async def run_all() -> list[dict[str, float]]:
                rows = []
                try:
                    for index in range(args.nodes):
                        result = await service.generate_node(
                            None,
                            root / f"out{index}",
                            prompt=PROMPT,
                            validation_level="none",
                            strategy="hybrid",
                        )
                        report = result.strategy
                        if report is None or not report.methods_written:
                            raise SystemExit(f"no model code was used: {result.warnings}")
                        model = sum(c.latency_ms for c in report.calls)
                        rows.append(
                            {
                                "busy_ms": report.busy_ms,
                                "checks_ms": report.checks_ms,
                                "model_ms": model,
                                "overhead_ms": report.overhead_ms,
                                "overhead_incl_http_ms": report.busy_ms - report.checks_ms,
                            }
                        )
                finally:
                    await engine.aclose()
                return rows

            rows = asyncio.run(run_all())
        finally:
            server.terminate()
            server.wait(timeout=10)
    steady = rows[1:] or rows
    median = {key: round(statistics.median(r[key] for r in steady), 2) for key in rows[0]}
    summary: dict[str, object] = {
        "machine": _machine(),
        "nodes": len(rows),
        "first_node": rows[0],
        "median_after_first": median,
        "target_overhead_ms": 50.0,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"machine: {summary['machine']}")
    print(f"nodes: {len(rows)} (hybrid, instant scripted server, good answer)")
    for label, row in (
        ("first node", rows[0]),
        ("median after first", median),
    ):
        print(
            f"{label}: overhead {row['overhead_ms']:.1f} ms, overhead incl. HTTP "
            f"{row['overhead_incl_http_ms']:.1f} ms, model {row['model_ms']:.1f} ms, "
            f"strict checks {row['checks_ms']:.0f} ms, busy {row['busy_ms']:.0f} ms"
        )


if __name__ == "__main__":
    main()
