"""Load a ``contract.yaml`` (ours or a reasonable hand-written one) for ``generate --contract``.

The contract is turned back into requirements (numbers included) and rebuilt through the
normal builders, so a contract we generated round-trips to the same contract.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from onexgen.contracts.builder import build_contract
from onexgen.intelligence import gather_intelligence
from onexgen.models.classification import ModelClassificationResult
from onexgen.models.contract import (
    ModelStateDefinition,
    ModelStateMachine,
    ModelStateTransition,
)
from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.models.facts import (
    ModelDurationFact,
    ModelGroupingKeyFact,
    ModelLimitFact,
    ModelNamedOutputFact,
    ModelRequestFacts,
    ModelWindowFact,
    ModelWorkflowStepFact,
)
from onexgen.models.requirements import (
    ModelPerformanceRequirements,
    ModelPRDRequirements,
    ModelRateLimit,
)
from onexgen.rendering.escaping import identifier, pascal, snake

if TYPE_CHECKING:
    from pathlib import Path

    from onexgen.models.contract import ModelNodeContract

__all__ = ["ContractLoadError", "load_contract"]

_KIND_SUFFIX = re.compile(r"_(effect|compute|reducer|orchestrator)$")
_TOPIC = re.compile(r"^onex\.cmd\.([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.[a-z0-9-]+-requested\.v\d+$")


class ContractLoadError(ValueError):
    """The contract file cannot be used; the message says what to fix."""


def _mapping(value: object, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ContractLoadError(f"{where}: must be a mapping (got {_shown(value)})")
    return value


def _number(values: dict[str, Any], key: str, where: str) -> float | None:
    """A stated number, or ``None``; ``true``, text or a list is an error, never coerced."""
    value = values.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContractLoadError(f"{where}.{key}: must be a number (got {_shown(value)})")
    return value


def _names(value: object, where: str) -> tuple[str, ...]:
    """A list of names (strings); anything else is an error naming the field."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContractLoadError(f"{where}: must be a list of names (got {_shown(value)})")
    return tuple(value)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _category(metadata: dict[str, Any]) -> EnumCategory:
    value = metadata.get("category", EnumCategory.GENERAL.value)
    if not isinstance(value, str) or value.strip().lower() not in set(EnumCategory):
        raise ContractLoadError(
            f"metadata.category: must be one of {', '.join(c.value for c in EnumCategory)} "
            f"(got {_shown(value)})"
        )
    return EnumCategory(value.strip().lower())


def _kind(raw: dict[str, Any], path: Path) -> EnumNodeKind:
    value = str(raw.get("node_type", "")).strip().lower().removesuffix("_generic")
    try:
        return EnumNodeKind(value)
    except ValueError:
        raise ContractLoadError(
            f"{path}: node_type must be EFFECT_GENERIC, COMPUTE_GENERIC, REDUCER_GENERIC or "
            f"ORCHESTRATOR_GENERIC (got {raw.get('node_type')!r})"
        ) from None


def _operations(raw: dict[str, Any]) -> tuple[str, ...]:
    ops = raw.get("operations") or []
    if not isinstance(ops, list):
        raise ContractLoadError("operations: must be a list of names or {name: ...} mappings")
    names = []
    for op in ops:
        name = op.get("name") if isinstance(op, dict) else op
        if not isinstance(name, str) or not name.strip():
            raise ContractLoadError(f"operations: an entry has no name: {_shown(op)}")
        names.append(snake(name))
    return tuple(dict.fromkeys(names))


def _domain_from_topics(raw: dict[str, Any]) -> str | None:
    """``infra`` from ``onex.cmd.infra.<name>-requested.v1`` in event_topics or event_bus."""
    topics = _mapping(raw.get("event_topics"), "event_topics")
    bus = _mapping(raw.get("event_bus"), "event_bus")
    subscribed = bus.get("subscribe_topics") or []
    if not isinstance(subscribed, list):
        raise ContractLoadError("event_bus.subscribe_topics: must be a list of topic names")
    candidates = [topics.get("requested"), *subscribed]
    for topic in candidates:
        match = _TOPIC.match(str(topic or ""))
        if match:
            return match.group(1).replace("-", "_")
    return None


def _retry_attempts(retry: dict[str, Any]) -> int | None:
    """Attempts from ``max_retries`` (the framework's name), or a hand-written ``max_attempts``."""
    retries = _int(retry, "max_retries", "configuration.retry")
    if retries is not None:
        if retries < 0:
            raise ContractLoadError(
                f"configuration.retry.max_retries: must be >= 0 (got {retries})"
            )
        return retries + 1
    return _int(retry, "max_attempts", "configuration.retry")


def _performance(config: dict[str, Any], perf: dict[str, Any]) -> ModelPerformanceRequirements:
    retry = _mapping(config.get("retry"), "configuration.retry")
    breaker = _mapping(config.get("circuit_breaker"), "configuration.circuit_breaker")
    pool = _mapping(config.get("connection_pool"), "configuration.connection_pool")
    cache = _mapping(config.get("cache"), "configuration.cache")
    rate = _mapping(config.get("rate_limit"), "configuration.rate_limit")
    windows = _mapping(config.get("windowing"), "configuration.windowing")
    batching = _mapping(config.get("batching"), "configuration.batching")
    rate_limit = None
    requests = _number(rate, "requests", "configuration.rate_limit")
    period = _number(rate, "period_seconds", "configuration.rate_limit")
    if requests and period:
        rate_limit = ModelRateLimit(requests=requests, period_seconds=period)
    window_values = windows.get("window_seconds") or []
    if not isinstance(window_values, list):
        raise ContractLoadError("configuration.windowing.window_seconds: must be a list")
    window_seconds = tuple(
        _number({"value": v}, "value", f"configuration.windowing.window_seconds[{i}]") or 0
        for i, v in enumerate(window_values)
    )
    return ModelPerformanceRequirements(
        max_latency_ms=_number(perf, "max_latency_ms", "performance"),
        throughput_per_second=_number(perf, "throughput_per_second", "performance"),
        timeout_seconds=_number(config, "timeout_seconds", "configuration"),
        retry_attempts=_retry_attempts(retry),
        pool_min_size=_int(pool, "min_size", "configuration.connection_pool"),
        pool_max_size=_int(pool, "max_size", "configuration.connection_pool"),
        cache_ttl_seconds=_number(cache, "ttl_seconds", "configuration.cache"),
        rate_limit=rate_limit,
        circuit_breaker_threshold=_int(
            breaker, "failure_threshold", "configuration.circuit_breaker"
        ),
        batch_size=_int(batching, "batch_size", "configuration.batching"),
        window_seconds=window_seconds,
    )


def _int(values: dict[str, Any], key: str, where: str) -> int | None:
    number = _number(values, key, where)
    if number is None:
        return None
    if isinstance(number, float) and not number.is_integer():
        raise ContractLoadError(f"{where}.{key}: must be a whole number (got {number})")
    return int(number)


def _configuration_with_descriptor(raw: dict[str, Any]) -> dict[str, Any]:
    """``configuration``, with the timeout taken from ``descriptor.timeout_ms`` if it has none."""
    config = dict(_mapping(raw.get("configuration"), "configuration"))
    descriptor = _mapping(raw.get("descriptor"), "descriptor")
    timeout_ms = _number(descriptor, "timeout_ms", "descriptor")
    if timeout_ms is not None and timeout_ms <= 0:
        raise ContractLoadError(f"descriptor.timeout_ms: must be above 0 (got {timeout_ms})")
    if "timeout_seconds" not in config and timeout_ms is not None:
        config["timeout_seconds"] = timeout_ms / 1000
    return config


def _features(raw: dict[str, Any], metadata: dict[str, Any]) -> tuple[str, ...]:
    listed = metadata.get("features") or raw.get("features") or []
    names = _names(listed, "features")
    return tuple(dict.fromkeys(snake(f, "feature") for f in names))


def _facts(raw: dict[str, Any]) -> ModelRequestFacts:
    """The request's facts: ``request_facts``, with the steps read back from
    ``workflow_coordination.workflow_definition.execution_graph`` and the keys from ``aggregation``.

    Each graph node carries its step name in ``node_requirements.step_name``; ``dependencies``
    name other nodes by id, mapped back to their step names.
    """
    stated = _stated_facts(raw)
    coordination = _mapping(raw.get("workflow_coordination"), "workflow_coordination")
    definition = _mapping(coordination.get("workflow_definition"), "workflow_definition")
    graph = _mapping(definition.get("execution_graph"), "execution_graph")
    nodes = graph.get("nodes") or []
    if not isinstance(nodes, list):
        raise ContractLoadError("'execution_graph.nodes' must be a list")
    names: dict[str, str] = {}
    nodes = [_mapping(node, "execution_graph.nodes[]") for node in nodes]
    for node in nodes:
        requirements = _mapping(node.get("node_requirements"), "node_requirements")
        names[str(node.get("node_id"))] = snake(str(requirements.get("step_name") or ""), "step")
    steps = []
    for node in nodes:
        requirements = _mapping(node.get("node_requirements"), "node_requirements")
        compensation = requirements.get("compensation")
        group = requirements.get("parallel_group")
        steps.append(
            ModelWorkflowStepFact(
                name=names[str(node.get("node_id"))],
                description=str(requirements.get("description") or "")[:400],
                depends_on=tuple(
                    names[str(d)] for d in node.get("dependencies") or () if str(d) in names
                ),
                parallel_group=snake(str(group), "group") if group else None,
                compensation=str(compensation)[:400] if compensation else None,
            )
        )
    rules = _mapping(definition.get("coordination_rules"), "coordination_rules")
    compensate = str(rules.get("failure_recovery_strategy", "")).upper() == "COMPENSATE"
    grouping = _mapping(
        _mapping(raw.get("aggregation"), "aggregation").get("grouping"), "aggregation.grouping"
    )
    keys = [snake(str(k), "key") for k in grouping.get("grouping_fields") or ()]
    group_by = tuple(ModelGroupingKeyFact(name=k) for k in dict.fromkeys(keys) if k != "key")
    # The framework's sections are the truth for what they hold (a user may edit them);
    # ``request_facts`` keeps the rest of what the request stated.
    derived: dict[str, object] = {"compensation": compensate or bool(stated.compensation)}
    if steps:
        derived["steps"] = tuple(steps)
    if group_by:
        derived["group_by"] = group_by
    for key, value in _reducer_facts(raw, stated).items():
        # a section that says what request_facts says keeps the request's words
        if _without_sources(value) != _without_sources(getattr(stated, key)):
            derived[key] = value
    return stated.model_copy(update=derived)


def _without_sources(facts: object) -> object:
    """Facts compared by value: the words they came from set aside, order kept."""
    if isinstance(facts, tuple):
        return tuple(
            f.model_dump(exclude={"source"}) if hasattr(f, "model_dump") else f for f in facts
        )
    return facts


def _reducer_facts(raw: dict[str, Any], stated: ModelRequestFacts) -> dict[str, object]:
    """Windows, lookback, top-N and percentiles as the contract's sections now state them.

    ``configuration.windowing`` / ``retention`` / ``ranking`` and
    ``aggregation.statistical.percentiles`` win over ``request_facts`` (a user may edit them).
    """
    config = _mapping(raw.get("configuration"), "configuration")
    derived: dict[str, object] = {}
    windowing = _mapping(config.get("windowing"), "configuration.windowing")
    # tumbling sizes alone come back through ``window_seconds`` (performance requirements)
    if windowing.get("window_kind") == "sliding" or (
        stated.windows and windowing.get("window_kind") is not None
    ):
        kind = windowing["window_kind"]
        if kind not in {"tumbling", "sliding"}:
            raise ContractLoadError(
                "configuration.windowing.window_kind: must be tumbling or sliding "
                f"(got {_shown(kind)})"
            )
        slide = _number(windowing, "slide_seconds", "configuration.windowing")
        sizes = windowing.get("window_seconds") or []
        if not isinstance(sizes, list):
            raise ContractLoadError("configuration.windowing.window_seconds: must be a list")
        where = "configuration.windowing.window_seconds"
        derived["windows"] = tuple(
            _window_fact(kind, _number({"v": v}, "v", where) or 0.0, slide) for v in sizes
        )
    retention = _mapping(config.get("retention"), "configuration.retention")
    lookback = _number(retention, "lookback_seconds", "configuration.retention")
    if lookback is not None:
        fact = ModelDurationFact(
            role="lookback", seconds=lookback, source="configuration.retention"
        )
        durations = tuple(fact if d.role == "lookback" else d for d in stated.durations)
        derived["durations"] = durations if fact in durations else (*durations, fact)
    ranking = _mapping(config.get("ranking"), "configuration.ranking")
    top_n = _int(ranking, "top_n", "configuration.ranking")
    if top_n is not None:
        order_by = str(ranking.get("order_by") or "count")
        derived["limits"] = tuple(
            ModelLimitFact(role="top_n", value=top_n, source=f"top {top_n} by {order_by}")
            if x.role == "top_n"
            else x
            for x in stated.limits
        ) or (ModelLimitFact(role="top_n", value=top_n, source=f"top {top_n} by {order_by}"),)
    statistical = _mapping(
        _mapping(raw.get("aggregation"), "aggregation").get("statistical"),
        "aggregation.statistical",
    )
    if statistical.get("percentiles") is not None:
        where = "aggregation.statistical.percentiles"
        values = statistical["percentiles"]
        if not isinstance(values, list):
            raise ContractLoadError(f"{where}: must be a list of numbers")
        named = [_percentile_name(_number({"v": v}, "v", where) or 0.0, where) for v in values]
        kept = tuple(o for o in stated.outputs if not _PERCENTILE_NAME.match(o.name))
        derived["outputs"] = (
            *kept,
            *(ModelNamedOutputFact(name=name, source=where) for name in dict.fromkeys(named)),
        )
    return derived


_PERCENTILE_NAME = re.compile(r"^p\d{1,2}(?:_\d)?$")


def _window_fact(kind: str, size: float, slide: float | None) -> ModelWindowFact:
    if size <= 0 or (slide is not None and slide <= 0):
        raise ContractLoadError("configuration.windowing: window sizes and slide must be above 0")
    if kind == "sliding":
        if slide is None:
            raise ContractLoadError("configuration.windowing: sliding windows need slide_seconds")
        return ModelWindowFact(kind="sliding", size_seconds=size, slide_seconds=slide)
    return ModelWindowFact(kind="tumbling", size_seconds=size)


def _percentile_name(value: float, where: str) -> str:
    """``p95`` for 95, ``p99_9`` for 99.9: the aggregate field a percentile becomes."""
    tenths = round(value * 10)
    if not 0 < tenths < 1000:
        raise ContractLoadError(f"{where}: percentiles must be between 0 and 100 (got {value})")
    whole, tenth = divmod(tenths, 10)
    return f"p{whole:02d}" + (f"_{tenth}" if tenth else "")


def _state_machine(raw: dict[str, Any]) -> ModelStateMachine | None:
    """``state_machine`` (the framework's ``ModelFSMSubcontract`` fields) in our typed model."""
    section = raw.get("state_machine")
    if section is None:
        return None
    fsm = _mapping(section, "state_machine")
    states = fsm.get("states") or []
    transitions = fsm.get("transitions") or []
    if not isinstance(states, list) or not isinstance(transitions, list):
        raise ContractLoadError("state_machine: states and transitions must be lists")
    error_states = set(_names(fsm.get("error_states"), "state_machine.error_states"))
    terminal_states = set(_names(fsm.get("terminal_states"), "state_machine.terminal_states"))
    try:
        definitions = []
        for entry in states:
            state = _mapping(entry, "state_machine.states[]")
            name = str(state.get("state_name", ""))
            state_type = str(state.get("state_type", "operational"))
            if name in error_states:
                state_type = "error"
            elif name in terminal_states or state.get("is_terminal") is True:
                state_type = "terminal"
            elif state_type not in {"operational", "snapshot"}:
                state_type = "operational"
            definitions.append(
                ModelStateDefinition(
                    name=name,
                    description=str(state.get("description") or name),
                    state_type=state_type,
                )
            )
        moves = [
            ModelStateTransition(
                name=str(t.get("transition_name", "")),
                from_state=str(t.get("from_state", "")),
                to_state=str(t.get("to_state", "")),
                trigger=str(t.get("trigger", "")),
            )
            for t in (_mapping(entry, "state_machine.transitions[]") for entry in transitions)
        ]
        return ModelStateMachine(
            name=str(fsm.get("state_machine_name", "")),
            description=str(fsm.get("description") or "state machine")[:400],
            initial_state=str(fsm.get("initial_state", "")),
            states=tuple(definitions),
            transitions=tuple(moves),
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = "".join(f".{part}" for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ContractLoadError(f"state_machine{where}: {message}") from None


def _stated_facts(raw: dict[str, Any]) -> ModelRequestFacts:
    """The contract's ``request_facts`` section (empty when it has none)."""
    section = raw.get("request_facts")
    if section is None:
        return ModelRequestFacts()
    try:
        return ModelRequestFacts.model_validate(_mapping(section, "request_facts"))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise ContractLoadError(f"request_facts.{where}: {error['msg']}") from None


def load_contract(path: Path) -> tuple[ModelNodeContract, ModelPRDRequirements]:
    """The contract in ``path`` and the requirements it implies."""
    from onexgen.bounded_input import InputFileError, load_structured_file

    try:
        raw = load_structured_file(path, "contract")
    except InputFileError as exc:
        raise ContractLoadError(str(exc)) from None
    if not isinstance(raw, dict):
        raise ContractLoadError(f"{path} must contain a mapping with name, node_type, description")
    try:
        requirements, kind, category = _requirements(raw, path)
    except ContractLoadError as exc:
        message = str(exc)
        if message.startswith(str(path)):
            raise
        raise ContractLoadError(f"{path}: {message}") from None
    classification = ModelClassificationResult(
        node_type=kind,
        confidence=1.0,
        template_name=kind.value,
        template_variant=category.value,
        primary_indicators=("contract",),
    )
    contract = build_contract(
        requirements, classification, gather_intelligence(requirements, classification)
    )
    if kind is EnumNodeKind.REDUCER:
        try:
            machine = _state_machine(raw)
        except ContractLoadError as exc:
            raise ContractLoadError(f"{path}: {exc}") from None
        if machine is not None:
            contract = contract.model_copy(update={"state_machine": machine})
    return contract, requirements


def _requirements(
    raw: dict[str, Any], path: Path
) -> tuple[ModelPRDRequirements, EnumNodeKind, EnumCategory]:
    """The requirements a contract mapping states; field errors name the field."""
    kind = _kind(raw, path)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ContractLoadError(f"{path}: 'name' is required (for example node_user_store_effect)")
    metadata = _mapping(raw.get("metadata"), "metadata")
    for key in ("service_name", "node_name", "domain", "description"):
        holder = raw if key == "description" else metadata
        value = holder.get(key)
        if value is not None and not isinstance(value, str):
            where = key if key == "description" else f"metadata.{key}"
            raise ContractLoadError(f"{where}: must be text (got {_shown(value)})")
    service = metadata.get("service_name") or _KIND_SUFFIX.sub(
        "", identifier(name).removeprefix("node_")
    )
    service = snake(str(service), "node")
    description = str(raw.get("description") or "").strip() or f"{service} {kind.value} node"
    category = _category(metadata)
    try:
        requirements = ModelPRDRequirements(
            node_type=kind,
            node_name=str(metadata.get("node_name") or pascal(service)),
            service_name=service,
            domain=snake(
                str(metadata.get("domain") or _domain_from_topics(raw) or "default"), "domain"
            ),
            category=category,
            business_description=description[:4000],
            operations=_operations(raw),
            features=_features(raw, metadata),
            external_systems=_names(metadata.get("external_systems"), "metadata.external_systems"),
            dependencies=tuple(
                snake(s, "dependency")
                for s in _names(metadata.get("dependencies"), "metadata.dependencies")
            ),
            performance_requirements=_performance(
                _configuration_with_descriptor(raw),
                _mapping(raw.get("performance"), "performance"),
            ),
            explicit_fields=("node_type", "node_name", "service_name", "domain"),
            original_prompt=f"contract:{path.name}",
            facts=_facts(raw),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "contract"
        raise ContractLoadError(f"{path}: {field}: {first['msg']}") from None
    return requirements, kind, category
