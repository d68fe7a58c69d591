"""The generated sample packages pass the real tools: ruff, mypy --strict, onex validate, pytest.

Slow: one mypy run over all samples (persistent cache in ~/.cache/onexgen/mypy) and one pytest
subprocess over all generated test suites.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from onexgen.rendering.template_manager import TemplateManager

if TYPE_CHECKING:
    from collections.abc import Callable

    from onexgen.models import ModelPRDRequirements
    from onexgen.models.rendered import ModelRenderedNode

    from ..conftest import RunNodeTests

    Generate = Callable[..., ModelRenderedNode]
    Write = Callable[[ModelRenderedNode, Path], Path]

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# Own persistent cache: concurrent mypy runs (validator, other suites) never share its files.
MYPY_CACHE = Path(
    os.environ.get("ONEXGEN_TEST_MYPY_CACHE", Path.home() / ".cache/onexgen/mypy-generation")
)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)


@pytest.fixture(scope="module")
def generated(
    tmp_path_factory: pytest.TempPathFactory,
    samples: tuple[ModelPRDRequirements, ...],
    generate_node: Generate,
    write_node: Write,
) -> tuple[Path, list[str]]:
    """All sample packages written to one output directory."""
    out = tmp_path_factory.mktemp("generated_nodes")
    manager = TemplateManager()
    packages = [write_node(generate_node(r, template_manager=manager), out).name for r in samples]
    return out, packages


def test_ruff_check_and_format(generated: tuple[Path, list[str]]) -> None:
    out, packages = generated
    check = _run([str(BIN / "ruff"), "check", "--no-cache", *packages], out)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run([str(BIN / "ruff"), "format", "--check", "--no-cache", *packages], out)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict(generated: tuple[Path, list[str]]) -> None:
    out, packages = generated
    MYPY_CACHE.mkdir(parents=True, exist_ok=True)
    proc = _run([str(BIN / "mypy"), "--strict", "--cache-dir", str(MYPY_CACHE), *packages], out)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


def test_onex_validate_strict(generated: tuple[Path, list[str]]) -> None:
    out, packages = generated
    for package in packages:
        proc = _run([str(BIN / "onex"), "validate", "--strict", package], out)
        assert proc.returncode == 0, f"{package}:\n{proc.stdout}\n{proc.stderr}"


def test_generated_tests_pass(
    generated: tuple[Path, list[str]], run_node_tests: RunNodeTests
) -> None:
    out, packages = generated
    proc = run_node_tests(out, packages, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert " passed" in summary
    assert "failed" not in summary
    assert "skipped" not in summary


def test_hostile_package_still_passes_ruff_and_mypy(
    tmp_path: Path,
    hostile_text: str,
    make_requirements: Callable[..., ModelPRDRequirements],
    generate_node: Generate,
    write_node: Write,
) -> None:
    from onexgen.models import EnumCategory, EnumNodeKind

    requirements = make_requirements(
        EnumNodeKind.EFFECT,
        "Class",
        "matches",
        EnumCategory.API,
        operations=("case", "type", "self", "name"),
        features=("retry_logic", "circuit_breaker", "caching", "rate_limiting"),
        description=(hostile_text * 30)[:4000],
    )
    package = write_node(generate_node(requirements), tmp_path).name
    check = _run([str(BIN / "ruff"), "check", "--no-cache", package], tmp_path)
    assert check.returncode == 0, check.stdout
    mypy = _run([str(BIN / "mypy"), "--strict", "--cache-dir", str(MYPY_CACHE), package], tmp_path)
    assert mypy.returncode == 0, mypy.stdout
    tests = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{package}/tests"],
        tmp_path,
    )
    assert tests.returncode == 0, tests.stdout[-4000:]
