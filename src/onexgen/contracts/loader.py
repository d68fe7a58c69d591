"""Load a ``contract.yaml`` (ours or a reasonable hand-written one) for ``generate --contract``.

The contract is turned back into requirements (numbers included) and rebuilt through the
normal builders, so a contract we generated round-trips to the same contract.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from onexgen.contracts.builder import build_contract
from onexgen.intelligence import gather_intelligence
from onexgen.models.classification import ModelClassificationResult
from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.models.facts import (
    ModelGroupingKeyFact,
    ModelRequestFacts,
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
        raise ContractLoadError(f"'{where}' must be a mapping")
    return value


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
        raise ContractLoadError("'operations' must be a list of names or {name: ...} mappings")
    names = []
    for op in ops:
        name = op.get("name") if isinstance(op, dict) else op
        if not isinstance(name, str) or not name.strip():
            raise ContractLoadError(f"operation without a name: {op!r}")
        names.append(snake(name))
    return tuple(dict.fromkeys(names))


def _domain_from_topics(raw: dict[str, Any]) -> str | None:
    """``infra`` from ``onex.cmd.infra.<name>-requested.v1`` in event_topics or event_bus."""
    topics = _mapping(raw.get("event_topics"), "event_topics")
    bus = _mapping(raw.get("event_bus"), "event_bus")
    candidates = [topics.get("requested"), *(bus.get("subscribe_topics") or [])]
    for topic in candidates:
        match = _TOPIC.match(str(topic or ""))
        if match:
            return match.group(1).replace("-", "_")
    return None


def _retry_attempts(retry: dict[str, Any]) -> int | None:
    """Attempts from ``max_retries`` (the framework's name), or a hand-written ``max_attempts``."""
    retries = retry.get("max_retries")
    if isinstance(retries, int) and not isinstance(retries, bool) and retries >= 0:
        return retries + 1
    attempts = retry.get("max_attempts")
    return attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else None


def _performance(config: dict[str, Any], perf: dict[str, Any]) -> ModelPerformanceRequirements:
    retry = _mapping(config.get("retry"), "configuration.retry")
    breaker = _mapping(config.get("circuit_breaker"), "configuration.circuit_breaker")
    pool = _mapping(config.get("connection_pool"), "configuration.connection_pool")
    cache = _mapping(config.get("cache"), "configuration.cache")
    rate = _mapping(config.get("rate_limit"), "configuration.rate_limit")
    windows = _mapping(config.get("windowing"), "configuration.windowing")
    batching = _mapping(config.get("batching"), "configuration.batching")
    rate_limit = None
    if rate.get("requests") and rate.get("period_seconds"):
        rate_limit = ModelRateLimit(
            requests=rate["requests"], period_seconds=rate["period_seconds"]
        )
    return ModelPerformanceRequirements(
        max_latency_ms=perf.get("max_latency_ms"),
        throughput_per_second=perf.get("throughput_per_second"),
        timeout_seconds=config.get("timeout_seconds"),
        retry_attempts=_retry_attempts(retry),
        pool_min_size=pool.get("min_size"),
        pool_max_size=pool.get("max_size"),
        cache_ttl_seconds=cache.get("ttl_seconds"),
        rate_limit=rate_limit,
        circuit_breaker_threshold=breaker.get("failure_threshold"),
        batch_size=batching.get("batch_size"),
        window_seconds=tuple(windows.get("window_seconds") or ()),
    )


def _configuration_with_descriptor(raw: dict[str, Any]) -> dict[str, Any]:
    """``configuration``, with the timeout taken from ``descriptor.timeout_ms`` if it has none."""
    config = dict(_mapping(raw.get("configuration"), "configuration"))
    descriptor = _mapping(raw.get("descriptor"), "descriptor")
    timeout_ms = descriptor.get("timeout_ms")
    if "timeout_seconds" not in config and isinstance(timeout_ms, int | float) and timeout_ms > 0:
        config["timeout_seconds"] = timeout_ms / 1000
    return config


def _features(raw: dict[str, Any], metadata: dict[str, Any]) -> tuple[str, ...]:
    listed = metadata.get("features") or raw.get("features") or []
    if not isinstance(listed, list):
        raise ContractLoadError("'features' must be a list of names")
    return tuple(dict.fromkeys(snake(str(f), "feature") for f in listed))


def _facts(raw: dict[str, Any]) -> ModelRequestFacts:
    """Steps read back from ``workflow_coordination.workflow_definition.execution_graph``.

    Each graph node carries its step name in ``node_requirements.step_name``; ``dependencies``
    name other nodes by id, mapped back to their step names.
    """
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
    return ModelRequestFacts(
        steps=tuple(steps),
        compensation=compensate,
        group_by=tuple(ModelGroupingKeyFact(name=k) for k in dict.fromkeys(keys) if k != "key"),
    )


def load_contract(path: Path) -> tuple[ModelNodeContract, ModelPRDRequirements]:
    """The contract in ``path`` and the requirements it implies."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractLoadError(f"cannot read contract {path}: {exc.strerror or exc}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ContractLoadError(f"{path} is not valid YAML{where}") from None
    if not isinstance(raw, dict):
        raise ContractLoadError(f"{path} must contain a mapping with name, node_type, description")
    kind = _kind(raw, path)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ContractLoadError(f"{path}: 'name' is required (for example node_user_store_effect)")
    metadata = _mapping(raw.get("metadata"), "metadata")
    service = metadata.get("service_name") or _KIND_SUFFIX.sub(
        "", identifier(name).removeprefix("node_")
    )
    service = snake(str(service), "node")
    description = str(raw.get("description") or "").strip() or f"{service} {kind.value} node"
    category_value = str(metadata.get("category", "general"))
    category = (
        EnumCategory(category_value)
        if category_value in set(EnumCategory)
        else EnumCategory.GENERAL
    )
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
            external_systems=tuple(str(s) for s in metadata.get("external_systems") or ()),
            dependencies=tuple(
                snake(str(s), "dependency") for s in metadata.get("dependencies") or ()
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
    return contract, requirements
