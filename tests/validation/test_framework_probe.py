"""The probe's reading of the framework suite's legacy error strings (the one place where text
from ``onex validate``'s validators is split into fields) and of contract sections."""

from __future__ import annotations

from pathlib import Path

from onexgen.validation.framework_probe import _sections, _split_error

NODE = Path("/tmp/node_x_effect")


def test_a_located_error_string_becomes_file_line_and_message() -> None:
    item = _split_error(
        NODE, "/tmp/node_x_effect/models/model_x.py: Line 3: Field 'user_id' should use UUID type"
    )
    assert item == {
        "file": "models/model_x.py",
        "line": 3,
        "message": "Field 'user_id' should use UUID type",
    }


def test_a_multi_line_pydantic_error_is_one_message_without_the_docs_link() -> None:
    text = (
        "/tmp/node_x_effect/extra.yaml: Contract validation failed: 1 validation error\n"
        "  Value error, YAML contracts must use 'contract_version'\n"
        "    For further information visit https://errors.pydantic.dev/2.14/v/value_error"
    )
    item = _split_error(NODE, text)
    assert item["file"] == "extra.yaml"
    assert item["line"] is None
    assert "must use 'contract_version'" in item["message"]
    assert "errors.pydantic.dev" not in item["message"]


def test_an_error_without_a_path_keeps_its_text() -> None:
    assert _split_error(NODE, "Validation error: something broke") == {
        "file": "",
        "line": None,
        "message": "Validation error: something broke",
    }


def test_sections_of_another_kind_are_not_loaded() -> None:
    contract = {"state_machine": {"states": "not a list"}, "effect_subcontract": None}
    assert _sections(contract, "effect") == []
    (checked,) = _sections(contract, "reducer")
    assert checked["section"] == "state_machine"
    assert checked["model"] == "ModelFSMSubcontract"
    assert checked["errors"]
