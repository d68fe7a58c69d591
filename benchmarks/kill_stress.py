"""Kill every command at random moments; nothing of ours may survive and no node may be partial.

For each of ``generate --force``, ``validate --level strict``, ``test`` and ``batch --force``,
``--runs`` runs are started and sent SIGKILL or SIGTERM (alternating) after a random delay.
After each: no process that mentions the private TMPDIR is alive, the node is complete by its
manifest. After one more complete run: the TMPDIR is empty and the output dir holds no staging,
backup, trash or batch scratch directory.

    .venv/bin/python benchmarks/kill_stress.py [--runs 6] [--seed 10]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from onexgen.process_control import processes_mentioning, wait_until
from onexgen.writing import verify_manifest

ONEXGEN = Path(sys.executable).parent / "onexgen"
PROMPT = "Create EFFECT node for PostgreSQL writes with connection pooling and retry logic"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=10)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="onexgen-kill-") as work:
        root = Path(work)
        tmp = root / "tmp"
        tmp.mkdir()
        out = root / "out"
        env = {**os.environ, "TMPDIR": str(tmp)}
        generate = [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--force"]
        subprocess.run(
            [*generate, "--validation", "none"], env=env, check=True, capture_output=True
        )
        node = next(out.iterdir())
        spec = root / "spec.yaml"
        # A batch entry's name is its node's name: the same node as generate's
        service = node.name.removeprefix("node_").rsplit("_", 1)[0]
        spec.write_text(
            f"defaults: {{output_dir: {out}, validation: strict}}\n"
            f"nodes:\n  - name: {service}\n    prompt: {PROMPT}\n"
        )
        commands = {
            "generate": [*generate, "--validation", "standard"],
            "validate": [str(ONEXGEN), "validate", str(node), "--level", "strict"],
            "test": [str(ONEXGEN), "test", str(node)],
            "batch": [str(ONEXGEN), "batch", str(spec), "--force"],
        }
        for name, args in commands.items():
            for run in range(options.runs):
                sig = signal.SIGKILL if run % 2 else signal.SIGTERM
                proc = subprocess.Popen(
                    args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
                )
                time.sleep(rng.uniform(0.3, 4.0))
                proc.send_signal(sig)
                _, stderr = proc.communicate(timeout=120)
                label = f"{name} run {run} ({sig.name}, exit {proc.returncode})"
                if "Traceback" in stderr:
                    problems.append(f"{label}: traceback")
                if sig is signal.SIGTERM and proc.returncode not in {0, 1, 143}:
                    problems.append(f"{label}: unexpected exit code")
                if not wait_until(lambda: not processes_mentioning(str(tmp)), 5.0):
                    problems.append(f"{label}: a process of ours survived")
                if not node.is_dir() or any(verify_manifest(node).values()):
                    problems.append(f"{label}: the node is not complete")
        subprocess.run(
            [*generate, "--validation", "none"], env=env, check=True, capture_output=True
        )
        if os.listdir(tmp):
            problems.append(f"temp dirs left after the next run: {os.listdir(tmp)}")
        extra = sorted(p.name for p in out.iterdir() if p != node)
        if extra:
            problems.append(f"leftovers in the output dir: {extra}")
    total = len(commands) * options.runs
    print(f"{total} killed runs (generate, validate, test, batch); problems: {len(problems)}")
    for line in problems:
        print(f"  {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
