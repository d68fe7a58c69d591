"""Progress reporting: typed stage events delivered to in-process subscribers.

Why not a global registry or a message bus: the CLI's live view and tests are the only consumers,
they live in the same process, and each service instance has its own subscribers, so two
pipelines running side by side (batch generation) never see each other's events.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from onexgen.models.generation import (
    EnumPipelineStage,
    EnumStageStatus,
    ModelStageCompleted,
    ModelStageFailed,
    ModelStageSkipped,
    ModelStageStarted,
    ModelStageTiming,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from onexgen.models.generation import ModelProgressEvent

_LOG = logging.getLogger("onexgen.pipeline")

type ProgressSubscriber = Callable[[ModelProgressEvent], None]
"""A callable that receives every event of every run of the service it subscribed to."""


class ProgressBroadcaster:
    """The subscribers of one service instance."""

    def __init__(self) -> None:
        self._subscribers: list[ProgressSubscriber] = []

    def subscribe(self, subscriber: ProgressSubscriber) -> Callable[[], None]:
        """Register ``subscriber``; the returned callable unregisters it."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def emit(self, event: ModelProgressEvent) -> tuple[str, ...]:
        """Deliver ``event`` to every subscriber in registration order.

        A subscriber that raises must not break generation (a broken progress bar is no reason
        to lose a node); its error comes back as a warning line instead.
        """
        problems: list[str] = []
        for subscriber in tuple(self._subscribers):
            try:
                subscriber(event)
            except Exception as exc:
                _LOG.debug("progress subscriber failed", exc_info=True)
                name = getattr(subscriber, "__name__", type(subscriber).__name__)
                problems.append(f"progress subscriber {name} failed: {type(exc).__name__}: {exc}")
        return tuple(problems)


class StageRecorder:
    """Times the stages of one run, emits their events and keeps the ordered timings."""

    def __init__(self, correlation_id: UUID, broadcaster: ProgressBroadcaster) -> None:
        self._correlation_id = correlation_id
        self._broadcaster = broadcaster
        self._timings: dict[EnumPipelineStage, ModelStageTiming] = {}
        self._started: dict[EnumPipelineStage, float] = {}
        self._warnings: list[str] = []

    @property
    def timings(self) -> tuple[ModelStageTiming, ...]:
        """Timings of the stages reached so far, in stage order."""
        return tuple(self._timings[stage] for stage in sorted(self._timings))

    @property
    def warnings(self) -> tuple[str, ...]:
        """Subscriber failures collected during the run."""
        return tuple(self._warnings)

    def started(self, stage: EnumPipelineStage) -> None:
        """Mark ``stage`` as running and start its clock."""
        self._started[stage] = time.perf_counter()
        self._emit(
            ModelStageStarted(correlation_id=self._correlation_id, stage=stage, name=stage.title)
        )

    def completed(self, stage: EnumPipelineStage, detail: str = "") -> float:
        """Stop the clock of ``stage``; return its duration in milliseconds."""
        duration = self._stop(stage, EnumStageStatus.COMPLETED, detail)
        self._emit(
            ModelStageCompleted(
                correlation_id=self._correlation_id,
                stage=stage,
                name=stage.title,
                duration_ms=duration,
                detail=detail,
            )
        )
        return duration

    def failed(self, stage: EnumPipelineStage, error: str) -> float:
        """Record that ``stage`` raised ``error`` (one line)."""
        duration = self._stop(stage, EnumStageStatus.FAILED, error)
        self._emit(
            ModelStageFailed(
                correlation_id=self._correlation_id,
                stage=stage,
                name=stage.title,
                duration_ms=duration,
                error=error,
            )
        )
        return duration

    def skipped(self, stage: EnumPipelineStage, reason: str) -> None:
        """Record that ``stage`` did not run and why."""
        self._timings[stage] = ModelStageTiming(
            number=stage.value,
            name=stage.title,
            status=EnumStageStatus.SKIPPED,
            duration_ms=0.0,
            detail=reason,
        )
        self._emit(
            ModelStageSkipped(
                correlation_id=self._correlation_id, stage=stage, name=stage.title, reason=reason
            )
        )

    def running(self) -> EnumPipelineStage | None:
        """The stage that started and has not ended, if any."""
        for stage in sorted(self._started):
            if stage not in self._timings:
                return stage
        return None

    def skip_remaining(self, reason: str) -> None:
        """Mark every stage not reached yet as skipped (after a failure or on a dry run)."""
        for stage in EnumPipelineStage:
            if stage not in self._timings and stage not in self._started:
                self.skipped(stage, reason)

    def _stop(self, stage: EnumPipelineStage, status: EnumStageStatus, detail: str) -> float:
        began = self._started.get(stage, time.perf_counter())
        duration = round(max(0.0, (time.perf_counter() - began) * 1000.0), 3)
        self._timings[stage] = ModelStageTiming(
            number=stage.value,
            name=stage.title,
            status=status,
            duration_ms=duration,
            detail=detail,
        )
        return duration

    def _emit(self, event: ModelProgressEvent) -> None:
        self._warnings.extend(self._broadcaster.emit(event))
