"""Run a node's tests in a subprocess: marker filtering, coverage, a hard timeout.

pytest runs from the node's import root (its parent for a standalone ``node_<name>_<kind>``, the
project's ``src`` for a node of an ONEX project, so the node imports as the runtime imports it) with
our own ini file registering the node markers, JUnit XML (xunit1, which carries file and line) for
the results and pytest-cov JSON for coverage. On timeout the whole process group is killed and the
hanging test is recovered from pytest's verbose progress and faulthandler's stack dump.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from onexgen.models.testing import EnumTestType, ModelFailedTest, ModelTestResults
from onexgen.validation.import_root import node_import_path
from onexgen.validation.tools import ModelToolRun, run_tool
from onexgen.validation.workspace import Workspace, config_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator

DEFAULT_TIMEOUT_SECONDS = 300.0
_STATUSES = ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS")
_PROGRESS = re.compile(r"^(?P<id>\S+::\S+?)(?: (?P<rest>.*))?$")
_COLLECTED = re.compile(r"collected (\d+) items?")
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<func>\S+)')
_TAIL_LINES = 40
_DUMP_PLUGIN = "_onexgen_dump_on_signal"
_DUMP_PLUGIN_SOURCE = """\
\"\"\"pytest plugin from onexgen: dump every thread's stack on SIGUSR1 (sent at the timeout).\"\"\"

import faulthandler
import os
import signal

# A duplicate of stderr taken before pytest starts capturing, so the dump reaches the log.
_STREAM = os.fdopen(os.dup(2), "w")
faulthandler.register(signal.SIGUSR1, file=_STREAM, all_threads=True)
"""
_CONFTEST_ERROR = re.compile(r"ImportError while loading conftest '([^']+)'")
_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception): ")


class TestExecutor:
    """Runs one node's tests; a hung test is killed after ``timeout_seconds``."""

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        self.timeout_seconds = timeout_seconds

    def run_sync(
        self,
        node_dir: Path,
        test_type: EnumTestType = EnumTestType.ALL,
        *,
        coverage: bool = True,
    ) -> ModelTestResults:
        """Blocking form of :meth:`run` for callers without an event loop."""
        return asyncio.run(self.run(node_dir, test_type, coverage=coverage))

    async def run(
        self,
        node_dir: Path,
        test_type: EnumTestType = EnumTestType.ALL,
        *,
        coverage: bool = True,
    ) -> ModelTestResults:
        """Run the tests of ``node_dir`` (filtered by marker) and collect the results."""
        node_dir = node_dir.resolve()
        with config_workspace(node_dir) as workspace:
            args = self._pytest_args(node_dir, workspace, test_type, coverage=coverage)
            (workspace.root / f"{_DUMP_PLUGIN}.py").write_text(_DUMP_PLUGIN_SOURCE, "utf-8")
            root = node_import_path(node_dir).root
            paths = (str(root), str(workspace.root), os.environ.get("PYTHONPATH", ""))
            env = {
                "PYTHONPATH": os.pathsep.join(p for p in paths if p),
                "PYTHONUNBUFFERED": "1",
                "COVERAGE_FILE": str(workspace.reports_dir / ".coverage"),
                "NO_COLOR": "1",
                # sys.monitoring-based measurement: less overhead than the C tracer on 3.12
                "COVERAGE_CORE": "sysmon",
            }
            run = await run_tool(
                "pytest",
                args,
                cwd=root,
                timeout=self.timeout_seconds,
                env=env,
                dump_signal=signal.SIGUSR1,
                writable=[node_dir, workspace.root],
            )
            return self._collect(node_dir, workspace, test_type, run)

    def _pytest_args(
        self, node_dir: Path, workspace: Workspace, test_type: EnumTestType, *, coverage: bool
    ) -> list[str]:
        found = node_import_path(node_dir)
        package = found.rel
        target = f"{package}/tests" if (node_dir / "tests").is_dir() else package
        args = [
            target,
            "-c",
            str(workspace.pytest_config),
            "--rootdir",
            str(found.root),
            "--confcutdir",
            str(node_dir),
            "-p",
            "no:cacheprovider",
            "-p",
            _DUMP_PLUGIN,
            "-v",
            "--color=no",
            "--junitxml",
            str(workspace.reports_dir / "junit.xml"),
            "-o",
            "junit_family=xunit1",
            "-o",
            f"faulthandler_timeout={max(1.0, round(self.timeout_seconds / 3, 1))}",
        ]
        if test_type is not EnumTestType.ALL:
            args += ["-m", test_type.value]
        if coverage:
            args += [
                f"--cov={package}",
                f"--cov-config={workspace.coverage_config}",
                f"--cov-report=json:{workspace.reports_dir / 'coverage.json'}",
            ]
        return args

    def _collect(
        self,
        node_dir: Path,
        workspace: Workspace,
        test_type: EnumTestType,
        run: ModelToolRun,
    ) -> ModelTestResults:
        output = f"{run.stdout}\n{run.stderr}".strip()
        tail = "\n".join(output.splitlines()[-_TAIL_LINES:])
        junit = workspace.reports_dir / "junit.xml"
        if run.timed_out or not junit.is_file():
            counts, failed = _from_progress(node_dir, run, self.timeout_seconds)
        else:
            counts, failed = _from_junit(node_dir, junit)
        passed, failures, skipped, total = counts
        percent, by_file = _coverage(node_dir, workspace.reports_dir / "coverage.json")
        return ModelTestResults(
            node_dir=str(node_dir),
            test_type=test_type,
            passed=passed,
            failed=failures,
            skipped=skipped,
            total=total,
            duration=round(run.duration_seconds, 3),
            coverage_percent=None if run.timed_out else percent,
            coverage_by_file=by_file,
            failed_tests=tuple(failed),
            exit_code=run.returncode,
            timed_out=run.timed_out,
            timeout_seconds=self.timeout_seconds,
            output_tail=tail,
        )


def _relative(node_dir: Path, path: str) -> str:
    """A path from pytest (relative to the parent, or absolute) relative to the node dir."""
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = node_import_path(node_dir).root / candidate
    try:
        return candidate.resolve().relative_to(node_dir).as_posix()
    except ValueError:
        return path


def _error_line(message: str, text: str) -> str:
    """The most informative one-line error: pytest's ``E   X: y`` line, else the message."""
    e_lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    typed = [line for line in e_lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", line)]
    if typed:
        return typed[-1]
    if message and message != "collection failure":
        return message.splitlines()[0]
    return e_lines[-1] if e_lines else (message or "failed")


@dataclass(frozen=True)
class JunitCase:
    """One ``<testcase>`` of pytest's xunit1 report, read the same way for one node or a batch."""

    file: str  # as pytest wrote it: relative to its rootdir, or absolute
    name: str  # the test's name in ``file``; "" for an error collecting ``file`` itself
    status: Literal["passed", "skipped", "failed"]
    seconds: float
    line: int | None  # 1-based line of the test function
    problem: ET.Element | None  # the <failure> or <error> element of a failed case


def junit_cases(report: Path) -> Iterator[JunitCase]:
    """Every test case of a JUnit XML report written with ``junit_family=xunit1``.

    A module that fails to import appears without ``file``: its dotted name becomes the path.
    """
    for case in ET.parse(report).getroot().iter("testcase"):
        file = case.get("file") or ""
        name = case.get("name", "")
        if not file:
            file = name.replace(".", "/") + ".py"
        if not case.get("classname"):
            name = ""
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        status: Literal["passed", "skipped", "failed"] = "failed"
        if problem is None:
            status = "skipped" if case.find("skipped") is not None else "passed"
        line_attr = case.get("line")
        yield JunitCase(
            file=file,
            name=name,
            status=status,
            seconds=float(case.get("time") or 0.0),
            line=int(line_attr) + 1 if line_attr and line_attr.isdigit() else None,
            problem=problem,
        )


def failed_test(case: JunitCase, rel: str) -> ModelFailedTest:
    """The failure record of a failed ``case`` whose file is ``rel`` within its node.

    Shared with batched validation so a failure reads the same whichever way the node ran.
    """
    problem = case.problem
    text = (problem.text or "") if problem is not None else ""
    message = problem.get("message", "") if problem is not None else ""
    return ModelFailedTest(
        name=f"{rel}::{case.name}" if case.name else rel,
        error=_error_line(message, text),
        traceback=text.strip(),
        file=rel,
        line=case.line,
        is_error=problem is not None and problem.tag == "error",
    )


def _from_junit(
    node_dir: Path, junit: Path
) -> tuple[tuple[int, int, int, int], list[ModelFailedTest]]:
    passed = failed = skipped = total = 0
    failures: list[ModelFailedTest] = []
    for case in junit_cases(junit):
        total += 1
        if case.status == "passed":
            passed += 1
        elif case.status == "skipped":
            skipped += 1
        else:
            failed += 1
            failures.append(failed_test(case, _relative(node_dir, case.file)))
    return (passed, failed, skipped, total), failures


def _from_progress(
    node_dir: Path, run: ModelToolRun, timeout: float
) -> tuple[tuple[int, int, int, int], list[ModelFailedTest]]:
    """Counts and the hung test from ``pytest -v`` progress lines (no JUnit after a kill)."""
    passed = failed = skipped = 0
    failures: list[ModelFailedTest] = []
    hung: str | None = None
    collected: int | None = None
    prefix = f"{node_import_path(node_dir).rel}/"
    for raw in run.stdout.splitlines():
        found = _COLLECTED.search(raw)
        if found:
            collected = int(found.group(1))
        match = _PROGRESS.match(raw)
        if match is None:
            continue
        status = (match.group("rest") or "").split(" ")[0]
        node_id = match.group("id").removeprefix(prefix)
        if status in {"PASSED", "XFAIL"}:
            passed += 1
        elif status == "SKIPPED":
            skipped += 1
        elif status in _STATUSES:
            failed += 1
            failures.append(
                ModelFailedTest(
                    name=node_id, error=f"{status}", file=node_id.split("::")[0], is_error=True
                )
            )
        else:
            hung = node_id
    if not run.timed_out and run.returncode not in (0, 1, 5) and not failures:
        failures.append(_session_error(node_dir, run))
        failed += 1
    if run.timed_out:
        file, line, trace = _hang_location(node_dir, run.stdout + "\n" + run.stderr)
        name = hung or (file or "tests")
        failed += 1
        failures.append(
            ModelFailedTest(
                name=name,
                error=f"Timeout: test did not finish within {timeout:g} s and was killed",
                traceback=trace,
                file=file or name.split("::")[0],
                line=line,
            )
        )
    total = max(collected or 0, passed + failed + skipped)
    return (passed, failed, skipped, total), failures


def _session_error(node_dir: Path, run: ModelToolRun) -> ModelFailedTest:
    """pytest stopped before running tests (e.g. a conftest that cannot be imported)."""
    output = f"{run.stdout}\n{run.stderr}"
    conftest = _CONFTEST_ERROR.search(output)
    file = _relative(node_dir, conftest.group(1)) if conftest else ""
    typed = [
        line.removeprefix("E").strip()
        for line in output.splitlines()
        if _ERROR_LINE.match(line.removeprefix("E").strip())
    ]
    error = typed[-1] if typed else _last_nonblank(output) or f"pytest exited {run.returncode}"
    return ModelFailedTest(
        name=file or "pytest session",
        error=error,
        traceback="\n".join(output.strip().splitlines()[-30:]),
        file=file,
        is_error=True,
    )


def _last_nonblank(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _hang_location(node_dir: Path, output: str) -> tuple[str, int | None, str]:
    """The innermost frame inside the node from faulthandler's dump, and the dump itself."""
    starts = [i for i in (output.find("Timeout ("), output.find("Current thread")) if i >= 0]
    thread = output.find("Thread 0x")
    if thread >= 0:
        starts.append(thread)
    dump = output[min(starts) :] if starts else ""
    for match in _FRAME.finditer(dump):
        path = Path(match.group("file"))
        try:
            rel = path.resolve().relative_to(node_dir.resolve()).as_posix()
        except ValueError:
            continue
        lines = dump.splitlines()
        return rel, int(match.group("line")), "\n".join(lines[:12])
    return "", None, "\n".join(dump.splitlines()[:12])


def _coverage(node_dir: Path, report: Path) -> tuple[float | None, dict[str, float]]:
    if not report.is_file():
        return None, {}
    data = json.loads(report.read_text(encoding="utf-8"))
    totals = data.get("totals", {})
    percent = totals.get("percent_covered")
    by_file: dict[str, float] = {}
    for path, info in sorted(data.get("files", {}).items()):
        rel = _relative(node_dir, path)
        by_file[rel] = round(float(info.get("summary", {}).get("percent_covered", 0.0)), 2)
    return (round(float(percent), 2) if percent is not None else None), by_file
