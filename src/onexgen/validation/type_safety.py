"""Type safety (25%): annotation coverage from the AST, and ``mypy --strict`` at ``standard``.

mypy runs with one persistent cache in the user cache dir (omnibase_core is checked once, then
reused: a cold run takes ~15 s, a warm one ~1 s). The node is checked at a fresh path per attempt
(see ``workspace.py``), which makes mypy compare content hashes rather than trust mtimes.
"""

from __future__ import annotations

import ast
import json
from typing import TYPE_CHECKING

from onexgen.models.validation import EnumIssueSeverity, EnumValidationComponent
from onexgen.validation.scoring import ComponentOutcome
from onexgen.validation.tools import mypy_cache_dir, run_tool

if TYPE_CHECKING:
    from onexgen.validation.layout import NodeLayout
    from onexgen.validation.workspace import Workspace

MYPY_TIMEOUT_SECONDS = 300.0
ANNOTATION_WEIGHT = 0.3

MYPY_FIXES: dict[str, str] = {
    "import-not-found": "Install the module or correct the import path; mypy cannot find it.",
    "import-untyped": "Install the package's type stubs (types-<name>) or use a typed library.",
    "override": "Match the base class signature exactly (same parameters, annotations, return).",
    "no-untyped-def": "Annotate every parameter and the return type of this function.",
    "no-untyped-call": "Annotate the called function so strict mode can check the call.",
    "type-arg": "Give the generic its type arguments, e.g. dict[str, int] or NodeCompute[A, B].",
    "attr-defined": "Use an attribute the type actually has, or correct the name.",
    "name-defined": "Define or import the name before using it.",
    "no-any-return": "Return a value of the declared type (cast or validate instead of Any).",
    "return-value": "Return a value of the declared return type.",
    "arg-type": "Pass an argument of the parameter's declared type.",
    "assignment": "Assign a value of the variable's declared type, or change the annotation.",
    "call-arg": "Call with the parameters the function declares.",
    "misc": "Fix the construct mypy rejects.",
}


def check_annotations(layout: NodeLayout) -> ComponentOutcome:
    """Share of parameters and returns annotated in the node's own (non-test) code."""
    outcome = ComponentOutcome(EnumValidationComponent.TYPE_SAFETY)
    total = annotated = 0
    for parsed in layout.source_files:
        if parsed.tree is None:
            continue
        for node in ast.walk(parsed.tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            if args and args[0].arg in {"self", "cls"}:
                args = args[1:]
            slots = len(args) + 1
            have = sum(arg.annotation is not None for arg in args) + (node.returns is not None)
            total += slots
            annotated += have
            if have < slots:
                outcome.add(
                    EnumIssueSeverity.WARNING,
                    "TYPE001",
                    f"{node.name}() is not fully annotated ({have} of {slots})",
                    f"Annotate every parameter and the return type of {node.name}().",
                    file=parsed.rel,
                    line=node.lineno,
                )
    coverage = annotated / total if total else 1.0
    outcome.base_score = ANNOTATION_WEIGHT * coverage + (1.0 - ANNOTATION_WEIGHT)
    outcome.details.append(f"annotation coverage {coverage:.0%} ({annotated}/{total})")
    outcome.checked = False
    return outcome


def mypy_fix(code: str, hint: str | None = None) -> str:
    """The suggested fix for a mypy error code, with mypy's own hint appended when it gave one.

    Shared by single-node and batched validation so a finding reads the same in both.
    """
    fix = MYPY_FIXES.get(code, "Fix the type so that mypy --strict accepts it.")
    return f"{fix} ({hint})" if hint else fix


async def run_mypy(workspace: Workspace, outcome: ComponentOutcome) -> None:
    """``mypy --strict -O json`` over the node copy; every error becomes an issue."""
    args = [
        "--config-file",
        str(workspace.mypy_config),
        "--cache-dir",
        str(mypy_cache_dir()),
        "-O",
        "json",
        "--no-error-summary",
        workspace.target,
    ]
    run = await run_tool("mypy", args, cwd=workspace.root, timeout=MYPY_TIMEOUT_SECONDS)
    outcome.tools.append("mypy --strict")
    outcome.checked = True
    if run.timed_out or run.returncode not in (0, 1):
        reason = "timed out" if run.timed_out else f"exited {run.returncode}"
        outcome.add(
            EnumIssueSeverity.ERROR,
            "TYPE002",
            f"mypy could not check the node ({reason}): {run.stderr.strip()[:300]}",
            "Run `mypy --strict` on the node by hand and fix what stops it.",
        )
        return
    prefix = f"{workspace.target}/"
    errors = 0
    for raw in run.stdout.splitlines():
        text = raw.strip()
        if not text.startswith("{"):
            continue
        item = json.loads(text)
        if item.get("severity") != "error":
            continue
        errors += 1
        code = item.get("code") or "misc"
        message = str(item.get("message", ""))
        hint = item.get("hint")
        fix = mypy_fix(code, hint)
        outcome.add(
            EnumIssueSeverity.ERROR,
            f"mypy:{code}",
            message,
            fix,
            file=str(item.get("file", "")).removeprefix(prefix),
            line=int(item.get("line") or 0),
            column=int(item.get("column") or 0) + 1,
        )
    outcome.details.append(f"mypy --strict: {errors} error(s)")
