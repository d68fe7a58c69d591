"""How fast is strict validation of one generated node? Cold first run and warm median.

Usage (from the repo root)::

    .venv/bin/python benchmarks/validate_speed.py                 # one node, 5 warm runs
    .venv/bin/python benchmarks/validate_speed.py --runs 9 --json
    .venv/bin/python benchmarks/validate_speed.py --corpus        # + every public prompt, strict
    .venv/bin/python benchmarks/validate_speed.py --per-tool      # + each tool alone, warm

Target (issue 4): strict validation (ruff check + format, mypy --strict, pytest with coverage,
``onex validate --strict``, AST checks) of one generated node has a median <= 3 s with a warm
mypy cache. The first run uses a fresh, empty mypy cache (``ONEXGEN_CACHE_DIR`` pointed at a new
temporary directory) and is reported separately: it type-checks omnibase_core once. Every run
validates the node at a fresh path, as the validator always does. With ``--corpus`` it also
generates every prompt of prompts_public.jsonl and reports each node's strict score as
generated and after stage 7's safe fixes (refinement), as the pipeline would apply them.
With ``--per-tool`` it runs each tool of a warm strict validation alone, one after the other,
and reports its median wall and CPU seconds: where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from onexgen.cache_dirs import CACHE_DIR_ENV
from onexgen.machine import machine_facts as shared_machine_facts
from onexgen.models.validation import (
    EnumValidationComponent,
    EnumValidationLevel,
    ModelValidationResult,
)
from onexgen.pipeline import CodeGenerationService
from onexgen.refinement.refiner import refine_sync
from onexgen.validation.code_quality import run_ruff_check, run_ruff_format
from onexgen.validation.layout import load_layout
from onexgen.validation.onex_compliance import run_framework_checks_on
from onexgen.validation.quality_validator import QualityValidator
from onexgen.validation.scoring import ComponentOutcome
from onexgen.validation.tests_check import check_test_files, run_tests
from onexgen.validation.tools import drop_cached_bytecode
from onexgen.validation.type_safety import run_mypy
from onexgen.validation.workspace import Workspace, node_workspace

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PROMPTS = REPO.parent / "shared" / "eval" / "prompts_public.jsonl"
DEFAULT_PROMPT = "Create EFFECT node for PostgreSQL writes"
TARGET_WARM_S = 3.0


def machine_facts() -> dict[str, object]:
    """The machine, its load and the tool versions the figures were measured with."""
    return shared_machine_facts("omnibase-core", "mypy", "ruff", "pytest")


def generate_node(prompt: str, out_dir: Path) -> Path:
    """The node to measure, written as generated (stages 1-5 and 8, no validation)."""
    result = CodeGenerationService().generate_node_sync(
        prompt=prompt, output_directory=out_dir, validation_level="none"
    )
    if not result.success or result.node_path is None:
        raise RuntimeError(f"generation failed: {result.errors}")
    return Path(result.node_path)


def timed_validation(node_dir: Path) -> tuple[float, ModelValidationResult]:
    """Wall time of one strict validation, measured around the whole call."""
    wall, _, result = measured_validation(node_dir)
    return wall, result


def measured_validation(node_dir: Path) -> tuple[float, float, ModelValidationResult]:
    """Wall and CPU seconds (ours plus the tools') of one strict validation.

    CPU time does not depend on what else runs on the machine; wall time does.
    """
    before = _cpu_seconds()
    started = time.perf_counter()
    result = QualityValidator().validate_sync(node_dir, EnumValidationLevel.STRICT)
    return time.perf_counter() - started, _cpu_seconds() - before, result


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    tools = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + tools.ru_utime + tools.ru_stime


def speed(prompt: str, runs: int) -> dict[str, object]:
    """One cold run on an empty mypy cache, then ``runs`` warm runs on the same cache."""
    with tempfile.TemporaryDirectory(prefix="onexgen-bench-") as tmp:
        root = Path(tmp)
        os.environ[CACHE_DIR_ENV] = str(root / "cache")
        node_dir = generate_node(prompt, root / "out")
        cold, cold_cpu, first = measured_validation(node_dir)
        warm: list[float] = []
        warm_cpu: list[float] = []
        last = first
        for _ in range(runs):
            seconds, cpu, last = measured_validation(node_dir)
            warm.append(seconds)
            warm_cpu.append(cpu)
    median = statistics.median(warm)
    return {
        "prompt": prompt,
        "node": node_dir.name,
        "cold_first_run_s": round(cold, 3),
        "cold_first_run_cpu_s": round(cold_cpu, 3),
        "warm_runs_s": [round(value, 3) for value in warm],
        "warm_median_s": round(median, 3),
        "warm_median_cpu_s": round(statistics.median(warm_cpu), 3),
        "warm_target_s": TARGET_WARM_S,
        "meets_target": median <= TARGET_WARM_S,
        "passed": last.passed,
        "quality_score": last.quality_score,
        "tools_run": list(last.tools_run),
    }


async def _one_tool(tool: str, workspace: Workspace) -> None:
    """Run one tool of strict validation the way the validator does (outcome discarded)."""
    if tool == "pytest --cov":
        tests = check_test_files(load_layout(workspace.node_dir))
        await run_tests(workspace, tests, 120.0)
        return
    outcome = ComponentOutcome(EnumValidationComponent.CODE_QUALITY)
    if tool == "mypy --strict":
        await run_mypy(workspace, outcome)
    elif tool == "framework checks (onex validate, contract models, handler)":
        kind = load_layout(workspace.node_dir).kind
        await run_framework_checks_on(workspace, kind, outcome, suite=True)
    elif tool == "ruff check":
        await run_ruff_check(workspace, outcome)
    else:
        await run_ruff_format(workspace, outcome)


PER_TOOL = (
    "pytest --cov",
    "framework checks (onex validate, contract models, handler)",
    "mypy --strict",
    "ruff check",
    "ruff format",
)


def per_tool(prompt: str, runs: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of each tool run alone on a warm cache, plus the copy."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in ("copy", *PER_TOOL)}
    with tempfile.TemporaryDirectory(prefix="onexgen-bench-") as tmp:
        node_dir = generate_node(prompt, Path(tmp) / "out")
        QualityValidator().validate_sync(node_dir, EnumValidationLevel.STRICT)  # warm caches
        for _ in range(runs):
            before, started = _cpu_seconds(), time.perf_counter()
            with node_workspace(node_dir) as workspace:
                samples["copy"].append((time.perf_counter() - started, _cpu_seconds() - before))
                for tool in PER_TOOL:
                    before, started = _cpu_seconds(), time.perf_counter()
                    asyncio.run(_one_tool(tool, workspace))
                    samples[tool].append((time.perf_counter() - started, _cpu_seconds() - before))
                drop_cached_bytecode(workspace.root)
    return {
        name: {
            "wall_s": round(statistics.median(wall for wall, _ in values), 3),
            "cpu_s": round(statistics.median(cpu for _, cpu in values), 3),
        }
        for name, values in samples.items()
    }


def corpus(path: Path) -> dict[str, object]:
    """Strict validation of the node generated for every prompt of the corpus."""
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="onexgen-corpus-") as tmp:
        for index, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            record = json.loads(line)
            node_dir = generate_node(record["prompt"], Path(tmp) / f"{index:03d}")
            raw_seconds, raw = timed_validation(node_dir)
            refine_sync(node_dir, raw)  # stage 7: the safe fixes, as the pipeline applies them
            seconds, result = timed_validation(node_dir)
            rows.append(
                {
                    "id": record.get("id", str(index)),
                    "node": node_dir.name,
                    "raw_passed": raw.passed,
                    "raw_quality_score": raw.quality_score,
                    "raw_seconds": round(raw_seconds, 2),
                    "passed": result.passed,
                    "quality_score": result.quality_score,
                    "seconds": round(seconds, 2),
                    "blocking": [f"{i.location} {i.message}" for i in result.blocking_issues],
                    "warnings": sorted({i.code for i in result.issues if not i.severity.blocks}),
                }
            )
    scores = [float(str(row["quality_score"])) for row in rows]
    raw_scores = [float(str(row["raw_quality_score"])) for row in rows]
    return {
        "nodes": len(rows),
        "raw_passed": sum(bool(row["raw_passed"]) for row in rows),
        "raw_min_score": min(raw_scores) if raw_scores else None,
        "raw_at_least_0_95": sum(score >= 0.95 for score in raw_scores),
        "passed": sum(bool(row["passed"]) for row in rows),
        "min_score": min(scores) if scores else None,
        "at_least_0_95": sum(score >= 0.95 for score in scores),
        "rows": rows,
    }


def main() -> int:
    """Run the benchmark and print a report (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompt", default=DEFAULT_PROMPT)
    parser.add_argument("--runs", type=int, default=5, help="warm runs after the cold one")
    parser.add_argument("--corpus", action="store_true", help="also validate every public node")
    parser.add_argument("--prompts", type=Path, default=DEFAULT_PROMPTS)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--per-tool", action="store_true", help="also time each tool alone")
    args = parser.parse_args()
    report: dict[str, object] = {
        "machine": machine_facts(),
        "speed": speed(args.prompt, max(1, args.runs)),
    }
    if not args.json:
        _print_speed(report)
    if args.per_tool:
        tools = per_tool(args.prompt, max(1, args.runs))
        report["per_tool"] = tools
        if not args.json:
            _print_per_tool(tools)
    if args.corpus:
        report["corpus"] = corpus(args.prompts)
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return 0
    if "corpus" in report:
        _print_corpus(report)
    return 0


def _print_speed(report: dict[str, object]) -> None:
    figures = report["speed"]
    assert isinstance(figures, dict)
    sys.stdout.write(f"machine: {json.dumps(report['machine'])}\n")
    sys.stdout.write(
        f"node {figures['node']} ({figures['prompt']!r}): score {figures['quality_score']}, "
        f"passed {figures['passed']}\n"
        f"cold first run (empty mypy cache): {figures['cold_first_run_s']} s wall, "
        f"{figures['cold_first_run_cpu_s']} s CPU\n"
        f"warm runs: {figures['warm_runs_s']}\n"
        f"warm median: {figures['warm_median_s']} s wall (target <= {TARGET_WARM_S} s), "
        f"{figures['warm_median_cpu_s']} s CPU\n"
    )
    sys.stdout.flush()


def _print_per_tool(tools: dict[str, dict[str, float]]) -> None:
    sys.stdout.write("each tool alone, warm (median):\n")
    for name, figures in tools.items():
        sys.stdout.write(f"  {name}: {figures['wall_s']} s wall, {figures['cpu_s']} s CPU\n")


def _print_corpus(report: dict[str, object]) -> None:
    summary = report["corpus"]
    assert isinstance(summary, dict)
    if summary:  # pragma: no branch - corpus() always fills it
        sys.stdout.write(
            f"corpus as generated: {summary['raw_passed']}/{summary['nodes']} passed strict, "
            f"{summary['raw_at_least_0_95']} with score >= 0.95, "
            f"min {summary['raw_min_score']}\n"
            f"corpus after stage 7 fixes: {summary['passed']}/{summary['nodes']} passed strict, "
            f"{summary['at_least_0_95']} with score >= 0.95, min {summary['min_score']}\n"
        )
        for row in summary["rows"]:
            sys.stdout.write(f"  {json.dumps(row)}\n")


if __name__ == "__main__":
    raise SystemExit(main())
