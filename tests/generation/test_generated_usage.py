"""What a user does with a generated node works: the README's examples run as written, and
the test markers select each kind of test (also under ``--strict-markers``).

Slow: one Python subprocess runs every README, one collects the tests per marker, one real
``onexgen test``-style run (``TestExecutor``) for the unit tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from onexgen.models.testing import EnumTestType
from onexgen.rendering.template_manager import TemplateManager
from onexgen.testing.test_executor import TestExecutor

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from onexgen.models import ModelPRDRequirements
    from onexgen.models.rendered import ModelRenderedNode

    Generate = Callable[..., ModelRenderedNode]
    Write = Callable[[ModelRenderedNode, Path], Path]

pytestmark = pytest.mark.slow

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
MODULE_OF_MARKER = {
    "unit": ("_handler.py", "_events.py", "_facts.py"),
    "contract": ("_contract.py",),
    "integration": ("_node.py",),
    "performance": ("_performance.py",),
}

_RUN_READMES = """
import os, re, sys
from pathlib import Path

out = Path(sys.argv[1])
sys.path.insert(0, str(out))
os.chdir(out)
block = re.compile(r"^```python\\n(.*?)^```", re.MULTILINE | re.DOTALL)
for package in sys.argv[2:]:
    namespace = {"__name__": "__readme__"}
    for code in block.findall((out / package / "README.md").read_text(encoding="utf-8")):
        exec(compile(code, f"{package}/README.md", "exec"), namespace)
    print(f"ok {package}")
"""


@pytest.fixture(scope="module")
def written(
    tmp_path_factory: pytest.TempPathFactory,
    samples: tuple[ModelPRDRequirements, ...],
    generate_node: Generate,
    write_node: Write,
) -> tuple[Path, list[str]]:
    """All sample packages (every kind) written to one folder, with a strict pytest.ini."""
    out = tmp_path_factory.mktemp("usage")
    manager = TemplateManager()
    packages = [write_node(generate_node(r, template_manager=manager), out).name for r in samples]
    # A user project that declares no markers but insists on registered ones.
    (out / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n", encoding="utf-8")
    return out, packages


def test_readme_examples_run_as_written(written: tuple[Path, list[str]]) -> None:
    out, packages = written
    for package in packages:
        readme = (out / package / "README.md").read_text(encoding="utf-8")
        assert "## Usage on the framework's runtime" in readme
        assert len(_PYTHON_BLOCK.findall(readme)) == 2  # handler, events
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_READMES, str(out), *packages],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert proc.stdout.count("ok ") == len(packages)
    assert "onex.evt." in proc.stdout  # the events example prints the completed topic


_RUNTIME_LINE = re.compile(r'^PYTHONPATH=\. python -c "\n(.*?)"\n```', re.MULTILINE | re.DOTALL)


def test_readme_runtime_local_lines_complete(written: tuple[Path, list[str]]) -> None:
    """The README's raw ``python -c`` lines run the node on RuntimeLocal to COMPLETED."""
    out, packages = written
    for package in packages:
        readme = (out / package / "README.md").read_text(encoding="utf-8")
        code = _RUNTIME_LINE.search(readme)
        assert code is not None, package
        proc = subprocess.run(
            [sys.executable, "-c", code.group(1)],
            cwd=out,
            env={**os.environ, "PYTHONPATH": "."},
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert proc.stdout.startswith("EnumWorkflowResult.COMPLETED"), (package, proc.stdout)


_COLLECT = """
import sys

import pytest

ini, packages = sys.argv[1], sys.argv[2:]
for marker in ("", "unit", "contract", "integration", "performance"):
    print(f"== {marker}", flush=True)
    args = ["-c", ini, "-p", "no:cacheprovider", "--collect-only", "-q"]
    code = pytest.main([*args, *(["-m", marker] if marker else []), *packages])
    if code != 0:
        sys.exit(int(code))
"""


def _collected(out: Path, packages: list[str]) -> dict[str, list[str]]:
    """Test ids per marker ("" = all), from one process that collects five times."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _COLLECT,
            str(out / "pytest.ini"),
            *(f"{p}/tests" for p in packages),
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    found: dict[str, list[str]] = {}
    current = ""
    for line in proc.stdout.splitlines():
        if line.startswith("== "):
            current = line[3:].strip()
            found[current] = []
        elif "::" in line:
            found[current].append(line)
    return found


def test_markers_select_each_kind_of_test_under_strict_markers(
    written: tuple[Path, list[str]],
) -> None:
    out, packages = written
    collected = _collected(out, packages)
    selected: list[str] = []
    for marker, modules in MODULE_OF_MARKER.items():
        tests = collected[marker]
        assert tests, f"no {marker} tests"
        assert all(t.split("::")[0].endswith(modules) for t in tests), (marker, tests)
        selected += tests
    assert sorted(selected) == sorted(collected[""])  # every test carries exactly one marker


def test_onexgen_test_type_unit_runs_only_unit_tests(written: tuple[Path, list[str]]) -> None:
    out, packages = written
    results = TestExecutor().run_sync(out / packages[0], EnumTestType.UNIT, coverage=False)
    assert results.total > 0
    assert results.is_passing
    assert results.failed == 0
