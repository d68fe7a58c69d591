"""The framework's verdict on nodes, in one place: run the probe, read its JSON, add the issues.

Every caller that wants omnibase_core's opinion (single-node validation, batched validation,
the corpus package checks) goes through :func:`run_framework_checks` and
:func:`add_framework_findings`: one subprocess (``onexgen.validation.framework_probe``, started
by :func:`onexgen.validation.tools.run_tool`) per set of nodes, structured results, no parsing
of ``onex validate``'s printed text anywhere.

Codes: ONEX040 the framework checks could not run; ONEX041 a problem ``onex validate --strict``'s
validators report; ONEX050 a contract section the framework's model rejects; ONEX051 a handler
or model reference the runtime cannot resolve; ONEX052 an example request the input model rejects.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from onexgen.models.validation import EnumIssueSeverity
from onexgen.validation.tools import run_tool

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from onexgen.validation.scoring import ComponentOutcome

FRAMEWORK_TIMEOUT_SECONDS = 120.0
ONEX_TOOL_LABEL = "onex validate --strict"
CONTRACT_TOOL_LABEL = "omnibase_core contract models + handler resolution"


class ModelSuiteItem(BaseModel):
    """One problem one of the framework's validators reported."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    validator: str
    file: str = ""
    line: int | None = None
    message: str


class ModelSectionError(BaseModel):
    """One error of the framework's model for one contract section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    loc: str
    msg: str


class ModelSectionCheck(BaseModel):
    """A contract section and what the framework's model said about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    section: str
    model: str
    errors: tuple[ModelSectionError, ...] = ()


class ModelHandlerProblem(BaseModel):
    """A reference the runtime could not resolve."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    message: str


class ModelFrameworkNodeReport(BaseModel):
    """The framework's findings for one node."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sections: tuple[ModelSectionCheck, ...] = ()
    handler: tuple[ModelHandlerProblem, ...] = ()
    suite: tuple[ModelSuiteItem, ...] | None = None
    suite_error: str | None = None


class ModelFrameworkReport(BaseModel):
    """Per node directory (as given to the probe), or why the probe failed as a whole."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nodes: dict[str, ModelFrameworkNodeReport] = {}
    failure: str | None = None
    suite_run: bool = False


async def run_framework_checks(
    nodes: Sequence[tuple[Path, str, str | None]],
    *,
    import_root: Path,
    suite: bool,
    timeout: float = FRAMEWORK_TIMEOUT_SECONDS,
    env: Mapping[str, str | None] | None = None,
    slots: asyncio.Semaphore | None = None,
) -> ModelFrameworkReport:
    """Run the probe once over ``nodes`` ((dir, module, kind) each) with ``import_root`` on
    ``PYTHONPATH``; ``suite`` adds ``onex validate --strict``'s validators."""
    request = {
        "suite": suite,
        "nodes": [
            {"dir": str(node_dir), "module": module, "kind": kind}
            for node_dir, module, kind in nodes
        ],
    }
    run_env: dict[str, str | None] = {**(env or {}), "PYTHONPATH": str(import_root)}
    args = ["-m", "onexgen.validation.framework_probe", json.dumps(request)]
    if slots is None:
        run = await run_tool("python", args, cwd=import_root, timeout=timeout, env=run_env)
    else:
        async with slots:
            run = await run_tool("python", args, cwd=import_root, timeout=timeout, env=run_env)
    if run.timed_out:
        return ModelFrameworkReport(
            failure=f"the framework checks did not finish within {timeout:g} s", suite_run=suite
        )
    try:
        return ModelFrameworkReport.model_validate({**json.loads(run.stdout), "suite_run": suite})
    except (json.JSONDecodeError, ValidationError):
        tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-3:]
        return ModelFrameworkReport(
            failure=" | ".join(tail) or f"exit {run.returncode}", suite_run=suite
        )


def add_framework_findings(
    outcome: ComponentOutcome, report: ModelFrameworkReport, node_dir: Path
) -> None:
    """Turn the framework's findings for ``node_dir`` into ONEX-compliance issues."""
    labels = [CONTRACT_TOOL_LABEL, *([ONEX_TOOL_LABEL] if report.suite_run else [])]
    outcome.tools.extend(labels)
    node = report.nodes.get(str(node_dir))
    if report.failure is not None or node is None:
        detail = report.failure or "the probe returned no result for this node"
        outcome.add(
            EnumIssueSeverity.ERROR,
            "ONEX040",
            f"the framework's checks could not run: {detail}",
            "Run `onex validate --strict <node_dir>` and import the handler by hand "
            "(PYTHONPATH=<import root>) to see what fails.",
        )
        return
    _add_sections(outcome, node)
    _add_handler(outcome, node)
    if node.suite_error is not None:
        outcome.add(
            EnumIssueSeverity.ERROR,
            "ONEX040",
            f"onex validate --strict failed: {node.suite_error}",
            "Run `onex validate --strict <node_dir>` and fix what it reports.",
        )
    for item in node.suite or ():
        outcome.add(
            EnumIssueSeverity.ERROR,
            "ONEX041",
            f"onex validate --strict ({item.validator}): {item.message}",
            onex_fix(item.message, item.file or "the node"),
            file=item.file,
            line=item.line,
        )


def _add_sections(outcome: ComponentOutcome, node: ModelFrameworkNodeReport) -> None:
    for section in node.sections:
        for error in section.errors:
            where = f"{section.section}.{error.loc}" if error.loc else section.section
            outcome.add(
                EnumIssueSeverity.ERROR,
                "ONEX050",
                f"contract {where}: omnibase_core's {section.model} rejects it: {error.msg}",
                f"Change `{where}` in contract.yaml so that {section.model} accepts it "
                "(see its fields in omnibase_core).",
                file="contract.yaml",
            )


def _add_handler(outcome: ComponentOutcome, node: ModelFrameworkNodeReport) -> None:
    for problem in node.handler:
        example = problem.field == "examples/request.json"
        outcome.add(
            EnumIssueSeverity.ERROR,
            "ONEX052" if example else "ONEX051",
            f"{problem.field}: {problem.message}",
            "Make examples/request.json a valid request for the handler's input model."
            if example
            else f"Fix `{problem.field}` in contract.yaml: RuntimeLocal imports it by absolute "
            "module path from the project's import root (e.g. "
            "`<pkg>.nodes.<name>.handlers.handler_<name>:Handler<Name>`).",
            file=problem.field if example else "contract.yaml",
        )


def onex_fix(message: str, file: str) -> str:
    """The suggested fix for one problem ``onex validate`` reported about ``file``."""
    if "should use UUID type" in message:
        return "Annotate the identifier field as uuid.UUID instead of str."
    if "models in one file" in message:
        return f"Split {file} so that it defines one model per file (ONEX architecture rule)."
    if "contract_version" in message or "node_type" in message:
        return (
            f"onex validates every YAML file in the node as a contract: give {file} top-level "
            "`contract_version: {major, minor, patch}` and `node_type: <KIND>_GENERIC` "
            "(and no top-level `version`)."
        )
    return f"Change {file} so that `onex validate --strict` accepts it: {message}"
