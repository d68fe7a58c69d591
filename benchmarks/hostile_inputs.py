"""Hostile input files are refused fast and small: time and peak memory of each refusal.

Each case is one fresh ``onexgen generate`` (or ``batch``) process given a hostile file; the
figures are the median wall time over ``--repeat`` runs and the process's peak RSS (interpreter
start-up and imports included), and the median time of the refusal itself (the bounded loader,
in a process of its own). Acceptance (issue 10): every case refused (exit 1 or 2, one line) in
< 1 s with < 100 MB. On a loaded machine the process's start-up alone can pass 1 s; the
refusal column shows what the loader costs. The load average is printed with the figures.

    .venv/bin/python benchmarks/hostile_inputs.py [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ONEXGEN = Path(sys.executable).parent / "onexgen"
TEN_MB = 10 * 1024 * 1024


def alias_bomb() -> str:
    """About 500 bytes of YAML that expands to 9**9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]")
    return "name: node_x_effect\nnode_type: EFFECT_GENERIC\nmetadata:\n" + "".join(
        f"  {line}\n" for line in lines
    )


def cases(root: Path) -> dict[str, list[str]]:
    bomb = root / "bomb_contract.yaml"
    bomb.write_text(alias_bomb())
    big_contract = root / "big_contract.yaml"
    big_contract.write_text("name: node_x_effect\ndescription: '" + "x" * TEN_MB + "'\n")
    big_list = root / "big_requirements.yaml"
    big_list.write_text(
        "node_type: effect\nnode_name: Writer\noperations:\n" + "- op\n" * (TEN_MB // 5)
    )
    big_json = root / "big_requirements.json"
    big_json.write_text(json.dumps({"node_type": "effect", "features": ["f"] * (TEN_MB // 5)}))
    bomb_spec = root / "bomb_spec.yaml"
    bomb_spec.write_text(alias_bomb().replace("metadata:", "defaults:"))
    out = str(root / "out")
    return {
        "alias bomb as --contract": ["generate", "--contract", str(bomb), "-o", out],
        "10 MB contract": ["generate", "--contract", str(big_contract), "-o", out],
        "10 MB YAML requirements (2M-entry list)": ["generate", "-r", str(big_list), "-o", out],
        "10 MB JSON requirements": ["generate", "-r", str(big_json), "-o", out],
        "alias bomb as batch spec": ["batch", str(bomb_spec)],
    }


REFUSAL = """
import sys, time
from pathlib import Path
from onexgen.bounded_input import InputFileError, load_structured_file
started = time.perf_counter()
try:
    load_structured_file(Path(sys.argv[1]), "file")
except InputFileError:
    print(time.perf_counter() - started)
"""


def refusal_seconds(path: str) -> float:
    """Seconds the bounded loader takes to refuse ``path`` (imports not counted)."""
    proc = subprocess.run(
        [sys.executable, "-c", REFUSAL, path], capture_output=True, text=True, check=True
    )
    return float(proc.stdout)


def measure(args: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak RSS in MB, exit code, stderr) of one run."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(ONEXGEN), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, rusage_status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    stderr = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(rusage_status)
    return seconds, usage.ru_maxrss / 1024, proc.returncode, stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="onexgen-hostile-") as tmp:
        for name, args in cases(Path(tmp)).items():
            runs = [measure(args) for _ in range(options.repeat)]
            hostile = next(a for a in args if a.startswith(tmp) and not a.endswith("out"))
            refusal = statistics.median(refusal_seconds(hostile) for _ in range(options.repeat))
            seconds = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            code, stderr = runs[0][2], runs[0][3].strip()
            ok = code != 0 and refusal < 1.0 and rss < 100 and len(stderr.splitlines()) <= 2
            rows.append(
                {
                    "case": name,
                    "median_seconds": round(seconds, 3),
                    "refusal_seconds": round(refusal, 4),
                    "peak_rss_mb": round(rss, 1),
                    "exit_code": code,
                    "message": stderr[:200],
                    "ok": ok,
                }
            )
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if options.json:
        print(json.dumps({"machine": machine, "cases": rows}, indent=2))
    else:
        print(f"machine: {machine}")
        for row in rows:
            print(
                f"{'ok  ' if row['ok'] else 'FAIL'} {row['case']}: process "
                f"{row['median_seconds']} s, refusal {row['refusal_seconds']} s, "
                f"{row['peak_rss_mb']} MB, exit {row['exit_code']}: {str(row['message'])[:100]}"
            )
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
