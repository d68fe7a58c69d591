"""Stage 2 and 3: best practices per kind/category, contracts with the prompt's numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import yaml

from onexgen.contracts import ContractLoadError, build_contract, load_contract
from onexgen.intelligence import gather_intelligence
from onexgen.models import EnumCategory, EnumNodeKind, ModelPRDRequirements

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from onexgen.models import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract

TOPIC = re.compile(
    r"^onex\.(cmd|evt)\.[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*-(requested|completed|failed)\.v1$"
)

if TYPE_CHECKING:
    Classify = Callable[[ModelPRDRequirements], ModelClassificationResult]


def _contract(requirements: ModelPRDRequirements, classify: Classify) -> ModelNodeContract:
    classification = classify(requirements)
    return build_contract(
        requirements, classification, gather_intelligence(requirements, classification)
    )


def test_intelligence_depends_on_kind_and_category(
    samples: tuple[ModelPRDRequirements, ...], classify: Classify
) -> None:
    database = gather_intelligence(samples[0], classify(samples[0]))
    api = gather_intelligence(samples[1], classify(samples[1]))
    assert "connection_pooling" in database.recommended_features
    assert "rate_limiting" in api.recommended_features
    assert {p.title for p in database.best_practices} != {p.title for p in api.best_practices}
    assert any("parameterised" in p.title for p in database.best_practices)
    assert database.defaults.timeout_seconds != api.defaults.timeout_seconds


@pytest.mark.parametrize("index", range(6))
def test_contract_identity_and_topics(
    index: int, samples: tuple[ModelPRDRequirements, ...], classify: Classify
) -> None:
    requirements = samples[index]
    contract = _contract(requirements, classify)
    kind = requirements.node_type.value
    assert contract.name == f"node_{requirements.service_name}_{kind}"
    assert contract.node_type == f"{kind.upper()}_GENERIC"
    for topic in (
        contract.event_topics.requested,
        contract.event_topics.completed,
        contract.event_topics.failed,
    ):
        assert TOPIC.match(topic), topic
    assert contract.event_topics.requested.startswith("onex.cmd.infrastructure.")
    assert contract.handler_routing.default_handler.endswith(f":Handler{requirements.node_name}")
    data = yaml.safe_load(contract.to_yaml())
    assert data["node_type"] == contract.node_type
    assert data["contract_version"] == {"major": 1, "minor": 0, "patch": 0}
    assert [op["name"] for op in data["operations"]] == [op.name for op in contract.operations]


def test_prompt_numbers_reach_the_configuration(
    samples: tuple[ModelPRDRequirements, ...], classify: Classify
) -> None:
    postgres = _contract(samples[0], classify).configuration
    assert postgres.retry is not None
    assert postgres.retry.max_attempts == 4
    assert postgres.retry.max_retries == 3
    assert postgres.connection_pool is not None
    assert (postgres.connection_pool.min_size, postgres.connection_pool.max_size) == (5, 20)
    assert postgres.circuit_breaker is not None
    assert postgres.circuit_breaker.failure_threshold == 3
    github = _contract(samples[1], classify).configuration
    assert github.rate_limit is not None
    assert (github.rate_limit.requests, github.rate_limit.period_seconds) == (5000, 3600.0)
    assert github.timeout_seconds == 15.0
    assert github.pagination is not None
    churn = _contract(samples[3], classify).configuration
    assert churn.cache is not None
    assert churn.cache.ttl_seconds == 600.0
    metrics = _contract(samples[4], classify).configuration
    assert metrics.windowing is not None
    assert metrics.windowing.window_seconds == (60.0, 300.0)


def test_defaults_when_prompt_states_no_numbers(
    make_requirements: Callable[..., ModelPRDRequirements], classify: Classify
) -> None:
    requirements = make_requirements(
        EnumNodeKind.EFFECT,
        "Cache",
        "cache",
        EnumCategory.CACHE,
        operations=("read",),
        features=("caching",),
    )
    contract = _contract(requirements, classify)
    assert contract.configuration.cache is not None
    assert contract.configuration.cache.ttl_seconds == 300.0
    assert contract.configuration.retry is not None
    assert contract.configuration.retry.max_attempts == 3
    assert contract.performance.max_latency_ms == 10.0


def test_compute_and_reducer_are_not_retried(
    samples: tuple[ModelPRDRequirements, ...], classify: Classify
) -> None:
    assert _contract(samples[2], classify).configuration.retry is None
    assert _contract(samples[4], classify).configuration.retry is None


def test_default_operation_per_kind(
    samples: tuple[ModelPRDRequirements, ...], classify: Classify
) -> None:
    orchestrator = _contract(samples[5], classify)
    assert [op.name for op in orchestrator.operations] == ["run_workflow"]


def test_features_are_not_constant_boilerplate(
    samples: tuple[ModelPRDRequirements, ...], classify: Classify
) -> None:
    features = {s.service_name: _contract(s, classify).features for s in samples}
    assert len(set(features.values())) == len(samples)


@pytest.mark.parametrize("index", range(6))
def test_generated_contract_round_trips(
    index: int,
    tmp_path: Path,
    samples: tuple[ModelPRDRequirements, ...],
    classify: Classify,
) -> None:
    contract = _contract(samples[index], classify)
    path = tmp_path / "contract.yaml"
    path.write_text(contract.to_yaml(), encoding="utf-8")
    loaded, requirements = load_contract(path)
    assert loaded == contract
    assert requirements.node_type is samples[index].node_type


def test_hand_written_contract_with_common_fields(tmp_path: Path) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text(
        "name: node_user_store_effect\n"
        "node_type: EFFECT_GENERIC\n"
        "node_version: {major: 1, minor: 2, patch: 0}\n"
        "description: Stores users\n"
        "operations: [create, {name: read}]\n",
        encoding="utf-8",
    )
    contract, requirements = load_contract(path)
    assert contract.name == "node_user_store_effect"
    assert requirements.service_name == "user_store"
    assert [op.name for op in contract.operations] == ["create", "read"]


def test_hostile_names_in_contract_stay_safe(tmp_path: Path, hostile_text: str) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "../../etc/class",
                "node_type": "compute_generic",
                "description": hostile_text * 40,
                "operations": ["import", "2fast", "../up"],
            }
        ),
        encoding="utf-8",
    )
    contract, _ = load_contract(path)
    assert contract.name == "node_etc_class_compute"
    assert [op.name for op in contract.operations] == ["import_op", "n_2fast", "up"]
    assert 3990 <= len(contract.description) <= 4000  # cut at 4000, then trimmed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: [unclosed\n", "invalid YAML: line"),
        ("- a list\n", "must contain a mapping"),
        ("name: x\nnode_type: widget\n", "node_type must be EFFECT_GENERIC"),
        ("node_type: EFFECT_GENERIC\n", "'name' is required"),
        ("name: x\nnode_type: effect\noperations: 5\n", "operations: must be a list"),
    ],
)
def test_bad_contracts_give_one_readable_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractLoadError, match=re.escape(message)) as info:
        load_contract(path)
    assert "\n" not in str(info.value)


def test_missing_contract_file(tmp_path: Path) -> None:
    with pytest.raises(ContractLoadError, match="file not found"):
        load_contract(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("business", "expected"),
    [
        ("Pricing", "Pricing (compute node PriceCalculator)."),
        ("", "PriceCalculator compute node."),
        ("Calculate prices with tax", "Calculate prices with tax"),
    ],
)
def test_too_short_descriptions_say_what_the_node_is(
    tmp_path: Path,
    make_requirements: Callable[..., ModelPRDRequirements],
    classify: Classify,
    business: str,
    expected: str,
) -> None:
    requirements = make_requirements(
        EnumNodeKind.COMPUTE, "PriceCalculator", "price_calculator", EnumCategory.DATA
    ).model_copy(update={"business_description": business})
    contract = _contract(requirements, classify)
    assert contract.description == expected
    path = tmp_path / "contract.yaml"
    path.write_text(contract.to_yaml(), encoding="utf-8")
    assert load_contract(path)[0].description == expected  # loading does not grow it again


def test_stated_numbers_reach_the_contract_and_its_generated_test(tmp_path: Path) -> None:
    """Schedules, durations and limits the request names are carried in contract.yaml's
    ``request_facts`` and asserted by the node's own contract test (issue 9)."""
    from onexgen.pipeline import CodeGenerationService

    prompt = (
        "Every five minutes fetch the top 100 trending repositories from the GitHub API "
        "with concurrency ten and cache them for an hour"
    )
    result = CodeGenerationService().generate_node_sync(
        None, tmp_path, prompt=prompt, validation_level="none"
    )
    assert result.success, result.errors
    assert result.node_path is not None
    contract = yaml.safe_load((result.node_path / "contract.yaml").read_text(encoding="utf-8"))
    facts = contract["request_facts"]
    assert [s["every_seconds"] for s in facts["schedules"]] == [300.0]
    assert {(d["role"], d["seconds"]) for d in facts["durations"]} >= {("ttl", 3600.0)}
    assert {(x["role"], x["value"]) for x in facts["limits"]} == {
        ("top_n", 100),
        ("concurrency", 10),
    }
    tests = "".join(
        p.read_text(encoding="utf-8") for p in (result.node_path / "tests").glob("*.py")
    )
    assert "def test_request_facts_are_carried" in tests
    assert '("concurrency", 10)' in tests
    loaded, requirements = load_contract(result.node_path / "contract.yaml")
    assert loaded.request_facts == requirements.facts.model_copy(
        update={"steps": (), "group_by": (), "compensation": False}
    )
    assert [s.every_seconds for s in requirements.facts.schedules] == [300.0]
