"""Shared contract building: identity, operations, feature configuration, topics, targets.

Per-kind builders (``effect.py`` ...) supply a ``ModelKindProfile``: the kind's default operation
and which features it implies. Numbers come from the prompt when stated, else from stage 2's
defaults for the kind and category.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from onexgen.contracts.fact_settings import (
    fact_settings,
    stated_max_retries,
    stated_page_size,
    stated_timeout_seconds,
)
from onexgen.contracts.naming import ModelNodeNames, node_names
from onexgen.models.contract import (
    ModelBatchConfig,
    ModelCacheConfig,
    ModelCircuitBreakerConfig,
    ModelConnectionPoolConfig,
    ModelContractOperation,
    ModelEventTopics,
    ModelFeatureConfiguration,
    ModelNodeContract,
    ModelPaginationConfig,
    ModelPerformanceTargets,
    ModelRateLimitConfig,
    ModelRetryConfig,
    ModelWindowConfig,
)

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.enums import EnumNodeKind
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

__all__ = ["ModelKindProfile", "build_from_profile", "names_for"]

IDEMPOTENT_VERBS = frozenset(
    {
        "aggregate",
        "analyze",
        "calculate",
        "compute",
        "delete",
        "fetch",
        "get",
        "list",
        "parse",
        "predict",
        "presign",
        "query",
        "read",
        "search",
        "transform",
        "update",
        "validate",
    }
)

# Feature names the parser may emit, mapped to the configuration section they switch on.
FEATURE_ALIASES = {
    "retry": "retry_logic",
    "retries": "retry_logic",
    "backoff": "retry_logic",
    "pooling": "connection_pooling",
    "connection_pool": "connection_pooling",
    "cache": "caching",
    "rate_limit": "rate_limiting",
    "throttling": "rate_limiting",
    "batch": "batching",
    "batch_processing": "batching",
    "window": "windowing",
    "time_windows": "windowing",
    "events": "event_publishing",
    "auth": "authentication",
}


class ModelKindProfile(BaseModel):
    """What a node kind contributes to its contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_operation: str
    implied_features: tuple[str, ...] = ()
    supports_retry: bool = True


def names_for(requirements: ModelPRDRequirements, kind_value: str) -> ModelNodeNames:
    """Names of the package for these requirements and kind."""
    from onexgen.models.enums import EnumNodeKind

    return node_names(
        EnumNodeKind(kind_value),
        requirements.node_name,
        requirements.service_name,
        requirements.domain,
    )


def _features(
    requirements: ModelPRDRequirements, intelligence: ModelIntelligence, profile: ModelKindProfile
) -> tuple[str, ...]:
    perf = requirements.performance_requirements
    stated = {FEATURE_ALIASES.get(f, f) for f in requirements.features}
    implied = set(profile.implied_features) | set(intelligence.recommended_features)
    if perf.retry_attempts:
        stated.add("retry_logic")
    if perf.circuit_breaker_threshold is not None:
        stated.add("circuit_breaker")
    if perf.pool_max_size is not None or perf.pool_min_size is not None:
        stated.add("connection_pooling")
    if perf.cache_ttl_seconds is not None:
        stated.add("caching")
    if perf.rate_limit is not None:
        stated.add("rate_limiting")
    if perf.window_seconds:
        stated.add("windowing")
    if perf.batch_size is not None:
        stated.add("batching")
    if stated_page_size(requirements.facts) is not None:
        stated.add("pagination")
    return tuple(sorted(stated | implied))


def _configuration(
    requirements: ModelPRDRequirements,
    intelligence: ModelIntelligence,
    features: tuple[str, ...],
    profile: ModelKindProfile,
    kind: EnumNodeKind,
) -> ModelFeatureConfiguration:
    perf = requirements.performance_requirements
    d = intelligence.defaults
    on = set(features)
    retry = None
    if "retry_logic" in on and profile.supports_retry:
        attempts = perf.retry_attempts if perf.retry_attempts else d.retry_attempts
        stated = stated_max_retries(requirements.facts)
        retry = ModelRetryConfig(
            max_retries=stated if stated is not None else max(1, attempts) - 1,
            base_delay_ms=d.initial_backoff_ms,
            max_delay_ms=d.max_backoff_ms,
            backoff_multiplier=d.backoff_multiplier,
        )
    breaker = None
    if "circuit_breaker" in on and profile.supports_retry:
        breaker = ModelCircuitBreakerConfig(
            failure_threshold=perf.circuit_breaker_threshold or d.circuit_breaker_threshold,
            recovery_timeout_seconds=d.circuit_breaker_recovery_seconds,
        )
    pool = None
    if "connection_pooling" in on:
        max_size = perf.pool_max_size or max(d.pool_max_size, perf.pool_min_size or 0)
        min_size = perf.pool_min_size if perf.pool_min_size is not None else d.pool_min_size
        pool = ModelConnectionPoolConfig(
            min_size=min(min_size, max_size),
            max_size=max_size,
            acquire_timeout_seconds=d.pool_acquire_timeout_seconds,
        )
    cache = None
    if "caching" in on:
        cache = ModelCacheConfig(
            ttl_seconds=perf.cache_ttl_seconds or d.cache_ttl_seconds,
            max_entries=d.cache_max_entries,
        )
    rate = None
    if "rate_limiting" in on:
        requests = perf.rate_limit.requests if perf.rate_limit else d.rate_limit_requests
        period = perf.rate_limit.period_seconds if perf.rate_limit else d.rate_limit_period_seconds
        rate = ModelRateLimitConfig(requests=requests, period_seconds=period, burst=requests)
    windowing = None
    if "windowing" in on:
        windows = tuple(sorted(set(perf.window_seconds))) or d.window_seconds
        windowing = ModelWindowConfig(window_seconds=windows)
    batching = None
    if "batching" in on:
        batching = ModelBatchConfig(batch_size=perf.batch_size or d.batch_size)
    pagination = None
    if "pagination" in on:
        pagination = ModelPaginationConfig(
            page_size=stated_page_size(requirements.facts) or d.page_size, max_pages=d.max_pages
        )
    return ModelFeatureConfiguration(
        timeout_seconds=perf.timeout_seconds
        or stated_timeout_seconds(requirements.facts)
        or d.timeout_seconds,
        retry=retry,
        circuit_breaker=breaker,
        connection_pool=pool,
        cache=cache,
        rate_limit=rate,
        windowing=windowing,
        batching=batching,
        pagination=pagination,
        validation_enabled=True,
        metrics_enabled="metrics" in on,
        authentication_required="authentication" in on,
        event_publishing_enabled=True,
        **fact_settings(requirements, kind),
    )


MIN_DESCRIPTION_WORDS = 3


def describe(description: str, kind: str, names: ModelNodeNames) -> str:
    """The contract description: the business description, with the node's kind and name added
    when it is too short to say what the node is ("Pricing", "Workflows").
    """
    text = description.strip()
    if len(text.split()) >= MIN_DESCRIPTION_WORDS:
        return text
    if not text:
        return f"{names.pascal} {kind} node."
    return f"{text} ({kind} node {names.pascal})."


def build_from_profile(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
    profile: ModelKindProfile,
) -> ModelNodeContract:
    """The contract for ``requirements`` as a node of the classified kind."""
    kind = classification.node_type
    names = names_for(requirements, kind.value)
    features = _features(requirements, intelligence, profile)
    configuration = _configuration(requirements, intelligence, features, profile, kind)
    timeout_ms = max(1, round(configuration.timeout_seconds * 1000))
    op_names = requirements.operations or (profile.default_operation,)
    operations = tuple(
        ModelContractOperation(
            name=op,
            description=f"{op.replace('_', ' ').capitalize()} operation of {names.service}.",
            timeout_ms=timeout_ms,
            idempotent=op in IDEMPOTENT_VERBS,
        )
        for op in op_names
    )
    perf = requirements.performance_requirements
    scope = f"{names.kebab_domain}.{names.kebab_service}"
    return ModelNodeContract(
        name=names.package,
        node_kind=kind,
        description=describe(requirements.business_description, kind.value, names),
        node_name=names.pascal,
        service_name=names.service,
        domain=names.domain,
        category=requirements.category,
        operations=operations,
        features=features,
        configuration=configuration,
        event_topics=ModelEventTopics(
            requested=f"onex.cmd.{scope}-requested.v1",
            completed=f"onex.evt.{scope}-completed.v1",
            failed=f"onex.evt.{scope}-failed.v1",
        ),
        performance=ModelPerformanceTargets(
            max_latency_ms=perf.max_latency_ms or intelligence.defaults.max_latency_ms,
            throughput_per_second=perf.throughput_per_second,
        ),
        dependencies=requirements.dependencies,
        external_systems=requirements.external_systems,
        # steps, keys and compensation live in the framework's own sections (workflow graph,
        # aggregation); the rest of what the request stated is kept here
        request_facts=requirements.facts.model_copy(
            update={"steps": (), "group_by": (), "compensation": False}
        ),
    )
