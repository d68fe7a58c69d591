"""What does recording history add to one generation? (SQLite, in-process, warm.)

Usage (from the repo root)::

    .venv/bin/python benchmarks/history_overhead.py [--runs 40] [--json]

Target (issue 12): <= 5 ms per generation. Method: one warm ``CodeGenerationService`` and one
warm ``RecordingGenerationService`` (SQLite in a temp dir, migrated), both at ``--validation
none`` into fresh directories, alternating plain / recorded runs so machine load hits both
alike. Three overheads (differences of medians): on the run's path (what a generation takes
longer: the recorder's hooks and queueing; the writes happen beside it in the writer task, or in
the CLI's helper process), until committed (timed until ``recorder.flush()`` returns, so every
database write of the run is included), and CPU until committed (``process_time``, all threads:
the figure that machine load does not inflate). A CLI run also starts the helper writer process
(its SQLAlchemy import runs beside the pipeline): reported separately, as the median wall of
``onexgen generate`` with and without ``--no-history``.
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
    """Median milliseconds per generation: plain, recorded (on the run's path), recorded+commit."""
    from onexgen.history.recording import RecordingGenerationService
    from onexgen.pipeline import CodeGenerationService

    url = f"sqlite+aiosqlite:///{root / 'history.sqlite3'}"
    plain = CodeGenerationService()
    recorded = RecordingGenerationService(source="generate", database_url=url)
    wall: dict[str, list[float]] = {"plain": [], "recorded": [], "committed": []}
    cpu: dict[str, list[float]] = {"plain": [], "committed": []}
    try:
        for n in range(runs + 3):  # the first three of each warm caches, templates, the database
            for name, service in (("plain", plain), ("recorded", recorded)):
                began, began_cpu = time.perf_counter(), time.process_time()
                result = await service.generate_node(
                    prompt=PROMPT, output_directory=root / f"{name}-{n}", validation_level="none"
                )
                on_path = (time.perf_counter() - began) * 1000.0
                if service is recorded:
                    await recorded.recorder.flush()
                committed = (time.perf_counter() - began) * 1000.0
                used = (time.process_time() - began_cpu) * 1000.0  # all threads of the process
                assert result.success, result.errors
                if n < 3:
                    continue
                wall[name].append(on_path)
                if service is recorded:
                    wall["committed"].append(committed)
                    cpu["committed"].append(used)
                else:
                    cpu["plain"].append(used)
    finally:
        await recorded.close_history()
    med = {key: statistics.median(values) for key, values in wall.items()}
    cpu_med = {key: statistics.median(values) for key, values in cpu.items()}
    return {
        "plain_median_ms": round(med["plain"], 2),
        "recorded_on_path_median_ms": round(med["recorded"], 2),
        "recorded_until_committed_median_ms": round(med["committed"], 2),
        "overhead_on_path_ms": round(med["recorded"] - med["plain"], 2),
        "overhead_until_committed_ms": round(med["committed"] - med["plain"], 2),
        "overhead_cpu_ms": round(cpu_med["committed"] - cpu_med["plain"], 2),
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
    figures["met_on_path"] = float(str(figures["overhead_on_path_ms"])) <= TARGET_MS
    figures["met_until_committed"] = float(str(figures["overhead_until_committed_ms"])) <= TARGET_MS
    figures["machine"] = machine_facts("sqlalchemy", "aiosqlite")
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    for key, value in figures.items():
        sys.stdout.write(f"{key}: {value}\n")


if __name__ == "__main__":
    main()
