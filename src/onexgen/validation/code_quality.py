"""Code quality (20%): ``ruff check`` and ``ruff format --check`` at ``standard``; at ``basic``
only an AST complexity estimate (ruff's C901 replaces it when ruff runs).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import TYPE_CHECKING

from onexgen.models.validation import EnumIssueSeverity, EnumValidationComponent
from onexgen.validation.scoring import ComponentOutcome
from onexgen.validation.tools import run_tool

if TYPE_CHECKING:
    from onexgen.validation.layout import NodeLayout
    from onexgen.validation.workspace import Workspace

MAX_COMPLEXITY = 10
RUFF_TIMEOUT_SECONDS = 60.0
_ERROR_CODES = ("F821", "F822", "F823", "F811", "F632", "F7", "E9", "PLE")
_BRANCHES = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ExceptHandler,
    ast.With,
    ast.AsyncWith,
    ast.IfExp,
    ast.comprehension,
    ast.match_case,
)


def check_complexity(layout: NodeLayout) -> ComponentOutcome:
    """McCabe-style complexity per function from the AST (used when ruff does not run)."""
    outcome = ComponentOutcome(EnumValidationComponent.CODE_QUALITY, checked=False)
    for parsed in layout.files:
        if parsed.tree is None:
            continue
        for node in ast.walk(parsed.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                score = 1 + sum(isinstance(sub, (*_BRANCHES, ast.BoolOp)) for sub in ast.walk(node))
                if score > MAX_COMPLEXITY:
                    outcome.add(
                        EnumIssueSeverity.WARNING,
                        "QUAL001",
                        f"{node.name}() is too complex ({score} > {MAX_COMPLEXITY})",
                        f"Split {node.name}() into smaller functions.",
                        file=parsed.rel,
                        line=node.lineno,
                    )
    return outcome


async def run_ruff_check(workspace: Workspace, outcome: ComponentOutcome) -> None:
    """``ruff check --output-format json``: each diagnostic is an issue with ruff's own fix."""
    args = [
        "check",
        "--output-format",
        "json",
        "--no-cache",
        "--config",
        str(workspace.ruff_config),
        workspace.target,
    ]
    run = await run_tool("ruff", args, cwd=workspace.root, timeout=RUFF_TIMEOUT_SECONDS)
    outcome.tools.append("ruff check")
    outcome.checked = True
    if run.timed_out or run.returncode not in (0, 1):
        outcome.add(
            EnumIssueSeverity.ERROR,
            "QUAL002",
            f"ruff check could not run: {run.stderr.strip()[:300]}",
            "Run `ruff check` on the node by hand and fix what stops it.",
        )
        return
    for item in json.loads(run.stdout or "[]"):
        code = item.get("code")
        if code is None:  # a syntax error: reported once, as ONEX001
            continue
        location = item.get("location") or {}
        fix_info = item.get("fix") or {}
        fix = fix_info.get("message") or f"See {item.get('url') or 'the ruff docs'}."
        if fix_info.get("applicability") == "safe":
            fix = f"{fix} (safe: `ruff check --fix` / onexgen refinement applies it)"
        severity = (
            EnumIssueSeverity.ERROR
            if str(code).startswith(_ERROR_CODES)
            else EnumIssueSeverity.WARNING
        )
        outcome.add(
            severity,
            f"ruff:{code}",
            str(item.get("message", "")),
            fix,
            file=_relative(workspace, str(item.get("filename", ""))),
            line=location.get("row"),
            column=location.get("column"),
        )


async def run_ruff_format(workspace: Workspace, outcome: ComponentOutcome) -> None:
    """``ruff format --check --output-format json``: each unformatted file is one issue."""
    args = [
        "format",
        "--check",
        "--no-cache",
        "--output-format",
        "json",
        "--config",
        str(workspace.ruff_config),
        workspace.target,
    ]
    run = await run_tool("ruff", args, cwd=workspace.root, timeout=RUFF_TIMEOUT_SECONDS)
    outcome.tools.append("ruff format --check")
    if run.returncode == 0:
        return
    try:
        items = json.loads(run.stdout or "[]")
    except json.JSONDecodeError:
        items = []
    seen: set[str] = set()
    for item in items:
        if item.get("code") != "unformatted":
            continue  # files ruff cannot parse are reported as ONEX001
        file = _relative(workspace, str(item.get("filename", "")))
        if file in seen:
            continue
        seen.add(file)
        location = item.get("location") or {}
        outcome.add(
            EnumIssueSeverity.WARNING,
            "ruff:format",
            "file is not formatted with ruff format",
            "Run `ruff format` on it (onexgen refinement does this automatically).",
            file=file,
            line=location.get("row"),
        )
    if not seen and not items and run.returncode != 0:
        outcome.add(
            EnumIssueSeverity.ERROR,
            "QUAL003",
            f"ruff format --check failed: {(run.stderr or run.stdout).strip()[:300]}",
            "Run `ruff format --check` on the node by hand and fix what stops it.",
        )


def _relative(workspace: Workspace, path: str) -> str:
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = workspace.root / candidate
    try:
        return candidate.relative_to(workspace.node_dir).as_posix()
    except ValueError:
        return path
