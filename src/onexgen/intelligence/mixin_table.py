"""Which omnibase_core mixins and subcontracts fit which requests, and which conflict (data only).

Each row names a class by the module that defines it in omnibase_core and says when it fits:
for which node kinds, and (if not always) for which requested features, operations or categories.
The recommender (``onexgen.intelligence.mixins``) keeps only rows whose class the installed
omnibase_core actually defines, so a name the package does not have can never be recommended;
``tests/generation/test_mixin_recommender.py`` imports every row to prove it.

omnibase_core's own ``mixins/mixin_metadata.yaml`` was read for this table but is not used as its
source: it describes mixins the package does not ship (``MixinRetry``, ``MixinCircuitBreaker``,
``MixinLogging``...), which is exactly the defect earlier generators had.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

_MIXINS = "omnibase_core.mixins"
_SUB = "omnibase_core.models.contracts.subcontracts"
ALL_KINDS: Final = ("effect", "compute", "reducer", "orchestrator")

# Operations that change the outside world: never cached, never retried unless idempotent.
WRITE_OPERATIONS: Final = frozenset(
    {"create", "update", "delete", "publish", "send", "merge", "schedule", "sign", "encrypt"}
)
# Operations that repeat without extra effect, so a retry is safe.
IDEMPOTENT_OPERATIONS: Final = frozenset(
    {"read", "list", "search", "filter", "validate", "calculate", "transform", "parse", "hash"}
)
READ_OPERATIONS: Final = frozenset({"read", "list", "search"})


@dataclass(frozen=True)
class MixinRow:
    """One mixin or subcontract model and when it fits.

    ``features``/``operations``/``categories``: the row fits when the request has any of them
    (all three empty: it fits every request of ``kinds``). ``needs_reads``: only when the request
    has a read operation (``READ_OPERATIONS``).
    """

    name: str
    module: str
    kind: str  # "mixin" or "subcontract"
    kinds: tuple[str, ...]
    reason: str
    features: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    needs_reads: bool = False


MIXIN_ROWS: Final[tuple[MixinRow, ...]] = (
    MixinRow(
        "MixinHandlerRouting",
        f"{_MIXINS}.mixin_handler_routing",
        "mixin",
        ALL_KINDS,
        "routes each request to the handler named in contract.yaml's handler_routing, so "
        "node.py needs no dispatch code",
    ),
    MixinRow(
        "ModelHandlerRoutingSubcontract",
        f"{_SUB}.model_handler_routing_subcontract",
        "subcontract",
        ALL_KINDS,
        "declares handler_routing (default_handler '<module>:<Class>') that the runtime resolves",
    ),
    MixinRow(
        "MixinEffectExecution",
        f"{_MIXINS}.mixin_effect_execution",
        "mixin",
        ("effect",),
        "runs the operations declared in the contract's effect_subcontract (I/O, retry, "
        "circuit breaker) instead of a hand-written process()",
    ),
    MixinRow(
        "ModelEffectSubcontract",
        f"{_SUB}.model_effect_subcontract",
        "subcontract",
        ("effect",),
        "declares the effect's operations with idempotency, retry and circuit breaker; it "
        "rejects retrying a non-idempotent operation",
    ),
    MixinRow(
        "ModelEffectRetryPolicy",
        f"{_SUB}.model_effect_retry_policy",
        "subcontract",
        ("effect",),
        "per-operation retry (max_retries, backoff_strategy, jitter_factor) for idempotent "
        "operations only",
        features=("retry_logic",),
    ),
    MixinRow(
        "ModelEffectCircuitBreaker",
        f"{_SUB}.model_effect_circuit_breaker",
        "subcontract",
        ("effect",),
        "per-operation circuit breaker declared in the effect subcontract",
        features=("circuit_breaker",),
    ),
    MixinRow(
        "ModelRetryPolicy",
        "omnibase_core.models.infrastructure.model_retry_policy",
        "subcontract",
        ("compute", "reducer", "orchestrator"),
        "the framework's retry policy model (max_retries, backoff, jitter_factor) instead of "
        "a hand-written retry loop",
        features=("retry_logic",),
    ),
    MixinRow(
        "ModelCircuitBreaker",
        "omnibase_core.models.configuration.model_circuit_breaker",
        "subcontract",
        ("compute", "reducer", "orchestrator"),
        "the framework's circuit breaker (failure threshold, recovery timeout) instead of a "
        "hand-written one",
        features=("circuit_breaker",),
    ),
    MixinRow(
        "MixinComputeExecution",
        f"{_MIXINS}.mixin_compute_execution",
        "mixin",
        ("compute",),
        "runs the compute pipeline declared in the contract, deterministic and side-effect free",
    ),
    MixinRow(
        "MixinFSMExecution",
        f"{_MIXINS}.mixin_fsm_execution",
        "mixin",
        ("reducer",),
        "drives the reducer from the contract's state_machine (states, transitions); the "
        "generated handler calls the executor it delegates to (execute_transition) per "
        "reduction, since the mixin keeps one current state per object",
    ),
    MixinRow(
        "ModelFSMSubcontract",
        f"{_SUB}.model_fsm_subcontract",
        "subcontract",
        ("reducer",),
        "declares the reducer's states, initial and terminal states and transitions",
    ),
    MixinRow(
        "ModelAggregationSubcontract",
        f"{_SUB}.model_aggregation_subcontract",
        "subcontract",
        ("reducer",),
        "declares aggregation functions, grouping fields and windows for the reducer",
        features=("windowing", "batching"),
        operations=("aggregate", "merge", "deduplicate"),
    ),
    MixinRow(
        "MixinWorkflowExecution",
        f"{_MIXINS}.mixin_workflow_execution",
        "mixin",
        ("orchestrator",),
        "runs the contract's workflow_coordination execution graph step by step (depends_on, "
        "per-step retry) and emits actions; the orchestrator itself writes nowhere",
    ),
    MixinRow(
        "ModelContractWorkflowDefinition",
        "omnibase_core.models.contracts.model_contract_workflow_definition",
        "subcontract",
        ("orchestrator",),
        "declares workflow_coordination.workflow_definition with its execution_graph of steps "
        "and depends_on",
    ),
    MixinRow(
        "MixinCaching",
        f"{_MIXINS}.mixin_caching",
        "mixin",
        ("effect",),
        "caches results of read operations with a TTL; writes are never served from the cache",
        features=("caching",),
        needs_reads=True,
    ),
    MixinRow(
        "MixinCaching",
        f"{_MIXINS}.mixin_caching",
        "mixin",
        ("compute",),
        "caches results of the deterministic computation with a TTL",
        features=("caching",),
    ),
    MixinRow(
        "ModelCachingSubcontract",
        f"{_SUB}.model_caching_subcontract",
        "subcontract",
        ("effect", "compute", "reducer"),
        "declares the cache (TTL, size, invalidation) in the contract",
        features=("caching",),
    ),
    MixinRow(
        "MixinMetrics",
        f"{_MIXINS}.mixin_metrics",
        "mixin",
        ALL_KINDS,
        "records the framework's metrics for each operation instead of hand-kept counters",
        features=("metrics",),
        categories=("monitoring",),
    ),
    MixinRow(
        "ModelMetricsSubcontract",
        f"{_SUB}.model_metrics_subcontract",
        "subcontract",
        ALL_KINDS,
        "declares which metrics the node exports",
        features=("metrics",),
        categories=("monitoring",),
    ),
    MixinRow(
        "MixinHealthCheck",
        f"{_MIXINS}.mixin_health_check",
        "mixin",
        ("effect",),
        "health checks of the external systems the effect talks to (PostgreSQL, Kafka, Redis, "
        "HTTP helpers ship with it)",
        features=("health_check", "connection_pooling"),
        categories=("database", "cache", "messaging", "api"),
    ),
    MixinRow(
        "MixinEventBus",
        f"{_MIXINS}.mixin_event_bus",
        "mixin",
        ALL_KINDS,
        "publishes the node's events through the framework's event bus",
        features=("event_publishing",),
        operations=("publish", "consume"),
        categories=("messaging",),
    ),
    MixinRow(
        "ModelEventBusSubcontract",
        f"{_SUB}.model_event_bus_subcontract",
        "subcontract",
        ALL_KINDS,
        "declares the subscribe and publish topics of the node",
        features=("event_publishing",),
        operations=("publish", "consume"),
        categories=("messaging",),
    ),
    MixinRow(
        "MixinSensitiveFieldRedaction",
        f"{_MIXINS}.mixin_redaction",
        "mixin",
        ALL_KINDS,
        "redacts credentials and other sensitive fields from logs and events",
        features=("authentication", "authorization", "encryption"),
        operations=("authenticate", "authorize", "encrypt", "decrypt", "sign"),
        categories=("security",),
    ),
    MixinRow(
        "MixinHashComputation",
        f"{_MIXINS}.mixin_hash_computation",
        "mixin",
        ("compute",),
        "the framework's hash computation instead of hand-written hashing",
        operations=("hash",),
    ),
)

# Pairs that must not be combined in one node, and why.
MIXIN_CONFLICTS: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "MixinEffectExecution",
        "MixinComputeExecution",
        "each executes a different contract section; a node has one kind",
    ),
    (
        "MixinEffectExecution",
        "MixinFSMExecution",
        "each executes a different contract section; a node has one kind",
    ),
    (
        "MixinEffectExecution",
        "MixinWorkflowExecution",
        "an orchestrator emits actions and never performs I/O itself",
    ),
    (
        "MixinComputeExecution",
        "MixinFSMExecution",
        "each executes a different contract section; a node has one kind",
    ),
    (
        "MixinComputeExecution",
        "MixinWorkflowExecution",
        "each executes a different contract section; a node has one kind",
    ),
    (
        "MixinFSMExecution",
        "MixinWorkflowExecution",
        "a reducer's state machine and an orchestrator's workflow are different kinds",
    ),
    (
        "MixinCaching",
        "MixinWorkflowExecution",
        "a cached workflow result would skip steps that must run on every request",
    ),
)
