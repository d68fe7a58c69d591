"""The mixin recommender: every name it can offer exists in the installed omnibase_core, the
recommendations fit the request, and they reach stage 2 and ``onexgen parse --json``."""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from onexgen.cli.app import app
from onexgen.intelligence import gather_intelligence
from onexgen.intelligence.mixin_table import MIXIN_CONFLICTS, MIXIN_ROWS, MixinRow
from onexgen.intelligence.mixins import exported_rows, recommend_values
from onexgen.parsing import NodeClassifier, PRDAnalyzer
from onexgen.pipeline import CodeGenerationService

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("row", MIXIN_ROWS, ids=lambda row: f"{row.name}@{row.module}")
def test_every_table_row_imports_from_the_installed_package(row: MixinRow) -> None:
    found = getattr(importlib.import_module(row.module), row.name)
    assert isinstance(found, type)
    assert found.__name__ == row.name


def test_the_source_check_keeps_every_real_row() -> None:
    """The import-free check agrees with the imports above: no real row is lost."""
    assert exported_rows() == MIXIN_ROWS


def test_names_the_package_does_not_define_are_never_offered() -> None:
    invented = (
        # named in omnibase_core's own mixin_metadata.yaml, but not shipped
        MixinRow("MixinRetry", "omnibase_core.mixins.mixin_retry", "mixin", ("effect",), "x"),
        MixinRow("MixinCircuitBreaker", "omnibase_core.mixins.mixin_caching", "mixin", (), "x"),
        MixinRow("MixinCach", "omnibase_core.mixins.mixin_caching", "mixin", ("effect",), "x"),
        MixinRow("MixinCaching", "somewhere_else.mixins", "mixin", ("effect",), "x"),
    )
    assert exported_rows(invented) == ()


def test_conflicts_name_only_table_entries() -> None:
    names = {row.name for row in MIXIN_ROWS}
    for first, second, why in MIXIN_CONFLICTS:
        assert {first, second} <= names
        assert why


def _names(values: list[dict[str, object]]) -> list[object]:
    return [value["name"] for value in values]


def test_effect_retry_covers_idempotent_operations_only() -> None:
    values = recommend_values("effect", "database", ["retry_logic"], ["create", "read"])
    retry = next(v for v in values if v["name"] == "ModelEffectRetryPolicy")
    assert isinstance(retry["reason"], str)
    assert "retry read" in retry["reason"]
    assert "never retry create" in retry["reason"]
    assert "MixinEffectExecution" in _names(values)
    assert "MixinWorkflowExecution" not in _names(values)


def test_caching_is_offered_for_reads_never_for_write_only_effects() -> None:
    writes = recommend_values("effect", "database", ["caching"], ["create", "delete"])
    assert "MixinCaching" not in _names(writes)
    reads = recommend_values("effect", "database", ["caching"], ["create", "read"])
    caching = next(v for v in reads if v["name"] == "MixinCaching")
    assert "cache read only" in str(caching["reason"])


def test_orchestrator_gets_the_workflow_mixin_and_its_conflicts() -> None:
    values = recommend_values("orchestrator", "workflow", [], ["coordinate"])
    workflow = next(v for v in values if v["name"] == "MixinWorkflowExecution")
    conflicts = workflow["conflicts"]
    assert isinstance(conflicts, list)
    assert "MixinEffectExecution" in [c["name"] for c in conflicts]
    assert "ModelContractWorkflowDefinition" in _names(values)
    assert "MixinEffectExecution" not in _names(values)


def test_recommendations_are_deterministic_and_unique() -> None:
    args = ("effect", "messaging", ["metrics", "event_publishing"], ["publish"])
    first = recommend_values(*args)
    assert first == recommend_values(*args)
    assert len(_names(first)) == len(set(_names(first)))


def test_stage_two_carries_the_recommendations() -> None:
    requirements = PRDAnalyzer().analyze_prompt(
        "Create a reducer that aggregates order totals per customer over 5 minute windows"
    )
    classification = NodeClassifier().classify(requirements)
    intelligence = gather_intelligence(requirements, classification)
    names = [item.name for item in intelligence.recommended_mixins]
    assert "MixinFSMExecution" in names
    assert "ModelAggregationSubcontract" in names
    for item in intelligence.recommended_mixins:
        module, _, name = item.import_path.rpartition(".")
        assert getattr(importlib.import_module(module), name).__name__ == item.name


def test_parse_json_shows_recommended_mixins() -> None:
    result = CliRunner().invoke(
        app, ["parse", "Create EFFECT node for PostgreSQL writes with retry", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    names = [item["name"] for item in data["recommended_mixins"]]
    assert "ModelEffectSubcontract" in names
    assert all(item["reason"] and item["import_path"] for item in data["recommended_mixins"])


def test_generation_documents_the_same_recommendations_as_parse(tmp_path: Path) -> None:
    """Generation uses the recommender: the node's README lists what `parse --json` shows."""
    prompt = "Cache user sessions in Redis with a one hour TTL and retry on connection errors"
    parsed = CliRunner().invoke(app, ["parse", prompt, "--json"])
    assert parsed.exit_code == 0, parsed.output
    expected = [item["name"] for item in json.loads(parsed.stdout)["recommended_mixins"]]
    assert expected
    result = CodeGenerationService().generate_node_sync(
        None, tmp_path, prompt=prompt, validation_level="none"
    )
    assert result.success, result.errors
    assert result.node_path is not None
    readme = (result.node_path / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Framework mixins and subcontracts that fit", 1)[1]
    section = section.split("\n## ", 1)[0]
    listed = [line.split("`")[1] for line in section.splitlines() if line.startswith("- `")]
    assert listed == expected
