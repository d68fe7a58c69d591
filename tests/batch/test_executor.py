"""StagedParallelExecutor and DependencyAwareScheduler: ordering, parallelism, failures, cancel."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from onexgen.batch.executor import (
    EnumStepStatus,
    ExecutionCancelledError,
    ExecutionStep,
    ModelExecutionResult,
    StagedParallelExecutor,
)
from onexgen.batch.scheduler import (
    DependencyAwareScheduler,
    DependencyCycleError,
    MissingDependencyError,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


def _sleeper(
    name: str, seconds: float, log: list[str], *, fail: bool = False
) -> Callable[[], Awaitable[str]]:
    async def run() -> str:
        log.append(f"start {name}")
        await asyncio.sleep(seconds)
        log.append(f"end {name}")
        if fail:
            raise RuntimeError(f"{name} broke")
        return name.upper()

    return run


def _step(
    name: str,
    seconds: float,
    log: list[str],
    deps: tuple[str, ...] = (),
    *,
    fail: bool = False,
    timeout: float | None = None,
) -> ExecutionStep[str]:
    return ExecutionStep[str](
        step_id=name,
        run=_sleeper(name, seconds, log, fail=fail),
        depends_on=deps,
        timeout_seconds=timeout,
    )


def _execute(steps: list[ExecutionStep[str]], **options: object) -> ModelExecutionResult[str]:
    executor = StagedParallelExecutor(**options)  # type: ignore[arg-type]
    return asyncio.run(executor.execute(steps))


def test_scheduler_waves_are_sorted_and_respect_dependencies() -> None:
    scheduler = DependencyAwareScheduler(
        {"orch": ["fetch", "store"], "store": ["reduce"], "fetch": [], "reduce": []}
    )
    assert scheduler.stages() == (("fetch", "reduce"), ("store",), ("orch",))
    assert scheduler.transitive_dependents("reduce") == ("orch", "store")


@pytest.mark.parametrize(
    "graph",
    [
        {"a": ["b"], "b": ["c"], "c": ["a"], "d": []},
        {"c": ["a"], "b": ["c"], "a": ["b"], "d": []},
    ],
)
def test_cycle_is_named_the_same_whatever_the_declaration_order(
    graph: dict[str, list[str]],
) -> None:
    with pytest.raises(DependencyCycleError) as info:
        DependencyAwareScheduler(graph).stages()
    assert str(info.value) == "dependency cycle: a -> b -> c -> a"
    assert info.value.cycle == ("a", "b", "c", "a")


def test_missing_dependency_names_both_nodes() -> None:
    with pytest.raises(MissingDependencyError, match="node 'a' depends on 'ghost', which is not"):
        DependencyAwareScheduler({"a": ["ghost"]}).stages()


def test_executor_rejects_cycle_before_running_anything() -> None:
    log: list[str] = []
    steps = [_step("a", 0, log, ("b",)), _step("b", 0, log, ("a",))]
    with pytest.raises(DependencyCycleError):
        _execute(steps)
    assert log == []


def test_dependencies_finish_before_dependents_start() -> None:
    log: list[str] = []
    steps = [
        _step("orch", 0.01, log, ("e1", "e2")),
        _step("e1", 0.05, log),
        _step("e2", 0.01, log),
    ]
    result = _execute(steps, max_concurrency=4)
    assert result.success
    assert log.index("start orch") > max(log.index("end e1"), log.index("end e2"))
    assert [stage.step_ids for stage in result.stages] == [("e1", "e2"), ("orch",)]
    assert result.outcome("orch").value == "ORCH"


def test_steps_inside_a_stage_overlap_and_the_speedup_is_measured() -> None:
    log: list[str] = []
    steps = [_step(f"s{i}", 0.2, log) for i in range(4)]
    result = _execute(steps, max_concurrency=4)
    outcomes = result.outcomes
    latest_start = max(o.started_at_seconds or 0.0 for o in outcomes)
    earliest_end = min(o.finished_at_seconds or 0.0 for o in outcomes)
    assert latest_start < earliest_end, "all four should be running at the same time"
    # No wall-clock thresholds (they fail on a loaded machine): the figures must be consistent.
    assert result.sequential_duration_seconds >= 0.8  # four steps of at least 0.2 s each
    assert result.sequential_duration_seconds == pytest.approx(
        sum((o.finished_at_seconds or 0.0) - (o.started_at_seconds or 0.0) for o in outcomes)
    )
    assert result.total_duration_seconds < result.sequential_duration_seconds
    assert result.speedup == pytest.approx(
        result.sequential_duration_seconds / result.total_duration_seconds
    )


def test_concurrency_limit_is_respected() -> None:
    running = 0
    peak = 0

    def make() -> Callable[[], Awaitable[str]]:
        async def run() -> str:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.02)
            running -= 1
            return "ok"

        return run

    steps = [ExecutionStep[str](step_id=f"s{i}", run=make()) for i in range(6)]
    result = _execute(steps, max_concurrency=2)
    assert result.success
    assert peak == 2


def test_collect_all_runs_independent_steps_and_skips_dependents_of_a_failure() -> None:
    log: list[str] = []
    steps = [
        _step("bad", 0.01, log, fail=True),
        _step("good", 0.01, log),
        _step("after_bad", 0.0, log, ("bad",)),
        _step("after_good", 0.0, log, ("good",)),
    ]
    result = _execute(steps)
    status = {o.step_id: o.status for o in result.outcomes}
    assert status == {
        "bad": EnumStepStatus.FAILED,
        "good": EnumStepStatus.SUCCEEDED,
        "after_bad": EnumStepStatus.SKIPPED,
        "after_good": EnumStepStatus.SUCCEEDED,
    }
    assert result.failed_stage == 0
    assert result.errors == (
        "bad: RuntimeError: bad broke",
        "after_bad: not run: dependency 'bad' did not succeed",
    )
    assert not result.success


def test_fail_fast_cancels_siblings_and_skips_later_stages() -> None:
    log: list[str] = []
    steps = [
        _step("bad", 0.01, log, fail=True),
        _step("slow", 2.0, log),
        _step("later", 0.0, log, ("slow",)),
    ]
    result = _execute(steps, fail_fast=True)
    status = {o.step_id: o.status for o in result.outcomes}
    assert status == {
        "bad": EnumStepStatus.FAILED,
        "slow": EnumStepStatus.CANCELLED,
        "later": EnumStepStatus.SKIPPED,
    }
    assert "end slow" not in log
    assert result.total_duration_seconds < 1.0


def test_step_timeout_is_reported_and_others_continue() -> None:
    log: list[str] = []
    steps = [_step("hang", 5.0, log, timeout=0.05), _step("quick", 0.01, log)]
    result = _execute(steps)
    assert result.outcome("hang").status is EnumStepStatus.TIMED_OUT
    assert result.outcome("hang").error == "hang: timed out after 0.05 s"
    assert result.outcome("quick").status is EnumStepStatus.SUCCEEDED
    assert result.total_duration_seconds < 1.0


def test_default_timeout_applies_to_every_step() -> None:
    log: list[str] = []
    result = _execute([_step("hang", 5.0, log)], step_timeout_seconds=0.05)
    assert result.outcome("hang").status is EnumStepStatus.TIMED_OUT
    assert result.failed_stage == 0


def test_cancellation_keeps_finished_results_and_marks_the_rest() -> None:
    log: list[str] = []
    steps = [
        _step("first", 0.01, log),
        _step("second", 5.0, log, ("first",)),
        _step("third", 0.0, log, ("second",)),
    ]

    async def scenario() -> ExecutionCancelledError:
        task = asyncio.create_task(StagedParallelExecutor().execute(steps))
        while "start second" not in log:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(ExecutionCancelledError) as info:
            await task
        return info.value

    error = asyncio.run(scenario())
    status = {o.step_id: o.status for o in error.result.outcomes}
    assert status == {
        "first": EnumStepStatus.SUCCEEDED,
        "second": EnumStepStatus.CANCELLED,
        "third": EnumStepStatus.CANCELLED,
    }
    assert error.result.cancelled
    assert "end second" not in log
    assert str(error) == "cancelled after 1 of 3 steps had finished"


def test_duplicate_step_ids_are_rejected() -> None:
    log: list[str] = []
    with pytest.raises(ValueError, match="duplicate step id 'a'"):
        _execute([_step("a", 0, log), _step("a", 0, log)])
