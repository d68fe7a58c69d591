"""A reducer generated from a request keeps its windows, percentiles, lookback, top-N and FSM.

From the prompt "... per URL over sliding five-minute windows sliding every minute and report
p50/p95/p99 latency, keeping the last 24 hours, and outputs the top 100 URLs by views", the
contract must carry the framework's sections (``aggregation`` with sliding windows and
percentiles, ``state_machine``) and the lookback and top-N, the handler must compute them, its
generated tests must pass, and ``--contract`` must read every value back (edited values too).
"""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from omnibase_core.enums import EnumCoreErrorCode
from omnibase_core.errors import ModelOnexError
from omnibase_core.models.contracts.subcontracts.model_aggregation_subcontract import (
    ModelAggregationSubcontract,
)
from omnibase_core.models.contracts.subcontracts.model_fsm_subcontract import (
    ModelFSMSubcontract,
)
from omnibase_core.utils.util_fsm_executor import validate_fsm_contract

from onexgen.contracts.loader import ContractLoadError, load_contract
from onexgen.models import EnumNodeKind
from onexgen.parsing import PRDAnalyzer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from types import ModuleType

    from onexgen.models import ModelPRDRequirements
    from onexgen.models.rendered import ModelRenderedNode

    Generate = Callable[..., ModelRenderedNode]
    Write = Callable[[ModelRenderedNode, Path], Path]

PROMPT = (
    "Create a REDUCER node that counts page views per URL over sliding five-minute windows "
    "sliding every minute and report p50/p95/p99 latency, keeping the last 24 hours, and "
    "outputs the top 100 URLs by views"
)
SERVICE = "page_view_counter"


@pytest.fixture(scope="module")
def requirements() -> ModelPRDRequirements:
    """The parsed request (stage 1, for real)."""
    parsed = PRDAnalyzer().analyze_prompt(PROMPT)
    assert parsed.node_type is EnumNodeKind.REDUCER
    assert parsed.service_name == SERVICE
    return parsed


@pytest.fixture
def package(
    tmp_path: Path, requirements: ModelPRDRequirements, generate_node: Generate, write_node: Write
) -> Iterator[Path]:
    """The generated package, importable from ``tmp_path`` for the test's duration."""
    root = write_node(generate_node(requirements), tmp_path)
    sys.path.insert(0, str(tmp_path))
    before = set(sys.modules)
    yield root
    sys.path.remove(str(tmp_path))
    for name in set(sys.modules) - before:
        del sys.modules[name]


def _contract(package: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((package / "contract.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _module(package: Path, name: str) -> ModuleType:
    return importlib.import_module(f"{package.name}.{name}")


def _items(package: Path, rows: list[tuple[str, float, float]]) -> list[Any]:
    item = _module(package, f"models.model_{SERVICE}_item").ModelPageViewCounterItem
    return [item(url=url, value=value, timestamp_seconds=ts) for url, value, ts in rows]


def _handler(package: Path, **overrides: Any) -> Any:
    module = _module(package, f"handlers.handler_{SERVICE}")
    config = _module(package, f"models.model_{SERVICE}_config").ModelPageViewCounterConfig
    return module.HandlerPageViewCounter(config(**overrides))


def test_contract_carries_windows_percentiles_lookback_and_top_n(package: Path) -> None:
    contract = _contract(package)
    aggregation = ModelAggregationSubcontract.model_validate(contract["aggregation"])
    assert aggregation.grouping.grouping_fields == ["url"]
    assert aggregation.windowing is not None
    assert aggregation.windowing.window_type == "sliding"
    assert (aggregation.windowing.window_size_ms, aggregation.windowing.window_slide_ms) == (
        300_000,
        60_000,
    )
    assert aggregation.statistical is not None
    assert aggregation.statistical.percentiles == [50.0, 95.0, 99.0]
    config = contract["configuration"]
    assert config["windowing"] == {
        "window_seconds": [300.0],
        "window_kind": "sliding",
        "slide_seconds": 60.0,
    }
    assert config["retention"] == {"lookback_seconds": 86400.0}
    assert config["ranking"] == {"top_n": 100, "order_by": "count"}
    # the 24 hours is a lookback, not a latency budget
    assert contract["performance"]["max_latency_ms"] != 86_400_000


def test_state_machine_is_the_frameworks_and_sound(package: Path) -> None:
    machine = ModelFSMSubcontract.model_validate(_contract(package)["state_machine"])
    assert asyncio.run(validate_fsm_contract(machine)) == []
    assert machine.initial_state == "idle"
    assert machine.terminal_states == ["emitted", "failed"]
    assert machine.error_states == ["failed"]
    path = [(t.from_state, t.trigger, t.to_state) for t in machine.transitions]
    assert path == [
        ("idle", "batch_received", "collecting"),
        ("collecting", "expired_dropped", "retained"),
        ("retained", "batch_folded", "folded"),
        ("folded", "windows_closed", "windowed"),
        ("windowed", "result_emitted", "emitted"),
        ("*", "reduction_failed", "failed"),
    ]


def test_handler_computes_sliding_windows(package: Path) -> None:
    handler = _handler(package)
    items = _items(package, [("/a", 1.0, 0.0), ("/a", 2.0, 299.0), ("/b", 3.0, 300.0)])
    output = asyncio.run(handler.reduce("aggregate", items))
    windows = [(w.window_start, w.window_end, w.key, w.aggregate.count) for w in output.windows]
    # /a@0 is only in [0, 300); /a@299 in the windows starting 0..240; /b@300 in 60..300
    expected = [(0.0, 300.0, "/a", 2)]
    expected += [(start, start + 300.0, "/a", 1) for start in (60.0, 120.0, 180.0, 240.0)]
    expected += [(start, start + 300.0, "/b", 1) for start in (60.0, 120.0, 180.0, 240.0, 300.0)]
    assert windows == sorted(expected, key=lambda w: (w[0], w[2]))


def test_handler_computes_percentiles_by_nearest_rank(package: Path) -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 1000.0]
    items = _items(package, [("/a", v, 0.0) for v in reversed(values)])
    aggregate = asyncio.run(_handler(package).reduce("aggregate", items)).groups["/a"]
    # 11 values: ranks ceil(0.5 * 11) = 6, ceil(0.95 * 11) = 11, ceil(0.99 * 11) = 11
    assert (aggregate.p50, aggregate.p95, aggregate.p99) == (60.0, 1000.0, 1000.0)


def test_handler_drops_items_older_than_the_lookback(package: Path) -> None:
    day = 86_400.0
    items = _items(package, [("/new", 1.0, day + 500.0), ("/edge", 1.0, 500.0), ("/old", 1, 499.0)])
    output = asyncio.run(_handler(package).reduce("aggregate", items))
    assert sorted(output.groups) == ["/edge", "/new"]
    assert output.items_expired == 1
    pinned = asyncio.run(_handler(package).reduce("aggregate", items, None, day + 499.0))
    assert sorted(pinned.groups) == ["/edge", "/new", "/old"]


def test_handler_ranks_the_top_urls_by_views(package: Path) -> None:
    rows = [(f"/p{i:03d}", 1.0, 0.0) for i in range(150) for _ in range(1 + i % 7)]
    output = asyncio.run(_handler(package).reduce("aggregate", _items(package, rows)))
    assert len(output.top) == 100
    counts = [output.groups[key].count for key in output.top]
    assert counts == sorted(counts, reverse=True)
    assert min(counts) >= max(g.count for k, g in output.groups.items() if k not in output.top)
    assert output.top[:3] == ("/p006", "/p013", "/p020")  # count 7, ties in key order


def test_illegal_transition_raises_and_the_fsm_comes_from_the_contract(package: Path) -> None:
    handler = _handler(package)
    with pytest.raises(ModelOnexError) as info:
        asyncio.run(handler.transition("idle", "result_emitted"))
    assert info.value.error_code == EnumCoreErrorCode.INVALID_STATE
    assert "illegal transition" in info.value.message
    output = asyncio.run(handler.reduce("aggregate", _items(package, [("/a", 1.0, 0.0)])))
    assert output.state_history == (
        "idle",
        "collecting",
        "retained",
        "folded",
        "windowed",
        "emitted",
    )
    # drop the emit transition from contract.yaml: a new handler can no longer finish
    contract = _contract(package)
    machine = contract["state_machine"]
    machine["transitions"] = [t for t in machine["transitions"] if t["trigger"] != "result_emitted"]
    (package / "contract.yaml").write_text(yaml.safe_dump(contract), encoding="utf-8")
    with pytest.raises(ModelOnexError) as edited:
        asyncio.run(_handler(package).reduce("aggregate", _items(package, [("/a", 1.0, 0.0)])))
    assert edited.value.error_code == EnumCoreErrorCode.INVALID_STATE


def test_generated_tests_pass(package: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", package.name],
        cwd=package.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (package / "tests").glob("*.py"))
    for name in (
        "test_sliding_windows_hold_each_item_in_every_covering_window",
        "test_contract_windows_are_sliding",
        "test_named_statistics_on_a_known_sample",
        "test_items_older_than_the_lookback_are_dropped",
        "test_top_n_from_the_contract_cuts_the_ranking",
        "test_illegal_transition_raises",
        "test_transitions_are_read_from_the_contract",
        "test_state_machine_loads_into_the_framework_model",
    ):
        assert f"def {name}(" in tests


def test_contract_round_trips_and_edits_are_read_back(package: Path) -> None:
    path = package / "contract.yaml"
    original = path.read_text(encoding="utf-8")
    loaded, _ = load_contract(path)
    assert loaded.to_yaml() == original
    contract = _contract(package)
    contract["configuration"]["windowing"].update(window_seconds=[600.0], slide_seconds=120.0)
    contract["configuration"]["retention"]["lookback_seconds"] = 3600.0
    contract["configuration"]["ranking"] = {"top_n": 5, "order_by": "total"}
    contract["aggregation"]["statistical"]["percentiles"] = [90.0, 99.9]
    machine = contract["state_machine"]
    machine["states"][0]["description"] = "Waiting for page views."
    path.write_text(yaml.safe_dump(contract, sort_keys=False), encoding="utf-8")
    edited, _ = load_contract(path)
    config = edited.configuration
    assert config.windowing is not None
    assert (config.windowing.window_seconds, config.windowing.slide_seconds) == ((600.0,), 120.0)
    assert config.retention is not None
    assert config.retention.lookback_seconds == 3600.0
    assert config.ranking is not None
    assert (config.ranking.top_n, config.ranking.order_by) == (5, "total")
    assert [o.name for o in edited.request_facts.outputs] == ["p90", "p99_9"]
    assert edited.state_machine is not None
    assert edited.state_machine.states[0].description == "Waiting for page views."
    written = yaml.safe_load(edited.to_yaml())
    assert written["aggregation"]["statistical"]["percentiles"] == [90.0, 99.9]
    assert written["aggregation"]["windowing"]["window_slide_ms"] == 120_000


def test_a_broken_state_machine_is_refused_with_the_field_named(package: Path) -> None:
    contract = _contract(package)
    contract["state_machine"]["transitions"][0]["to_state"] = "nowhere"
    path = package / "contract.yaml"
    path.write_text(yaml.safe_dump(contract), encoding="utf-8")
    with pytest.raises(ContractLoadError, match=r"state_machine.*unknown to_state 'nowhere'"):
        load_contract(path)


def test_tumbling_windows_stay_tumbling(
    requirements: ModelPRDRequirements, generate_node: Generate
) -> None:
    from onexgen.models.facts import ModelWindowFact

    tumbling = requirements.facts.model_copy(
        update={"windows": (ModelWindowFact(kind="tumbling", size_seconds=60.0),)}
    )
    rendered = generate_node(requirements.model_copy(update={"facts": tumbling}))
    section = yaml.safe_load(rendered.contract.to_yaml())["aggregation"]["windowing"]
    assert (section["window_type"], section["window_size_ms"]) == ("tumbling", 60_000)
    assert "window_slide_ms" not in section


@pytest.mark.parametrize(
    ("text", "latency_ms"),
    [
        ("report p50/p95/p99 latency, keeping the last 24 hours", None),
        ("p99 latency over the last 5 minutes", None),
        ("p99 latency under 200ms", 200.0),
        ("p95 latency below 2 seconds", 2000.0),
    ],
)
def test_a_lookback_is_not_a_latency_budget(text: str, latency_ms: float | None) -> None:
    from onexgen.parsing.quantities import extract_performance_values

    assert extract_performance_values(text)["max_latency_ms"] == latency_ms
