"""A staged parallel executor: dependency waves, parallel steps inside a wave, honest timings.

Reusable for anything shaped "many async steps, some depending on others" (batch generation is
the first user). Stages come from :class:`DependencyAwareScheduler`; steps inside a stage run under
one :class:`asyncio.TaskGroup`, limited by an :class:`asyncio.Semaphore`, so there is no home-made
pool. A step that fails, times out or is skipped never hides the others' results: every outcome
and every error ends up in :class:`ModelExecutionResult`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from onexgen.batch.scheduler import DependencyAwareScheduler


class EnumStepStatus(StrEnum):
    """What happened to one step."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def is_failure(self) -> bool:
        """A step that ran and did not succeed (skipped and cancelled ones never finished)."""
        return self in (EnumStepStatus.FAILED, EnumStepStatus.TIMED_OUT)


class ExecutionStep[T](BaseModel):
    """One unit of work: an id, the coroutine factory that does it and what it waits for.

    ``run`` is a factory rather than a coroutine so a step that is never started leaves no
    un-awaited coroutine behind. A timeout only interrupts a step at an ``await``: CPU-bound work
    should be offloaded (thread or process) to be interruptible.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    step_id: str = Field(min_length=1)
    run: Callable[[], Awaitable[T]]
    depends_on: tuple[str, ...] = ()
    timeout_seconds: float | None = Field(default=None, gt=0)


class ModelStepOutcome[T](BaseModel):
    """The outcome of one step; offsets are seconds since the execution started."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    step_id: str
    stage_index: int = Field(ge=0)
    status: EnumStepStatus
    started_at_seconds: float | None = Field(default=None, ge=0.0)
    duration_seconds: float = Field(default=0.0, ge=0.0)
    error: str | None = None
    value: T | None = None

    @property
    def finished_at_seconds(self) -> float | None:
        """When the step ended, relative to the start of the execution (``None`` if never run)."""
        if self.started_at_seconds is None:
            return None
        return self.started_at_seconds + self.duration_seconds


class ModelStageTiming(BaseModel):
    """Wall-clock time of one stage and which steps it held."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int = Field(ge=0)
    step_ids: tuple[str, ...]
    duration_seconds: float = Field(ge=0.0)
    failed: bool = False


class ModelExecutionResult[T](BaseModel):
    """Everything an execution did: outcomes in schedule order, stage timings, speedup, errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    outcomes: tuple[ModelStepOutcome[T], ...]
    stages: tuple[ModelStageTiming, ...]
    total_duration_seconds: float = Field(ge=0.0)
    failed_stage: int | None = Field(
        default=None, description="Index of the first stage with a failed or timed-out step."
    )
    errors: tuple[str, ...] = ()
    cancelled: bool = False
    max_concurrency: int = Field(ge=1)

    @property
    def sequential_duration_seconds(self) -> float:
        """Sum of the steps' own durations: what running them one at a time would have cost."""
        return sum(outcome.duration_seconds for outcome in self.outcomes)

    @property
    def speedup(self) -> float:
        """Sum of step durations over wall-clock duration (1.0 when nothing measurable ran).

        A true speedup when steps wait on other processes, threads or I/O. Steps that are
        CPU-bound in this event loop only take turns, and each one's duration then includes its
        neighbours' turns, so this ratio overstates: compare with a ``max_concurrency=1`` run.
        """
        if self.total_duration_seconds <= 0.0:
            return 1.0
        return self.sequential_duration_seconds / self.total_duration_seconds

    @property
    def success(self) -> bool:
        """Every step succeeded and nothing was cancelled."""
        return not self.cancelled and all(
            outcome.status is EnumStepStatus.SUCCEEDED for outcome in self.outcomes
        )

    def outcome(self, step_id: str) -> ModelStepOutcome[T]:
        """The outcome of ``step_id`` (KeyError when there is no such step)."""
        for outcome in self.outcomes:
            if outcome.step_id == step_id:
                return outcome
        raise KeyError(step_id)


class ExecutionCancelledError(Exception):
    """The execution was cancelled (Ctrl-C); ``result`` holds what had finished by then."""

    def __init__(self, result: ModelExecutionResult[Any]) -> None:
        self.result = result
        done = sum(1 for o in result.outcomes if o.status is EnumStepStatus.SUCCEEDED)
        super().__init__(f"cancelled after {done} of {len(result.outcomes)} steps had finished")


class _StopStageError(Exception):
    """Raised inside a stage under fail-fast so the TaskGroup cancels the step's siblings."""


class StagedParallelExecutor:
    """Runs steps in dependency stages, in parallel inside a stage, up to ``max_concurrency``.

    ``fail_fast=True`` stops at the first failure: running siblings are cancelled and later stages
    are skipped. Otherwise (collect-all) every step whose dependencies succeeded still runs, and
    steps that depend on a failed one are skipped with a message naming it.
    """

    def __init__(
        self,
        *,
        max_concurrency: int = 2,
        fail_fast: bool = False,
        step_timeout_seconds: float | None = None,
        on_step_finished: Callable[[ModelStepOutcome[Any]], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if step_timeout_seconds is not None and step_timeout_seconds <= 0:
            raise ValueError("step_timeout_seconds must be positive")
        self.max_concurrency = max_concurrency
        self.fail_fast = fail_fast
        self.step_timeout_seconds = step_timeout_seconds
        self.on_step_finished = on_step_finished
        self.clock = clock

    async def execute[T](self, steps: Sequence[ExecutionStep[T]]) -> ModelExecutionResult[T]:
        """Run ``steps``; the scheduler's errors (cycle, missing dependency) come before any runs.

        Raises :class:`ExecutionCancelledError`, carrying the partial result, when cancelled.
        """
        by_id: dict[str, ExecutionStep[T]] = {}
        for step in steps:
            if step.step_id in by_id:
                raise ValueError(f"duplicate step id '{step.step_id}'")
            by_id[step.step_id] = step
        waves = DependencyAwareScheduler({s.step_id: s.depends_on for s in steps}).stages()
        return await _Run(self, by_id, waves).execute()


class _Run[T]:
    """The bookkeeping of one :meth:`StagedParallelExecutor.execute` call (never shared)."""

    def __init__(
        self,
        config: StagedParallelExecutor,
        steps: dict[str, ExecutionStep[T]],
        waves: tuple[tuple[str, ...], ...],
    ) -> None:
        self._config = config
        self._steps = steps
        self._waves = waves
        self._outcomes: dict[str, ModelStepOutcome[T]] = {}
        self._stage_timings: list[ModelStageTiming] = []
        self._semaphore = asyncio.Semaphore(config.max_concurrency)
        self._start = config.clock()

    async def execute(self) -> ModelExecutionResult[T]:
        stopped_at: int | None = None
        try:
            for index, wave in enumerate(self._waves):
                if stopped_at is not None:
                    for step_id in wave:
                        self._skip(
                            step_id, index, f"not run: fail-fast stopped at stage {stopped_at}"
                        )
                    continue
                stage_start = self._config.clock()
                try:
                    async with asyncio.TaskGroup() as group:
                        for step_id in self._runnable(wave, index):
                            group.create_task(self._run_step(step_id, index), name=step_id)
                except* _StopStageError:
                    stopped_at = index
                self._stage_timings.append(
                    ModelStageTiming(
                        index=index,
                        step_ids=wave,
                        duration_seconds=self._config.clock() - stage_start,
                        failed=any(self._outcomes[s].status.is_failure for s in wave),
                    )
                )
        except asyncio.CancelledError:
            for index, wave in enumerate(self._waves):
                for step_id in wave:
                    if step_id not in self._outcomes:
                        self._finish(
                            step_id, index, EnumStepStatus.CANCELLED, None, error="not started"
                        )
            raise ExecutionCancelledError(self._result(cancelled=True)) from None
        return self._result(cancelled=False)

    def _runnable(self, wave: tuple[str, ...], index: int) -> list[str]:
        """Steps of ``wave`` whose dependencies all succeeded; the others are recorded skipped."""
        runnable: list[str] = []
        for step_id in wave:
            blocked = [
                dep
                for dep in sorted(self._steps[step_id].depends_on)
                if self._outcomes[dep].status is not EnumStepStatus.SUCCEEDED
            ]
            if blocked:
                names = ", ".join(f"'{dep}'" for dep in blocked)
                self._skip(step_id, index, f"not run: dependency {names} did not succeed")
            else:
                runnable.append(step_id)
        return runnable

    def _skip(self, step_id: str, index: int, reason: str) -> None:
        self._finish(step_id, index, EnumStepStatus.SKIPPED, None, error=reason)

    async def _run_step(self, step_id: str, index: int) -> None:
        """Run one step under the semaphore and its timeout; record its outcome, whatever it is."""
        step = self._steps[step_id]
        timeout = (
            step.timeout_seconds
            if step.timeout_seconds is not None
            else self._config.step_timeout_seconds
        )
        began: float | None = None
        try:
            async with self._semaphore:
                began = self._config.clock()
                async with asyncio.timeout(timeout):
                    value = await step.run()
        except TimeoutError:
            self._finish(
                step_id,
                index,
                EnumStepStatus.TIMED_OUT,
                began,
                error=f"timed out after {timeout} s",
            )
            if self._config.fail_fast:
                raise _StopStageError from None
            return
        except asyncio.CancelledError:
            self._finish(
                step_id,
                index,
                EnumStepStatus.CANCELLED,
                began,
                error="cancelled before it finished",
            )
            raise
        except Exception as exc:
            self._finish(step_id, index, EnumStepStatus.FAILED, began, error=_describe(exc))
            if self._config.fail_fast:
                raise _StopStageError from None
            return
        self._finish(step_id, index, EnumStepStatus.SUCCEEDED, began, value=value)

    def _finish(
        self,
        step_id: str,
        index: int,
        status: EnumStepStatus,
        began: float | None,
        *,
        error: str | None = None,
        value: T | None = None,
    ) -> None:
        ended = self._config.clock()
        outcome = ModelStepOutcome[T](
            step_id=step_id,
            stage_index=index,
            status=status,
            started_at_seconds=None if began is None else max(0.0, began - self._start),
            duration_seconds=0.0 if began is None else max(0.0, ended - began),
            error=None if error is None else f"{step_id}: {error}",
            value=value,
        )
        self._outcomes[step_id] = outcome
        if self._config.on_step_finished is not None:
            self._config.on_step_finished(outcome)

    def _result(self, *, cancelled: bool) -> ModelExecutionResult[T]:
        ordered = tuple(self._outcomes[s] for wave in self._waves for s in wave)
        failed_stage = next((o.stage_index for o in ordered if o.status.is_failure), None)
        return ModelExecutionResult[T](
            outcomes=ordered,
            stages=tuple(self._stage_timings),
            total_duration_seconds=self._config.clock() - self._start,
            failed_stage=failed_stage,
            errors=tuple(o.error for o in ordered if o.error is not None),
            cancelled=cancelled,
            max_concurrency=self._config.max_concurrency,
        )


def _describe(exc: BaseException) -> str:
    """The message of our own user-facing errors, ``Type: message`` for anything else."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    return text if type(exc).__module__.startswith("onexgen") else f"{type(exc).__name__}: {text}"


__all__ = [
    "EnumStepStatus",
    "ExecutionCancelledError",
    "ExecutionStep",
    "ModelExecutionResult",
    "ModelStageTiming",
    "ModelStepOutcome",
    "StagedParallelExecutor",
]
