"""The built-in, offline library of best practices per node kind and per category.

Plain data: stage 2 selects from it, stage 3 turns recommended features and defaults into
contract configuration, stage 4 quotes the practices in the README.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.models.intelligence import ModelBestPractice

__all__ = [
    "CATEGORY_DEFAULTS",
    "CATEGORY_FEATURES",
    "CATEGORY_LIBRARIES",
    "CATEGORY_PITFALLS",
    "CATEGORY_PRACTICES",
    "KIND_FEATURES",
    "KIND_PRACTICES",
]

_P = ModelBestPractice

KIND_PRACTICES: Final = MappingProxyType(
    {
        EnumNodeKind.EFFECT: (
            _P(
                title="Bound every external call with a timeout",
                rationale="A hung dependency must not hold the node forever.",
                feature="timeout",
            ),
            _P(
                title="Retry transient failures with exponential backoff and jitter",
                rationale="Spreads retries out so a recovering dependency is not stampeded.",
                feature="retry_logic",
            ),
            _P(
                title="Keep I/O in the handler, not the node class",
                rationale="The node adapts envelopes; the handler is testable on its own.",
            ),
        ),
        EnumNodeKind.COMPUTE: (
            _P(
                title="Stay pure: no I/O, no clock, no randomness in the computation",
                rationale="Pure functions are deterministic, cacheable and trivially testable.",
            ),
            _P(
                title="Validate input before computing",
                rationale="Reject bad input early with a typed error instead of a wrong result.",
                feature="validation",
            ),
        ),
        EnumNodeKind.REDUCER: (
            _P(
                title="Fold incrementally and keep state typed",
                rationale="Incremental aggregates scale with the stream, not with history.",
            ),
            _P(
                title="Make reductions order-independent where possible",
                rationale="Commutative folds give the same totals whatever the delivery order.",
            ),
            _P(
                title="Bound batch sizes",
                rationale="Caps memory and latency per reduction.",
                feature="batching",
            ),
        ),
        EnumNodeKind.ORCHESTRATOR: (
            _P(
                title="Make each step idempotent and record which steps completed",
                rationale="A retried workflow must not repeat completed side effects.",
            ),
            _P(
                title="Stop at the first failed step and report it",
                rationale="Callers need to know exactly where a workflow stopped.",
                feature="retry_logic",
            ),
        ),
    }
)

CATEGORY_PRACTICES: Final = MappingProxyType(
    {
        EnumCategory.DATABASE: (
            _P(
                title="Use a bounded connection pool",
                rationale="Caps concurrent connections and reuses them across calls.",
                feature="connection_pooling",
            ),
            _P(
                title="Use parameterised queries only",
                rationale="Never build SQL from strings: it prevents injection.",
            ),
            _P(
                title="Wrap multi-statement writes in a transaction",
                rationale="Either every change lands or none does.",
            ),
        ),
        EnumCategory.CACHE: (
            _P(
                title="Give every entry a TTL",
                rationale="Stale data expires without manual invalidation.",
                feature="caching",
            ),
            _P(
                title="Protect against cache stampedes",
                rationale="Let one caller refill a missing key while others wait or serve stale.",
            ),
        ),
        EnumCategory.API: (
            _P(
                title="Respect the provider's rate limits with a token bucket",
                rationale="Avoids 429 responses and bans.",
                feature="rate_limiting",
            ),
            _P(
                title="Open a circuit breaker on repeated failures",
                rationale="Fails fast while the remote API is down and probes for recovery.",
                feature="circuit_breaker",
            ),
            _P(
                title="Retry idempotent requests only, with jitter",
                rationale="Retrying non-idempotent calls can duplicate side effects.",
                feature="retry_logic",
            ),
        ),
        EnumCategory.MESSAGING: (
            _P(
                title="Publish with at-least-once delivery and idempotent consumers",
                rationale="Brokers redeliver; consumers must tolerate duplicates.",
                feature="event_publishing",
            ),
            _P(
                title="Use kebab-case versioned topics",
                rationale="onex.cmd.<domain>.<name>-requested.v1 keeps contracts evolvable.",
            ),
        ),
        EnumCategory.STORAGE: (
            _P(
                title="Write atomically (temporary object, then rename)",
                rationale="Readers never see a half-written object.",
            ),
            _P(
                title="Retry uploads with backoff",
                rationale="Object stores throttle; backoff turns throttling into latency.",
                feature="retry_logic",
            ),
        ),
        EnumCategory.ML: (
            _P(
                title="Validate feature vectors before inference",
                rationale="Shape or type mismatches give silent garbage predictions.",
                feature="validation",
            ),
            _P(
                title="Cache predictions for identical inputs",
                rationale="Inference is costly; identical requests are common.",
                feature="caching",
            ),
        ),
        EnumCategory.MONITORING: (
            _P(
                title="Aggregate in fixed time windows",
                rationale="Windowed totals make rates and trends comparable.",
                feature="windowing",
            ),
            _P(
                title="Expose processing metrics",
                rationale="Latency and counts of the node itself must be observable.",
                feature="metrics",
            ),
        ),
        EnumCategory.SECURITY: (
            _P(
                title="Authenticate every request and never log secrets",
                rationale="Credentials in logs are credentials leaked.",
                feature="authentication",
            ),
            _P(
                title="Validate and bound all input",
                rationale="Unbounded input is a denial-of-service vector.",
                feature="validation",
            ),
        ),
        EnumCategory.WORKFLOW: (
            _P(
                title="Retry failed steps a bounded number of times",
                rationale="Transient step failures should not fail the whole workflow.",
                feature="retry_logic",
            ),
            _P(
                title="Emit an event when the workflow completes or fails",
                rationale="Downstream nodes react to outcomes without polling.",
                feature="event_publishing",
            ),
        ),
        EnumCategory.DATA: (
            _P(
                title="Validate records against a schema",
                rationale="Bad records are rejected with a reason instead of propagating.",
                feature="validation",
            ),
            _P(
                title="Process in bounded batches",
                rationale="Keeps memory flat for large inputs.",
                feature="batching",
            ),
        ),
        EnumCategory.GENERAL: (
            _P(
                title="Keep the node thin and the handler typed",
                rationale="Typed models at the boundary catch errors before they spread.",
            ),
        ),
    }
)

KIND_FEATURES: Final = MappingProxyType(
    {
        EnumNodeKind.EFFECT: ("retry_logic", "timeout"),
        EnumNodeKind.COMPUTE: ("validation",),
        EnumNodeKind.REDUCER: ("batching",),
        EnumNodeKind.ORCHESTRATOR: ("event_publishing",),
    }
)

CATEGORY_FEATURES: Final = MappingProxyType(
    {
        EnumCategory.DATABASE: ("connection_pooling",),
        EnumCategory.CACHE: ("caching",),
        EnumCategory.API: ("rate_limiting", "circuit_breaker"),
        EnumCategory.MESSAGING: ("event_publishing",),
        EnumCategory.STORAGE: (),
        EnumCategory.ML: ("validation",),
        EnumCategory.MONITORING: ("metrics",),
        EnumCategory.SECURITY: ("authentication", "validation"),
        EnumCategory.WORKFLOW: ("retry_logic",),
        EnumCategory.DATA: ("validation",),
        EnumCategory.GENERAL: (),
    }
)

CATEGORY_PITFALLS: Final = MappingProxyType(
    {
        EnumCategory.DATABASE: ("String-built SQL", "Unbounded connection counts"),
        EnumCategory.CACHE: ("Entries without expiry", "Thundering herd on a cold key"),
        EnumCategory.API: ("Retrying non-idempotent POSTs", "Ignoring Retry-After headers"),
        EnumCategory.MESSAGING: ("Assuming exactly-once delivery",),
        EnumCategory.STORAGE: ("Partial writes visible to readers",),
        EnumCategory.ML: ("Training/serving feature skew",),
        EnumCategory.MONITORING: ("Unbounded label cardinality",),
        EnumCategory.SECURITY: ("Secrets in logs or error messages",),
        EnumCategory.WORKFLOW: ("Non-idempotent steps re-run on retry",),
        EnumCategory.DATA: ("Silently dropping invalid records",),
        EnumCategory.GENERAL: (),
    }
)

CATEGORY_LIBRARIES: Final = MappingProxyType(
    {
        EnumCategory.DATABASE: ("asyncpg (PostgreSQL) or the driver of your database",),
        EnumCategory.CACHE: ("redis (redis-py asyncio client)",),
        EnumCategory.API: ("httpx (async HTTP client)",),
        EnumCategory.MESSAGING: ("aiokafka or your broker's asyncio client",),
        EnumCategory.STORAGE: ("aioboto3 or your object store's asyncio client",),
        EnumCategory.ML: ("your model runtime (for example onnxruntime)",),
    }
)

CATEGORY_DEFAULTS: Final = MappingProxyType(
    {
        EnumCategory.DATABASE: {"timeout_seconds": 10.0, "max_latency_ms": 100.0},
        EnumCategory.CACHE: {"timeout_seconds": 1.0, "max_latency_ms": 10.0},
        EnumCategory.API: {"timeout_seconds": 30.0, "max_latency_ms": 2000.0},
        EnumCategory.ML: {"timeout_seconds": 60.0, "max_latency_ms": 500.0},
        EnumCategory.MONITORING: {"max_latency_ms": 50.0},
        EnumCategory.DATA: {"max_latency_ms": 100.0},
    }
)
