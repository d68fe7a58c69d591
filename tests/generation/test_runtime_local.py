"""Every kind of generated node completes on omnibase_core's own runtime (``RuntimeLocal``)
with its example request: standalone (the output directory is the import root) and inside a
project made by the framework's ``onex init`` (placed and registered as ``onex new node`` does).

Real tools only: the ``onex`` CLI makes the project, ``onexgen generate`` and ``onexgen run``
run as the user runs them, RuntimeLocal runs in a child process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from onexgen.models import EnumNodeKind
from onexgen.writing.project import ProjectError, detect_project, load_project, register_node

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PROMPTS = {
    EnumNodeKind.EFFECT: "Create an effect node that stores customer orders in PostgreSQL",
    EnumNodeKind.COMPUTE: "Create a compute node that calculates order totals with tax",
    EnumNodeKind.REDUCER: "Create a reducer node that aggregates page views per URL",
    EnumNodeKind.ORCHESTRATOR: "Create an orchestrator node that coordinates order fulfilment",
}


def _onexgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "onexgen"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _generate(kind: EnumNodeKind, cwd: Path, *extra: str) -> Path:
    proc = _onexgen(
        "generate", PROMPTS[kind], "-t", kind.value, "--validation", "none", "--json", *extra,
        cwd=cwd,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return Path(json.loads(proc.stdout)["node_path"])


def _run(node: Path, cwd: Path) -> dict[str, object]:
    proc = _onexgen("run", str(node), "--json", cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outcome = json.loads(proc.stdout)
    assert isinstance(outcome, dict)
    return outcome


@pytest.fixture(scope="module")
def onex_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project exactly as the framework's ``onex init`` makes it."""
    parent = tmp_path_factory.mktemp("onex-init")
    proc = subprocess.run(
        [str(BIN / "onex"), "init", "shop"],
        cwd=parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return parent / "shop"


@pytest.mark.parametrize("kind", list(EnumNodeKind))
def test_standalone_node_completes_on_runtime_local(kind: EnumNodeKind, tmp_path: Path) -> None:
    node = _generate(kind, tmp_path, "-o", str(tmp_path / "out"))
    contract = yaml.safe_load((node / "contract.yaml").read_text(encoding="utf-8"))
    package = node.name
    assert contract["handler"]["module"].startswith(f"{package}.handlers.")
    assert contract["handler_routing"]["default_handler"].startswith(f"{package}.handlers.")
    assert contract["input_model"].startswith(f"{package}.models.")
    assert contract["terminal_event"] == contract["event_bus"]["publish_topics"][0]
    outcome = _run(node, tmp_path)
    assert outcome["result"] == "completed"
    assert outcome["import_root"] == str(tmp_path / "out")
    assert isinstance(outcome["handler_result"], dict)
    readme = (node / "README.md").read_text(encoding="utf-8")
    assert "PYTHONPATH=" in readme


@pytest.mark.parametrize("kind", list(EnumNodeKind))
def test_node_in_onex_init_project_completes_and_registers(
    kind: EnumNodeKind, onex_project: Path
) -> None:
    node = _generate(kind, onex_project, "--register", "--force")
    assert node.parent == onex_project / "src" / "shop" / "nodes"
    contract = yaml.safe_load((node / "contract.yaml").read_text(encoding="utf-8"))
    assert contract["handler"]["module"].startswith(f"shop.nodes.{node.name}.handlers.")
    outcome = _run(node, onex_project)
    assert outcome["result"] == "completed"
    assert outcome["import_root"] == str(onex_project / "src")
    pyproject = tomllib.loads((onex_project / "pyproject.toml").read_text(encoding="utf-8"))
    entry = pyproject["project"]["entry-points"]["onex.nodes"][node.name]
    assert entry.startswith(f"shop.nodes.{node.name}.node:Node")


def test_run_reports_a_failing_request_in_one_line(tmp_path: Path) -> None:
    node = _generate(EnumNodeKind.EFFECT, tmp_path, "-o", str(tmp_path / "out"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"operation": "no_such_operation"}', encoding="utf-8")
    proc = _onexgen("run", str(node), "--input", str(bad), cwd=tmp_path)
    assert proc.returncode == 1
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 1
    assert "did not complete on RuntimeLocal (FAILED)" in errors[0]
    assert "Traceback" not in proc.stderr


def test_run_refuses_a_folder_without_contract(tmp_path: Path) -> None:
    proc = _onexgen("run", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 1
    assert (
        proc.stderr.strip()
        == f"onexgen: error: {tmp_path} has no contract.yaml; pass a node package folder"
    )


def test_project_detection_never_targets_onexgen_itself(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    assert detect_project(repo) is None
    with pytest.raises(ProjectError, match="onexgen's own repository"):
        load_project(repo)
    assert detect_project(tmp_path) is None


def test_register_is_idempotent_and_refuses_conflicts(onex_project: Path) -> None:
    project = load_project(onex_project)
    assert project.package == "shop"
    assert register_node(project, "node_demo_compute", "shop.nodes.node_demo_compute.node:N")
    assert not register_node(project, "node_demo_compute", "shop.nodes.node_demo_compute.node:N")
    with pytest.raises(ProjectError, match="already points at"):
        register_node(project, "node_demo_compute", "elsewhere:N")


def test_strict_validation_passes_inside_a_project(onex_project: Path) -> None:
    """Strict validation (its tests run on a staged copy) accepts project-rooted references."""
    proc = _onexgen(
        "generate", "Create an orchestrator node that coordinates order fulfilment: reserve "
        "stock, charge the card, ship the order", "-t", "orchestrator", "--validation", "strict",
        "--force", "--json",
        cwd=onex_project,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    result = json.loads(proc.stdout)
    assert result["success"]
    assert result["validation"]["passed"]
