"""``RecordingGenerationService``: a ``CodeGenerationService`` whose every run becomes a session.

``generate``, ``batch``, the HTTP service and the event-driven workers all hand it to code that
expects a ``CodeGenerationService`` and get history for free. It overrides nothing of the
pipeline: the recorder is plugged into the service's run hooks (``pipeline/hooks.py``) and its
progress events, so what is recorded is built by the service from its own parameters.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from onexgen.history.models import EnumRequestKind, EnumSessionStatus
from onexgen.history.recorder import HistoryRecorder
from onexgen.pipeline.service import CodeGenerationService, one_line

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from onexgen.history.store import HistoryStore
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.generation import ModelGenerationResult
    from onexgen.models.requirements import ModelPRDRequirements
    from onexgen.pipeline.hooks import RunRequest


class RecordingGenerationService(CodeGenerationService):
    """Records each run (request, options, events, result, files) through the run hooks."""

    def __init__(
        self,
        *,
        source: str,
        database_url: str | None = None,
        store: HistoryStore | None = None,
        notice: Callable[[str], None] | None = None,
        writer_process: bool = False,
        stop_on_failure: bool = True,
        recorder: HistoryRecorder | None = None,
        **service_options: Any,
    ) -> None:
        self.recorder = recorder or HistoryRecorder(
            database_url,
            source=source,
            notice=notice,
            store=store,
            writer_process=writer_process,
            stop_on_failure=stop_on_failure,
        )
        self._hooks_of_history = RecorderHooks(self.recorder)
        super().__init__(hooks=self._hooks_of_history, **service_options)
        self.subscribe(self.recorder.on_event)

    async def accept(
        self,
        session_id: UUID,
        request_kind: EnumRequestKind,
        text: str,
        options: dict[str, Any],
    ) -> None:
        """Record a session that waits for a worker; committed before this returns (HTTP 202)."""
        await self.recorder.begin_durable(
            session_id, request_kind=request_kind, request_text=text, options=options
        )
        self._hooks_of_history.queued.add(session_id)

    async def refuse(self, session_id: UUID, reason: str) -> None:
        """An accepted session that will never run (e.g. the queue is full): record it failed,
        committed before this returns."""
        self._hooks_of_history.queued.discard(session_id)
        self.recorder.abort(session_id, EnumSessionStatus.FAILED, reason)
        await self.recorder.flush()

    async def close_history(self, timeout: float = 10.0) -> None:
        """Write every queued record, then release the database."""
        await self.recorder.close(timeout)


class RecorderHooks:
    """The run hooks that feed a ``HistoryRecorder``."""

    def __init__(self, recorder: HistoryRecorder) -> None:
        self.recorder = recorder
        self.queued: set[UUID] = set()
        """Sessions recorded by ``accept`` (queued): their run only marks them running."""

    def run_started(self, request: RunRequest) -> None:
        """Record a new session (or mark an accepted one running)."""
        session_id = request.correlation_id
        if session_id in self.queued:
            self.queued.discard(session_id)
            self.recorder.mark_running(session_id)
            return
        kind, text = _request(request.prompt, request.requirements, request.contract)
        self.recorder.begin(
            session_id, request_kind=kind, request_text=text, options=request.options
        )

    def run_files(self, correlation_id: UUID, files: tuple[tuple[str, str], ...]) -> None:
        """Keep the node's files (recoverable even when writing them fails)."""
        self.recorder.on_files(correlation_id, files)

    def run_finished(self, correlation_id: UUID, result: ModelGenerationResult) -> None:
        """Record the outcome."""
        self.recorder.finish(correlation_id, result)

    def run_aborted(self, correlation_id: UUID, error: BaseException) -> None:
        """Record a run that ended without a result."""
        self.queued.discard(correlation_id)
        if isinstance(error, Exception):
            self.recorder.abort(correlation_id, EnumSessionStatus.FAILED, one_line(error))
        else:  # CancelledError, KeyboardInterrupt
            self.recorder.abort(
                correlation_id, EnumSessionStatus.CANCELLED, "cancelled; nothing was written"
            )


def _request(
    prompt: str | None,
    requirements: ModelPRDRequirements | Path | None,
    contract: ModelNodeContract | Path | None,
) -> tuple[EnumRequestKind, str]:
    """What was asked, as text: the prompt, or the requirements / contract document."""
    if prompt is not None:
        return EnumRequestKind.PROMPT, prompt
    source: object = contract if contract is not None else requirements
    kind = EnumRequestKind.CONTRACT if contract is not None else EnumRequestKind.REQUIREMENTS
    if isinstance(source, Path):
        # Through the bounded reader: a hostile 10 MB file is refused by stage 1 and must not
        # be read whole (or stored) by the history first.
        from onexgen.bounded_input import InputFileError, read_bounded_text

        try:
            return kind, read_bounded_text(source, kind.value)
        except InputFileError as exc:
            return kind, f"<{one_line(exc)}>"
    dump = getattr(source, "model_dump_json", None)
    return kind, dump(indent=2) if callable(dump) else ""
