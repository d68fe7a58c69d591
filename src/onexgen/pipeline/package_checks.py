"""Check generated packages with the real toolchain, all packages per tool run.

Why batched: every tool start pays for itself (``onex`` and pytest import omnibase_core, a cold
mypy loads it into its cache), so checking a corpus of nodes one by one would spend most of the
time starting tools. ruff, the framework checks (``onex validate``'s suite, contract models,
handler resolution) and (through the batch validator) mypy and pytest all accept many paths and
name files in their output, so one run each is enough and every finding is attributed to the
package whose directory contains it. Used by ``scripts/check_corpus.py`` and by
the project's own acceptance tests.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from onexgen.process_control import (
    run_temp_dir,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from onexgen.batch.batched_validation import ModelBatchValidationResult

CHECKS = ("ruff_check", "ruff_format", "mypy", "onex_validate", "framework", "pytest")
_MAX_PROBLEMS = 8


class ModelPackageCheck(BaseModel):
    """Which tools accepted one generated package, and what the others said."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_dir: str
    results: dict[str, bool]
    problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Every tool accepted the package."""
        return all(self.results.get(check, False) for check in CHECKS)


class _Findings:
    """Per-package pass/fail and problem lines, filled tool by tool."""

    def __init__(self, node_dirs: Sequence[Path]) -> None:
        self.dirs = list(node_dirs)
        self.results: dict[Path, dict[str, bool]] = {d: {} for d in self.dirs}
        self.problems: dict[Path, list[str]] = {d: [] for d in self.dirs}

    def owner(self, path: str) -> Path | None:
        absolute = os.path.abspath(path)
        for node_dir in self.dirs:
            if absolute == str(node_dir) or absolute.startswith(f"{node_dir}{os.sep}"):
                return node_dir
        return None

    def fail(self, node_dir: Path, check: str, problem: str) -> None:
        self.results[node_dir][check] = False
        if len(self.problems[node_dir]) < _MAX_PROBLEMS:
            self.problems[node_dir].append(f"{check}: {problem}")

    def pass_rest(self, check: str) -> None:
        for node_dir in self.dirs:
            self.results[node_dir].setdefault(check, True)


async def _run(tool: str, args: list[str], cwd: Path, timeout: float) -> tuple[int, str, str]:
    """One tool run through the shared runner (own process group, killed on timeout)."""
    from onexgen.validation.tools import run_tool

    run = await run_tool(tool, args, cwd=cwd, timeout=timeout, env={"NO_COLOR": "1"})
    if run.timed_out:
        return -9, run.stdout, f"{tool} timed out after {timeout:g} s. {run.stderr}"
    return run.returncode, run.stdout, run.stderr


async def _ruff(findings: _Findings, config: Path | None, cwd: Path, timeout: float) -> None:
    paths = [str(d) for d in findings.dirs]
    # isort needs to know that each node is first-party: ruff looks for it under ``src``, which
    # would otherwise be the config file's directory.
    roots = sorted({str(d.parent) for d in findings.dirs})
    src = "src = [" + ", ".join(json.dumps(r) for r in roots) + "]"
    settings = ["--isolated"] if config is None else ["--config", str(config), "--config", src]
    options = [*settings, "--no-cache"]
    check_code, out, err = await _run(
        "ruff", ["check", *options, "--output-format", "json", *paths], cwd, timeout
    )
    try:
        reported = json.loads(out or "[]")
    except json.JSONDecodeError:
        reported = None
    if not isinstance(reported, list) or (check_code != 0 and not reported):
        for node_dir in findings.dirs:
            findings.fail(node_dir, "ruff_check", f"ruff did not run: {err.strip()[:200]}")
    else:
        for item in reported:
            owner = findings.owner(str(item.get("filename", "")))
            if owner is not None:
                row = item.get("location", {}).get("row", "?")
                rel = os.path.relpath(item["filename"], owner)
                findings.fail(
                    owner, "ruff_check", f"{rel}:{row} {item.get('code')} {item.get('message')}"
                )
    findings.pass_rest("ruff_check")

    code, out, err = await _run(
        "ruff", ["format", "--check", *options, "--output-format", "json", *paths], cwd, timeout
    )
    try:
        unformatted = json.loads(out or "[]")
    except json.JSONDecodeError:
        unformatted = None
    if not isinstance(unformatted, list) or (code != 0 and not unformatted):
        # fail closed: a check whose output we cannot read has not shown anything is clean
        for node_dir in findings.dirs:
            findings.fail(node_dir, "ruff_format", f"ruff format did not run: {err.strip()[:200]}")
    else:
        for item in unformatted:
            filename = str(item.get("filename", ""))
            owner = findings.owner(filename)
            if owner is not None:
                rel = os.path.relpath(filename, owner)
                findings.fail(owner, "ruff_format", f"{rel} would be reformatted")
    findings.pass_rest("ruff_format")


async def _framework(findings: _Findings, timeout: float) -> None:
    """The framework's verdict (``onexgen.validation.framework``, as ``onexgen validate`` gets
    it): ``onex validate --strict``'s validators, and the contract's sections in the framework's
    models with its handler resolved as ``RuntimeLocal`` does. One probe per import root."""
    from onexgen.models.validation import EnumValidationComponent
    from onexgen.validation.framework import add_framework_findings, run_framework_checks
    from onexgen.validation.import_root import node_import_path
    from onexgen.validation.layout import load_layout
    from onexgen.validation.scoring import ComponentOutcome

    roots: dict[Path, list[tuple[Path, str, str | None]]] = {}
    for node_dir in findings.dirs:
        found = node_import_path(node_dir)
        kind = load_layout(node_dir).kind
        roots.setdefault(found.root, []).append(
            (node_dir, found.module, kind.value if kind else None)
        )
    for root, nodes in sorted(roots.items()):
        report = await run_framework_checks(nodes, import_root=root, suite=True, timeout=timeout)
        for node_dir, _, _ in nodes:
            outcome = ComponentOutcome(EnumValidationComponent.ONEX_COMPLIANCE)
            add_framework_findings(outcome, report, node_dir)
            for issue in outcome.issues:
                check = "onex_validate" if issue.code in {"ONEX040", "ONEX041"} else "framework"
                findings.fail(node_dir, check, f"{issue.location} {issue.code} {issue.message}")
    findings.pass_rest("onex_validate")
    findings.pass_rest("framework")


def _unique_name_groups(dirs: Sequence[Path]) -> list[list[Path]]:
    """Split ``dirs`` so that no group holds two packages of the same name.

    The batch validator copies a group's packages side by side, so two prompts that produce the
    same package name (in different output directories) go to different runs.
    """
    groups: list[list[Path]] = []
    for node_dir in dirs:
        for group in groups:
            if all(other.name != node_dir.name for other in group):
                group.append(node_dir)
                break
        else:
            groups.append([node_dir])
    return groups


def _has_node(batch: ModelBatchValidationResult, node_dir: Path) -> bool:
    try:
        batch.for_node(node_dir)
    except KeyError:
        return False
    return True


async def check_packages(
    node_dirs: Sequence[Path],
    *,
    ruff_config: Path | Literal["validator"] | None = None,
    timeout_seconds: float = 900.0,
) -> tuple[ModelPackageCheck, ...]:
    """Run ruff check, ruff format --check, onex validate --strict, the framework's contract
    models and handler resolution (``framework``), mypy --strict and pytest.

    ruff runs as the acceptance criteria say, plain ``ruff check`` / ``ruff format --check``
    with ruff's own defaults (no configuration file, whatever directory the packages are in);
    ``ruff_config`` gives a configuration file instead, ``"validator"`` the stricter one that
    ``onexgen validate`` uses. mypy (--strict) and pytest run through
    :func:`onexgen.batch.batched_validation.validate_batch` (one run each, persistent cache).
    """
    from onexgen.batch.batched_validation import validate_batch
    from onexgen.validation.workspace import write_tool_configs

    dirs = sorted({Path(os.path.abspath(d)) for d in node_dirs})
    findings = _Findings(dirs)
    with tempfile.TemporaryDirectory(prefix="onexgen-package-checks-", dir=run_temp_dir()) as tmp:
        root = Path(tmp)
        write_tool_configs(root)
        config = root / "ruff.toml" if ruff_config == "validator" else ruff_config
        await _ruff(findings, config if isinstance(config, Path) else None, root, timeout_seconds)
    await _framework(findings, timeout_seconds)
    batches = [
        await validate_batch(group, timeout_seconds=timeout_seconds, coverage=False)
        for group in _unique_name_groups(dirs)
    ]
    for node_dir in dirs:
        found = next(b.for_node(node_dir) for b in batches if _has_node(b, node_dir))
        for issue in found.type_issues:
            if issue.severity.blocks:
                findings.fail(node_dir, "mypy", f"{issue.location} {issue.code} {issue.message}")
        tests = found.tests
        if tests is None or not tests.is_passing:
            if tests is None:
                findings.fail(node_dir, "pytest", "no test results")
            else:
                first = (
                    tests.failed_tests[0].error if tests.failed_tests else tests.output_tail[-200:]
                )
                findings.fail(
                    node_dir,
                    "pytest",
                    f"{tests.passed} passed, {tests.failed} failed of {tests.total}: {first}",
                )
    findings.pass_rest("mypy")
    findings.pass_rest("pytest")
    return tuple(
        ModelPackageCheck(
            node_dir=str(d),
            results={check: findings.results[d][check] for check in CHECKS},
            problems=tuple(findings.problems[d]),
        )
        for d in dirs
    )
