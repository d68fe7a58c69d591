"""A fresh copy of the node for each validation attempt, with the tool configs beside it.

mypy trusts a cached module whose file has the same size and whole-second mtime, so a fix that
keeps the size within the same second would be missed. Checking a copy at a new path makes mypy
compare content hashes instead, while the persistent cache still holds omnibase_core. The copy
also keeps tool droppings (``__pycache__``, coverage files) out of the user's directory.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from onexgen.process_control import copy_tree, run_temp_dir
from onexgen.rendering.formatting import DEFAULT_LINE_LENGTH, find_ruff_config, ruff_line_length
from onexgen.validation.import_root import declared_module, node_import_path

if TYPE_CHECKING:
    from collections.abc import Iterator

IGNORED_NAMES = (
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".coverage",
    "*.pyc",
)


RUFF_CONFIG = """\
line-length = {line_length}
target-version = "py312"

[lint]
select = ["E", "F", "W", "I", "B", "UP", "SIM", "RUF", "N", "C4", "C90", "PT", "RET", "PL"]
ignore = ["PLR0913", "PLR2004"]

[lint.mccabe]
max-complexity = 10
"""

MYPY_CONFIG = """\
[mypy]
strict = True
python_version = 3.12
plugins = pydantic.mypy

[pydantic-mypy]
init_forbid_extra = True
init_typed = True
warn_required_dynamic_aliases = True
"""

PYTEST_CONFIG = """\
[pytest]
markers =
    unit: unit tests of the node
    integration: integration tests of the node
    contract: contract tests of the node
    performance: performance tests of the node
    slow: slow tests
"""

COVERAGE_CONFIG = """\
[run]
omit =
    */{package}/tests/*
"""


@dataclass(frozen=True)
class Workspace:
    """Where a node copy and the tool configs live for one validation attempt."""

    root: Path
    node_dir: Path

    @property
    def package(self) -> str:
        """The node's package (directory) name."""
        return self.node_dir.name

    @property
    def target(self) -> str:
        """The node copy relative to ``root`` (POSIX): what the tools are pointed at.

        ``root`` is the copy's import root, so this is also its module path with slashes
        (``node_x_effect`` standalone, ``proj/nodes/my_x`` for a node of an ONEX project).
        """
        return self.node_dir.relative_to(self.root).as_posix()

    @property
    def ruff_config(self) -> Path:
        """ruff settings used for every node."""
        return self.root / "ruff.toml"

    @property
    def mypy_config(self) -> Path:
        """mypy settings (strict, pydantic plugin)."""
        return self.root / "mypy.ini"

    @property
    def pytest_config(self) -> Path:
        """pytest settings registering the node test markers."""
        return self.root / "pytest.ini"

    @property
    def coverage_config(self) -> Path:
        """coverage settings measuring the node's code, not its tests."""
        return self.root / ".coveragerc"

    @property
    def reports_dir(self) -> Path:
        """Where machine-readable tool reports are written."""
        return self.root / "_reports"


def write_tool_configs(
    root: Path, package: str = "node_*", line_length: int = DEFAULT_LINE_LENGTH
) -> None:
    """Write the ruff, mypy, pytest and coverage configs into ``root``.

    Coverage omits only the node's own ``tests/`` folder, so a node that itself lives under
    some ``tests/`` directory is still measured.
    """
    ruff = RUFF_CONFIG.format(line_length=line_length)
    (root / "ruff.toml").write_text(ruff, encoding="utf-8")
    (root / "mypy.ini").write_text(MYPY_CONFIG, encoding="utf-8")
    (root / "pytest.ini").write_text(PYTEST_CONFIG, encoding="utf-8")
    (root / ".coveragerc").write_text(COVERAGE_CONFIG.format(package=package), encoding="utf-8")
    (root / "_reports").mkdir(exist_ok=True)


def project_line_length(node_dir: Path) -> int:
    """The ``line-length`` of the ruff settings of the project the node sits in, else 88.

    A node formatted by its own project's ruff settings must not be marked unformatted here;
    the rule selection stays ours whatever the project enables. The renderer finds and reads
    the settings with the same two functions, so generator and validator always agree.
    """
    return ruff_line_length(find_ruff_config(node_dir.resolve()))


def copy_node(node_dir: Path, root: Path) -> Path:
    """Copy ``node_dir`` under ``root`` at its module path; return the copy.

    A node of an ONEX project (``proj.nodes.my_x``) is copied to ``root/proj/nodes/my_x`` with
    the enclosing packages' ``__init__.py`` files, so its absolute imports resolve in the copy
    exactly as the framework's runtime resolves them from the project's import root. A node
    staged outside its project is copied at the module its contract declares (empty enclosing
    packages), where it is about to land.
    """
    found = node_import_path(node_dir)
    declared = declared_module(node_dir)
    staged = found.module.count(".") == 0 and declared is not None
    module = declared if staged and declared is not None else found.module
    target = root / module.replace(".", "/")
    target.parent.mkdir(parents=True, exist_ok=True)
    source_parent = node_dir.parent
    for depth in range(module.count(".")):
        copy_parent = target.parents[depth]
        init = source_parent / "__init__.py"
        if not (copy_parent / "__init__.py").exists():
            text = init.read_text(encoding="utf-8") if init.is_file() and not staged else ""
            (copy_parent / "__init__.py").write_text(text, encoding="utf-8")
        source_parent = source_parent.parent
    copy_tree(node_dir, target, ignore=shutil.ignore_patterns(*IGNORED_NAMES))
    return target


@contextmanager
def node_workspace(node_dir: Path) -> Iterator[Workspace]:
    """Copy ``node_dir`` to a fresh temporary path; remove it afterwards."""
    with tempfile.TemporaryDirectory(prefix="onexgen-validate-", dir=run_temp_dir()) as tmp:
        root = Path(tmp)
        target = copy_node(node_dir, root)
        write_tool_configs(root, node_dir.name, project_line_length(node_dir))
        yield Workspace(root=root, node_dir=target)


@contextmanager
def config_workspace(node_dir: Path) -> Iterator[Workspace]:
    """Tool configs in a temporary dir, for tools that must run on ``node_dir`` in place."""
    with tempfile.TemporaryDirectory(prefix="onexgen-tools-", dir=run_temp_dir()) as tmp:
        root = Path(tmp)
        write_tool_configs(root, node_dir.name, project_line_length(node_dir))
        yield Workspace(root=root, node_dir=node_dir)
