"""The batch runner end to end through the real pipeline: refusals, dependents, fail-fast."""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import TYPE_CHECKING

import pytest
import yaml

from onexgen.batch.runner import resolve_options, run_batch, with_dependencies
from onexgen.batch.spec import load_batch_spec
from onexgen.models.batch import EnumBatchNodeStatus
from onexgen.models.enums import EnumNodeKind
from onexgen.models.requirements import ModelPRDRequirements
from onexgen.models.validation import EnumValidationLevel
from onexgen.validation.quality_validator import QualityValidator

if TYPE_CHECKING:
    from pathlib import Path

    from onexgen.models.batch import ModelBatchResult

REFUSED_PROMPT = "   ?  "


def _requirements(kind: str, name: str, description: str) -> dict[str, str]:
    pascal = "".join(part.capitalize() for part in name.split("_"))
    return {
        "node_type": kind,
        "node_name": pascal,
        "service_name": name,
        "domain": "orders",
        "business_description": description,
    }


def _spec(tmp_path: Path, nodes: list[dict[str, object]], **defaults: object) -> Path:
    path = tmp_path / "spec.yaml"
    data = {"defaults": {"output_dir": "out", "validation": "none", **defaults}, "nodes": nodes}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _run(path: Path, **overrides: object) -> ModelBatchResult:
    spec = load_batch_spec(path)
    options = resolve_options(spec, **overrides)  # type: ignore[arg-type]
    return asyncio.run(run_batch(spec, options, spec_label=str(path)))


def test_cli_flags_override_spec_defaults(tmp_path: Path) -> None:
    path = _spec(tmp_path, [{"name": "a", "prompt": "x"}], jobs=3, fail_fast=True)
    spec = load_batch_spec(path)
    from_spec = resolve_options(spec)
    assert (from_spec.jobs, from_spec.fail_fast, from_spec.output_dir) == (
        3,
        True,
        tmp_path / "out",
    )
    assert from_spec.validation is EnumValidationLevel.NONE
    flags = resolve_options(
        spec,
        jobs=1,
        fail_fast=False,
        output_dir=tmp_path / "elsewhere",
        validation=EnumValidationLevel.STRICT,
    )
    assert (flags.jobs, flags.fail_fast, flags.output_dir) == (1, False, tmp_path / "elsewhere")
    assert flags.validation is EnumValidationLevel.STRICT


def test_dependencies_reach_the_requirements_first_and_once() -> None:
    base = ModelPRDRequirements.model_validate(
        {**_requirements("orchestrator", "flow", "Coordinate"), "dependencies": ["kafka"]}
    )
    merged = with_dependencies(base, ("store", "kafka", "calc"))
    assert merged.dependencies == ("store", "kafka", "calc")
    assert with_dependencies(base, ()) is base


def test_collect_all_keeps_going_past_a_refused_prompt(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        [
            {
                "name": "orders_store",
                "prompt": "Create EFFECT node that writes customer orders to PostgreSQL",
            },
            {
                "name": "order_totals",
                "requirements": _requirements("compute", "order_totals", "Sum order lines"),
            },
            {"name": "refused", "prompt": REFUSED_PROMPT},
            {
                "name": "after_refused",
                "requirements": _requirements("reducer", "daily_totals", "Aggregate per day"),
                "depends_on": ["refused"],
            },
            {
                "name": "order_flow",
                "requirements": _requirements("orchestrator", "order_flow", "Run the order flow"),
                "depends_on": ["orders_store", "order_totals"],
            },
        ],
    )
    result = _run(path)
    status = {row.name: row.status for row in result.nodes}
    assert status == {
        "orders_store": EnumBatchNodeStatus.OK,
        "order_totals": EnumBatchNodeStatus.OK,
        "refused": EnumBatchNodeStatus.REFUSED,
        "after_refused": EnumBatchNodeStatus.SKIPPED,
        "order_flow": EnumBatchNodeStatus.OK,
    }
    refused = result.node("refused")
    assert refused.errors[0].startswith("refused: prompt refused: ")
    assert result.node("after_refused").errors == (
        "after_refused: not run: dependency 'refused' did not succeed",
    )
    assert [stage.nodes for stage in result.stages] == [
        ("order_totals", "orders_store", "refused"),
        ("after_refused", "order_flow"),
    ]
    assert result.failed_stage == 0
    assert not result.success
    # one shared template cache: preloaded once, then every node's renders are hits
    assert result.template_cache_size is not None
    assert result.template_cache_size > 0
    assert result.template_cache_hit_rate is not None
    assert result.template_cache_hit_rate > 0.5
    out = tmp_path / "out"
    written = sorted(p.name for p in out.iterdir())
    packages = sorted(row.package_name or "" for row in result.nodes if row.status.is_ok)
    assert written == packages
    assert "node_order_totals_compute" in written
    flow = result.node("order_flow")
    assert flow.kind is EnumNodeKind.ORCHESTRATOR
    assert flow.node_path == out / "node_order_flow_orchestrator"
    contract = yaml.safe_load((flow.node_path / "contract.yaml").read_text(encoding="utf-8"))
    assert contract["metadata"]["dependencies"][:2] == ["orders_store", "order_totals"]


def test_fail_fast_stops_after_the_first_failed_stage(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        [
            {"name": "refused", "prompt": REFUSED_PROMPT},
            {
                "name": "later",
                "requirements": _requirements("compute", "later_calc", "Compute later"),
                "depends_on": ["zz_first"],
            },
            {
                "name": "zz_first",
                "requirements": _requirements("compute", "first_calc", "Compute first"),
            },
        ],
    )
    result = _run(path, fail_fast=True)
    status = {row.name: row.status for row in result.nodes}
    assert status["refused"] is EnumBatchNodeStatus.REFUSED
    assert status["later"] is EnumBatchNodeStatus.SKIPPED
    assert status["zz_first"] in {EnumBatchNodeStatus.CANCELLED, EnumBatchNodeStatus.OK}
    assert "fail-fast" in result.node("later").errors[0]
    out = tmp_path / "out"
    written = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert "node_later_calc_compute" not in written
    assert not any(name.startswith(".onexgen-") for name in written), "no staging leftovers"


def test_two_entries_generating_the_same_package_are_caught(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        [
            {"name": "first", "requirements": _requirements("compute", "same_calc", "One")},
            {"name": "second", "requirements": _requirements("compute", "same_calc", "Two")},
        ],
    )
    result = _run(path)
    assert result.node("first").status is EnumBatchNodeStatus.OK
    second = result.node("second")
    assert second.status is EnumBatchNodeStatus.FAILED
    assert "would generate the same package as 'first'" in second.errors[0]


def test_entries_with_colliding_prompts_but_different_names_all_get_written(
    tmp_path: Path,
) -> None:
    """An entry's name is the node's name unless the prompt states one (issue 9)."""
    prompt = "Sum the amounts of payment events per merchant per day"
    path = _spec(
        tmp_path,
        [
            {"name": "merchant_totals", "prompt": prompt},
            {"name": "merchant_totals_backup", "prompt": prompt},
            {
                "name": "stated",
                "prompt": "Create a REDUCER node called LedgerTotals that " + prompt,
            },
        ],
    )
    result = _run(path)
    assert all(node.status is EnumBatchNodeStatus.OK for node in result.nodes), result.nodes
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert any("merchant_totals_backup" in name for name in written), written
    assert any("merchant_totals_reducer" in name for name in written), written
    assert any("ledger_totals" in name for name in written), written


@pytest.mark.slow
def test_a_node_failing_validation_fails_alone(tmp_path: Path) -> None:
    """One kind's template is overridden with a type error: only that node fails, and every
    other node gets exactly the result single-node validation gives it."""
    templates = tmp_path / "templates"
    (templates / "compute").mkdir(parents=True)
    packaged = resources.files("onexgen.rendering") / "templates" / "shared" / "node.py.j2"
    (templates / "compute" / "node.py.j2").write_text(
        packaged.read_text(encoding="utf-8")
        + "\n\ndef broken_by_test() -> int:\n"
        + '    """Deliberately wrong, so that this node alone fails type checking."""\n'
        + '    return "not an int"\n',
        encoding="utf-8",
    )
    path = _spec(
        tmp_path,
        [
            {
                "name": "orders_store",
                "requirements": _requirements("effect", "orders_store", "Store orders"),
            },
            {
                "name": "broken_calc",
                "requirements": _requirements("compute", "broken_calc", "Compute totals"),
            },
            {
                "name": "daily_totals",
                "requirements": _requirements("reducer", "daily_totals", "Aggregate per day"),
                "depends_on": ["broken_calc"],
            },
        ],
        validation="standard",
    )
    result = _run(path, templates_dir=templates)

    broken = result.node("broken_calc")
    assert broken.status is EnumBatchNodeStatus.FAILED
    assert broken.validation is not None
    blocking = [(i.code, i.file) for i in broken.validation.blocking_issues]
    assert ("mypy:return-value", "node.py") in blocking
    assert "failed standard validation" in broken.errors[0]
    assert [run.tool for run in result.tool_runs] == ["mypy", "framework checks"]
    assert result.tool_runs[0].node_count == 3

    validator = QualityValidator()
    for name in ("orders_store", "daily_totals"):
        row = result.node(name)
        assert row.node_path is not None
        alone = validator.validate_sync(row.node_path, EnumValidationLevel.STANDARD)
        assert row.validation is not None
        assert row.score == alone.quality_score, name
        assert {(i.code, i.file, i.line) for i in row.validation.issues} == {
            (i.code, i.file, i.line) for i in alone.issues
        }
        assert row.status is (
            EnumBatchNodeStatus.OK if alone.passed else EnumBatchNodeStatus.FAILED
        )


def test_a_node_over_its_timeout_is_timed_out_and_not_written(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        [
            {"name": "slow_calc", "requirements": _requirements("compute", "slow_calc", "Slow")},
            {
                "name": "after_slow",
                "requirements": _requirements("reducer", "after_slow", "After"),
                "depends_on": ["slow_calc"],
            },
        ],
    )
    result = _run(path, timeout_seconds=0.001)
    slow = result.node("slow_calc")
    assert slow.status is EnumBatchNodeStatus.TIMED_OUT
    assert slow.errors == ("slow_calc: timed out after 0.001 s",)
    assert result.node("after_slow").status is EnumBatchNodeStatus.SKIPPED
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir()), "a timed-out node must leave nothing"
