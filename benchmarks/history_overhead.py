"""What does recording history add to one generation? (SQLite, in-process, warm.)

Usage (from the repo root)::

    .venv/bin/python benchmarks/history_overhead.py [--runs 40] [--json]

Target (issue 12): <= 5 ms per generation. Method: one warm ``CodeGenerationService`` and one
warm ``RecordingGenerationService`` (SQLite in a temp dir, migrated), both at ``--validation
none`` into fresh directories, alternating plain / recorded runs so machine load hits both
alike. A recorded run is timed until its records are committed (``recorder.flush()``), so the
figure includes every database write of the run, not just the enqueueing. The overhead is the
difference of the medians. A fresh CLI process also pays SQLAlchemy's import once (reported
separately, as the median wall of ``onexgen generate`` with and without ``--no-history``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from onexgen.machine import machine_facts

PROMPT = "Create EFFECT node for PostgreSQL writes"
TARGET_MS = 5.0


async def measure(runs: int, root: Path) -> dict[str, float]:
    """Median milliseconds per generation, plain and recorded."""
    from onexgen.history.recording import RecordingGenerationService
    from onexgen.pipeline import CodeGenerationService

    url = f"sqlite+aiosqlite:///{root / 'history.sqlite3'}"
    plain = CodeGenerationService()
    recorded = RecordingGenerationService(source="generate", database_url=url)
    times: dict[str, list[float]] = {"plain": [], "recorded": []}
    try:
        for n in range(runs + 3):  # the first three of each warm caches, templates, the database
            for name, service in (("plain", plain), ("recorded", recorded)):
                out = root / f"{name}-{n}"
                began = time.perf_counter()
                result = await service.generate_node(
                    prompt=PROMPT, output_directory=out, validation_level="none"
                )
                if service is recorded:
                    await recorded.recorder.flush()
                elapsed = (time.perf_counter() - began) * 1000.0
                assert result.success, result.errors
                if n >= 3:
                    times[name].append(elapsed)
    finally:
        await recorded.close_history()
    plain_ms = statistics.median(times["plain"])
    recorded_ms = statistics.median(times["recorded"])
    return {
        "plain_median_ms": round(plain_ms, 2),
        "recorded_median_ms": round(recorded_ms, 2),
        "overhead_median_ms": round(recorded_ms - plain_ms, 2),
        "runs": runs,
    }


def cli_walls(runs: int, root: Path) -> dict[str, float]:
    """Median wall seconds of a fresh ``onexgen generate`` with and without history."""
    walls: dict[str, list[float]] = {"history": [], "no_history": []}
    env_url = f"sqlite:///{root / 'cli.sqlite3'}"
    for n in range(runs + 1):
        for name, extra in (("history", []), ("no_history", ["--no-history"])):
            out = str(root / f"cli-{name}-{n}")
            argv = [
                sys.executable, "-m", "onexgen", "generate", PROMPT, "-o", out,
                "--validation", "none", "--database-url", env_url, *extra,
            ]  # fmt: skip
            began = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            if n:
                walls[name].append(time.perf_counter() - began)
    return {
        "cli_wall_history_s": round(statistics.median(walls["history"]), 3),
        "cli_wall_no_history_s": round(statistics.median(walls["no_history"]), 3),
    }


def main() -> None:
    """Print the figures (and whether the target is met)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--cli-runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="onexgen-history-bench-") as tmp:
        figures: dict[str, object] = dict(asyncio.run(measure(args.runs, Path(tmp))))
        if args.cli_runs:
            figures.update(cli_walls(args.cli_runs, Path(tmp)))
    figures["target_ms"] = TARGET_MS
    figures["met"] = float(str(figures["overhead_median_ms"])) <= TARGET_MS
    figures["machine"] = machine_facts("sqlalchemy", "aiosqlite")
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    for key, value in figures.items():
        sys.stdout.write(f"{key}: {value}\n")


if __name__ == "__main__":
    main()
