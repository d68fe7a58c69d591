"""Issue 10, defect 3: hostile contract, requirements and batch files are refused, with the field.

The alias bomb expands to 9**9 strings; before the bounded loader, ``--contract`` spent gigabytes
on it. Every refusal is one line that names the file (and the field when there is one).
"""

from __future__ import annotations

import resource
import time
from typing import TYPE_CHECKING

import pytest

from onexgen.batch.spec import BatchSpecError, load_batch_spec
from onexgen.bounded_input import InputFileError, ModelInputLimits, load_structured_file
from onexgen.contracts.loader import ContractLoadError, load_contract
from onexgen.parsing.errors import RequirementsFileError
from onexgen.parsing.requirements_file import load_requirements_file

if TYPE_CHECKING:
    from pathlib import Path

HEADER = "name: node_x_effect\nnode_type: EFFECT_GENERIC\n"


def alias_bomb(indent: str = "") -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]")
    return "".join(f"{indent}{line}\n" for line in lines)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("where", ["contract", "requirements", "batch"])
def test_alias_bomb_is_refused_fast_and_small(tmp_path: Path, where: str) -> None:
    path = tmp_path / "input.yaml"
    if where == "contract":
        path.write_text(HEADER + "metadata:\n" + alias_bomb("  "))
        load, error = load_contract, ContractLoadError
    elif where == "requirements":
        path.write_text("node_type: effect\nnode_name: Writer\n" + alias_bomb())
        load, error = load_requirements_file, RequirementsFileError  # type: ignore[assignment]
    else:
        path.write_text("nodes: []\n" + alias_bomb())
        load, error = load_batch_spec, BatchSpecError  # type: ignore[assignment]
    before = _peak_rss_mb()
    started = time.perf_counter()
    with pytest.raises(error) as info:
        load(path)
    assert time.perf_counter() - started < 5  # generous: this is a correctness test
    assert _peak_rss_mb() - before < 100
    message = str(info.value)
    assert str(path) in message
    assert "aliases expanded" in message
    assert len(message) < 500
    assert "\n" not in message


def test_long_list_in_requirements_is_refused_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "reqs.yaml"
    path.write_text("node_type: effect\nnode_name: Writer\noperations:\n" + "- op\n" * 20_000)
    with pytest.raises(RequirementsFileError, match="20000 entries"):
        load_requirements_file(path)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"a": "' + "x" * 2_000_000 + '"}')
    with pytest.raises(InputFileError, match="larger than the 1000000 bytes"):
        load_structured_file(path, "requirements file")


def test_deep_nesting_and_self_reference_are_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputFileError, match="nested deeper"):
        load_structured_file(deep, "requirements file")
    cycle = tmp_path / "cycle.yaml"
    cycle.write_text("a: &a [*a]\n")
    with pytest.raises(InputFileError, match="refers to itself"):
        load_structured_file(cycle, "contract", ModelInputLimits())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("metadata:\n  external_systems: 5\n", "metadata.external_systems: must be a list"),
        ("metadata:\n  dependencies: {a: 1}\n", "metadata.dependencies: must be a list"),
        ("performance:\n  max_latency_ms: .inf\n", "performance.max_latency_ms: inf is not"),
        ("configuration:\n  retry:\n    max_attempts: .nan\n", "max_attempts: nan is not"),
        ("metadata:\n  category: {database: true}\n", "metadata.category: must be one of"),
        ("metadata:\n  category: databse\n", "metadata.category: must be one of"),
        ("descriptor:\n  timeout_ms: true\n", "descriptor.timeout_ms: must be a number"),
        ("descriptor:\n  timeout_ms: -5\n", "descriptor.timeout_ms: must be above 0"),
        ("configuration:\n  batching:\n    batch_size: '10'\n", "batch_size: must be a number"),
        ("features: [1, 2]\n", "features: must be a list of names"),
        ("metadata: [1]\n", "metadata: must be a mapping"),
    ],
)
def test_wrong_types_in_a_contract_name_file_and_field(
    tmp_path: Path, body: str, field: str
) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text(HEADER + body)
    with pytest.raises(ContractLoadError) as info:
        load_contract(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert field in message, message


def test_validate_reads_a_nodes_contract_through_the_bounded_loader(tmp_path: Path) -> None:
    from onexgen.validation.layout import load_layout

    node = tmp_path / "node_bomb_effect"
    node.mkdir()
    (node / "contract.yaml").write_text(HEADER + "metadata:\n" + alias_bomb("  "))
    layout = load_layout(node)
    assert layout.contract is None
    assert layout.contract_error is not None
    assert "aliases expanded" in layout.contract_error


def test_history_does_not_read_an_oversized_request_file(tmp_path: Path) -> None:
    """The history records the request document through the bounded reader too: a 10 MB
    contract is refused by stage 1 and must not be read whole (or stored) first."""
    from onexgen.history.recording import _request

    big = tmp_path / "big_contract.yaml"
    big.write_text("name: x\n" + "#" * (10 * 1024 * 1024) + "\n", encoding="utf-8")
    kind, text = _request(None, None, big)
    assert kind.value == "contract"
    assert len(text) < 1000
    assert str(big) in text
