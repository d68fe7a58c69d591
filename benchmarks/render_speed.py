"""Time stages 2 to 5 (intelligence, contract, rendering incl. ruff pass, events) per node.

Usage (from the repo root)::

    .venv/bin/python benchmarks/render_speed.py [--rounds 20] [--no-ruff]

One shared TemplateManager (as the pipeline and batch generator use it) and one ruff pass per
node: render_node without it, wire_event_bus formatting the whole package. The first node
(template compilation) is reported separately. Prints median and p90 per stage and in total (ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "generation"))

from conftest import SAMPLES, classification_for  # type: ignore[import-not-found]
from onexgen.contracts import build_contract
from onexgen.events import wire_event_bus
from onexgen.intelligence import gather_intelligence
from onexgen.rendering import render_node
from onexgen.rendering.template_manager import TemplateManager

STAGES = ("intelligence", "contract", "render", "events", "total")


def _one(manager: TemplateManager, index: int, ruff: bool) -> dict[str, float]:
    requirements = SAMPLES[index % len(SAMPLES)]
    classification = classification_for(requirements)
    t0 = time.perf_counter()
    intelligence = gather_intelligence(requirements, classification)
    t1 = time.perf_counter()
    contract = build_contract(requirements, classification, intelligence)
    t2 = time.perf_counter()
    rendered = render_node(
        requirements,
        classification,
        intelligence,
        contract,
        template_manager=manager,
        ruff_format=False,
    )
    t3 = time.perf_counter()
    wire_event_bus(rendered, requirements, contract, template_manager=manager, ruff_format=ruff)
    t4 = time.perf_counter()
    return {
        "intelligence": (t1 - t0) * 1000,
        "contract": (t2 - t1) * 1000,
        "render": (t3 - t2) * 1000,
        "events": (t4 - t3) * 1000,
        "total": (t4 - t0) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="nodes per sample kind")
    parser.add_argument("--no-ruff", action="store_true", help="skip the ruff format pass")
    args = parser.parse_args()
    manager = TemplateManager()
    cold = _one(manager, 0, not args.no_ruff)["total"]
    runs = [_one(manager, i, not args.no_ruff) for i in range(args.rounds * len(SAMPLES))]
    print(f"first node (compiles templates): {cold:.1f} ms")
    print(f"{'stage':<14}{'median ms':>10}{'p90 ms':>10}")
    for stage in STAGES:
        values = sorted(r[stage] for r in runs)
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"{stage:<14}{statistics.median(values):>10.2f}{p90:>10.2f}")
    print(f"template cache: {manager.stats().model_dump()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
