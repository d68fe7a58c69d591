"""``RecordingGenerationService``: a ``CodeGenerationService`` whose every run becomes a session.

A subclass rather than edits in each caller: ``generate``, ``batch``, the HTTP service and the
event-driven workers all hand it to code that expects a ``CodeGenerationService`` and get history
for free. The pipeline itself only knows the two hooks the recorder plugs into.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from onexgen.history.models import EnumRequestKind, EnumSessionStatus
from onexgen.history.recorder import HistoryRecorder
from onexgen.models.strategy import EnumGenerationStrategy
from onexgen.pipeline.service import DEFAULT_OUTPUT_DIRECTORY, CodeGenerationService, one_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from onexgen.history.store import HistoryStore
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.enums import EnumNodeKind
    from onexgen.models.generation import ModelGenerationResult
    from onexgen.models.requirements import ModelPRDRequirements
    from onexgen.models.validation import EnumValidationLevel
    from onexgen.pipeline.service import ConfirmOverwrite


class RecordingGenerationService(CodeGenerationService):
    """Records each ``generate_node`` call (request, options, events, result, files)."""

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
        super().__init__(on_files=self.recorder.on_files, **service_options)
        self.subscribe(self.recorder.on_event)
        self._queued: set[UUID] = set()

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
        self._queued.add(session_id)

    async def generate_node(
        self,
        requirements: ModelPRDRequirements | Path | None = None,
        output_directory: Path = DEFAULT_OUTPUT_DIRECTORY,
        *,
        prompt: str | None = None,
        contract: ModelNodeContract | Path | None = None,
        node_type: EnumNodeKind | str | None = None,
        force: bool = False,
        dry_run: bool = False,
        validation_level: EnumValidationLevel | str = "basic",
        run_tests: bool = False,
        strict_mode: bool = False,
        templates_dir: Path | None = None,
        timeout: float | None = None,
        correlation_id: UUID | None = None,
        module_prefix: str = "",
        strategy: EnumGenerationStrategy | str = EnumGenerationStrategy.AUTO,
        overwrite_edits: bool = False,
        confirm_overwrite: ConfirmOverwrite | None = None,
    ) -> ModelGenerationResult:
        """Run the pipeline as the base class does, recording the session around it."""
        session_id = correlation_id or uuid4()
        recorder = self.recorder
        if session_id in self._queued:
            self._queued.discard(session_id)
            recorder.mark_running(session_id)
        else:
            kind, text = _request(prompt, requirements, contract)
            recorder.begin(
                session_id,
                request_kind=kind,
                request_text=text,
                options={
                    "output_dir": os.path.abspath(output_directory),
                    "node_type": str(getattr(node_type, "value", node_type) or "") or None,
                    "force": force,
                    "dry_run": dry_run,
                    "validation": str(getattr(validation_level, "value", validation_level)),
                    "run_tests": run_tests,
                    "strict": strict_mode,
                    "templates_dir": str(templates_dir) if templates_dir else None,
                    "timeout": timeout,
                    "strategy": str(getattr(strategy, "value", strategy)),
                },
            )
        try:
            result = await super().generate_node(
                requirements,
                output_directory,
                prompt=prompt,
                contract=contract,
                node_type=node_type,
                force=force,
                dry_run=dry_run,
                validation_level=validation_level,
                run_tests=run_tests,
                strict_mode=strict_mode,
                templates_dir=templates_dir,
                timeout=timeout,
                correlation_id=session_id,
                module_prefix=module_prefix,
                strategy=strategy,
                overwrite_edits=overwrite_edits,
                confirm_overwrite=confirm_overwrite,
            )
        except (asyncio.CancelledError, KeyboardInterrupt):
            recorder.abort(
                session_id, EnumSessionStatus.CANCELLED, "cancelled; nothing was written"
            )
            raise
        except Exception as exc:
            recorder.abort(session_id, EnumSessionStatus.FAILED, one_line(exc))
            raise
        recorder.finish(session_id, result)
        return result

    async def close_history(self, timeout: float = 10.0) -> None:
        """Write every queued record, then release the database."""
        await self.recorder.close(timeout)


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
