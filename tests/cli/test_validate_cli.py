"""``onexgen validate`` and ``onexgen test`` end to end: exit codes, tables, JSON, usage errors,
and a missing tool reported as an error rather than a pass."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onexgen.cli.app import app

FIXTURE = Path(__file__).parents[1] / "validation" / "fixtures" / "node_postgres_writer_effect"
RUNNER = CliRunner()


@pytest.fixture
def node(tmp_path: Path) -> Path:
    target = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _break(node: Path, rel: str, old: str, new: str) -> None:
    path = node / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_validate_json_has_verdict_scores_and_issues(node: Path) -> None:
    result = RUNNER.invoke(app, ["validate", str(node), "--level", "basic", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passed"] is True
    assert data["quality_score"] == 1.0
    assert set(data["component_scores"]) == {
        "onex_compliance",
        "type_safety",
        "code_quality",
        "documentation",
        "tests",
    }
    assert data["issues"] == []


def test_validate_broken_node_exits_1_with_location_and_fix(node: Path) -> None:
    _break(node, "node.py", "async def process(", "async def execute_effect(")
    result = RUNNER.invoke(app, ["validate", str(node), "--level", "basic", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["passed"] is False
    issue = next(i for i in data["issues"] if i["code"] == "ONEX014")
    assert issue["file"] == "node.py"
    assert issue["line"] is not None
    assert "process()" in issue["suggested_fix"]


def test_validate_table_output(node: Path) -> None:
    _break(node, "README.md", "## Usage", "## Notes")
    result = RUNNER.invoke(app, ["validate", str(node), "--level", "basic"])
    assert result.exit_code == 0
    assert "onex_compliance" in result.stdout
    assert "README.md has no Usage section" in result.stdout
    assert "fix: Add a `## Usage` section" in result.stdout
    assert "PASSED" in result.stdout


def test_validate_threshold_option(node: Path) -> None:
    (node / "README.md").unlink()
    result = RUNNER.invoke(app, ["validate", str(node), "--level", "basic", "--threshold", "1"])
    assert result.exit_code == 1
    assert "FAILED" in result.stdout


@pytest.mark.parametrize("command", ["validate", "test"])
def test_missing_node_dir_is_a_usage_error(tmp_path: Path, command: str) -> None:
    result = RUNNER.invoke(app, [command, str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "is not a directory" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_validate_strict_passes_good_node(node: Path) -> None:
    result = RUNNER.invoke(app, ["validate", str(node), "--level", "strict", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["quality_score"] >= 0.95
    assert "pytest --cov" in data["tools_run"]


@pytest.mark.slow
def test_test_command_unit_json(node: Path) -> None:
    result = RUNNER.invoke(app, ["test", str(node), "--type", "unit", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["passed"], data["total"], data["is_passing"]) == (3, 3, True)
    assert data["analysis"]["severity"] == "none"


@pytest.mark.slow
def test_test_command_reports_failure_analysis(node: Path) -> None:
    _break(
        node,
        "tests/unit/test_handler_postgres_writer.py",
        "assert result.affected_rows == 1",
        "assert result.affected_rows == 2",
    )
    result = RUNNER.invoke(app, ["test", str(node), "--json", "--timeout", "120"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["analysis"]["categories"] == ["assertion_error"]
    assert data["failed_tests"][0]["name"].endswith("::test_create_inserts_one_row")
    markdown = RUNNER.invoke(app, ["test", str(node), "--no-coverage"])
    assert markdown.exit_code == 1
    assert "assertion_error" in markdown.stdout


@pytest.mark.slow
def test_missing_tool_is_an_error_not_a_pass(node: Path, tmp_path: Path) -> None:
    """A venv-like interpreter whose bin dir has no ruff/mypy: validation must fail loudly."""
    fake = tmp_path / "fakevenv"
    (fake / "bin").mkdir(parents=True)
    (fake / "bin" / "python").symlink_to(sys.executable)
    shutil.copy(Path(sys.prefix) / "pyvenv.cfg", fake / "pyvenv.cfg")
    paths = [sysconfig.get_paths()["purelib"], *sys.path]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    completed = subprocess.run(
        [
            str(fake / "bin" / "python"),
            "-m",
            "onexgen",
            "validate",
            str(node),
            "--level",
            "standard",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert "not found in" in completed.stderr
    assert "validation cannot run without it" in completed.stderr
    assert "Traceback" not in completed.stderr
