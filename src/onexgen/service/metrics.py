"""Prometheus metrics of one service instance (the reference's metrics reducer).

Generations by kind and status, stage durations and validation scores, in a registry owned by
the app (no process-global collectors, so two apps in one process - tests - stay apart).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from onexgen.models.generation import ModelGenerationResult, ModelProgressEvent

_STAGE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


class ServiceMetrics:
    """The collectors and the hooks that feed them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.generations = Counter(
            "onexgen_generations",
            "Generations finished by this service, by node kind and status.",
            ["kind", "status"],
            registry=self.registry,
        )
        self.stage_seconds = Histogram(
            "onexgen_stage_duration_seconds",
            "Duration of each pipeline stage.",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self.validation_score = Histogram(
            "onexgen_validation_score",
            "Quality score of validated nodes.",
            buckets=_SCORE_BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "onexgen_queue_depth", "Sessions waiting for a worker.", registry=self.registry
        )
        self.requests_refused = Counter(
            "onexgen_requests_refused",
            "Requests refused (auth, size, validation), by reason.",
            ["reason"],
            registry=self.registry,
        )

    def on_event(self, event: ModelProgressEvent) -> None:
        """Progress subscriber: observe finished stages."""
        if event.event in {"stage_completed", "stage_failed"}:
            self.stage_seconds.labels(stage=event.stage.title).observe(event.duration_ms / 1000.0)

    def on_result(self, result: ModelGenerationResult | None, status: str) -> None:
        """A session ended."""
        kind = result.node_type.value if result and result.node_type else "unknown"
        self.generations.labels(kind=kind, status=status).inc()
        if result is not None and result.quality_score is not None:
            self.validation_score.observe(result.quality_score)

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
