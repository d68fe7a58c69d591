"""One mypy run and one pytest run over every node of a batch, results attributed back per node.

Why: a cold ``mypy --strict`` that imports omnibase_core costs ~17 s and each pytest start-up pays
the ~0.7 s omnibase_core import again; fifty nodes validated one at a time would spend most of their
time re-loading the same modules. Both tools accept many paths at once and report file paths, so
one run each is enough and every finding is attributed to the node whose directory contains it.
The two runs are independent and go in parallel (two processes on a two-core machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from onexgen.models.testing import ModelFailedTest, ModelTestResults
from onexgen.models.validation import (
    EnumIssueSeverity,
    EnumValidationComponent,
    ModelValidationIssue,
)
from onexgen.validation.tools import locate_tool, mypy_cache_dir
from onexgen.validation.workspace import IGNORED_NAMES, write_tool_configs

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

DEFAULT_TIMEOUT_SECONDS = 600.0
_CONFTEST_ERROR = re.compile(r"ImportError while loading conftest '([^']+)'")


class ModelToolRun(BaseModel):
    """How one batched tool invocation went (for the report and for debugging)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str
    command: tuple[str, ...]
    exit_code: int | None
    duration_seconds: float = Field(ge=0.0)
    timed_out: bool = False
    node_count: int = Field(ge=0)


class ModelNodeBatchValidation(BaseModel):
    """What the batched mypy and pytest runs found in one node."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_dir: str
    type_checked: bool = False
    type_issues: tuple[ModelValidationIssue, ...] = ()
    tests: ModelTestResults | None = None

    @property
    def type_errors(self) -> int:
        """Blocking mypy findings (notes are not counted)."""
        return sum(1 for issue in self.type_issues if issue.severity.blocks)

    @property
    def passed(self) -> bool:
        """No type errors and (when tests ran) passing tests."""
        return self.type_errors == 0 and (self.tests is None or self.tests.is_passing)


class ModelBatchValidationResult(BaseModel):
    """Per-node findings plus the tool runs that produced them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nodes: tuple[ModelNodeBatchValidation, ...]
    runs: tuple[ModelToolRun, ...] = ()
    unattributed: tuple[str, ...] = Field(
        default=(), description="Tool output that named no node of the batch (tool crashes)."
    )
    duration_seconds: float = Field(default=0.0, ge=0.0)

    def for_node(self, node_dir: Path | str) -> ModelNodeBatchValidation:
        """The findings for ``node_dir`` (KeyError when it was not part of the batch)."""
        wanted = os.path.abspath(node_dir)
        for node in self.nodes:
            if node.node_dir == wanted:
                return node
        raise KeyError(str(node_dir))


class _Proc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    exit_code: int | None
    stdout: str
    stderr: str
    duration_seconds: float
    timed_out: bool


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


async def _run(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> _Proc:
    """Run a tool in its own process group; kill the group on timeout *and* on cancellation
    (Ctrl-C), so no type checker or test process outlives the batch."""
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = False
    try:
        async with asyncio.timeout(timeout):
            out, err = await proc.communicate()
    except TimeoutError:
        timed_out = True
        _kill_group(proc.pid)
        out, err = await proc.communicate()
    except asyncio.CancelledError:
        _kill_group(proc.pid)
        await proc.wait()
        raise
    return _Proc(
        exit_code=None if timed_out else proc.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        duration_seconds=time.perf_counter() - started,
        timed_out=timed_out,
    )


class _Attributor:
    """Maps a file path to the node directory that contains it."""

    def __init__(self, node_dirs: Sequence[Path], root: Path) -> None:
        self.root = root
        self.nodes = sorted(node_dirs, key=lambda p: len(p.parts), reverse=True)

    def node_of(self, file: str) -> tuple[Path, str] | None:
        path = Path(file)
        if not path.is_absolute():
            path = self.root / path
        path = Path(os.path.normpath(path))
        for node in self.nodes:
            if path.is_relative_to(node):
                return node, path.relative_to(node).as_posix()
        return None


def _tool_env(cache_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["COVERAGE_FILE"] = str(cache_root / ".coverage")
    env.pop("PYTHONPATH", None)
    return env


def _mypy_fix(code: str, hint: str | None) -> str:
    if hint:
        return hint.strip()
    if code == "import-not-found":
        return "import only modules that exist in omnibase_core or in the node itself"
    if code == "override":
        return "keep the exact signature of the omnibase_core base method"
    return f"fix the code so that mypy --strict accepts it (error code {code})"


async def _run_mypy(
    attributor: _Attributor,
    *,
    cache_dir: Path,
    env: Mapping[str, str],
    timeout: float,
    found: dict[Path, list[ModelValidationIssue]],
    unattributed: list[str],
) -> ModelToolRun:
    argv = (
        str(locate_tool("mypy")),
        "--config-file",
        str(attributor.root / "mypy.ini"),
        "--output",
        "json",
        "--cache-dir",
        str(cache_dir),
        "--no-error-summary",
        *(str(p) for p in sorted(attributor.nodes)),
    )
    proc = await _run(argv, cwd=attributor.root, env=env, timeout=timeout)
    for raw_line in proc.stdout.splitlines():
        line = raw_line.strip()
        if not line.startswith("{"):
            continue
        try:
            record: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError:
            unattributed.append(f"mypy: {line}")
            continue
        where = attributor.node_of(str(record.get("file", "")))
        if where is None:
            unattributed.append(f"mypy: {record.get('file')}: {record.get('message')}")
            continue
        node, rel = where
        code = str(record.get("code") or "misc")
        severity = str(record.get("severity", "error"))
        column = record.get("column")
        found[node].append(
            ModelValidationIssue(
                component=EnumValidationComponent.TYPE_SAFETY,
                severity=EnumIssueSeverity.ERROR if severity == "error" else EnumIssueSeverity.INFO,
                code=f"mypy:{code}",
                message=str(record.get("message", "")).strip() or code,
                file=rel,
                line=max(1, int(record.get("line") or 1)),
                column=max(1, int(column) + 1) if isinstance(column, int) else None,
                suggested_fix=_mypy_fix(code, record.get("hint")),
            )
        )
    if proc.timed_out:
        unattributed.append(f"mypy: timed out after {timeout:g} s")
    elif proc.exit_code not in (0, 1):
        unattributed.append(f"mypy: exited with {proc.exit_code}: {proc.stderr.strip()[-500:]}")
    return ModelToolRun(
        tool="mypy",
        command=argv,
        exit_code=proc.exit_code,
        duration_seconds=proc.duration_seconds,
        timed_out=proc.timed_out,
        node_count=len(attributor.nodes),
    )


class _NodeTests:
    """Accumulates one node's share of the junit report."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.duration = 0.0
        self.failures: list[ModelFailedTest] = []


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


def _error_line(text: str) -> str:
    """The ``E   ...`` line pytest prints for the exception, else the first line."""
    for line in text.splitlines():
        if line.startswith("E "):
            return line[1:].strip()[:500]
    return _first_line(text)


def _parse_junit(
    xml_text: str,
    attributor: _Attributor,
    per_node: dict[Path, _NodeTests],
    unattributed: list[str],
) -> None:
    root = ET.fromstring(xml_text)
    for case in root.iter("testcase"):
        file = case.get("file") or ""
        name = case.get("name") or ""
        if not file:
            file = name.replace(".", "/") + ".py"
        where = attributor.node_of(file)
        if where is None:
            unattributed.append(f"pytest: {file}::{name}")
            continue
        node, rel = where
        bucket = per_node[node]
        bucket.duration += float(case.get("time") or 0.0)
        problem = case.find("failure")
        is_error = False
        if problem is None:
            problem = case.find("error")
            is_error = problem is not None
        if case.find("skipped") is not None and problem is None:
            bucket.skipped += 1
            continue
        if problem is None:
            bucket.passed += 1
            continue
        bucket.failed += 1
        text = problem.text or ""
        message = problem.get("message") or ""
        line_attr = case.get("line")
        test_name = rel if case.get("classname") == "" else f"{rel}::{name}"
        bucket.failures.append(
            ModelFailedTest(
                name=test_name,
                error=_error_line(text) or message or "failed",
                traceback=text[-4000:],
                file=rel,
                line=int(line_attr) + 1 if line_attr and line_attr.isdigit() else None,
                is_error=is_error,
            )
        )


def _coverage_by_node(report: Path, attributor: _Attributor) -> dict[Path, float]:
    """Statement coverage of each node's own code (its tests excluded)."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    totals: dict[Path, tuple[int, int]] = {}
    for file, info in sorted(data.get("files", {}).items()):
        where = attributor.node_of(file)
        if where is None or where[1].startswith("tests/"):
            continue
        summary = info.get("summary", {})
        covered, statements = totals.get(where[0], (0, 0))
        totals[where[0]] = (
            covered + int(summary.get("covered_lines", 0)),
            statements + int(summary.get("num_statements", 0)),
        )
    return {node: 100.0 * c / s if s else 100.0 for node, (c, s) in totals.items()}


async def _run_pytest(
    attributor: _Attributor,
    *,
    work: Path,
    env: Mapping[str, str],
    timeout: float,
    coverage: bool,
    results: dict[Path, ModelTestResults],
    unattributed: list[str],
) -> ModelToolRun:
    """One pytest session over every node; a node whose conftest cannot load is run-blocking,
    so it is reported, taken out and the session re-run for the others."""
    remaining = sorted(attributor.nodes)
    total_duration = 0.0
    exit_code: int | None = None
    timed_out = False
    argv: tuple[str, ...] = ()
    while remaining:
        junit = work / "junit.xml"
        cov_json = work / "coverage.json"
        for stale in (junit, cov_json):
            stale.unlink(missing_ok=True)
        cov_args: list[str] = []
        if coverage:
            cov_args = [f"--cov={p}" for p in remaining]
            cov_args += [
                f"--cov-config={attributor.root / '.coveragerc'}",
                f"--cov-report=json:{cov_json}",
                "--cov-report=",
            ]
        argv = (
            str(locate_tool("pytest")),
            "-c",
            str(attributor.root / "pytest.ini"),
            "--rootdir",
            str(attributor.root),
            "-p",
            "no:cacheprovider",
            "-o",
            "junit_family=xunit1",
            f"--junitxml={junit}",
            "-q",
            "--continue-on-collection-errors",
            *cov_args,
            *(str(p) for p in remaining),
        )
        proc = await _run(argv, cwd=attributor.root, env=env, timeout=timeout)
        total_duration += proc.duration_seconds
        exit_code, timed_out = proc.exit_code, proc.timed_out
        if junit.exists():
            per_node = {node: _NodeTests() for node in remaining}
            _parse_junit(junit.read_text(encoding="utf-8"), attributor, per_node, unattributed)
            cover = _coverage_by_node(cov_json, attributor) if coverage else {}
            for node in remaining:
                results[node] = _to_results(node, per_node[node], cover.get(node), timeout)
            break
        broken = _conftest_breakers(proc.stdout + proc.stderr, attributor, remaining)
        if timed_out or not broken:
            tail = (proc.stdout + proc.stderr).strip()[-1500:]
            reason = f"timed out after {timeout:g} s" if timed_out else f"exited {exit_code}"
            unattributed.append(f"pytest: {reason} without a report: {tail}")
            for node in remaining:
                results[node] = _failed_run(node, f"pytest {reason}", tail, timeout, timed_out)
            break
        for node, message in broken.items():
            results[node] = _failed_run(node, message, message, timeout, False)
            remaining.remove(node)
    return ModelToolRun(
        tool="pytest",
        command=argv,
        exit_code=exit_code,
        duration_seconds=total_duration,
        timed_out=timed_out,
        node_count=len(attributor.nodes),
    )


def _conftest_breakers(
    output: str, attributor: _Attributor, remaining: list[Path]
) -> dict[Path, str]:
    """Nodes whose conftest failed to import (pytest aborts the whole session for those)."""
    broken: dict[Path, str] = {}
    for match in _CONFTEST_ERROR.finditer(output):
        where = attributor.node_of(match.group(1))
        if where is not None and where[0] in remaining:
            start = match.start()
            detail = [ln for ln in output[start:].splitlines()[1:8] if ln.startswith("E ")]
            reason = detail[0][1:].strip() if detail else "ImportError"
            broken[where[0]] = f"{where[1]} cannot be imported: {reason}"
    return broken


def _to_results(
    node: Path, tests: _NodeTests, coverage: float | None, timeout: float
) -> ModelTestResults:
    total = tests.passed + tests.failed + tests.skipped
    code = 1 if tests.failed else (5 if total == 0 else 0)
    tail = "\n".join(f"{f.name}: {f.error}" for f in tests.failures)[-2000:]
    return ModelTestResults(
        node_dir=str(node),
        passed=tests.passed,
        failed=tests.failed,
        skipped=tests.skipped,
        total=total,
        duration=round(tests.duration, 6),
        coverage_percent=None if coverage is None else round(min(100.0, coverage), 2),
        failed_tests=tuple(tests.failures),
        exit_code=code,
        timeout_seconds=timeout,
        output_tail=tail,
    )


def _failed_run(
    node: Path, error: str, tail: str, timeout: float, timed_out: bool
) -> ModelTestResults:
    return ModelTestResults(
        node_dir=str(node),
        failed=1,
        total=1,
        failed_tests=(ModelFailedTest(name=node.name, error=error[:500], is_error=True),),
        exit_code=2,
        timed_out=timed_out,
        timeout_seconds=timeout,
        output_tail=tail[-2000:],
    )


async def validate_batch(
    node_dirs: Sequence[Path],
    *,
    type_check: bool = True,
    run_tests: bool = True,
    coverage: bool = True,
    mypy_cache: Path | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> ModelBatchValidationResult:
    """Type-check and test all ``node_dirs`` with one run of each tool; results per node.

    The nodes are copied side by side into one temporary workspace with the validator's tool
    configs (the same ones single-node validation uses), so tool droppings never reach the output
    directory and mypy sees fresh paths. The mypy cache is the persistent one shared by every
    validation run unless ``mypy_cache`` says otherwise.
    """
    started = time.perf_counter()
    originals = sorted({Path(os.path.abspath(p)) for p in node_dirs})
    if not originals:
        return ModelBatchValidationResult(nodes=())
    names = [p.name for p in originals]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(f"two nodes of the batch share the directory name '{clashes[0]}'")
    issues: dict[Path, list[ModelValidationIssue]] = {}
    tests: dict[Path, ModelTestResults] = {}
    unattributed: list[str] = []
    runs: list[ModelToolRun] = []
    with tempfile.TemporaryDirectory(prefix="onexgen-batch-validation-") as tmp:
        root = Path(tmp)
        work = root / "_reports"
        copies: dict[Path, Path] = {}
        for original in originals:
            copy = root / original.name
            shutil.copytree(original, copy, ignore=shutil.ignore_patterns(*IGNORED_NAMES))
            copies[copy] = original
        write_tool_configs(root)
        work.mkdir(exist_ok=True)
        attributor = _Attributor(sorted(copies), root)
        issues = {copy: [] for copy in copies}
        env = _tool_env(work)
        cache = mypy_cache if mypy_cache is not None else mypy_cache_dir()
        async with asyncio.TaskGroup() as group:
            mypy_task = (
                group.create_task(
                    _run_mypy(
                        attributor,
                        cache_dir=cache,
                        env=env,
                        timeout=timeout_seconds,
                        found=issues,
                        unattributed=unattributed,
                    )
                )
                if type_check
                else None
            )
            pytest_task = (
                group.create_task(
                    _run_pytest(
                        attributor,
                        work=work,
                        env=env,
                        timeout=timeout_seconds,
                        coverage=coverage,
                        results=tests,
                        unattributed=unattributed,
                    )
                )
                if run_tests
                else None
            )
        runs.extend(t.result() for t in (mypy_task, pytest_task) if t is not None)
    per_node = []
    for copy, original in sorted(copies.items(), key=lambda item: item[1]):
        found = tests.get(copy)
        per_node.append(
            ModelNodeBatchValidation(
                node_dir=str(original),
                type_checked=type_check,
                type_issues=tuple(
                    sorted(issues[copy], key=lambda i: (i.file, i.line or 0, i.column or 0, i.code))
                ),
                tests=None
                if found is None
                else found.model_copy(update={"node_dir": str(original)}),
            )
        )
    return ModelBatchValidationResult(
        nodes=tuple(per_node),
        runs=tuple(runs),
        unattributed=tuple(unattributed),
        duration_seconds=time.perf_counter() - started,
    )


__all__ = [
    "ModelBatchValidationResult",
    "ModelNodeBatchValidation",
    "ModelToolRun",
    "validate_batch",
]
