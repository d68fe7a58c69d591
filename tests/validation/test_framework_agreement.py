"""The validator agrees with the framework: what omnibase_core documents as correct passes.

The nodes here are made by the framework itself (``onex init`` + ``onex new node``, the console
script installed with omnibase_core), not by onexgen: its scaffold of every kind and its
"zero custom code" node form must score as passing ONEX compliance, and a contract section the
framework's own model rejects must be reported with that model's error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onexgen.cli.app import app
from onexgen.models.validation import EnumValidationComponent, EnumValidationLevel
from onexgen.validation.quality_validator import QualityValidator

KINDS = ("compute", "effect", "orchestrator", "reducer")
RUNNER = CliRunner()
ONEX = Path(sys.executable).parent / "onex"

# Retrying an operation declared non-idempotent: ModelEffectSubcontract rejects it.
RETRIED_WRITE = """
effect_subcontract:
  subcontract_name: writer
  operations:
    - operation_name: create
      idempotent: false
      io_config:
        handler_type: db
        operation: insert
        connection_name: main
        query_template: "INSERT INTO t VALUES ($1)"
        query_params: ["${input.name}"]
      retry_policy: {enabled: true, max_retries: 3}
"""


def _onex(*args: str, cwd: Path) -> None:
    subprocess.run([str(ONEX), *args], cwd=cwd, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ONEX project made by the framework, with one ``onex new node`` node of each kind."""
    root = tmp_path_factory.mktemp("onex")
    _onex("init", "proj", cwd=root)
    for kind in KINDS:
        _onex("new", "node", f"my-{kind}", "--type", kind, cwd=root / "proj")
    return root / "proj"


def _node(project: Path, kind: str) -> Path:
    return project / "src" / "proj" / "nodes" / f"my_{kind}"


def _copy(project: Path, kind: str, tmp_path: Path) -> Path:
    """A private copy of the whole project (the node keeps its place and import root)."""
    target = tmp_path / "proj"
    subprocess.run(["cp", "-r", str(project), str(target)], check=True)
    return _node(target, kind)


def _onex_issues(data: dict[str, object]) -> list[dict[str, object]]:
    issues = data["issues"]
    assert isinstance(issues, list)
    return [i for i in issues if i["component"] == EnumValidationComponent.ONEX_COMPLIANCE.value]


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_framework_scaffold_scores_passing_onex_compliance(project: Path, kind: str) -> None:
    node = _node(project, kind)
    result = RUNNER.invoke(app, ["validate", str(node), "--level", "strict", "--json"])
    data = json.loads(result.stdout)
    blocking = [i for i in _onex_issues(data) if i["severity"] in {"critical", "error"}]
    assert blocking == []
    assert data["component_scores"]["onex_compliance"] == 1.0
    assert "onex validate --strict" in data["tools_run"]
    # the copy is checked under the project's import root: mypy resolves proj.nodes.* imports
    assert data["component_scores"]["type_safety"] == 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_zero_custom_code_node_passes(project: Path, kind: str, tmp_path: Path) -> None:
    """``class NodeMyX(NodeX): pass`` with behaviour in the contract: no process() demanded."""
    node = _copy(project, kind, tmp_path)
    pascal = f"My{kind.capitalize()}"
    base = f"Node{kind.capitalize()}"
    generic = kind in {"compute", "reducer"}
    models = f"proj.nodes.my_{kind}.models"
    lines = ["from __future__ import annotations", "", f"from omnibase_core.nodes import {base}"]
    if generic:
        lines += [
            f"from {models}.model_my_{kind}_input import Model{pascal}Input",
            f"from {models}.model_my_{kind}_output import Model{pascal}Output",
        ]
    args = f"[Model{pascal}Input, Model{pascal}Output]" if generic else ""
    lines += ["", "", f"class Node{pascal}({base}{args}):", '    """Zero custom code."""', ""]
    (node / f"node_my_{kind}_{kind}.py").write_text("\n".join(lines), encoding="utf-8")
    result = QualityValidator().validate_sync(node, EnumValidationLevel.BASIC)
    onex = [i for i in result.issues if i.component is EnumValidationComponent.ONEX_COMPLIANCE]
    assert onex == [], [f"{i.code} {i.message}" for i in onex]


def test_process_override_breaking_the_base_is_still_an_error(
    project: Path, tmp_path: Path
) -> None:
    node = _copy(project, "effect", tmp_path)
    (node / "node_my_effect_effect.py").write_text(
        "from omnibase_core.nodes import NodeEffect\n\n\n"
        "class NodeMyEffect(NodeEffect):\n"
        "    def process(self, data: int) -> int:\n"
        "        return data\n",
        encoding="utf-8",
    )
    result = QualityValidator().validate_sync(node, EnumValidationLevel.BASIC)
    assert any(i.code == "ONEX015" and i.severity.blocks for i in result.issues)


@pytest.mark.slow
def test_bad_contract_sections_are_reported_with_the_framework_models_error(
    project: Path, tmp_path: Path
) -> None:
    node = _copy(project, "effect", tmp_path)
    contract = node / "contract.yaml"
    text = contract.read_text(encoding="utf-8") + RETRIED_WRITE
    contract.write_text(
        text.replace("class: HandlerMyEffect", "class: HandlerMissing"), encoding="utf-8"
    )
    result = QualityValidator().validate_sync(node, EnumValidationLevel.STANDARD)
    assert not result.passed
    by_code = {i.code: i for i in result.issues}
    section = by_code["ONEX050"]
    assert "ModelEffectSubcontract" in section.message
    assert "not idempotent but has retry enabled" in section.message
    handler = by_code["ONEX051"]
    assert "defines no HandlerMissing" in handler.message
    assert handler.file == "contract.yaml"


@pytest.mark.slow
def test_node_staged_outside_its_project_is_checked_under_its_declared_module(
    project: Path, tmp_path: Path
) -> None:
    """Generated into a project, a node is validated in a staging directory before it moves to
    src/proj/nodes/: its contract already names it proj.nodes.my_effect."""
    staged = tmp_path / ".staging" / "my_effect"
    staged.parent.mkdir(parents=True)
    subprocess.run(["cp", "-r", str(_node(project, "effect")), str(staged)], check=True)
    result = QualityValidator().validate_sync(staged, EnumValidationLevel.STANDARD)
    blocking = [f"{i.code} {i.message}" for i in result.blocking_issues]
    assert blocking == []
    assert "omnibase_core contract models + handler resolution" in result.tools_run
