"""Hybrid code for every node kind, and quorum votes, through the service and a scripted server.

The compute kind is covered end to end by ``test_strategies_cli``; effect runs here as a code
quorum (two good candidates tie, the test-agreement tie-break picks one), reducer and
orchestrator with a single model. Every accepted candidate passed ``strict`` validation (ruff,
mypy --strict, pytest, ``onex validate --strict``) with the model's code in place.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from onexgen.llm.engine import StrategyEngine
from onexgen.llm.settings import ModelLLMSettings
from onexgen.pipeline import CodeGenerationService
from onexgen.writing.manifest import load_manifest

from .answers import content, good_answer, render_files
from .conftest import ok

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from onexgen.models.generation import ModelGenerationResult

    from .conftest import ScriptedServer

    type Start = Callable[[dict[str, list[dict[str, Any]]]], ScriptedServer]

KINDS = {
    "reducer": "Create a REDUCER node that aggregates order totals per customer",
    # A second operation: the templates write the main workflow, the model the other one.
    "orchestrator": (
        "Create an ORCHESTRATOR node that coordinates the order fulfilment workflow "
        "and schedules shipments"
    ),
}
# Two operations (create, and an idempotent update) that tests can run without a server.
EFFECT = "Create an EFFECT node that updates user profiles stored as JSON files"
VOTED = "Create a node that computes the p95 latency of request durations"
# Names no output (p95 above is a stated output since stage 1 extracts named outputs), so the
# llm strategy's proposed fields are the ones applied.
UNNAMED_OUTPUTS = "Create a node that computes latency statistics of request durations"


def _run(
    settings: ModelLLMSettings,
    prompt: str,
    out: Path,
    *,
    dry_run: bool = False,
    validation_level: str = "basic",
) -> ModelGenerationResult:
    engine = StrategyEngine(settings)
    service = CodeGenerationService(strategy_engine=engine)

    async def main() -> ModelGenerationResult:
        try:
            return await service.generate_node(
                None,
                out,
                prompt=prompt,
                dry_run=dry_run,
                strategy="hybrid",
                validation_level=validation_level,
            )
        finally:
            await engine.aclose()

    return asyncio.run(main())


def _accepted_strictly(result: ModelGenerationResult) -> None:
    """Hybrid wrote code that passed every strict check: ruff, mypy --strict, its tests with
    full handler coverage, ``onex validate --strict``, docstrings; quality score exactly 1.0."""
    assert result.success, result.errors
    report = result.strategy
    assert report is not None
    assert report.used.value == "hybrid"
    assert not report.needs_review
    assert report.methods_written
    accepted = [r for r in report.rounds if r.accepted]
    assert accepted
    assert accepted[0].quality_score is not None
    assert accepted[0].quality_score == 1.0
    assert result.node_path is not None
    assert load_manifest(result.node_path).strategy == "hybrid"
    assert report.test_file is not None
    assert (result.node_path / report.test_file).is_file()


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_hybrid_code_passes_strict_checks(llm_server: Start, tmp_path: Path, kind: str) -> None:
    _, files = render_files(KINDS[kind], tmp_path / "render")
    server = llm_server({"*": [ok(content(good_answer(files)))]})
    settings = ModelLLMSettings(base_url=server.base_url, model="m1")
    # the reducer is also validated strictly as written, as a second witness
    level = "strict" if kind == "reducer" else "basic"
    result = _run(settings, KINDS[kind], tmp_path / "out", validation_level=level)
    _accepted_strictly(result)
    assert result.node_type is not None
    assert result.node_type.value == kind
    assert result.validation is not None
    assert result.validation.passed
    if level == "strict":
        assert result.validation.quality_score == 1.0
        assert result.validation.test_results is not None
        assert result.validation.test_results.is_passing


@pytest.mark.slow
def test_code_quorum_best_score_then_test_agreement(llm_server: Start, tmp_path: Path) -> None:
    _, files = render_files(EFFECT, tmp_path / "render")
    good = ok(content(good_answer(files)))
    server = llm_server({"m1": [good], "m2": [good], "m3": [ok("not json at all")]})
    settings = ModelLLMSettings(
        base_url=server.base_url, enable_quorum=True, quorum_models=("m1", "m2", "m3")
    )
    result = _run(settings, EFFECT, tmp_path / "out")
    _accepted_strictly(result)
    assert result.strategy is not None
    code = next(d for d in result.strategy.quorum if d.subject == "code")
    assert code.winner == "m1"
    assert [v.model for v in code.votes] == ["m1", "m2", "m3"]
    assert "tie broken by agreement of test results" in code.reason
    assert all("passes 1 of the others' tests" in v.reason for v in code.votes[:2])
    assert code.votes[2].reason == "rejected: no candidate passed the strict checks in 3 rounds"
    details = load_manifest(result.node_path or tmp_path).strategy_details
    assert details is not None
    assert any(d.subject == "code" for d in details.quorum)


def _vote(kind: str, *operations: str) -> dict[str, Any]:
    return ok({"node_type": kind, "operations": list(operations), "reason": f"it is a {kind}"})


def test_quorum_two_of_three_agree(llm_server: Start, tmp_path: Path) -> None:
    server = llm_server(
        {
            "m1": [_vote("reducer", "aggregate")],
            "m2": [_vote("reducer", "aggregate")],
            "m3": [_vote("effect", "store")],
        }
    )
    settings = ModelLLMSettings(
        base_url=server.base_url, enable_quorum=True, quorum_models=("m1", "m2", "m3")
    )
    result = _run(settings, VOTED, tmp_path, dry_run=True)
    assert result.success, result.errors
    assert result.node_type is not None
    assert result.node_type.value == "reducer"
    assert result.strategy is not None
    kind = next(d for d in result.strategy.quorum if d.subject == "node_type")
    assert kind.winner == "reducer"
    assert kind.agreement == pytest.approx(0.667, abs=0.001)
    assert {v.model: v.answer for v in kind.votes} == {
        "m1": "reducer",
        "m2": "reducer",
        "m3": "effect",
    }
    assert kind.votes[0].reason == "it is a reducer"
    ops = next(d for d in result.strategy.quorum if d.subject == "operations")
    assert ops.winner == "aggregate"
    assert any(
        item.startswith("node_type: the rules said") for item in result.strategy.disagreements
    )
    assert len(server.requests()) == 3  # a dry run asks for no code


def test_quorum_all_disagree_the_rules_decide_with_a_warning(
    llm_server: Start, tmp_path: Path
) -> None:
    server = llm_server(
        {
            "m1": [_vote("reducer")],
            "m2": [_vote("effect")],
            "m3": [_vote("orchestrator")],
        }
    )
    settings = ModelLLMSettings(
        base_url=server.base_url, enable_quorum=True, quorum_models=("m1", "m2", "m3")
    )
    result = _run(settings, VOTED, tmp_path, dry_run=True)
    assert result.success, result.errors
    assert result.node_type is not None
    assert result.node_type.value == "compute"
    assert result.strategy is not None
    kind = next(d for d in result.strategy.quorum if d.subject == "node_type")
    assert kind.winner is None
    assert kind.agreement == pytest.approx(0.333, abs=0.001)
    assert any(w.startswith("no quorum on node_type") for w in result.warnings)


def test_a_stated_kind_wins_over_the_model(llm_server: Start, tmp_path: Path) -> None:
    server = llm_server({"*": [_vote("effect", "calculate")]})
    settings = ModelLLMSettings(base_url=server.base_url, model="m1", confidence_threshold=1.0)
    prompt = "Create a COMPUTE node that computes the p95 latency of request durations"
    result = _run(settings, prompt, tmp_path, dry_run=True)
    assert result.node_type is not None
    assert result.node_type.value == "compute"
    assert result.strategy is not None
    assert result.strategy.disagreements == (
        "node_type: the model says 'effect', the request states 'compute'; the request wins",
    )


def test_llm_strategy_takes_the_models_operations_and_fields(
    llm_server: Start, tmp_path: Path
) -> None:
    proposal = {
        "node_type": "compute",
        "operations": ["calculate_percentile", "summarise"],
        "output_fields": ["p95_ms", "sample_count"],
        "reason": "percentiles are pure maths",
    }
    server = llm_server({"*": [ok(proposal)]})
    settings = ModelLLMSettings(base_url=server.base_url, model="m1")
    engine = StrategyEngine(settings)
    service = CodeGenerationService(strategy_engine=engine)

    async def main() -> ModelGenerationResult:
        try:
            return await service.generate_node(
                None, tmp_path, prompt=UNNAMED_OUTPUTS, dry_run=True, strategy="llm"
            )
        finally:
            await engine.aclose()

    result = asyncio.run(main())
    assert result.success, result.errors
    assert result.strategy is not None
    assert result.strategy.used.value == "llm"
    assert result.contract_yaml is not None
    assert "calculate_percentile" in result.contract_yaml
    assert "summarise" in result.contract_yaml
    assert result.strategy.proposals == (
        "fields proposed by m1: outputs ['p95_ms', 'sample_count'], group_by []",
    )
