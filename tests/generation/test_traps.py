"""The correctness traps of earlier templates, each exercised on a generated node.

Each test imports the generated handler and drives it the way the trap was found: a retried
write, a cached write, a workflow whose third step fails, stub operations reporting success,
copied operation bodies. On the old templates every one of them fails (the write ran three
times, the cache answered the second create, steps 1 and 2 ran again, ``success=True`` came
back from an operation nobody wrote). The contract's framework sections load into the
framework's own pydantic models.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import sys
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from omnibase_core.enums import EnumCoreErrorCode
from omnibase_core.errors import ModelOnexError
from omnibase_core.models.contracts.subcontracts.model_aggregation_subcontract import (
    ModelAggregationSubcontract,
)
from omnibase_core.models.contracts.subcontracts.model_effect_subcontract import (
    ModelEffectSubcontract,
)
from omnibase_core.models.contracts.subcontracts.model_workflow_definition import (
    ModelWorkflowDefinition,
)

from onexgen.contracts.loader import load_contract
from onexgen.models import EnumCategory, EnumNodeKind
from onexgen.models.facts import (
    ModelGroupingKeyFact,
    ModelRequestFacts,
    ModelWindowFact,
    ModelWorkflowStepFact,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from types import ModuleType

    from onexgen.models import ModelPRDRequirements
    from onexgen.models.rendered import ModelRenderedNode

    Generate = Callable[..., ModelRenderedNode]
    Write = Callable[[ModelRenderedNode, Path], Path]


@pytest.fixture
def import_root(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path`` on ``sys.path`` for the test; the generated modules are forgotten after."""
    sys.path.insert(0, str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in set(sys.modules) - before:
        del sys.modules[name]


def _handler_module(package: Path, service: str) -> ModuleType:
    return importlib.import_module(f"{package.name}.handlers.handler_{service}")


def _model(package: Path, service: str, which: str) -> Any:
    module = importlib.import_module(f"{package.name}.models.model_{service}_{which}")
    return getattr(
        module, f"Model{''.join(p.capitalize() for p in service.split('_'))}{which.capitalize()}"
    )


@pytest.fixture
def store(
    import_root: Path,
    make_requirements: Callable[..., ModelPRDRequirements],
    generate_node: Generate,
    write_node: Write,
) -> tuple[Path, ModuleType]:
    """An effect that creates (a write) and fetches (a read), with retry and a cache."""
    requirements = make_requirements(
        EnumNodeKind.EFFECT,
        "TrapOrderStore",
        "trap_order_store",
        EnumCategory.DATABASE,
        operations=("create", "fetch"),
        features=("retry_logic", "caching"),
        description="Store and fetch orders in PostgreSQL",
        retry_attempts=3,
    )
    package = write_node(generate_node(requirements), import_root)
    return package, _handler_module(package, "trap_order_store")


def test_non_idempotent_operation_is_never_retried(store: tuple[Path, ModuleType]) -> None:
    package, module = store
    request_cls = _model(package, "trap_order_store", "input")
    handler = module.HandlerTrapOrderStore()
    handler.config = handler.config.model_copy(
        update={"retry_initial_backoff_ms": 0, "retry_max_backoff_ms": 0}
    )
    calls: list[str] = []

    async def flaky_create(request: Any) -> Any:
        calls.append("create")
        raise ConnectionError("database went away")

    handler._operations[request_cls.model_fields["operation"].annotation("create")] = flaky_create
    with pytest.raises(ModelOnexError):
        asyncio.run(handler.handle(request_cls(operation="create")))
    assert calls == ["create"]  # old templates: three inserts
    contract = yaml.safe_load((package / "contract.yaml").read_text(encoding="utf-8"))
    subcontract = ModelEffectSubcontract.model_validate(contract["effect_subcontract"])
    create = next(op for op in subcontract.operations if op.operation_name == "create")
    assert not create.get_effective_idempotency()
    assert create.retry_policy is not None
    assert create.retry_policy.max_retries == 0
    assert subcontract.default_retry_policy.max_retries == 2  # 3 attempts for reads


def test_writes_are_never_served_from_the_cache(store: tuple[Path, ModuleType]) -> None:
    package, module = store
    request_cls = _model(package, "trap_order_store", "input")
    output_cls = _model(package, "trap_order_store", "output")
    handler = module.HandlerTrapOrderStore()
    created: list[Any] = []

    async def create(request: Any) -> Any:
        created.append(request.correlation_id)
        return output_cls(
            operation=request.operation, success=True, correlation_id=request.correlation_id
        )

    handler._operations[request_cls.model_fields["operation"].annotation("create")] = create
    requests = [request_cls(operation="create", payload={"id": 1}) for _ in range(3)]
    outputs = [asyncio.run(handler.handle(r)) for r in requests]
    assert len(created) == 3  # old templates: one insert, three answers
    assert [o.correlation_id for o in outputs] == [r.correlation_id for r in requests]


def test_unimplemented_operations_fail_loudly_with_their_own_bodies(
    store: tuple[Path, ModuleType],
) -> None:
    package, module = store
    request_cls = _model(package, "trap_order_store", "input")
    handler = module.HandlerTrapOrderStore()
    for operation in ("create", "fetch"):
        with pytest.raises(ModelOnexError) as info:
            asyncio.run(handler.handle(request_cls(operation=operation)))
        assert info.value.error_code == EnumCoreErrorCode.METHOD_NOT_IMPLEMENTED
        assert str(info.value.message).startswith(f"not implemented: {operation}")
    source = (package / "handlers" / "handler_trap_order_store.py").read_text(encoding="utf-8")
    cls = next(
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name.startswith("H")
    )
    bodies = {
        f.name: ast.dump(ast.Module(body=f.body[1:], type_ignores=[]))
        for f in cls.body
        if isinstance(f, ast.AsyncFunctionDef) and f.name.startswith("handle_")
    }
    assert len(bodies) == 2
    assert len(set(bodies.values())) == len(bodies)  # no copied body
    for method in bodies:
        body = next(f for f in cls.body if getattr(f, "name", "") == method).body  # type: ignore[attr-defined]
        assert len(body) == 2  # docstring, then the single raise
        assert isinstance(body[1], ast.Raise)


@pytest.fixture
def checkout(
    import_root: Path,
    make_requirements: Callable[..., ModelPRDRequirements],
    generate_node: Generate,
    write_node: Write,
) -> tuple[Path, ModuleType]:
    """An orchestrator whose facts state three steps with compensations."""
    requirements = make_requirements(
        EnumNodeKind.ORCHESTRATOR,
        "TrapCheckout",
        "trap_checkout",
        EnumCategory.WORKFLOW,
        features=("retry_logic",),
        description="Reserve stock, charge the card, then ship; roll back on failure",
        retry_attempts=3,
    ).model_copy(
        update={
            "facts": ModelRequestFacts(
                steps=(
                    ModelWorkflowStepFact(name="reserve_stock", compensation="release stock"),
                    ModelWorkflowStepFact(
                        name="charge_card", depends_on=("reserve_stock",), compensation="refund"
                    ),
                    ModelWorkflowStepFact(name="ship_order", depends_on=("charge_card",)),
                ),
                compensation=True,
            )
        }
    )
    package = write_node(generate_node(requirements), import_root)
    return package, _handler_module(package, "trap_checkout")


def test_orchestrator_retries_the_failed_step_only_and_compensates_in_reverse(
    checkout: tuple[Path, ModuleType],
) -> None:
    package, module = checkout
    request_cls = _model(package, "trap_checkout", "input")
    ran: list[str] = []
    undone: list[str] = []

    def step(name: str) -> Any:
        async def run(request: Any) -> Any:
            ran.append(name)
            if name == "ship_order":
                raise ConnectionError("carrier down")
            return {"done": name}

        return run

    def undo(name: str) -> Any:
        async def run(request: Any, result: Any) -> Any:
            undone.append(name)
            return {"undone": name}

        return run

    config = module.HandlerTrapCheckout().config.model_copy(
        update={"retry_initial_backoff_ms": 0, "retry_max_backoff_ms": 0}
    )
    names = ("reserve_stock", "charge_card", "ship_order")
    handler = module.HandlerTrapCheckout(
        config,
        steps={n: step(n) for n in names},
        compensations={n: undo(n) for n in names[:2]},
    )
    output = asyncio.run(handler.handle(request_cls(operation="run_workflow")))
    assert ran == ["reserve_stock", "charge_card", "ship_order", "ship_order", "ship_order"]
    assert not output.success
    assert output.failed_steps == ("ship_order",)
    assert undone == ["charge_card", "reserve_stock"]
    assert output.compensated_steps == ("charge_card", "reserve_stock")


def test_orchestrator_graph_is_the_frameworks_and_round_trips(
    checkout: tuple[Path, ModuleType],
) -> None:
    package, _ = checkout
    contract = yaml.safe_load((package / "contract.yaml").read_text(encoding="utf-8"))
    definition = ModelWorkflowDefinition.model_validate(
        contract["workflow_coordination"]["workflow_definition"]
    )
    nodes = definition.execution_graph.nodes
    names = [node.node_requirements["step_name"] for node in nodes]
    assert names == ["reserve_stock", "charge_card", "ship_order"]
    by_id = {node.node_id: node.node_requirements["step_name"] for node in nodes}
    assert [[by_id[d] for d in node.dependencies] for node in nodes] == [
        [],
        ["reserve_stock"],
        ["charge_card"],
    ]
    assert definition.coordination_rules.failure_recovery_strategy.value == "COMPENSATE"
    reloaded, _ = load_contract(package / "contract.yaml")
    assert [s.name for s in reloaded.workflow_steps] == names
    assert reloaded.workflow_steps[1].depends_on == ("reserve_stock",)
    assert reloaded.workflow_steps[0].compensation == "release stock"
    assert reloaded.compensation


def test_reducer_groups_by_the_stated_key_in_the_stated_window(
    import_root: Path,
    make_requirements: Callable[..., ModelPRDRequirements],
    generate_node: Generate,
    write_node: Write,
) -> None:
    requirements = make_requirements(
        EnumNodeKind.REDUCER,
        "TrapPageViews",
        "trap_page_views",
        EnumCategory.DATA,
        description="Count page views per URL in one minute windows",
    ).model_copy(
        update={
            "facts": ModelRequestFacts(
                group_by=(ModelGroupingKeyFact(name="url"),),
                windows=(ModelWindowFact(kind="tumbling", size_seconds=60),),
            )
        }
    )
    package = write_node(generate_node(requirements), import_root)
    contract = yaml.safe_load((package / "contract.yaml").read_text(encoding="utf-8"))
    aggregation = ModelAggregationSubcontract.model_validate(contract["aggregation"])
    assert aggregation.grouping.grouping_fields == ["url"]
    assert aggregation.windowing is not None
    assert aggregation.windowing.window_size_ms == 60_000
    module = _handler_module(package, "trap_page_views")
    item = _model(package, "trap_page_views", "item")
    items = [
        item(url="/a", value=1.0, timestamp_seconds=0.0),
        item(url="/b", value=1.0, timestamp_seconds=30.0),
        item(url="/a", value=1.0, timestamp_seconds=61.0),
    ]
    output = asyncio.run(module.HandlerTrapPageViews().reduce("aggregate", items))
    assert {key: agg.count for key, agg in output.groups.items()} == {"/a": 2, "/b": 1}
    assert [(w.window_start, w.key, w.aggregate.count) for w in output.windows] == [
        (0.0, "/a", 1),
        (0.0, "/b", 1),
        (60.0, "/a", 1),
    ]
    reloaded, _ = load_contract(package / "contract.yaml")
    assert reloaded.group_by == ("url",)


def test_orchestrator_runs_a_parallel_group_side_by_side(
    import_root: Path,
    make_requirements: Callable[..., ModelPRDRequirements],
    generate_node: Generate,
    write_node: Write,
) -> None:
    requirements = make_requirements(
        EnumNodeKind.ORCHESTRATOR,
        "TrapNotify",
        "trap_notify",
        EnumCategory.WORKFLOW,
        description="Charge the card, then notify by email and SMS in parallel",
    ).model_copy(
        update={
            "facts": ModelRequestFacts(
                steps=(
                    ModelWorkflowStepFact(name="charge_card"),
                    ModelWorkflowStepFact(
                        name="notify_email", depends_on=("charge_card",), parallel_group="notify"
                    ),
                    ModelWorkflowStepFact(
                        name="notify_sms", depends_on=("charge_card",), parallel_group="notify"
                    ),
                ),
                parallel=True,
            )
        }
    )
    package = write_node(generate_node(requirements), import_root)
    module = _handler_module(package, "trap_notify")
    request_cls = _model(package, "trap_notify", "input")
    handler_cls = module.HandlerTrapNotify
    assert handler_cls.execution_stages() == (("charge_card",), ("notify_email", "notify_sms"))
    started: list[str] = []
    both_started = asyncio.Event()

    def notify(name: str) -> Any:
        async def run(request: Any) -> Any:
            started.append(name)
            if len(started) == 2:
                both_started.set()
            await asyncio.wait_for(both_started.wait(), timeout=5)  # needs the other one
            return {"sent": name}

        return run

    async def charge(request: Any) -> Any:
        return {"charged": True}

    handler = handler_cls(
        steps={"charge_card": charge, "notify_email": notify("email"), "notify_sms": notify("sms")}
    )
    output = asyncio.run(handler.handle(request_cls(operation="run_workflow")))
    assert output.success, output.error
    assert output.completed_steps == ("charge_card", "notify_email", "notify_sms")
    contract = yaml.safe_load((package / "contract.yaml").read_text(encoding="utf-8"))
    metadata = contract["workflow_coordination"]["workflow_definition"]["workflow_metadata"]
    assert metadata["execution_mode"] == "parallel"
