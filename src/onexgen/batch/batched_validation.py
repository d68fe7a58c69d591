"""One mypy, one pytest and one ``onex validate`` over every node of a batch, results per node.

Why: a cold ``mypy --strict`` that imports omnibase_core costs ~17 s and each pytest or ``onex``
start-up pays the omnibase_core import again; fifty nodes validated one at a time spend most of
their time re-loading the same modules. The tools accept many paths at once and report file
paths, so one run each is enough and every finding is attributed to the node whose directory
contains it. With a level, each node then gets the result ``QualityValidator`` would give it:
the same checkers, configs, fix texts and scoring (imported from ``onexgen.validation``), only
the expensive tool runs are shared. ``max_concurrency`` (``--jobs``) bounds the tool processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from onexgen.models.testing import ModelFailedTest, ModelTestResults
from onexgen.models.validation import (
    EnumIssueSeverity,
    EnumValidationComponent,
    EnumValidationLevel,
    ModelValidationIssue,
    ModelValidationResult,
)
from onexgen.process_control import run_temp_dir
from onexgen.rendering.formatting import DEFAULT_LINE_LENGTH
from onexgen.testing.test_executor import failed_test, junit_cases
from onexgen.validation.code_quality import check_complexity, run_ruff_check, run_ruff_format
from onexgen.validation.documentation import check_documentation
from onexgen.validation.framework import add_framework_findings, run_framework_checks
from onexgen.validation.import_root import node_import_path
from onexgen.validation.layout import load_layout
from onexgen.validation.levels import DEFAULT_THRESHOLD
from onexgen.validation.onex_compliance import check_onex_compliance
from onexgen.validation.scoring import ComponentOutcome, compose_result
from onexgen.validation.tests_check import check_test_files, score_test_results
from onexgen.validation.tools import ModelToolRun as ToolProcess
from onexgen.validation.tools import drop_cached_bytecode, locate_tool, mypy_cache_dir, run_tool
from onexgen.validation.type_safety import check_annotations, mypy_fix
from onexgen.validation.workspace import (
    Workspace,
    copy_node,
    project_line_length,
    write_tool_configs,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from onexgen.validation.layout import NodeLayout

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
    validation: ModelValidationResult | None = Field(
        default=None, description="The node's full result at the requested level, if one was."
    )

    @property
    def type_errors(self) -> int:
        """Blocking mypy findings (notes are not counted)."""
        return sum(1 for issue in self.type_issues if issue.severity.blocks)

    @property
    def passed(self) -> bool:
        """The level's verdict when there is one; else no type errors and passing tests."""
        if self.validation is not None:
            return self.validation.passed
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


async def _run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str | None],
    timeout: float,
    slots: asyncio.Semaphore | None = None,
) -> ToolProcess:
    """Wait for a free tool slot (``--jobs`` bounds how many tools run at once), then run.

    ``argv[0]`` is the located tool; :func:`run_tool` runs it in its own process group and
    kills the group on timeout and on cancellation (Ctrl-C), so no tool outlives the batch.
    """
    tool, args = Path(argv[0]).name, list(argv[1:])
    if slots is None:
        return await run_tool(tool, args, cwd=cwd, env=env, timeout=timeout)
    async with slots:
        return await run_tool(tool, args, cwd=cwd, env=env, timeout=timeout)


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


@contextlib.contextmanager
def _bytecode_dropped(root: Path) -> Iterator[None]:
    """Forget the cached bytecode of the node copies under ``root`` when the batch is done."""
    try:
        yield
    finally:
        drop_cached_bytecode(root)


def _tool_env(cache_root: Path) -> dict[str, str | None]:
    """What the batch's tools run with on top of :func:`tool_env` (no PYTHONPATH of ours)."""
    # Python 3.12's sys.monitoring: line coverage at a fraction of the tracer's cost (measured
    # 15.6 s instead of 23.4 s for the 1,112 tests of the 50-node benchmark batch).
    return {
        "COVERAGE_FILE": str(cache_root / ".coverage"),
        "COVERAGE_CORE": "sysmon",
        "PYTHONPATH": None,
    }


async def _run_mypy(
    attributor: _Attributor,
    *,
    cache_dir: Path,
    env: Mapping[str, str | None],
    timeout: float,
    found: dict[Path, list[ModelValidationIssue]],
    unattributed: list[str],
    slots: asyncio.Semaphore | None = None,
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
    proc = await _run(argv, cwd=attributor.root, env=env, timeout=timeout, slots=slots)
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
                suggested_fix=mypy_fix(code, record.get("hint")),
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


def _parse_junit(
    report: Path,
    attributor: _Attributor,
    per_node: dict[Path, _NodeTests],
    unattributed: list[str],
) -> None:
    """Share the cases of one batched pytest run out to the nodes their files belong to."""
    for case in junit_cases(report):
        where = attributor.node_of(case.file)
        if where is None:
            unattributed.append(f"pytest: {case.file}::{case.name}")
            continue
        node, rel = where
        bucket = per_node[node]
        bucket.duration += case.seconds
        if case.status == "skipped":
            bucket.skipped += 1
        elif case.status == "passed":
            bucket.passed += 1
        else:
            bucket.failed += 1
            bucket.failures.append(failed_test(case, rel))


def _coverage_by_node(
    report: Path, attributor: _Attributor
) -> dict[Path, tuple[float, dict[str, float]]]:
    """Statement coverage of each node's own code (tests excluded), in total and per file."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    totals: dict[Path, tuple[int, int]] = {}
    by_file: dict[Path, dict[str, float]] = {}
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
        by_file.setdefault(where[0], {})[where[1]] = round(
            float(summary.get("percent_covered", 0.0)), 2
        )
    return {
        node: (100.0 * c / s if s else 100.0, by_file.get(node, {}))
        for node, (c, s) in totals.items()
    }


async def _run_pytest(
    attributor: _Attributor,
    *,
    work: Path,
    env: Mapping[str, str | None],
    timeout: float,
    coverage: bool,
    results: dict[Path, ModelTestResults],
    unattributed: list[str],
    slots: asyncio.Semaphore | None = None,
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
            "--confcutdir",
            str(attributor.root),
            "-o",
            f"faulthandler_timeout={max(1, int(timeout / 2))}",
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
        proc = await _run(argv, cwd=attributor.root, env=env, timeout=timeout, slots=slots)
        total_duration += proc.duration_seconds
        exit_code, timed_out = proc.exit_code, proc.timed_out
        if junit.exists():
            per_node = {node: _NodeTests() for node in remaining}
            _parse_junit(junit, attributor, per_node, unattributed)
            cover = _coverage_by_node(cov_json, attributor) if coverage else {}
            for node in remaining:
                percent, files = cover.get(node, (None, {}))
                results[node] = _to_results(node, per_node[node], percent, files, timeout)
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
    node: Path,
    tests: _NodeTests,
    coverage: float | None,
    coverage_by_file: dict[str, float],
    timeout: float,
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
        coverage_by_file=coverage_by_file,
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


class _Workspace:
    """Every node copied side by side into one temporary root, with the validator's configs."""

    def __init__(self, root: Path, originals: Sequence[Path]) -> None:
        self.root = root
        self.work = root / "_reports"
        self.copies: dict[Path, Path] = {}
        for original in originals:
            copy = copy_node(original, root)
            self.copies[copy] = original
        # A batch writes into one output directory, so its nodes share one project's ruff
        # settings: validate at that project's line length, as single-node validation does.
        line_length = project_line_length(originals[0]) if originals else DEFAULT_LINE_LENGTH
        write_tool_configs(root, line_length=line_length)
        self.work.mkdir(exist_ok=True)
        self.attributor = _Attributor(sorted(self.copies), root)

    def node_workspace(self, copy: Path) -> Workspace:
        """D's per-node :class:`Workspace` view of one copy (shares root and configs)."""
        return Workspace(root=self.root, node_dir=copy)


async def _run_framework(
    space: _Workspace,
    checks: dict[Path, _NodeChecks],
    *,
    suite: bool,
    timeout: float,
    env: Mapping[str, str | None],
    slots: asyncio.Semaphore | None = None,
) -> ModelToolRun:
    """One run of the framework's checks (contract models, handler resolution and, with
    ``suite``, ``onex validate --strict``'s validators) over every node, as for one node."""
    nodes = [
        (copy, copy.relative_to(space.root).as_posix().replace("/", "."), c.kind)
        for copy, c in sorted(checks.items())
    ]
    started = time.perf_counter()
    report = await run_framework_checks(
        nodes, import_root=space.root, suite=suite, timeout=timeout, env=env, slots=slots
    )
    for copy, node_checks in sorted(checks.items()):
        add_framework_findings(node_checks.onex, report, copy)
    return ModelToolRun(
        tool="onex validate" if suite else "framework checks",
        command=("python", "-m", "onexgen.validation.framework_probe"),
        exit_code=None if report.failure else 0,
        duration_seconds=time.perf_counter() - started,
        timed_out=report.failure is not None and "did not finish" in report.failure,
        node_count=len(nodes),
    )


def _apply_mypy(outcome: ComponentOutcome, issues: list[ModelValidationIssue]) -> None:
    """Fold this node's share of the batched mypy run into its type-safety outcome."""
    outcome.tools.append("mypy --strict")
    outcome.checked = True
    errors = [issue for issue in issues if issue.severity is EnumIssueSeverity.ERROR]
    outcome.issues.extend(issue for issue in errors if issue.code != "mypy:syntax")
    outcome.details.append(f"mypy --strict: {len(errors)} error(s)")


def per_node_level(level: EnumValidationLevel) -> EnumValidationLevel:
    """The level the pipeline checks each node at before writing it in a batch.

    Only the in-process AST checks (``basic``): every tool run (ruff, mypy, pytest, onex) is left
    to :func:`validate_batch`, which runs the expensive ones once for the whole batch.
    """
    return min(level, EnumValidationLevel.BASIC, key=lambda lv: lv.rank)


async def validate_batch(
    node_dirs: Sequence[Path],
    *,
    level: EnumValidationLevel | None = None,
    type_check: bool = True,
    run_tests: bool = True,
    coverage: bool = True,
    mypy_cache: Path | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    threshold: float = DEFAULT_THRESHOLD,
    max_concurrency: int = 2,
) -> ModelBatchValidationResult:
    """Validate all ``node_dirs`` with one run of each expensive tool; results per node.

    Without ``level`` only the batched tools run (mypy when ``type_check``, pytest when
    ``run_tests``). With ``level`` every node also gets the full :class:`ModelValidationResult`
    that ``QualityValidator`` would give it at that level: the same checkers and scoring, with
    mypy (``standard``), pytest and ``onex validate`` (``strict``) run once for the whole batch
    and ruff per node. The nodes are copied side by side into one temporary workspace with the
    validator's tool configs, so tool droppings never reach the output directory.
    """
    started = time.perf_counter()
    if level is not None:
        type_check = level.includes(EnumValidationLevel.STANDARD)
        run_tests = level.includes(EnumValidationLevel.STRICT)
    originals = sorted({Path(os.path.abspath(p)) for p in node_dirs})
    if not originals:
        return ModelBatchValidationResult(nodes=())
    names = [node_import_path(p).module for p in originals]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(f"two nodes of the batch share the module name '{clashes[0]}'")
    for tool in _tools_needed(level, type_check=type_check, run_tests=run_tests):
        locate_tool(tool)  # a missing tool fails here, before anything starts
    tests: dict[Path, ModelTestResults] = {}
    unattributed: list[str] = []
    runs: list[ModelToolRun] = []
    validations: dict[Path, ModelValidationResult] = {}
    with (
        tempfile.TemporaryDirectory(prefix="onexgen-batch-validation-", dir=run_temp_dir()) as tmp,
        _bytecode_dropped(Path(tmp)),
    ):
        space = _Workspace(Path(tmp), originals)
        issues: dict[Path, list[ModelValidationIssue]] = {copy: [] for copy in space.copies}
        env = _tool_env(space.work)
        cache = mypy_cache if mypy_cache is not None else mypy_cache_dir()
        checks = (
            {copy: _NodeChecks(load_layout(copy)) for copy in sorted(space.copies)}
            if level is not None and level is not EnumValidationLevel.NONE
            else {}
        )
        # One pool of tool slots for every process this function starts: ``max_concurrency``
        # (``--jobs``) bounds how many run at once; the long runs are queued first.
        slots = asyncio.Semaphore(max_concurrency)
        tasks: list[asyncio.Task[ModelToolRun]] = []
        try:
            await _run_tools(
                space,
                checks,
                tasks,
                issues=issues,
                tests=tests,
                unattributed=unattributed,
                type_check=type_check,
                run_tests=run_tests,
                coverage=coverage,
                cache=cache,
                env=env,
                timeout=timeout_seconds,
                slots=slots,
            )
        except ExceptionGroup as failures:
            # callers expect the tool's own error (e.g. ToolNotFoundError), not a group
            raise failures.exceptions[0] from failures
        runs.extend(task.result() for task in tasks)
        for copy, node_checks in checks.items():
            assert level is not None
            if type_check:
                _apply_mypy(node_checks.types, issues[copy])
            found = tests.get(copy)
            if found is not None:
                score_test_results(found, node_checks.tests)
            result = compose_result(
                str(space.copies[copy]),
                level,
                threshold,
                node_checks.outcomes(),
                time.perf_counter() - started,
            )
            if found is not None:
                result = result.model_copy(
                    update={
                        "test_results": found.model_copy(
                            update={"node_dir": str(space.copies[copy])}
                        )
                    }
                )
            validations[copy] = result
        copies = dict(space.copies)
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
                validation=validations.get(copy),
            )
        )
    return ModelBatchValidationResult(
        nodes=tuple(per_node),
        runs=tuple(runs),
        unattributed=tuple(unattributed),
        duration_seconds=time.perf_counter() - started,
    )


async def _run_tools(
    space: _Workspace,
    checks: dict[Path, _NodeChecks],
    tasks: list[asyncio.Task[ModelToolRun]],
    *,
    issues: dict[Path, list[ModelValidationIssue]],
    tests: dict[Path, ModelTestResults],
    unattributed: list[str],
    type_check: bool,
    run_tests: bool,
    coverage: bool,
    cache: Path,
    env: Mapping[str, str | None],
    timeout: float,
    slots: asyncio.Semaphore,
) -> None:
    """Start every tool run of the batch in one TaskGroup (one failure cancels and kills all)."""
    attributor = space.attributor
    async with asyncio.TaskGroup() as group:
        if type_check:
            tasks.append(
                group.create_task(
                    _run_mypy(
                        attributor,
                        cache_dir=cache,
                        env=env,
                        timeout=timeout,
                        found=issues,
                        unattributed=unattributed,
                        slots=slots,
                    )
                )
            )
        if run_tests:
            tasks.append(
                group.create_task(
                    _run_pytest(
                        attributor,
                        work=space.work,
                        env=env,
                        timeout=timeout,
                        coverage=coverage,
                        results=tests,
                        unattributed=unattributed,
                        slots=slots,
                    )
                )
            )
        if checks and type_check:
            tasks.append(
                group.create_task(
                    _run_framework(
                        space, checks, suite=run_tests, timeout=timeout, env=env, slots=slots
                    )
                )
            )
        if checks and type_check:
            for copy, node_checks in checks.items():
                group.create_task(node_checks.run_ruff(space.node_workspace(copy), slots))


def _tools_needed(
    level: EnumValidationLevel | None, *, type_check: bool, run_tests: bool
) -> tuple[str, ...]:
    """The executables a batch validation will start."""
    tools: list[str] = []
    if type_check:
        tools.append("mypy")
        if level is not None:
            tools.extend(("ruff", "python"))
    if run_tests:
        tools.append("pytest")
    return tuple(tools)


class _NodeChecks:
    """The per-node checker outcomes of ``QualityValidator`` for one node of the batch."""

    def __init__(self, layout: NodeLayout) -> None:
        self.kind = layout.kind.value if layout.kind is not None else None
        self.onex = check_onex_compliance(layout)
        self.types = check_annotations(layout)
        self.quality = check_complexity(layout)
        self.docs = check_documentation(layout)
        self.tests = check_test_files(layout)

    async def run_ruff(self, workspace: Workspace, semaphore: asyncio.Semaphore) -> None:
        """ruff check and format on this node (fast; per node so D's parsers apply as is)."""
        async with semaphore:
            self.quality = ComponentOutcome(self.quality.component, checked=False)
            await run_ruff_check(workspace, self.quality)
            await run_ruff_format(workspace, self.quality)

    def outcomes(self) -> list[ComponentOutcome]:
        return [self.onex, self.types, self.quality, self.docs, self.tests]


def fold_into_result(
    node_path: Path,
    pipeline_validation: ModelValidationResult | None,
    batch: ModelBatchValidationResult,
) -> tuple[ModelValidationResult | None, ModelTestResults | None]:
    """The final validation of one node: the batched one when it exists, else the pipeline's."""
    try:
        found = batch.for_node(node_path)
    except KeyError:
        return pipeline_validation, None
    if found.validation is not None:
        return found.validation, found.tests
    return pipeline_validation, found.tests


__all__ = [
    "ModelBatchValidationResult",
    "ModelNodeBatchValidation",
    "ModelToolRun",
    "fold_into_result",
    "per_node_level",
    "validate_batch",
]
