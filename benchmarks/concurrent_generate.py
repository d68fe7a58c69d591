"""Two concurrent ``onexgen generate`` runs of one node, N times, plain and with ``--force``.

Acceptance (issue 10): plain, exactly one run succeeds and the other says "already exists" every
time; with ``--force`` both exit 0 and the node is complete (its files match the winner's
manifest list) with no leftovers.

    .venv/bin/python benchmarks/concurrent_generate.py [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROMPT = "Create EFFECT node for PostgreSQL writes with connection pooling and retry logic"
ONEXGEN = Path(sys.executable).parent / "onexgen"


def _one_round(out: Path, force: bool) -> str | None:
    """Run two generates at once; return a description of what went wrong, or None."""
    args = [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--validation", "none", "--json"]
    if force:
        args.append("--force")
    procs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    expected = [0, 0] if force else [0, 1]
    if codes != expected:
        return f"exit codes {codes}, expected {expected}"
    if not force:
        loser = next(o + e for c, o, e in results if c == 1)
        if "already exists" not in loser:
            return f"loser did not say 'already exists': {loser[-300:]}"
    entries = sorted(p.name for p in out.iterdir())
    if len(entries) != 1:
        return f"output has {entries}"
    node = out / entries[0]
    on_disk = sorted(p.relative_to(node).as_posix() for p in node.rglob("*") if p.is_file())
    listed = [sorted(json.loads(o)["files"]) for c, o, _ in results if c == 0]
    if on_disk not in listed:
        return "node on disk matches no winner's file list"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    failures = 0
    for force in (False, True):
        bad: list[str] = []
        for index in range(options.runs):
            with tempfile.TemporaryDirectory(prefix="onexgen-race-") as tmp:
                out = Path(tmp) / "out"
                if force:  # a node already there, as when --force is meant
                    subprocess.run(
                        [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--validation", "none"],
                        check=True,
                        capture_output=True,
                    )
                problem = _one_round(out, force)
                if problem:
                    bad.append(f"run {index}: {problem}")
        label = "--force" if force else "plain"
        print(f"{label}: {options.runs - len(bad)}/{options.runs} runs correct")
        for line in bad:
            print(f"  {line}")
        failures += len(bad)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
