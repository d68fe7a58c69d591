"""How long does a 50-node system take with ``onexgen batch``, and what does batching save?

Usage (from the repo root)::

    .venv/bin/python benchmarks/batch_speed.py                  # 50 nodes, 10 one-at-a-time
    .venv/bin/python benchmarks/batch_speed.py --baseline-nodes 50 --jobs 1 2 --json

What is measured, each as a fresh ``onexgen`` process (wall clock, interpreter start included):

1. ``onexgen batch SPEC --validation strict`` over the spec of ``batch_spec.py`` (10 services x
   effect, effect, compute, reducer and an orchestrator depending on the other four), once per
   ``--jobs`` value. Acceptance: <= 60 s on a 2-core machine.
2. The way it was done before batch existed: one ``onexgen generate --validation strict`` per
   node, one after another, for ``--baseline-nodes`` nodes spread over every kind; the per-node
   mean times the node count is the one-at-a-time estimate for the whole spec (all nodes are
   timed when ``--baseline-nodes`` equals it).

Every scenario starts from the same mypy cache: omnibase_core already analysed (as on any machine
that has validated once), the generated nodes not. The cache warm-up itself is timed and reported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from onexgen.machine import machine_facts as shared_machine_facts

ONEXGEN = Path(sys.executable).parent / "onexgen"
SPEC_GENERATOR = Path(__file__).resolve().parent / "batch_spec.py"
TARGET_SECONDS = 60.0


def machine_facts() -> dict[str, object]:
    """The machine and its load: the figures mean little without them."""
    return shared_machine_facts("omnibase-core")


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ONEXGEN_CACHE_DIR"] = str(cache)
    return env


@dataclass(frozen=True)
class Timed:
    """Wall clock and the CPU time of the process and everything it ran (mypy, pytest, ...).

    The machine is shared, so wall time alone says little: CPU seconds show the work done.
    """

    wall: float
    cpu: float
    done: subprocess.CompletedProcess[str]


def _timed(argv: list[str], *, cwd: Path, cache: Path) -> Timed:
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, env=_env(cache), capture_output=True, text=True, check=False, timeout=3600
    )
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return Timed(wall=wall, cpu=cpu, done=done)


def warm_cache(work: Path) -> tuple[Path, float]:
    """Analyse omnibase_core once into a base mypy cache (as any machine that validated has)."""
    base = work / "cache-base"
    timed = _timed(
        [
            str(ONEXGEN),
            "generate",
            "Create COMPUTE node called CacheWarmer that doubles a number",
            "--validation",
            "standard",
            "-o",
            str(work / "warm"),
        ],
        cwd=work,
        cache=base,
    )
    if timed.done.returncode != 0:
        raise SystemExit(f"warm-up failed:\n{timed.done.stdout}\n{timed.done.stderr}")
    return base, timed.wall


def fresh_cache(base: Path, target: Path) -> Path:
    """A copy of the base cache, so each scenario starts from the same state."""
    shutil.copytree(base, target)
    return target


def run_batch(work: Path, spec: Path, base: Path, jobs: int) -> dict[str, Any]:
    """One ``onexgen batch`` process; its JSON result plus our wall clock."""
    out = work / f"batch-out-j{jobs}"
    cache = fresh_cache(base, work / f"cache-batch-j{jobs}")
    timed = _timed(
        [
            str(ONEXGEN),
            "batch",
            str(spec),
            "--json",
            "--jobs",
            str(jobs),
            "--output-dir",
            str(out),
            "--validation",
            "strict",
        ],
        cwd=work,
        cache=cache,
    )
    done = timed.done
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"batch failed (exit {done.returncode}):\n{done.stderr}") from None
    statuses: dict[str, int] = {}
    for row in result["nodes"]:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    return {
        "jobs": jobs,
        "wall_seconds": round(timed.wall, 2),
        "cpu_seconds": round(timed.cpu, 2),
        "exit_code": done.returncode,
        "statuses": statuses,
        "generation_seconds": result["generation_duration_seconds"],
        "validation_seconds": result["validation_duration_seconds"],
        "tool_runs": {run["tool"]: run["duration_seconds"] for run in result["tool_runs"]},
        "stages": len(result["stages"]),
        "scores": sorted(row["score"] for row in result["nodes"] if row["score"] is not None),
    }


def _sample(nodes: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` nodes spread evenly over the spec (so every kind is represented)."""
    if count >= len(nodes):
        return nodes
    step = len(nodes) / count
    return [nodes[int(i * step)] for i in range(count)]


def run_one_at_a_time(
    work: Path, spec_data: dict[str, Any], base: Path, count: int
) -> dict[str, Any]:
    """``onexgen generate --validation strict`` per node, sequentially, as a shell loop would."""
    out = work / "single-out"
    cache = fresh_cache(base, work / "cache-single")
    requirements_dir = work / "requirements"
    requirements_dir.mkdir()
    per_node: list[float] = []
    cpu = 0.0
    failures: list[str] = []
    for entry in _sample(spec_data["nodes"], count):
        argv = [str(ONEXGEN), "generate", "--validation", "strict", "-o", str(out)]
        if "prompt" in entry:
            argv[2:2] = [entry["prompt"], "--node-type", entry["node_type"]]
        else:
            path = requirements_dir / f"{entry['name']}.yaml"
            path.write_text(yaml.safe_dump(entry["requirements"]), encoding="utf-8")
            argv += ["--requirements", str(path)]
        timed = _timed(argv, cwd=work, cache=cache)
        per_node.append(timed.wall)
        cpu += timed.cpu
        if timed.done.returncode != 0:
            failures.append(f"{entry['name']}: exit {timed.done.returncode}")
    mean = statistics.fmean(per_node)
    return {
        "nodes_timed": len(per_node),
        "mean_seconds_per_node": round(mean, 2),
        "median_seconds_per_node": round(statistics.median(per_node), 2),
        "measured_total_seconds": round(sum(per_node), 2),
        "mean_cpu_seconds_per_node": round(cpu / len(per_node), 2),
        "estimated_cpu_seconds_for_spec": round(cpu / len(per_node) * len(spec_data["nodes"]), 1),
        "estimated_seconds_for_spec": round(mean * len(spec_data["nodes"]), 1),
        "failures": failures,
    }


def main() -> None:
    """Run the scenarios and print a Markdown summary (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10, help="five nodes per service")
    parser.add_argument("--jobs", type=int, nargs="+", default=[2])
    parser.add_argument("--baseline-nodes", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="onexgen-batch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        spec = work / "spec.yaml"
        subprocess.run(
            [sys.executable, str(SPEC_GENERATOR), str(spec), "--services", str(args.services)],
            check=True,
            capture_output=True,
        )
        spec_data = yaml.safe_load(spec.read_text(encoding="utf-8"))
        base, warm_seconds = warm_cache(work)
        report: dict[str, Any] = {
            "machine": machine_facts(),
            "nodes": len(spec_data["nodes"]),
            "cache_warm_up_seconds": round(warm_seconds, 2),
            "batch": [run_batch(work, spec, base, jobs) for jobs in args.jobs],
            "one_at_a_time": run_one_at_a_time(work, spec_data, base, args.baseline_nodes),
        }
        estimate = report["one_at_a_time"]["estimated_seconds_for_spec"]
        for run in report["batch"]:
            run["speedup_over_one_at_a_time"] = round(estimate / run["wall_seconds"], 2)
            run["within_target"] = run["wall_seconds"] <= TARGET_SECONDS
        report["machine"]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    _print_markdown(report)


def _print_markdown(report: dict[str, Any]) -> None:
    machine = report["machine"]
    single = report["one_at_a_time"]
    print(
        f"{report['nodes']} nodes, {machine['cores']} cores, load {machine['load_average_1m']} -> "
        f"{machine['load_average_1m_after']}, Python {machine['python']}; "
        f"omnibase_core mypy warm-up {report['cache_warm_up_seconds']} s (not counted)\n"
    )
    print(
        "| run | wall s | CPU s | generation s | validation s | mypy / pytest / onex s | statuses |"
    )
    print("|---|---|---|---|---|---|---|")
    for run in report["batch"]:
        tools = run["tool_runs"]
        tool_text = " / ".join(
            str(tools.get(name, "-")) for name in ("mypy", "pytest", "onex validate")
        )
        print(
            f"| batch --jobs {run['jobs']} | {run['wall_seconds']} | {run['cpu_seconds']} "
            f"| {run['generation_seconds']} "
            f"| {run['validation_seconds']} | {tool_text} | {run['statuses']} |"
        )
    print(
        f"| one at a time ({single['nodes_timed']} timed) | "
        f"{single['estimated_seconds_for_spec']} (est.) | "
        f"{single['estimated_cpu_seconds_for_spec']} (est.) | | | | "
        f"mean {single['mean_seconds_per_node']} s/node, failures {len(single['failures'])} |"
    )
    print()
    for run in report["batch"]:
        verdict = "within" if run["within_target"] else "OVER"
        print(
            f"batch --jobs {run['jobs']}: {run['wall_seconds']} s ({verdict} the "
            f"{TARGET_SECONDS:.0f} s target), {run['speedup_over_one_at_a_time']}x faster than "
            "one node at a time"
        )


if __name__ == "__main__":
    main()
