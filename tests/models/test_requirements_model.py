"""The shared requirements model refuses values no later stage could turn into valid code."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from onexgen.models import EnumCategory, EnumNodeKind, ModelPRDRequirements


def _make(**overrides: object) -> ModelPRDRequirements:
    fields: dict[str, object] = {
        "node_type": "effect",
        "node_name": "PostgresCRUD",
        "service_name": "postgres_crud",
        "domain": "database",
        "business_description": "Writes rows to PostgreSQL",
    }
    fields.update(overrides)
    return ModelPRDRequirements.model_validate(fields)


def test_valid_requirements_keep_acronyms_and_enums() -> None:
    req = _make(category="database", operations=["create", "create", "read"])
    assert req.node_name == "PostgresCRUD"
    assert req.node_type is EnumNodeKind.EFFECT
    assert req.category is EnumCategory.DATABASE
    assert req.operations == ("create", "read")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("node_name", "postgres_crud"),
        ("node_name", "1Writer"),
        ("node_name", "Bad-Name"),
        ("service_name", "PostgresCRUD"),
        ("service_name", "class"),
        ("domain", "../etc"),
        ("node_type", "EFFECT_GENERIC"),
        ("operations", ["Create"]),
        ("features", ["retry logic"]),
        ("business_description", ""),
    ],
)
def test_invalid_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        _make(**{field: value})


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        _make(colour="blue")


def test_contract_node_type_matches_omnibase_spelling() -> None:
    assert EnumNodeKind.REDUCER.contract_node_type == "REDUCER_GENERIC"
    assert EnumNodeKind.ORCHESTRATOR.class_suffix == "Orchestrator"
