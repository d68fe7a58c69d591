"""Placing a node inside an ONEX project the way ``onex new node`` does.

An ONEX project is a directory whose ``pyproject.toml`` declares the ``onex.nodes`` entry-point
group (``onex init`` writes ``[project.entry-points."onex.nodes"]``) and has a package under
``src/``. Nodes go to ``src/<pkg>/nodes/<name>/`` and are imported as ``<pkg>.nodes.<name>``, so
every reference in ``contract.yaml`` is fully qualified from ``src/`` (the ``PYTHONPATH`` the
framework's runtime and the project's pytest use). onexgen's own repository is never a target.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ENTRY_POINT_GROUP",
    "ModelOnexProject",
    "ProjectError",
    "detect_project",
    "load_project",
    "register_node",
]

ENTRY_POINT_GROUP = "onex.nodes"
_SECTION = f'[project.entry-points."{ENTRY_POINT_GROUP}"]'
_OWN_DISTRIBUTION = "onexgen"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ProjectError(ValueError):
    """The directory is not a usable ONEX project; the message says what to fix."""


class ModelOnexProject(BaseModel):
    """Where a project keeps its nodes and how they are imported."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    root: Path
    package: str

    @property
    def import_root(self) -> Path:
        """``src/``: the directory on ``PYTHONPATH``."""
        return self.root / "src"

    @property
    def nodes_dir(self) -> Path:
        """``src/<pkg>/nodes``: where ``onex new node`` writes nodes."""
        return self.import_root / self.package / "nodes"

    @property
    def module_prefix(self) -> str:
        """``<pkg>.nodes``: the import path of ``nodes_dir``."""
        return f"{self.package}.nodes"


def _read_pyproject(root: Path) -> dict[str, object] | None:
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path} cannot be read as TOML: {exc}") from None


def _declares_onex_nodes(data: dict[str, object]) -> bool:
    project = data.get("project")
    if not isinstance(project, dict):
        return False
    entry_points = project.get("entry-points")
    return isinstance(entry_points, dict) and ENTRY_POINT_GROUP in entry_points


def _package(root: Path, data: dict[str, object]) -> str:
    """The project's package: the hatch wheel target, else the one package under ``src/``."""
    tool = data.get("tool")
    hatch = tool.get("hatch") if isinstance(tool, dict) else None
    build = hatch.get("build") if isinstance(hatch, dict) else None
    targets = build.get("targets") if isinstance(build, dict) else None
    wheel = targets.get("wheel") if isinstance(targets, dict) else None
    packages = wheel.get("packages") if isinstance(wheel, dict) else None
    if isinstance(packages, list):
        for entry in packages:
            if isinstance(entry, str) and entry.startswith("src/"):
                name = entry.removeprefix("src/").strip("/")
                if _IDENTIFIER.match(name):
                    return name
    src = root / "src"
    found = sorted(
        child.name
        for child in (src.iterdir() if src.is_dir() else ())
        if child.is_dir() and (child / "__init__.py").is_file() and _IDENTIFIER.match(child.name)
    )
    if len(found) != 1:
        raise ProjectError(
            f"{root} has {len(found)} packages under src/ ({', '.join(found) or 'none'}); "
            "an ONEX project made by `onex init` has exactly one"
        )
    return found[0]


def load_project(root: Path) -> ModelOnexProject:
    """The ONEX project at ``root`` (``--project-root``); ``ProjectError`` if it is not one."""
    root = root.resolve()
    data = _read_pyproject(root)
    if data is None:
        raise ProjectError(f"{root} has no pyproject.toml (create the project with `onex init`)")
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    if name == _OWN_DISTRIBUTION:
        raise ProjectError(f"{root} is onexgen's own repository, not an ONEX project")
    if not _declares_onex_nodes(data):
        raise ProjectError(
            f"{root}/pyproject.toml does not declare {_SECTION} (add the section, or create "
            "the project with `onex init`)"
        )
    return ModelOnexProject(root=root, package=_package(root, data))


def detect_project(cwd: Path) -> ModelOnexProject | None:
    """The ONEX project whose root is ``cwd``, or None when ``cwd`` is not one."""
    try:
        data = _read_pyproject(cwd)
    except ProjectError:
        return None
    if data is None or not _declares_onex_nodes(data):
        return None
    try:
        return load_project(cwd)
    except ProjectError:
        return None


def register_node(project: ModelOnexProject, name: str, target: str) -> bool:
    """Add ``name = "target"`` to the project's ``onex.nodes`` entry points.

    The section is edited as text (comments and layout of the file stay as they are). Returns
    False when ``name`` is already registered with the same target; raises ``ProjectError`` when
    it is registered with another one.
    """
    path = project.root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    project_table = data.get("project", {})
    existing = project_table.get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
    if name in existing:
        if existing[name] == target:
            return False
        raise ProjectError(
            f"{path}: entry point {name!r} already points at {existing[name]!r}, not {target!r}"
        )
    lines = text.splitlines(keepends=True)
    line = f'{name} = "{target}"\n'
    for index, current in enumerate(lines):
        if current.strip() == _SECTION:
            insert = index + 1
            while insert < len(lines) and not lines[insert].lstrip().startswith("["):
                insert += 1
            while insert > index + 1 and not lines[insert - 1].strip():
                insert -= 1
            lines.insert(insert, line)
            break
    else:
        raise ProjectError(f"{path}: add a {_SECTION} section header to register nodes")
    new_text = "".join(lines)
    tomllib.loads(new_text)  # never leave an unparsable pyproject behind
    path.write_text(new_text, encoding="utf-8")
    return True
