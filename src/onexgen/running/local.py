"""Run a node package on ``RuntimeLocal`` in a child process, with the ``PYTHONPATH`` it needs.

The import root is derived from the contract itself: ``handler.module`` is fully qualified, so
the node directory's ancestors that the module path spans are the root (``src/`` inside an ONEX
project, the output directory for a standalone package).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, JsonValue

__all__ = ["ModelNodeRun", "NodeRunError", "import_root_of", "run_node"]

COMPLETED = "completed"


class NodeRunError(ValueError):
    """The node cannot be started; the message says what to fix."""


class ModelNodeRun(BaseModel):
    """The outcome of one run on ``RuntimeLocal``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_dir: str
    contract: str
    input: str
    import_root: str
    result: str
    handler: str = ""
    handler_result: JsonValue = None
    last_error: str | None = None
    duration_seconds: float

    @property
    def completed(self) -> bool:
        """True when the runtime reported COMPLETED."""
        return self.result == COMPLETED


def _contract(node_dir: Path) -> dict[str, Any]:
    path = node_dir / "contract.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise NodeRunError(f"{node_dir} has no contract.yaml; pass a node package folder") from None
    except yaml.YAMLError:
        raise NodeRunError(f"{path} is not valid YAML") from None
    if not isinstance(data, dict):
        raise NodeRunError(f"{path} must be a mapping")
    return data


def import_root_of(node_dir: Path) -> Path:
    """The directory to put on ``PYTHONPATH`` so the contract's module paths import."""
    node_dir = node_dir.resolve()
    data = _contract(node_dir)
    handler = data.get("handler")
    module = handler.get("module") if isinstance(handler, dict) else None
    if not isinstance(module, str) and isinstance(data.get("handler_routing"), dict):
        module = str(data["handler_routing"].get("default_handler", "")).partition(":")[0]
    if not isinstance(module, str) or ".handlers." not in f".{module}":
        raise NodeRunError(
            f"{node_dir}/contract.yaml names no fully qualified handler module "
            "(handler.module: <pkg>.handlers.<module>); regenerate the node with onexgen"
        )
    package_path = module.partition(".handlers.")[0].split(".") if "." in module else []
    if not package_path or package_path[-1] != node_dir.name:
        raise NodeRunError(
            f"contract.yaml's handler module {module!r} does not live in {node_dir.name}/; "
            "the folder was renamed or moved after generation"
        )
    return node_dir.parents[len(package_path) - 1]


async def run_node(node_dir: Path, input_path: Path | None, *, timeout: float) -> ModelNodeRun:
    """Run ``node_dir`` on ``RuntimeLocal`` with ``input_path`` (default: its example request)."""
    from onexgen.process_control import run_temp_dir
    from onexgen.validation.tools import run_tool

    node_dir = node_dir.resolve()
    root = import_root_of(node_dir)
    request = (input_path or node_dir / "examples" / "request.json").resolve()
    if not request.is_file():
        raise NodeRunError(f"input file {request} not found (pass --input FILE)")
    python_path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    # The runtime's state (workflow_result.json) is the only thing the sandboxed child may write.
    with tempfile.TemporaryDirectory(prefix="state-", dir=run_temp_dir()) as state_root:
        run = await run_tool(
            Path(sys.executable).name,
            [
                "-m",
                "onexgen.running.child",
                str(node_dir / "contract.yaml"),
                str(request),
                state_root,
                str(timeout),
            ],
            cwd=root,
            timeout=timeout + 30.0,
            env={"PYTHONPATH": python_path},
            writable=[Path(state_root)],
        )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if run.timed_out or run.returncode != 0 or not lines:
        tail = (run.stderr.strip().splitlines() or ["no output"])[-1]
        reason = "timed out" if run.timed_out else f"exit {run.returncode}: {tail}"
        record: dict[str, Any] = {"result": "error", "last_error": reason}
    else:
        record = json.loads(lines[-1])
    return ModelNodeRun(
        node_dir=str(node_dir),
        contract=str(node_dir / "contract.yaml"),
        input=str(request),
        import_root=str(root),
        result=str(record.get("result", "error")),
        handler=str(record.get("handler") or ""),
        handler_result=record.get("handler_result"),
        last_error=record.get("last_error"),
        duration_seconds=round(run.duration_seconds, 3),
    )
