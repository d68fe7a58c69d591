"""Facts about the machine a figure was measured on: timings mean little without them.

Used by every benchmark under ``benchmarks/`` so their reports name the machine the same way.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path


def cpu_model() -> str:
    """The CPU model from ``/proc/cpuinfo`` (Linux), else what ``platform`` knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_facts(*packages: str) -> dict[str, object]:
    """Cores, CPU model, load, Python, platform, and the versions of ``packages``."""
    facts: dict[str, object] = {
        "cores": os.cpu_count(),
        "cpu_model": cpu_model(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for package in packages:
        try:
            facts[package.replace("-", "_")] = metadata.version(package)
        except metadata.PackageNotFoundError:
            facts[package.replace("-", "_")] = "not installed"
    return facts
