"""Batch spec loading: every problem is reported with the entry and field before generation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from onexgen.batch.spec import BatchSpecError, load_batch_spec, parse_batch_spec
from onexgen.models.enums import EnumNodeKind
from onexgen.models.strategy import EnumGenerationStrategy
from onexgen.models.validation import EnumValidationLevel

if TYPE_CHECKING:
    from pathlib import Path

GOOD = """\
defaults:
  output_dir: out
  validation: strict
  jobs: 2
nodes:
  - name: orders_writer
    prompt: Create EFFECT node for PostgreSQL writes of orders
  - name: order_totals
    node_type: compute
    requirements:
      node_name: OrderTotals
      service_name: order_totals
      domain: orders
      business_description: Sum order lines into totals
  - name: order_flow
    node_type: orchestrator
    prompt: Create an ORCHESTRATOR node that coordinates order processing
    depends_on: [orders_writer, order_totals]
"""


def _problems(raw: object) -> tuple[str, ...]:
    with pytest.raises(BatchSpecError) as info:
        parse_batch_spec(raw, "spec.yaml")
    return info.value.problems


def test_good_spec_loads_with_defaults_resolved_beside_the_file(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(GOOD, encoding="utf-8")
    spec = load_batch_spec(path)
    assert [n.name for n in spec.nodes] == ["orders_writer", "order_totals", "order_flow"]
    assert spec.defaults.output_dir == tmp_path / "out"
    assert spec.defaults.validation is EnumValidationLevel.STRICT
    totals = spec.node("order_totals").requirements
    assert totals is not None
    assert totals.node_type is EnumNodeKind.COMPUTE
    assert spec.scheduler().stages() == (("order_totals", "orders_writer"), ("order_flow",))


def test_cycle_is_named() -> None:
    raw = {
        "nodes": [
            {"name": "a", "prompt": "x", "depends_on": ["b"]},
            {"name": "b", "prompt": "x", "depends_on": ["c"]},
            {"name": "c", "prompt": "x", "depends_on": ["a"]},
        ]
    }
    assert _problems(raw) == ("dependency cycle: a -> b -> c -> a",)


def test_missing_dependency_names_entry_and_dependency() -> None:
    raw = {"nodes": [{"name": "a", "prompt": "x", "depends_on": ["ghost"]}]}
    assert _problems(raw) == (
        "nodes[0] ('a'): depends_on: node 'a' depends on 'ghost', which is not in the spec",
    )


def test_duplicate_names_are_reported() -> None:
    raw = {"nodes": [{"name": "a", "prompt": "x"}, {"name": "a", "prompt": "y"}]}
    assert _problems(raw) == (
        "nodes[1] ('a'): name: 'a' is already used by nodes[0]; names must be unique",
    )


def test_every_field_problem_is_listed_with_its_entry() -> None:
    raw = {
        "defaults": {"validation": "ultra", "strategy": "magic"},
        "nodes": [
            {"name": "Bad Name", "prompt": "x"},
            {"name": "b"},
            {
                "name": "d",
                "node_type": "effect",
                "requirements": {
                    "node_name": "bad",
                    "service_name": "d",
                    "domain": "d",
                    "business_description": "q",
                },
            },
            {"name": "e", "promt": "x"},
            {"name": "f", "prompt": "x", "depends_on": ["f"]},
        ],
    }
    assert _problems(raw) == (
        "defaults.validation: Input should be 'none', 'basic', 'standard' or 'strict'",
        "defaults.strategy: 'magic' is not a strategy: use 'auto', 'jinja2', 'hybrid' or "
        "'llm' (as --strategy; 'template' is an old name for 'jinja2'), or leave it out",
        "nodes[0] ('Bad Name'): name: 'Bad Name' must be snake_case, e.g. 'orders_writer'",
        "nodes[1] ('b'): give exactly one of 'prompt' or 'requirements'",
        "nodes[2] ('d'): requirements.node_name: 'bad' must be PascalCase, e.g. 'OrdersWriter'",
        "nodes[3] ('e'): promt: unknown field (check its spelling)",
        "nodes[4] ('f'): node 'f' depends on itself",
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("auto", EnumGenerationStrategy.AUTO),
        ("jinja2", EnumGenerationStrategy.JINJA2),
        ("hybrid", EnumGenerationStrategy.HYBRID),
        ("llm", EnumGenerationStrategy.LLM),
        ("template", EnumGenerationStrategy.JINJA2),  # the only value older specs could use
        (None, None),
    ],
)
def test_defaults_strategy_takes_the_values_of_the_strategy_option(
    given: str | None, expected: EnumGenerationStrategy | None
) -> None:
    raw = {"defaults": {"strategy": given}, "nodes": [{"name": "a", "prompt": "x"}]}
    assert parse_batch_spec(raw).defaults.strategy is expected


def test_conflicting_node_types_are_rejected() -> None:
    raw = {
        "nodes": [
            {
                "name": "d",
                "node_type": "effect",
                "requirements": {
                    "node_type": "compute",
                    "node_name": "D",
                    "service_name": "d",
                    "domain": "d",
                    "business_description": "q",
                },
            }
        ]
    }
    (problem,) = _problems(raw)
    assert "node_type is 'effect' but requirements.node_type is 'compute'" in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- just a list\n", "the spec must be a mapping with a top-level 'nodes:' list"),
        ("defaults: {}\n", "missing the top-level 'nodes:' list"),
        ("nodes: []\n", "'nodes:' is empty; list at least one node"),
        ("nodes: [\n", "invalid YAML: line 2, column 1: did not find expected node content"),
    ],
)
def test_malformed_files_get_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BatchSpecError) as info:
        load_batch_spec(path)
    assert str(info.value).startswith(f"{path}: {expected}")
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BatchSpecError, match="file not found"):
        load_batch_spec(tmp_path / "nope.yaml")
