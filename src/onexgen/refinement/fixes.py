"""The safe automatic fixes: ruff's safe fixes (import sorting, unused imports), ruff format,
and imports for undefined names that have exactly one sensible source.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import TYPE_CHECKING

from onexgen.validation.layout import load_layout
from onexgen.validation.python_ast import module_parts
from onexgen.validation.tools import run_tool

if TYPE_CHECKING:
    from onexgen.validation.workspace import Workspace

RUFF_TIMEOUT_SECONDS = 60.0

# Names whose source is unambiguous in a generated node; value is the import statement.
KNOWN_IMPORTS: dict[str, str] = {
    "Any": "from typing import Any",
    "ClassVar": "from typing import ClassVar",
    "Final": "from typing import Final",
    "Literal": "from typing import Literal",
    "TYPE_CHECKING": "from typing import TYPE_CHECKING",
    "cast": "from typing import cast",
    "UUID": "from uuid import UUID",
    "uuid4": "from uuid import uuid4",
    "datetime": "from datetime import datetime",
    "UTC": "from datetime import UTC",
    "timedelta": "from datetime import timedelta",
    "Path": "from pathlib import Path",
    "Enum": "from enum import Enum",
    "StrEnum": "from enum import StrEnum",
    "dataclass": "from dataclasses import dataclass",
    "Callable": "from collections.abc import Callable",
    "Mapping": "from collections.abc import Mapping",
    "Sequence": "from collections.abc import Sequence",
    "Iterable": "from collections.abc import Iterable",
    "Awaitable": "from collections.abc import Awaitable",
    "asyncio": "import asyncio",
    "json": "import json",
    "logging": "import logging",
    "time": "import time",
    "re": "import re",
    "pytest": "import pytest",
    "yaml": "import yaml",
    "BaseModel": "from pydantic import BaseModel",
    "ConfigDict": "from pydantic import ConfigDict",
    "Field": "from pydantic import Field",
    "ValidationError": "from pydantic import ValidationError",
    "ModelOnexError": "from omnibase_core.errors import ModelOnexError",
    "EnumCoreErrorCode": "from omnibase_core.enums import EnumCoreErrorCode",
    "NodeEffect": "from omnibase_core.nodes import NodeEffect",
    "NodeCompute": "from omnibase_core.nodes import NodeCompute",
    "NodeReducer": "from omnibase_core.nodes import NodeReducer",
    "NodeOrchestrator": "from omnibase_core.nodes import NodeOrchestrator",
    "ModelONEXContainer": (
        "from omnibase_core.models.container.model_onex_container import ModelONEXContainer"
    ),
    "ModelEffectInput": (
        "from omnibase_core.models.effect.model_effect_input import ModelEffectInput"
    ),
    "ModelEffectOutput": (
        "from omnibase_core.models.effect.model_effect_output import ModelEffectOutput"
    ),
    "ModelComputeInput": (
        "from omnibase_core.models.compute.model_compute_input import ModelComputeInput"
    ),
    "ModelComputeOutput": (
        "from omnibase_core.models.compute.model_compute_output import ModelComputeOutput"
    ),
    "ModelReducerInput": (
        "from omnibase_core.models.reducer.model_reducer_input import ModelReducerInput"
    ),
    "ModelReducerOutput": (
        "from omnibase_core.models.reducer.model_reducer_output import ModelReducerOutput"
    ),
    "EnumTransactionState": (
        "from omnibase_core.enums.enum_effect_types import EnumTransactionState"
    ),
    "EnumEffectType": "from omnibase_core.enums.enum_effect_types import EnumEffectType",
}


async def ruff_fix(workspace: Workspace) -> None:
    """``ruff check --fix`` (safe fixes only): import order, unused imports, pyupgrade."""
    await run_tool(
        "ruff",
        [
            "check",
            "--fix",
            "--no-cache",
            "--exit-zero",
            "--config",
            str(workspace.ruff_config),
            str(workspace.node_dir),
        ],
        cwd=workspace.node_dir.parent,
        timeout=RUFF_TIMEOUT_SECONDS,
    )


async def ruff_format(workspace: Workspace) -> None:
    """``ruff format`` over the node."""
    await run_tool(
        "ruff",
        ["format", "--no-cache", "--config", str(workspace.ruff_config), str(workspace.node_dir)],
        cwd=workspace.node_dir.parent,
        timeout=RUFF_TIMEOUT_SECONDS,
    )


async def add_missing_imports(workspace: Workspace) -> list[str]:
    """Import undefined names (ruff F821) that have exactly one source; returns what was added."""
    run = await run_tool(
        "ruff",
        [
            "check",
            "--select",
            "F821",
            "--output-format",
            "json",
            "--no-cache",
            "--exit-zero",
            "--config",
            str(workspace.ruff_config),
            str(workspace.node_dir),
        ],
        cwd=workspace.node_dir.parent,
        timeout=RUFF_TIMEOUT_SECONDS,
    )
    node_dir = workspace.node_dir
    local = _local_definitions(node_dir)
    wanted: dict[str, set[str]] = {}
    for item in json.loads(run.stdout or "[]"):
        message = str(item.get("message", ""))
        if "`" not in message:
            continue
        name = message.split("`")[1]
        statement = _source_for(name, local, node_dir.name)
        if statement is None:
            continue
        wanted.setdefault(str(item["filename"]), set()).add(statement)
    added: list[str] = []
    for filename in sorted(wanted):
        path = Path(filename) if Path(filename).is_absolute() else node_dir.parent / filename
        statements = sorted(wanted[filename])
        _insert_imports(path, statements)
        rel = path.relative_to(node_dir).as_posix()
        added.extend(f"{rel}: {statement}" for statement in statements)
    return added


def _local_definitions(node_dir: Path) -> dict[str, list[str]]:
    """Top-level classes and functions of the node's own modules: name -> modules defining it."""
    found: dict[str, list[str]] = {}
    for parsed in load_layout(node_dir).source_files:
        if parsed.tree is None:
            continue
        module = ".".join([node_dir.name, *module_parts(parsed.rel)])
        for node in parsed.tree.body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                found.setdefault(node.name, []).append(module)
    return found


def _source_for(name: str, local: dict[str, list[str]], package: str) -> str | None:
    modules = sorted(set(local.get(name, [])))
    known = KNOWN_IMPORTS.get(name)
    if known is not None and modules:
        return None  # ambiguous: defined locally and a well-known name
    if known is not None:
        return known
    if len(modules) == 1:
        return f"from {modules[0]} import {name}"
    return None


def _insert_imports(path: Path, statements: list[str]) -> None:
    """Insert ``statements`` after the module docstring and leading imports (ruff sorts later)."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    insert_at = 0
    for node in tree.body:
        is_docstring = (
            node is tree.body[0]
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        if is_docstring or isinstance(node, ast.Import | ast.ImportFrom):
            insert_at = node.end_lineno or node.lineno
            continue
        break
    lines = text.splitlines(keepends=True)
    block = "".join(f"{statement}\n" for statement in statements)
    lines.insert(insert_at, f"\n{block}" if insert_at else block)
    path.write_text("".join(lines), encoding="utf-8")
