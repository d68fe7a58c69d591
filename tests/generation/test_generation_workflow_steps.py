"""An orchestrator's generated steps name the nodes it coordinates (issue 5).

Steps come from the contract: the nodes it depends on (a batch spec's ``depends_on`` lands in
``requirements.dependencies``), else a list in the description; only then the generic
``prepare/execute/finalize``. The handler's step graph, the README and the contract's
execution graph all name them, as a sequential chain.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import pytest
import yaml

from onexgen.contracts.workflow import DEFAULT_STEPS, steps_from_description, workflow_steps
from onexgen.models import EnumCategory, EnumNodeKind, ModelPRDRequirements
from onexgen.parsing import PRDAnalyzer

if TYPE_CHECKING:
    from collections.abc import Callable

    from onexgen.models.rendered import ModelRenderedNode

    Generate = Callable[..., ModelRenderedNode]
    MakeRequirements = Callable[..., ModelPRDRequirements]


def _orchestrator(
    make_requirements: MakeRequirements,
    *,
    dependencies: tuple[str, ...] = (),
    systems: tuple[str, ...] = (),
    description: str = "Coordinate the order workflow",
) -> ModelPRDRequirements:
    base = make_requirements(
        EnumNodeKind.ORCHESTRATOR,
        "OrderFlow",
        "order_flow",
        EnumCategory.WORKFLOW,
        description=description,
    )
    return base.model_copy(update={"dependencies": dependencies, "external_systems": systems})


def _file(rendered: ModelRenderedNode, suffix: str) -> str:
    return next(f.content for f in rendered.files if f.path.endswith(suffix))


def _constant(source: str, name: str) -> object:
    """The literal value of a module-level constant of generated code."""
    for node in ast.parse(source).body:
        targets: list[ast.expr]
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(value)
    raise AssertionError(f"{name} not defined")


def test_dependencies_become_the_named_steps_everywhere(
    generate_node: Generate, make_requirements: MakeRequirements
) -> None:
    requirements = _orchestrator(
        make_requirements,
        dependencies=("user_store", "payment_gateway", "postgresql"),
        systems=("PostgreSQL",),
    )
    rendered = generate_node(requirements)
    steps = ("user_store", "payment_gateway")  # PostgreSQL is an external system, not a node
    assert workflow_steps(rendered.contract) == steps

    handler = _file(rendered, "handlers/handler_order_flow.py")
    graph = {"user_store": (), "payment_gateway": ("user_store",)}
    assert _constant(handler, "STEP_GRAPH") == graph

    readme = _file(rendered, "README.md")
    assert "1. `user_store`" in readme
    assert "2. `payment_gateway` (after `user_store`)" in readme
    contract = yaml.safe_load(_file(rendered, "contract.yaml"))
    assert contract["metadata"]["dependencies"][:2] == list(steps)
    graph = contract["workflow_coordination"]["workflow_definition"]["execution_graph"]
    assert [n["node_requirements"]["step_name"] for n in graph["nodes"]] == list(steps)
    assert graph["nodes"][1]["dependencies"] == [graph["nodes"][0]["node_id"]]


def test_steps_listed_in_the_prompt_are_used(generate_node: Generate) -> None:
    prompt = (
        "Coordinate user signup: create the account, send the verification email, and emit "
        "a signup event; retry each step twice"
    )
    rendered = generate_node(PRDAnalyzer().analyze_prompt(prompt))
    handler = _file(rendered, "handlers/handler_user_signup_coordinator.py")
    expected = ("create_account", "send_verification_email", "emit_signup_event")
    assert tuple(_constant(handler, "STEP_GRAPH")) == expected  # type: ignore[arg-type]


def test_without_named_steps_the_generic_ones_remain(
    generate_node: Generate, make_requirements: MakeRequirements
) -> None:
    rendered = generate_node(_orchestrator(make_requirements, systems=("Stripe",)))
    handler = _file(rendered, "handlers/handler_order_flow.py")
    assert DEFAULT_STEPS == ("prepare", "execute", "finalize")
    assert tuple(_constant(handler, "STEP_GRAPH")) == DEFAULT_STEPS  # type: ignore[arg-type]
    assert "The contract names no steps" in _file(rendered, "README.md")


def test_hostile_dependency_names_become_safe_identifiers(
    generate_node: Generate, make_requirements: MakeRequirements, hostile_text: str
) -> None:
    requirements = _orchestrator(make_requirements, dependencies=("class", hostile_text, "9 lives"))
    rendered = generate_node(requirements)
    steps = workflow_steps(rendered.contract)
    handler = _file(rendered, "handlers/handler_order_flow.py")
    assert tuple(_constant(handler, "STEP_GRAPH")) == steps  # type: ignore[arg-type]
    assert steps[0] == "class_step"
    assert steps[2] == "n_9_lives"
    assert all(s.isidentifier() and s.isascii() and s == s.lower() for s in steps)


def test_other_kinds_have_no_steps(
    generate_node: Generate, samples: tuple[ModelPRDRequirements, ...]
) -> None:
    effect = next(r for r in samples if r.node_type is EnumNodeKind.EFFECT)
    rendered = generate_node(effect.model_copy(update={"dependencies": ("user_store",)}))
    assert workflow_steps(rendered.contract) == ()


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Payment: reserve -> charge -> receipt", ("reserve", "charge", "receipt")),
        ("Run the import: load the file, then validate rows", ("load_file", "validate_rows")),
        ("Coordinates workflow steps", ()),
        ("Note: only one thing here", ()),
        ("Flow: a step, a step", ()),
        ("Steps: this item has far too many words in it, ok", ()),
    ],
)
def test_steps_from_description(description: str, expected: tuple[str, ...]) -> None:
    assert steps_from_description(description) == expected
