"""Check generated packages with the real toolchain, all packages per tool run.

Why batched: every tool start pays for itself (``onex`` and pytest import omnibase_core, a cold
mypy loads it into its cache), so checking a corpus of nodes one by one would spend most of the
time starting tools. ruff, ``onex validate`` and (through the batch validator) mypy and pytest all
accept many paths and name files in their output, so one run each is enough and every finding is
attributed to the package whose directory contains it. Used by ``scripts/check_corpus.py`` and by
the project's own acceptance tests.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from onexgen.process_control import (
    child_setup,
    kill_group,
    register_child,
    run_temp_dir,
    unregister_child,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from onexgen.batch.batched_validation import ModelBatchValidationResult

CHECKS = ("ruff_check", "ruff_format", "mypy", "onex_validate", "pytest")
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


async def _run(argv: list[str], cwd: Path, timeout: float) -> tuple[int, str, str]:
    from onexgen.sandbox import sandboxed_argv

    # onex imports the generated packages: it runs in the sandbox (ruff is left as it is)
    argv = sandboxed_argv(argv, cwd=cwd, writable=[cwd, run_temp_dir()], tool=Path(argv[0]).name)
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=str(cwd),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"},
        start_new_session=True,
        preexec_fn=child_setup,
    )
    register_child(process.pid)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except BaseException:
        kill_group(process.pid)
        await process.wait()
        raise
    finally:
        unregister_child(process.pid)
    return process.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


async def _ruff(findings: _Findings, config: Path | None, cwd: Path, timeout: float) -> None:
    from onexgen.validation.tools import locate_tool

    ruff = str(locate_tool("ruff"))
    paths = [str(d) for d in findings.dirs]
    # isort needs to know that each node is first-party: ruff looks for it under ``src``, which
    # would otherwise be the config file's directory.
    roots = sorted({str(d.parent) for d in findings.dirs})
    src = "src = [" + ", ".join(json.dumps(r) for r in roots) + "]"
    settings = ["--isolated"] if config is None else ["--config", str(config), "--config", src]
    options = [*settings, "--no-cache"]
    check_code, out, err = await _run(
        [ruff, "check", *options, "--output-format", "json", *paths],
        cwd,
        timeout,
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
        [ruff, "format", "--check", *options, "--output-format", "json", *paths],
        cwd,
        timeout,
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


async def _onex(findings: _Findings, cwd: Path, timeout: float) -> None:
    from onexgen.validation.tools import locate_tool

    onex = str(locate_tool("onex"))
    code, out, err = await _run(
        [onex, "validate", "--strict", *[str(d) for d in findings.dirs]], cwd, timeout
    )
    current: Path | None = None
    verdicts: dict[Path, int] = {}  # how many [PASS]/[FAIL] lines each package got
    failed: set[Path] = set()
    for line in out.splitlines():
        stripped = line.strip()
        if stripped.startswith("Validating ") and stripped.endswith("..."):
            current = findings.owner(stripped[len("Validating ") : -3])
            if current is not None:
                verdicts.setdefault(current, 0)
        elif current is not None and stripped.startswith(("[PASS]", "[FAIL]")):
            verdicts[current] += 1
            if stripped.startswith("[FAIL]"):
                failed.add(current)
                findings.fail(current, "onex_validate", stripped)
    for node_dir in findings.dirs:
        if not verdicts.get(node_dir):
            findings.fail(node_dir, "onex_validate", f"no verdict from onex: {err.strip()[:200]}")
        elif code != 0 and not failed:
            # fail closed: onex said no but named no check we could attribute
            findings.fail(node_dir, "onex_validate", f"onex exited {code}: {err.strip()[:200]}")
    findings.pass_rest("onex_validate")


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
    """Run ruff check, ruff format --check, onex validate --strict, mypy --strict and pytest.

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
        await _onex(findings, root, timeout_seconds)
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
