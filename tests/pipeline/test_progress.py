"""Progress events: typed, ordered, one correlation id, subscribers isolated per service."""

from __future__ import annotations

from uuid import uuid4

from pydantic import TypeAdapter

from onexgen.models.generation import (
    EnumPipelineStage,
    EnumStageStatus,
    ModelProgressEvent,
    ModelStageCompleted,
    ModelStageFailed,
    ModelStageSkipped,
    ModelStageStarted,
)
from onexgen.pipeline.progress import ProgressBroadcaster, StageRecorder


def test_recorder_emits_typed_events_in_order_with_one_correlation_id() -> None:
    seen: list[ModelProgressEvent] = []
    broadcaster = ProgressBroadcaster()
    broadcaster.subscribe(seen.append)
    run_id = uuid4()
    recorder = StageRecorder(run_id, broadcaster)

    recorder.started(EnumPipelineStage.PROMPT_PARSING)
    recorder.completed(EnumPipelineStage.PROMPT_PARSING, "Writer (effect)")
    recorder.started(EnumPipelineStage.INTELLIGENCE_GATHERING)
    recorder.failed(EnumPipelineStage.INTELLIGENCE_GATHERING, "boom")
    recorder.skip_remaining("stage 2 failed")

    assert [type(e) for e in seen[:4]] == [
        ModelStageStarted,
        ModelStageCompleted,
        ModelStageStarted,
        ModelStageFailed,
    ]
    assert all(isinstance(e, ModelStageSkipped) for e in seen[4:])
    assert [e.stage.value for e in seen[4:]] == list(range(3, 10))
    assert {e.correlation_id for e in seen} == {run_id}
    assert [t.status for t in recorder.timings] == [
        EnumStageStatus.COMPLETED,
        EnumStageStatus.FAILED,
        *[EnumStageStatus.SKIPPED] * 7,
    ]
    assert recorder.timings[0].detail == "Writer (effect)"
    assert recorder.timings[0].duration_ms >= 0.0
    assert recorder.running() is None


def test_events_round_trip_through_the_discriminated_union() -> None:
    adapter: TypeAdapter[ModelProgressEvent] = TypeAdapter(ModelProgressEvent)
    event = ModelStageCompleted(
        correlation_id=uuid4(),
        stage=EnumPipelineStage.FILE_WRITING,
        name=EnumPipelineStage.FILE_WRITING.title,
        duration_ms=1.5,
        detail="24 files",
    )
    again = adapter.validate_json(event.model_dump_json())
    assert again == event
    assert EnumPipelineStage.EVENT_BUS_INTEGRATION.title == "Event Bus Integration"


def test_failing_subscriber_becomes_a_warning_and_others_still_hear() -> None:
    heard: list[ModelProgressEvent] = []
    broadcaster = ProgressBroadcaster()

    def broken(event: ModelProgressEvent) -> None:
        raise RuntimeError("display gone")

    broadcaster.subscribe(broken)
    broadcaster.subscribe(heard.append)
    recorder = StageRecorder(uuid4(), broadcaster)
    recorder.started(EnumPipelineStage.PROMPT_PARSING)
    assert len(heard) == 1
    assert recorder.warnings == ("progress subscriber broken failed: RuntimeError: display gone",)


def test_unsubscribe_and_isolation_between_broadcasters() -> None:
    first: list[ModelProgressEvent] = []
    second: list[ModelProgressEvent] = []
    a, b = ProgressBroadcaster(), ProgressBroadcaster()
    stop = a.subscribe(first.append)
    b.subscribe(second.append)
    StageRecorder(uuid4(), a).started(EnumPipelineStage.PROMPT_PARSING)
    stop()
    StageRecorder(uuid4(), a).started(EnumPipelineStage.PROMPT_PARSING)
    assert len(first) == 1
    assert second == []
