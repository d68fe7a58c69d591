"""Refused prompts, requirements files, and the plain-value path matching the typed models."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest

from onexgen.models import EnumCategory, EnumNodeKind
from onexgen.parsing import (
    MAX_PROMPT_CHARS,
    NodeClassifier,
    PRDAnalyzer,
    PromptRefusedError,
    RequirementsFileError,
    load_requirements_file,
)
from onexgen.parsing.classifier import classify_values
from onexgen.parsing.phrases import Category, Kind
from onexgen.parsing.prd_analyzer import analyze_prompt_values

SHARED_EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


@pytest.mark.parametrize(
    "prompt",
    [
        "",
        "   \n\t ",
        "Create node",
        "Help me with databases",
        "Make something that does stuff",
        "node",
        "Create EFFECT node",
    ],
)
def test_prompts_without_purpose_are_refused(prompt: str) -> None:
    with pytest.raises(PromptRefusedError) as caught:
        PRDAnalyzer().analyze_prompt(prompt)
    assert caught.value.reason in {"empty", "no_purpose"}
    assert "node" in caught.value.message
    assert "Create a <EFFECT|COMPUTE|REDUCER|ORCHESTRATOR> node" in caught.value.template


def test_hint_settles_kind_but_not_purpose() -> None:
    with pytest.raises(PromptRefusedError):
        PRDAnalyzer().analyze_prompt("something generic", node_type_hint="effect")


def test_kind_and_name_is_a_scaffold_request() -> None:
    result = PRDAnalyzer().analyze_prompt("EFFECT node called AuditSink")
    assert result.node_name == "AuditSink"
    assert result.node_type is EnumNodeKind.EFFECT
    assert result.business_description == "Effect node AuditSink"


def test_oversized_prompt_is_refused() -> None:
    prompt = "Write orders to PostgreSQL. " * (MAX_PROMPT_CHARS // 20)
    with pytest.raises(PromptRefusedError) as caught:
        PRDAnalyzer().analyze_prompt(prompt)
    assert caught.value.reason == "too_long"
    assert f"{MAX_PROMPT_CHARS:,}" in caught.value.message


def test_requirements_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "reqs.yaml"
    path.write_text(
        "node_type: effect\n"
        "node_name: PostgresCRUD\n"
        "category: database\n"
        "business_description: CRUD for orders\n"
        "operations: [create, read, update, delete]\n"
        "features: [connection_pooling]\n"
        "performance_requirements:\n  pool_min_size: 10\n  pool_max_size: 50\n",
        encoding="utf-8",
    )
    result = load_requirements_file(path)
    assert result.service_name == "postgres_crud"
    assert result.domain == "database"
    assert result.performance_requirements.pool_max_size == 50
    assert set(result.explicit_fields) == {"node_type", "node_name"}
    classification = NodeClassifier().classify(result)
    assert classification.template_name == "effect_database"
    assert classification.template_variant == "pooled"


def test_requirements_json_file_from_service_name(tmp_path: Path) -> None:
    path = tmp_path / "reqs.json"
    path.write_text(
        json.dumps(
            {
                "node_type": "COMPUTE",
                "service_name": "rest_api_mapper",
                "business_description": "maps payloads",
            }
        ),
        encoding="utf-8",
    )
    result = load_requirements_file(path)
    assert result.node_name == "RestAPIMapper"
    assert result.node_type is EnumNodeKind.COMPUTE
    assert result.category is EnumCategory.GENERAL


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        (
            "node_type: effect\nnode_name: lower_case\nbusiness_description: x\n",
            ".yaml",
            "node_name",
        ),
        ("node_type: gadget\nnode_name: Thing\nbusiness_description: x\n", ".yaml", "node_type"),
        (
            "node_type: effect\nnode_name: Thing\nbusiness_description: x\ncolour: red\n",
            ".yml",
            "colour: is not a requirements field",
        ),
        ("node_name: Thing\nbusiness_description: x\n", ".yaml", "node_type: is required"),
        ("- just\n- a list\n", ".yaml", "expected a mapping"),
        ("node_type: [unclosed\n", ".yaml", "invalid YAML: line"),
        ("{not json", ".json", "invalid JSON at line 1"),
    ],
)
def test_requirements_file_errors_are_readable(
    tmp_path: Path, content: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"reqs{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RequirementsFileError) as caught:
        load_requirements_file(path)
    assert message in caught.value.message
    assert str(path) in caught.value.message
    assert "\n" not in caught.value.message


def test_missing_requirements_file(tmp_path: Path) -> None:
    with pytest.raises(RequirementsFileError, match="file not found"):
        load_requirements_file(tmp_path / "absent.yaml")


def test_plain_constants_match_the_enums() -> None:
    assert tuple(kind.value for kind in EnumNodeKind) == Kind.ALL
    assert tuple(category.value for category in EnumCategory) == Category.ALL


def _corpus_prompts() -> list[str]:
    path = SHARED_EVAL / "prompts_public.jsonl"
    if not path.exists():
        return ["Create EFFECT node for PostgreSQL writes"]
    return [json.loads(line)["prompt"] for line in path.read_text().splitlines() if line]


@pytest.mark.parametrize("prompt", _corpus_prompts())
def test_plain_value_path_equals_the_typed_models(prompt: str) -> None:
    """`onexgen parse` prints the plain values; they must be what the models would say."""
    values = analyze_prompt_values(prompt)
    model = PRDAnalyzer().analyze_prompt(prompt)
    assert values.as_dict() == model.model_dump(mode="json")
    classification = classify_values(
        node_type=values.node_type,
        kind_stated="node_type" in values.explicit_fields,
        inferred_confidence=values.field_confidence["node_type"],
        business_description=values.business_description,
        node_name=values.node_name,
        category=values.category,
        operations=values.operations,
        features=values.features,
        external_systems=values.external_systems,
    )
    assert classification.as_dict() == NodeClassifier().classify(model).model_dump(mode="json")


@pytest.mark.parametrize(
    "text",
    [
        "a" * 7999,
        "Ab" * 3999,
        "A" * 7999,
        "Aa-" * 2666,
        "DataWriter" * 799,
        "domain: " * 999,
        "called " * 1142,
        "retry " * 1333,
        "pool 10-" * 999,
    ],
)
def test_long_adversarial_prompts_stay_fast(text: str) -> None:
    """No pattern may backtrack catastrophically on a prompt at the size limit."""
    start = time.perf_counter()
    with contextlib.suppress(PromptRefusedError):
        analyze_prompt_values(text, "effect")
    assert time.perf_counter() - start < 2.0
