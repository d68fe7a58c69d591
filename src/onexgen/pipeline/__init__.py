"""The generation pipeline: nine timed stages, progress events, one correlation id per run."""

from onexgen.pipeline.progress import ProgressBroadcaster, ProgressSubscriber, StageRecorder
from onexgen.pipeline.service import CodeGenerationService, one_line

__all__ = [
    "CodeGenerationService",
    "ProgressBroadcaster",
    "ProgressSubscriber",
    "StageRecorder",
    "one_line",
]
