#!/usr/bin/env python3
"""Generate every prompt of the public corpus and check each package with the real tools.

Usage (from the repo root)::

    .venv/bin/python scripts/check_corpus.py            # all prompts of prompts_public.jsonl
    .venv/bin/python scripts/check_corpus.py --only p01 --only p07 --keep --json

Each prompt is generated in-process (``--validation none``: the point is to check the output with
the tools themselves) twice: standalone (the output directory is the import root) and inside a
project made by the framework's ``onex init`` (``src/<pkg>/nodes/<name>``, references rooted at
``<pkg>.nodes``). Then ruff check, ruff format --check, ``onex validate --strict``, mypy
--strict and pytest each run once over all packages, every package runs on omnibase_core's
``RuntimeLocal`` with its example request (``onexgen run``), and its contract's framework
sections load into the framework's pydantic models. ruff runs with its defaults, as a plain
``ruff check`` would; ``--ruff-config validator`` uses the stricter configuration of
``onexgen validate`` instead (or ``--ruff-config PATH`` any ruff.toml). Prints one line per prompt
and exits 1 if any prompt failed to generate or any package failed a tool.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PROMPTS = REPO.parent / "shared" / "eval" / "prompts_public.jsonl"


def load_prompts(path: Path, only: list[str]) -> list[dict[str, object]]:
    """The corpus records (``id`` and ``prompt`` are what we use), optionally filtered by id."""
    records = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    if only:
        records = [r for r in records if r.get("id") in set(only)]
    return records


PLACEMENTS = ("standalone", "project")
EXTRA_CHECKS = ("runtime_local", "framework_sections")


async def _onex_project(output: Path) -> Path:
    """One project made by ``onex init``; each prompt gets a copy of it."""
    from onexgen.validation.tools import run_tool

    template = output / "_onex_init"
    template.mkdir(parents=True, exist_ok=True)
    made = await run_tool("onex", ["init", "corpus"], cwd=template, timeout=300.0)
    if made.returncode != 0:
        raise SystemExit(f"onex init failed: {(made.stderr or made.stdout).strip()[-500:]}")
    return template / "corpus"


async def _sections_load(node_dir: Path) -> str | None:
    """None when every framework section of the contract loads into its model, else why not."""
    import yaml
    from omnibase_core.models.contracts.subcontracts.model_aggregation_subcontract import (
        ModelAggregationSubcontract,
    )
    from omnibase_core.models.contracts.subcontracts.model_effect_subcontract import (
        ModelEffectSubcontract,
    )
    from omnibase_core.models.contracts.subcontracts.model_fsm_subcontract import (
        ModelFSMSubcontract,
    )
    from omnibase_core.models.contracts.subcontracts.model_workflow_definition import (
        ModelWorkflowDefinition,
    )
    from omnibase_core.utils.util_fsm_executor import validate_fsm_contract

    contract = yaml.safe_load((node_dir / "contract.yaml").read_text(encoding="utf-8"))
    try:
        if "effect_subcontract" in contract:
            ModelEffectSubcontract.model_validate(contract["effect_subcontract"])
        if "workflow_coordination" in contract:
            ModelWorkflowDefinition.model_validate(
                contract["workflow_coordination"]["workflow_definition"]
            )
        if "aggregation" in contract:
            ModelAggregationSubcontract.model_validate(contract["aggregation"])
        if "state_machine" in contract:
            machine = ModelFSMSubcontract.model_validate(contract["state_machine"])
            faults = await validate_fsm_contract(machine)
            if faults:
                return f"framework sections: state_machine: {'; '.join(faults)[:300]}"
    except Exception as exc:  # the framework raises ValidationError or ModelOnexError
        return f"framework sections: {' '.join(str(exc).split())[:300]}"
    kind = str(contract.get("node_type", "")).removesuffix("_GENERIC").lower()
    expected = {
        "effect": ("effect_subcontract",),
        "orchestrator": ("workflow_coordination",),
        "reducer": ("aggregation", "state_machine"),
    }
    missing = [key for key in expected.get(kind, ()) if key not in contract]
    if missing:
        return f"framework sections: contract has no {', '.join(missing)}"
    return None


async def run(
    prompts: Path,
    output: Path,
    only: list[str],
    ruff_config: str | None,
    placements: tuple[str, ...] = PLACEMENTS,
) -> dict[str, object]:
    """Generate, then check; returns the report as plain data."""
    from onexgen.pipeline import CodeGenerationService
    from onexgen.pipeline.package_checks import CHECKS, check_packages
    from onexgen.running import NodeRunError, run_node
    from onexgen.writing.project import load_project

    service = CodeGenerationService()
    generated: dict[str, Path] = {}
    report: dict[str, dict[str, object]] = {}
    started = time.perf_counter()
    skeleton = await _onex_project(output) if "project" in placements else None
    jobs: list[tuple[str, dict[str, object], Path, str]] = []
    for record in load_prompts(prompts, only):
        for placement in placements:
            key = f"{record.get('id')}/{placement}"
            if placement == "project":
                assert skeleton is not None
                root = output / "project" / str(record.get("id"))
                shutil.copytree(skeleton, root / skeleton.name)
                project = load_project(root / skeleton.name)
                jobs.append((key, record, project.nodes_dir, project.module_prefix))
            else:
                jobs.append((key, record, output / "standalone" / str(record.get("id")), ""))
    for prompt_id, record, target, module_prefix in jobs:
        result = await service.generate_node(
            None,
            target,
            prompt=str(record["prompt"]),
            force=True,
            validation_level="none",
            module_prefix=module_prefix,
        )
        entry: dict[str, object] = {
            "prompt": record["prompt"],
            "package": result.package_name,
            "generation_ms": result.total_duration_ms,
        }
        if result.success and result.node_path is not None:
            generated[prompt_id] = result.node_path
        else:
            entry["passed"] = False
            entry["problems"] = list(result.errors)
        report[prompt_id] = entry
    generation_seconds = time.perf_counter() - started
    config: Path | Literal["validator"] | None = (
        "validator" if ruff_config == "validator" else Path(ruff_config) if ruff_config else None
    )
    checks = await check_packages(list(generated.values()), ruff_config=config)
    by_dir = {c.node_dir: c for c in checks}
    for prompt_id, node_path in generated.items():
        check = by_dir[str(node_path)]
        results = dict(check.results)
        problems = list(check.problems)
        try:
            outcome = await run_node(node_path, None, timeout=120.0)
            results["runtime_local"] = outcome.completed
            if not outcome.completed:
                problems.append(f"RuntimeLocal: {outcome.result}: {outcome.last_error}")
        except NodeRunError as exc:
            results["runtime_local"] = False
            problems.append(f"RuntimeLocal: {exc}")
        sections = await _sections_load(node_path)
        results["framework_sections"] = sections is None
        if sections is not None:
            problems.append(sections)
        report[prompt_id].update(
            passed=check.passed and all(results[c] for c in EXTRA_CHECKS),
            results=results,
            problems=problems,
        )
    return {
        "prompts": len(report),
        "passed": sum(1 for r in report.values() if r.get("passed")),
        "checks": [*CHECKS, *EXTRA_CHECKS],
        "generation_seconds": round(generation_seconds, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
        "output_dir": str(output),
        "results": report,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exit 0 when every prompt passed every check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--prompts", type=Path, default=DEFAULT_PROMPTS)
    parser.add_argument("--output-dir", type=Path, help="keep the packages here (default: temp)")
    parser.add_argument("--only", action="append", default=[], help="prompt id (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary output directory")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--placement",
        choices=[*PLACEMENTS, "both"],
        default="both",
        help="standalone output, inside an `onex init` project, or both (default)",
    )
    parser.add_argument(
        "--ruff-config",
        help="'validator' (onexgen validate's rules, 100 columns) or a ruff.toml; default: ruff's",
    )
    args = parser.parse_args(argv)
    if not args.prompts.is_file():
        parser.error(f"prompts file {args.prompts} not found (pass --prompts PATH)")

    temporary = args.output_dir is None
    output = Path(tempfile.mkdtemp(prefix="onexgen-corpus-")) if temporary else args.output_dir
    try:
        placements = PLACEMENTS if args.placement == "both" else (args.placement,)
        report = asyncio.run(
            run(args.prompts, output.resolve(), args.only, args.ruff_config, placements)
        )
    finally:
        if temporary and not args.keep:
            shutil.rmtree(output, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        results = report["results"]
        assert isinstance(results, dict)
        for prompt_id, entry in results.items():
            mark = "PASS" if entry.get("passed") else "FAIL"
            print(f"{mark} {prompt_id} {entry.get('package')}: {entry['prompt']}")
            for problem in entry.get("problems", []):
                print(f"     {problem}")
        checks = ", ".join(str(c) for c in report["checks"])  # type: ignore[attr-defined]
        print(
            f"{report['passed']}/{report['prompts']} packages (prompt x placement) passed all "
            f"checks ({checks}) "
            f"in {report['total_seconds']} s (generation {report['generation_seconds']} s)"
        )
        if args.keep and temporary:
            print(f"packages kept in {output}")
    return 0 if report["passed"] == report["prompts"] else 1


if __name__ == "__main__":
    sys.exit(main())
