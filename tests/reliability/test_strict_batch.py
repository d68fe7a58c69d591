"""Issue 10, defect 2: ``batch --validation strict`` never writes a node that fails its checks.

One kind's generated tests are made to fail through a template override. That node must not be
written, the other node must be, and the good version of the failing node already on disk must
be kept even under ``--force``.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from onexgen.batch.runner import resolve_options, run_batch
from onexgen.batch.spec import load_batch_spec
from onexgen.models.batch import EnumBatchNodeStatus
from onexgen.models.validation import EnumValidationLevel
from onexgen.writing.atomic_writer import BATCH_PREFIX

if TYPE_CHECKING:
    from onexgen.models.batch import ModelBatchResult

ONEXGEN = Path(sys.executable).parent / "onexgen"


def _requirements(kind: str, name: str) -> dict[str, str]:
    return {
        "node_type": kind,
        "node_name": "".join(part.capitalize() for part in name.split("_")),
        "service_name": name,
        "domain": "orders",
        "business_description": f"{kind} node {name} for the orders domain",
    }


def _run(tmp_path: Path, **overrides: object) -> ModelBatchResult:
    path = tmp_path / "spec.yaml"
    nodes = [
        {"name": "orders_store", "requirements": _requirements("effect", "orders_store")},
        {"name": "order_totals", "requirements": _requirements("compute", "order_totals")},
    ]
    path.write_text(yaml.safe_dump({"defaults": {"output_dir": "out"}, "nodes": nodes}))
    spec = load_batch_spec(path)
    options = resolve_options(spec, **overrides)  # type: ignore[arg-type]
    return asyncio.run(run_batch(spec, options, spec_label=str(path)))


def _failing_compute_tests(tmp_path: Path) -> Path:
    templates = tmp_path / "templates"
    (templates / "compute").mkdir(parents=True)
    packaged = resources.files("onexgen.rendering") / "templates" / "shared" / "test_node.py.j2"
    (templates / "compute" / "test_node.py.j2").write_text(
        packaged.read_text(encoding="utf-8")
        + "\n\ndef test_fails_on_purpose() -> None:\n"
        + '    """This node\'s tests fail, so strict validation must reject it."""\n'
        + "    assert 1 == 2\n",
        encoding="utf-8",
    )
    return templates


@pytest.mark.slow
def test_strict_batch_writes_only_passing_nodes_and_keeps_the_good_one(tmp_path: Path) -> None:
    first = _run(tmp_path, validation=EnumValidationLevel.NONE)
    assert first.success, first.errors
    out = tmp_path / "out"
    good = out / "node_order_totals_compute" / "node.py"
    good.write_text(good.read_text() + "# the good version\n")
    store = out / "node_orders_store_effect" / "node.py"
    store.write_text(store.read_text() + "# replaced by the batch\n")

    result = _run(
        tmp_path,
        validation=EnumValidationLevel.STRICT,
        force=True,
        overwrite_edits=True,  # the store node was edited above
        templates_dir=_failing_compute_tests(tmp_path),
    )

    totals = result.node("order_totals")
    assert totals.status is EnumBatchNodeStatus.FAILED
    assert totals.node_path is None
    assert any("not written" in error for error in totals.errors), totals.errors
    assert good.read_text().endswith("# the good version\n"), "the good node must be kept"
    stored = result.node("orders_store")
    assert stored.status is EnumBatchNodeStatus.OK, stored.errors
    assert stored.node_path == out / "node_orders_store_effect"
    assert "# replaced by the batch" not in store.read_text()
    assert sorted(p.name for p in out.iterdir()) == [
        "node_order_totals_compute",
        "node_orders_store_effect",
    ]
    assert not any(p.name.startswith(BATCH_PREFIX) for p in out.iterdir())


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_validated_batch_writes_nothing(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    names = [f"step{i:02d}_calc" for i in range(12)]
    nodes = [{"name": names[0], "requirements": _requirements("compute", names[0])}]
    nodes += [
        {"name": name, "requirements": _requirements("compute", name), "depends_on": [prev]}
        for prev, name in itertools.pairwise(names)
    ]
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        yaml.safe_dump({"defaults": {"output_dir": "out", "validation": "basic"}, "nodes": nodes})
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [str(ONEXGEN), "batch", str(spec), "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(out.glob(f"{BATCH_PREFIX}*/node_{names[2]}_compute")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    assert "nothing was written" in stderr
    assert "Traceback" not in stderr
    assert list(out.iterdir()) == [], "an unvalidated node or the scratch dir was left"
