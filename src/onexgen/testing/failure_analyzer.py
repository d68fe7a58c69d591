"""Explain failed test runs: root-cause category, severity, fixes and a Markdown report.

Categories come from the error each test reported (exception type and message), never from the
test name, so the same failure is classified the same way in any node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from onexgen.models.testing import (
    EnumFailureCategory,
    EnumFailureSeverity,
    ModelFailedTest,
    ModelFailureAnalysis,
    ModelRootCause,
    ModelTestResults,
)

_NO_TESTS = 5  # pytest's exit code when nothing was collected or selected
_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
_CANNOT_IMPORT = re.compile(r"cannot import name '(\w+)' from '([\w.]+)'")
_FIXTURE = re.compile(r"fixture '(\w+)' not found")
_FILE_NOT_FOUND = re.compile(r"No such file or directory: '([^']+)'")

_MINUTES: dict[EnumFailureCategory, int] = {
    EnumFailureCategory.IMPORT_ERROR: 5,
    EnumFailureCategory.CONFIGURATION_ERROR: 10,
    EnumFailureCategory.TYPE_ERROR: 10,
    EnumFailureCategory.ASSERTION_ERROR: 15,
    EnumFailureCategory.RUNTIME_ERROR: 15,
    EnumFailureCategory.INFRASTRUCTURE_ERROR: 20,
    EnumFailureCategory.TIMEOUT_ERROR: 20,
}

_RULES: tuple[tuple[EnumFailureCategory, re.Pattern[str]], ...] = (
    (EnumFailureCategory.TIMEOUT_ERROR, re.compile(r"^Timeout\b|\bTimeoutError\b|timed out")),
    (
        EnumFailureCategory.IMPORT_ERROR,
        re.compile(r"\b(ModuleNotFoundError|ImportError)\b|No module named|cannot import name"),
    ),
    (
        EnumFailureCategory.INFRASTRUCTURE_ERROR,
        re.compile(
            r"\b(ConnectionRefusedError|ConnectionResetError|ConnectionError|socket\.gaierror|"
            r"OSError: \[Errno (98|99|101|104|110|111|113)\])|Connection refused|"
            r"Name or service not known|Temporary failure in name resolution"
        ),
    ),
    (
        EnumFailureCategory.CONFIGURATION_ERROR,
        re.compile(
            r"fixture '\w+' not found|\bFileNotFoundError\b|\byaml\.\w*Error\b|"
            r"\b(ScannerError|ParserError)\b|Unknown pytest\.mark|PytestUnknownMarkWarning|"
            r"\bconftest\b|KeyError: '(contract|operations|node_type|name)'"
        ),
    ),
    (
        EnumFailureCategory.TYPE_ERROR,
        re.compile(r"\bTypeError\b|\bValidationError\b|validation errors? for \w+"),
    ),
    (EnumFailureCategory.ASSERTION_ERROR, re.compile(r"\bAssertionError\b|^assert\b")),
)


@dataclass
class _Group:
    category: EnumFailureCategory
    tests: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class FailureAnalyzer:
    """Turns ``ModelTestResults`` into root causes, severity and concrete fixes."""

    def categorize(self, failed: ModelFailedTest) -> EnumFailureCategory:
        """The root-cause category of one failed test."""
        text = f"{failed.error}\n{failed.traceback}"
        first = failed.error
        for category, pattern in _RULES:
            if pattern.search(first):
                return category
        for category, pattern in _RULES:
            if pattern.search(text):
                return category
        return EnumFailureCategory.RUNTIME_ERROR

    def analyze(self, results: ModelTestResults) -> ModelFailureAnalysis:
        """Group failures by category and derive severity, fixes and effort."""
        groups: dict[EnumFailureCategory, _Group] = {}
        for failed in results.failed_tests:
            category = self.categorize(failed)
            group = groups.setdefault(category, _Group(category))
            group.tests.append(failed.name)
            group.evidence.append(failed.error)
            text = f"{failed.error}\n{failed.traceback}"
            group.modules.extend(_MISSING_MODULE.findall(text))
            group.modules.extend(module for _, module in _CANNOT_IMPORT.findall(text))
            group.files.extend(_FILE_NOT_FOUND.findall(text))
            if failed.file:
                group.files.append(failed.file)
        if results.total == 0 and results.exit_code == _NO_TESTS and not groups:
            group = groups.setdefault(
                EnumFailureCategory.CONFIGURATION_ERROR,
                _Group(EnumFailureCategory.CONFIGURATION_ERROR),
            )
            marker = results.test_type.value
            group.evidence.append(
                "no tests collected" + ("" if marker == "all" else f" with marker {marker!r}")
            )
            group.files.append("tests" if marker == "all" else f"tests/{marker}")
        if results.total == 0 and results.exit_code not in (0, _NO_TESTS) and not groups:
            group = groups.setdefault(
                EnumFailureCategory.CONFIGURATION_ERROR,
                _Group(EnumFailureCategory.CONFIGURATION_ERROR),
            )
            group.evidence.append(_last_line(results.output_tail) or f"exit {results.exit_code}")
        causes = tuple(
            _root_cause(groups[category], results)
            for category in EnumFailureCategory
            if category in groups
        )
        ran = max(results.total - results.skipped, 0)
        # tests that never finished (killed at a timeout) count as not passing
        not_passing = max(results.failed, ran - results.passed)
        failure_rate = min(1.0, not_passing / ran) if ran else (1.0 if causes else 0.0)
        severity = _severity(results, failure_rate, causes)
        fixes = tuple(dict.fromkeys(cause.recommended_fix for cause in causes))
        minutes = sum(cause.estimated_fix_minutes for cause in causes)
        return ModelFailureAnalysis(
            node_dir=results.node_dir,
            severity=severity,
            failure_rate=round(failure_rate, 4),
            root_causes=causes,
            recommended_fixes=fixes,
            auto_fixable=bool(causes) and all(cause.auto_fixable for cause in causes),
            estimated_fix_minutes=minutes,
            summary=_summary(results, severity, causes),
        )

    def to_markdown(self, analysis: ModelFailureAnalysis, results: ModelTestResults) -> str:
        """A report a person can act on: counts, severity, and each root cause with its fix."""
        lines = [
            f"# Test failure analysis: `{results.node_dir}`",
            "",
            f"- Result: {results.passed} passed, {results.failed} failed, "
            f"{results.skipped} skipped of {results.total} ({results.duration:.2f} s)",
            f"- Severity: **{analysis.severity.value}** (failure rate {analysis.failure_rate:.0%})",
            f"- Estimated fix time: {analysis.estimated_fix_minutes} min; "
            f"auto-fixable: {'yes' if analysis.auto_fixable else 'no'}",
        ]
        if results.coverage_percent is not None:
            lines.append(f"- Coverage: {results.coverage_percent:.1f}%")
        if not analysis.root_causes:
            lines += ["", "No failures."]
            return "\n".join(lines) + "\n"
        for cause in analysis.root_causes:
            lines += ["", f"## {cause.category.value}", "", f"Evidence: `{cause.evidence}`", ""]
            if cause.tests:
                lines.append("Tests:")
                lines += [f"- `{name}`" for name in cause.tests]
                lines.append("")
            if cause.missing_modules:
                lines.append(
                    "Missing modules: " + ", ".join(f"`{m}`" for m in cause.missing_modules)
                )
                lines.append("")
            lines.append(f"Fix ({cause.estimated_fix_minutes} min): {cause.recommended_fix}")
        return "\n".join(lines) + "\n"


def _last_line(text: str) -> str:
    stripped = [line for line in text.splitlines() if line.strip()]
    return stripped[-1].strip() if stripped else ""


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def _root_cause(group: _Group, results: ModelTestResults) -> ModelRootCause:
    tests = _unique(group.tests)
    modules = _unique(group.modules)
    files = _unique(group.files)
    named_tests = ", ".join(tests[:5]) or "the test session"
    category = group.category
    auto = False
    if category is EnumFailureCategory.IMPORT_ERROR:
        node_pkg = results.node_dir.rstrip("/").rsplit("/", 1)[-1]
        local = [m for m in modules if m.split(".")[0] == node_pkg]
        external = [m for m in modules if m not in local]
        parts = []
        if external:
            packages = sorted({m.split(".")[0].replace("_", "-") for m in external})
            parts.append(
                "install the missing package(s) "
                + ", ".join(f"`{p}`" for p in packages)
                + f" (`uv add {' '.join(packages)}`) or remove the import"
            )
        if local:
            wanted = [m.split(".", 1)[1].replace(".", "/") + ".py" for m in local if "." in m]
            parts.append(
                "create the missing module file(s) "
                + ", ".join(f"`{w}`" for w in wanted or local)
                + " or correct the import"
            )
        fix = "; ".join(parts) or "correct the failing import"
        fix = f"{fix[:1].upper()}{fix[1:]} (failing: {named_tests})."
    elif category is EnumFailureCategory.TIMEOUT_ERROR:
        where = ", ".join(files[:3])
        fix = (
            f"{named_tests} did not finish within {results.timeout_seconds:g} s: remove the "
            "blocking call or infinite loop"
            + (f" at {where}" if where else "")
            + ", or bound it with asyncio.wait_for / a timeout."
        )
    elif category is EnumFailureCategory.ASSERTION_ERROR:
        fix = (
            f"Make the code meet the expectation or correct the expectation in {named_tests} "
            f"({', '.join(files[:3]) or 'see traceback'})."
        )
    elif category is EnumFailureCategory.TYPE_ERROR:
        fix = (
            f"Pass values of the declared types (run `mypy --strict` on the node) in "
            f"{named_tests}; check model fields and call signatures."
        )
    elif (
        category is EnumFailureCategory.CONFIGURATION_ERROR
        and results.total == 0
        and (results.exit_code == _NO_TESTS)
    ):
        marker = results.test_type.value
        fix = (
            "Add tests under tests/ (files test_*.py, functions test_*)"
            if marker == "all"
            else f"Mark the {marker} tests with @pytest.mark.{marker} (or `pytestmark = "
            f"pytest.mark.{marker}` per module) and register the marker in tests/conftest.py"
        ) + "; pytest selected none."
    elif category is EnumFailureCategory.CONFIGURATION_ERROR:
        missing = ", ".join(files[:3])
        fix = (
            "Fix the test configuration: "
            + (f"provide {missing}; " if missing else "")
            + "define missing fixtures in tests/conftest.py and register markers "
            f"(failing: {named_tests})."
        )
        auto = False
    elif category is EnumFailureCategory.INFRASTRUCTURE_ERROR:
        fix = (
            f"{named_tests} need an external service that is not reachable: start it, or "
            "replace the dependency with an in-memory fake in unit tests."
        )
    elif group.evidence and all(e.startswith("NameError") for e in group.evidence):
        fix = (
            f"Add the missing import(s) for {', '.join(group.evidence)[:200]} "
            "(`onexgen` refinement adds unambiguous imports automatically)."
        )
        auto = True
    else:
        fix = f"Read the traceback of {named_tests} and fix the exception raised in the node."
    evidence = group.evidence[0] if group.evidence else category.value
    return ModelRootCause(
        category=category,
        tests=tests,
        evidence=evidence[:500],
        missing_modules=modules,
        files=files,
        recommended_fix=fix,
        auto_fixable=auto,
        estimated_fix_minutes=_MINUTES[category] * max(1, len(modules) or 1),
    )


def _severity(
    results: ModelTestResults, failure_rate: float, causes: tuple[ModelRootCause, ...]
) -> EnumFailureSeverity:
    if not causes and results.failed == 0 and not results.timed_out:
        return EnumFailureSeverity.NONE
    ran = results.total - results.skipped
    if ran <= 0 or results.passed == 0:
        return EnumFailureSeverity.CRITICAL
    if failure_rate > 0.5 or any(
        cause.category is EnumFailureCategory.IMPORT_ERROR for cause in causes
    ):
        return EnumFailureSeverity.HIGH
    if failure_rate >= 0.2:
        return EnumFailureSeverity.MEDIUM
    return EnumFailureSeverity.LOW


def _summary(
    results: ModelTestResults,
    severity: EnumFailureSeverity,
    causes: tuple[ModelRootCause, ...],
) -> str:
    if not causes:
        return f"{results.passed} of {results.total} tests passed."
    categories = ", ".join(cause.category.value for cause in causes)
    return f"{results.failed} of {results.total} tests failed ({severity.value}): {categories}."
