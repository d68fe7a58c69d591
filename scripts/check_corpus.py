#!/usr/bin/env python3
"""Generate every prompt of the public corpus and check each package with the real tools.

Usage (from the repo root)::

    .venv/bin/python scripts/check_corpus.py            # all prompts of prompts_public.jsonl
    .venv/bin/python scripts/check_corpus.py --only p01 --only p07 --keep --json

Each prompt is generated in-process (``--validation none``: the point is to check the output with
the tools themselves), then ruff check, ruff format --check, ``onex validate --strict``, mypy
--strict and pytest each run once over all packages. ruff runs with its defaults, as a plain
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


async def run(
    prompts: Path, output: Path, only: list[str], ruff_config: str | None
) -> dict[str, object]:
    """Generate, then check; returns the report as plain data."""
    from onexgen.pipeline import CodeGenerationService
    from onexgen.pipeline.package_checks import CHECKS, check_packages

    service = CodeGenerationService()
    generated: dict[str, Path] = {}
    report: dict[str, dict[str, object]] = {}
    started = time.perf_counter()
    for record in load_prompts(prompts, only):
        prompt_id = str(record.get("id"))
        result = await service.generate_node(
            None,
            output / prompt_id,
            prompt=str(record["prompt"]),
            force=True,
            validation_level="none",
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
        report[prompt_id].update(
            passed=check.passed, results=check.results, problems=list(check.problems)
        )
    return {
        "prompts": len(report),
        "passed": sum(1 for r in report.values() if r.get("passed")),
        "checks": list(CHECKS),
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
        "--ruff-config",
        help="'validator' (onexgen validate's rules, 100 columns) or a ruff.toml; default: ruff's",
    )
    args = parser.parse_args(argv)
    if not args.prompts.is_file():
        parser.error(f"prompts file {args.prompts} not found (pass --prompts PATH)")

    temporary = args.output_dir is None
    output = Path(tempfile.mkdtemp(prefix="onexgen-corpus-")) if temporary else args.output_dir
    try:
        report = asyncio.run(run(args.prompts, output.resolve(), args.only, args.ruff_config))
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
            f"{report['passed']}/{report['prompts']} prompts passed all checks ({checks}) "
            f"in {report['total_seconds']} s (generation {report['generation_seconds']} s)"
        )
        if args.keep and temporary:
            print(f"packages kept in {output}")
    return 0 if report["passed"] == report["prompts"] else 1


if __name__ == "__main__":
    sys.exit(main())
