"""Reducer contracts: bounded batches folded per grouping key, in the windows the request asked.

What the request stated becomes the framework's own sections: the grouping key and windows
(tumbling, or sliding with their slide) in ``aggregation`` (``ModelAggregationSubcontract``:
``grouping.grouping_fields``, ``windowing.window_type/window_size_ms/window_slide_ms``), the
percentiles asked for in ``aggregation.statistical.percentiles``, and the lifecycle of one
reduction in ``state_machine`` (``ModelFSMSubcontract``). The lookback ("the last 24 hours")
and top-N ("top 100 URLs by views") have no framework field and live in ``configuration``
(``retention``, ``ranking``). Folds are pure and never retried.
"""

from __future__ import annotations

import keyword
import re
from typing import TYPE_CHECKING, Literal

from onexgen.contracts.base import ModelKindProfile, build_from_profile
from onexgen.models.contract import (
    ModelRankingConfig,
    ModelRetentionConfig,
    ModelStateDefinition,
    ModelStateMachine,
    ModelStateTransition,
    ModelWindowConfig,
)

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.facts import ModelRequestFacts
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

__all__ = [
    "DEFAULT_GROUP_KEY",
    "build_reducer_contract",
    "group_key",
    "lifecycle_state_machine",
    "named_statistics",
]

PROFILE = ModelKindProfile(
    default_operation="aggregate", implied_features=("batching",), supports_retry=False
)
DEFAULT_GROUP_KEY = "key"
# fields the item model already has, or names Python refuses as attributes
RESERVED_KEYS = frozenset({"value", "timestamp_seconds", "model_config", "model_fields"})

# Named outputs a reducer computes per group: output name -> percentile (None: the mean).
_STATISTIC_OUTPUTS = {"median": 50.0, "average": None}
_PERCENTILE_OUTPUT = re.compile(r"^p(\d{1,2})(?:_(\d))?$")

# Words after "by" in "top N <things> by <measure>" -> the aggregate field ranked on.
MEASURE_WORDS = {
    "count": "count",
    "counts": "count",
    "views": "count",
    "hits": "count",
    "visits": "count",
    "requests": "count",
    "events": "count",
    "calls": "count",
    "occurrences": "count",
    "volume": "count",
    "frequency": "count",
    "total": "total",
    "sum": "total",
    "revenue": "total",
    "amount": "total",
    "spend": "total",
    "sales": "total",
    "value": "total",
    "average": "mean",
    "mean": "mean",
    "max": "maximum",
    "maximum": "maximum",
    "peak": "maximum",
    "min": "minimum",
    "minimum": "minimum",
}
_BY_MEASURE = re.compile(r"\bby\s+(?:the\s+|their\s+|its\s+|total\s+)?([a-z][a-z0-9]*)", re.I)


def group_key(contract: ModelNodeContract) -> str:
    """The item field the reducer groups by: the request's first grouping key, else ``key``."""
    for name in contract.group_by:
        if not keyword.iskeyword(name) and name not in RESERVED_KEYS:
            return name
    return DEFAULT_GROUP_KEY


def named_statistics(facts: ModelRequestFacts) -> tuple[tuple[str, float | None], ...]:
    """(aggregate field, percentile) for each named output a reducer computes, in the request's
    order: ``p95`` -> 95.0, ``p99_9`` -> 99.9, ``median`` -> 50.0, ``average`` -> None (mean)."""
    found: list[tuple[str, float | None]] = []
    for output in facts.outputs:
        if output.name in _STATISTIC_OUTPUTS:
            found.append((output.name, _STATISTIC_OUTPUTS[output.name]))
        elif match := _PERCENTILE_OUTPUT.match(output.name):
            whole, tenth = match.groups()
            value = float(whole) + (int(tenth) / 10 if tenth else 0.0)
            if 0.0 < value < 100.0:
                found.append((output.name, value))
    return tuple(found)


def _windowing(facts: ModelRequestFacts) -> ModelWindowConfig | None:
    """Windows as stated: the first sliding window (size and slide), else every tumbling size."""
    sliding = [w for w in facts.windows if w.kind == "sliding" and w.slide_seconds]
    if sliding:
        first = sliding[0]
        return ModelWindowConfig(
            window_seconds=(first.size_seconds,),
            window_kind="sliding",
            slide_seconds=first.slide_seconds,
        )
    if facts.windows:
        return ModelWindowConfig(
            window_seconds=tuple(sorted({w.size_seconds for w in facts.windows}))
        )
    return None


def _retention(facts: ModelRequestFacts) -> ModelRetentionConfig | None:
    lookbacks = [d.seconds for d in facts.durations if d.role == "lookback"]
    return ModelRetentionConfig(lookback_seconds=max(lookbacks)) if lookbacks else None


def _ranking(facts: ModelRequestFacts) -> ModelRankingConfig | None:
    for limit in facts.limits:
        if limit.role == "top_n" and limit.value >= 1:
            return ModelRankingConfig(top_n=limit.value, order_by=_measure(limit.source, facts))
    return None


def _measure(source: str, facts: ModelRequestFacts) -> str:
    """The aggregate field "top N ... by <measure>" ranks on; ``count`` when unsaid."""
    match = _BY_MEASURE.search(source)
    if match is None:
        return "count"
    word = match.group(1).lower()
    statistics = {name for name, _ in named_statistics(facts)}
    return word if word in statistics else MEASURE_WORDS.get(word, "count")


type StateType = Literal["operational", "snapshot", "terminal", "error"]


def lifecycle_state_machine(
    name: str, *, lookback: bool, windows: bool, description: str = ""
) -> ModelStateMachine:
    """The life of one reduction, state by state, as the handler lives it.

    ``idle`` -> ``collecting`` (a validated batch) [-> ``retained`` (items older than the
    lookback dropped)] -> ``folded`` (per-group aggregates) [-> ``windowed`` (windows closed)]
    -> ``emitted``; any failure moves to ``failed``. The optional states exist only when the
    contract asks for a lookback or windows, so the machine says what this node does. The
    generated handler (``templates/reducer/handler.py.j2``) fires these triggers by name.
    """
    # (state, description, state type, transition into it, its trigger, present?) in order
    steps: tuple[tuple[str, str, StateType, str, str, bool], ...] = (
        ("collecting", "A validated batch is being read.", "operational", "receive_batch",
         "batch_received", True),
        ("retained", "Items older than the lookback were dropped.", "operational",
         "drop_expired", "expired_dropped", lookback),
        ("folded", "Per-group aggregates computed.", "snapshot", "fold_batch", "batch_folded",
         True),
        ("windowed", "Every window the items fall in is closed.", "snapshot", "close_windows",
         "windows_closed", windows),
        ("emitted", "The result was returned.", "terminal", "emit_result", "result_emitted",
         True),
    )  # fmt: skip
    states = [ModelStateDefinition(name="idle", description="No batch received yet.")]
    transitions = []
    current = "idle"
    for state, about, state_type, transition, trigger, present in steps:
        if not present:
            continue
        states.append(ModelStateDefinition(name=state, description=about, state_type=state_type))
        transitions.append(
            ModelStateTransition(
                name=transition, from_state=current, to_state=state, trigger=trigger
            )
        )
        current = state
    states.append(
        ModelStateDefinition(
            name="failed", description="The reduction was rejected or failed.", state_type="error"
        )
    )
    transitions.append(
        ModelStateTransition(
            name="fail", from_state="*", to_state="failed", trigger="reduction_failed"
        )
    )
    return ModelStateMachine(
        name=f"{name}_lifecycle",
        description=description or f"Lifecycle of one reduction of {name}.",
        initial_state="idle",
        states=tuple(states),
        transitions=tuple(transitions),
    )


def build_reducer_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
) -> ModelNodeContract:
    """Contract of a reducer node, grouped, windowed, trimmed and ranked as the facts say."""
    contract = build_from_profile(requirements, classification, intelligence, PROFILE)
    facts = requirements.facts
    config_update: dict[str, object] = {
        "retention": _retention(facts),
        "ranking": _ranking(facts),
    }
    windowing = _windowing(facts)
    if windowing is not None:
        config_update["windowing"] = windowing
    config = contract.configuration.model_copy(update=config_update)
    return contract.model_copy(
        update={
            "group_by": tuple(dict.fromkeys(g.name for g in facts.group_by)),
            "configuration": config,
            "state_machine": lifecycle_state_machine(
                contract.service_name,
                lookback=config.retention is not None,
                windows=config.windowing is not None,
            ),
        }
    )
