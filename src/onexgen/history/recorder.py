"""``HistoryRecorder``: turns a ``CodeGenerationService``'s runs into history sessions.

The pipeline only sees two plain callables (``on_event`` as a progress subscriber, ``on_files``
as its files hook); everything else happens here, off the pipeline's path: calls only enqueue,
one writer task applies the queue in batches (one transaction per batch). The first database
problem is reported once through ``notice`` and recording stops; the generation never fails
because of history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from onexgen.history.models import EnumSessionStatus, ModelSessionRequest

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from onexgen.history.models import EnumRequestKind
    from onexgen.history.ops import CreateSession, WriteOp
    from onexgen.history.store import HistoryStore
    from onexgen.models.generation import ModelGenerationResult, ModelProgressEvent

_LOG = logging.getLogger("onexgen.history")
_STOP = object()
LINGER_SECONDS = 0.05
"""How long the writer waits for more records before a transaction: a fast run's events and
result then go to the database in one commit instead of one per stage."""


@dataclass(frozen=True)
class _Durable:
    """A record whose writer waits for it to be committed."""

    op: WriteOp
    done: asyncio.Future[None]


@dataclass
class _RunState:
    seq: int = 0
    last_completed: int | None = None
    files: tuple[tuple[str, str], ...] = ()


class HistoryRecorder:
    """Records every run it was told about (``begin``) until ``finish``; thread-unsafe, one loop."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        source: str,
        notice: Callable[[str], None] | None = None,
        store: HistoryStore | None = None,
        writer_process: bool = False,
        stop_on_failure: bool = True,
    ) -> None:
        self._url = database_url
        self._stop_on_failure = stop_on_failure
        self._writer_process = writer_process
        self._source = source
        self._notice = notice
        self._store = store
        self._owns_store = store is None
        self._queue: asyncio.Queue[object] | None = None
        self._task: asyncio.Task[None] | None = None
        self._runs: dict[UUID, _RunState] = {}
        self._wake: asyncio.Event | None = None
        self._owner: str | None = None
        self._spawned: _ProcessSink | None = None
        self.problem: str | None = None

    def start_writer(self) -> None:
        """Start the helper writer process now (before the pipeline's imports: a head start)."""
        if self._writer_process and self._spawned is None and self.problem is None:
            try:
                self._spawned = _ProcessSink.spawn(self._url)
            except OSError as exc:
                self._fail(_describe(exc))

    # -- pipeline hooks (synchronous, cheap: they only enqueue) ---------------------------------

    def on_event(self, event: ModelProgressEvent) -> None:
        """Progress subscriber: queue the stage event of a recorded run."""
        state = self._runs.get(event.correlation_id)
        if state is None:
            return
        state.seq += 1
        message = ""
        duration: float | None = None
        if event.event == "stage_completed":
            message, duration = event.detail, event.duration_ms
            state.last_completed = int(event.stage)
        elif event.event == "stage_failed":
            message, duration = event.error, event.duration_ms
        elif event.event == "stage_skipped":
            message = event.reason
        from onexgen.history.ops import AddEvents

        row = {
            "seq": state.seq,
            "event": event.event,
            "stage": int(event.stage),
            "name": event.name,
            "duration_ms": duration,
            "message": message,
            "at": datetime.now(UTC),
        }
        self._put(AddEvents(str(event.correlation_id), (row,)))

    def on_files(self, correlation_id: UUID, files: tuple[tuple[str, str], ...]) -> None:
        """Files hook: keep the run's node (the sealed files replace the rendered ones)."""
        state = self._runs.get(correlation_id)
        if state is not None:
            state.files = files

    # -- run life -------------------------------------------------------------------------------

    def begin(
        self,
        session_id: UUID,
        *,
        request_kind: EnumRequestKind,
        request_text: str,
        options: dict[str, Any],
        status: EnumSessionStatus = EnumSessionStatus.RUNNING,
    ) -> None:
        """Record a new session before its run starts (queued for the writer)."""
        self._put(self.track(session_id, request_kind, request_text, options, status))

    def track(
        self,
        session_id: UUID,
        request_kind: EnumRequestKind,
        request_text: str,
        options: dict[str, Any],
        status: EnumSessionStatus,
    ) -> CreateSession:
        """Follow ``session_id`` from now on; return its row for the caller to write."""
        from onexgen.history.liveness import owner_token
        from onexgen.history.ops import CreateSession

        self._runs[session_id] = _RunState()
        request = ModelSessionRequest(
            session_id=str(session_id),
            source=self._source,
            request_kind=request_kind,
            request_text=request_text,
            options=options,
            status=status,
        )
        if self._owner is None:  # one process, one owner: read /proc once
            self._owner = owner_token()
        return CreateSession(request, self._owner)

    def mark_running(self, session_id: UUID) -> None:
        """A queued session's run starts now."""
        self._update(session_id, {"status": EnumSessionStatus.RUNNING.value})

    def finish(self, session_id: UUID, result: ModelGenerationResult) -> None:
        """Record the outcome of a run (its files too, even when writing them failed)."""
        state = self._runs.pop(session_id, None) or _RunState()
        validation = result.validation
        values: dict[str, Any] = {
            "status": (
                EnumSessionStatus.SUCCEEDED if result.success else EnumSessionStatus.FAILED
            ).value,
            "finished_at": datetime.now(UTC),
            "node_name": result.node_name,
            "node_kind": result.node_type.value if result.node_type else None,
            "package_name": result.package_name,
            "node_path": str(result.node_path) if result.node_path else None,
            "duration_ms": result.total_duration_ms,
            "quality_score": result.quality_score,
            "validation": _validation_summary(result) if validation is not None else None,
            "errors": list(result.errors),
            "warnings": list(result.warnings),
            "last_stage": state.last_completed,
        }
        self._update(session_id, values, files=state.files)
        self._write_now()

    def abort(self, session_id: UUID, status: EnumSessionStatus, error: str) -> None:
        """Record that a run ended without a result (cancelled, or an unexpected error)."""
        state = self._runs.pop(session_id, None) or _RunState()
        self._update(
            session_id,
            {
                "status": status.value,
                "finished_at": datetime.now(UTC),
                "errors": [error],
                "last_stage": state.last_completed,
            },
            files=state.files,
        )
        self._write_now()

    async def begin_durable(
        self,
        session_id: UUID,
        *,
        request_kind: EnumRequestKind,
        request_text: str,
        options: dict[str, Any],
        status: EnumSessionStatus = EnumSessionStatus.QUEUED,
    ) -> None:
        """Record a new session and return once it is committed (batched with others).

        Raises ``HistoryError`` when the database cannot take it: a service must not accept
        work it cannot account for.
        """
        from onexgen.history.ops import HistoryError

        if self.problem is not None:
            raise HistoryError(self.problem)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._put(
            _Durable(self.track(session_id, request_kind, request_text, options, status), done)
        )
        self._write_now()
        await done

    async def flush(self) -> None:
        """Wait until everything queued so far is written (or given up)."""
        if self._queue is not None:
            self._write_now()
            await self._queue.join()

    async def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop (history gives up after ``timeout`` seconds)."""
        if self._queue is None or self._task is None:
            return
        self._queue.put_nowait(_STOP)
        self._write_now()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except TimeoutError:
            self._fail(f"the database did not answer within {timeout:g} s")
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # -- the writer -----------------------------------------------------------------------------

    def _update(
        self,
        session_id: UUID,
        values: dict[str, Any],
        files: tuple[tuple[str, str], ...] | None = None,
    ) -> None:
        from onexgen.history.ops import UpdateSession

        self._put(UpdateSession(str(session_id), values, files))

    def _put(self, op: WriteOp | _Durable) -> None:
        if self.problem is not None:
            return
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._writer())
        self._queue.put_nowait(op)

    def _write_now(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _writer(self) -> None:
        assert self._queue is not None
        queue = self._queue
        sink: _Sink | None = None
        try:
            sink = await self._open_sink()
        except Exception as exc:
            self._fail(_describe(exc))
        try:
            assert self._wake is not None
            wake = self._wake
            while True:
                batch = [await queue.get()]
                if not wake.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), LINGER_SECONDS)
                wake.clear()
                while not queue.empty():
                    batch.append(queue.get_nowait())
                await self._write_batch(sink, batch)
                for _ in batch:
                    queue.task_done()
                if any(item is _STOP for item in batch):
                    return
        finally:
            if sink is not None:
                try:
                    await sink.close()
                except Exception as exc:
                    self._fail(_describe(exc))

    async def _open_sink(self) -> _Sink:
        if self._store is not None:
            return _StoreSink(self._store, owned=False)
        if self._writer_process:
            return self._spawned or _ProcessSink.spawn(self._url)
        from onexgen.history.store import HistoryStore

        return _StoreSink(await HistoryStore.open(self._url), owned=True)

    async def _write_batch(self, sink: _Sink | None, batch: list[object]) -> None:
        from onexgen.history.ops import HistoryError

        ops: list[WriteOp] = []
        waiting: list[asyncio.Future[None]] = []
        for item in batch:
            if isinstance(item, _Durable):
                ops.append(item.op)
                waiting.append(item.done)
            elif item is not _STOP:
                ops.append(item)  # type: ignore[arg-type]
        problem = self.problem
        if ops and problem is None and sink is not None:
            try:
                await sink.write(ops)
            except Exception as exc:
                problem = _describe(exc)
                self._fail(problem)
        elif sink is None:
            problem = problem or "no history database"
        for done in waiting:
            if not done.done():
                if problem is None:
                    done.set_result(None)
                else:
                    done.set_exception(HistoryError(problem))

    def _fail(self, reason: str) -> None:
        if not self._stop_on_failure:
            # A long-lived service keeps trying: one lost batch must not end its history.
            _LOG.warning("history batch not recorded: %s", reason)
            return
        if self.problem is not None:
            return
        self.problem = reason
        _LOG.debug("history recording stopped: %s", reason)
        if self._notice is not None:
            self._notice(
                f"history not recorded ({reason}); the generation itself is unaffected "
                "(--no-history turns recording off)"
            )


class _Sink(Protocol):
    async def write(self, ops: list[WriteOp]) -> None: ...

    async def close(self) -> None: ...


class _StoreSink:
    """Writes straight into a ``HistoryStore`` (the service, tests, library use)."""

    def __init__(self, store: HistoryStore, *, owned: bool) -> None:
        self._store = store
        self._owned = owned

    async def write(self, ops: list[WriteOp]) -> None:
        await self._store.write(ops)

    async def close(self) -> None:
        if self._owned:
            await self._store.close()


class _ProcessSink:
    """Streams records to ``python -m onexgen.history.writer_process`` (the CLI).

    Spawned with plain ``subprocess`` so that it can start before the event loop and the
    pipeline's imports (see ``HistoryRecorder.start_writer``); pipe I/O goes through a thread.
    """

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    @classmethod
    def spawn(cls, url: str | None) -> _ProcessSink:
        import sys

        process = subprocess.Popen(
            [sys.executable, "-m", "onexgen.history.writer_process", url or ""],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C stops the CLI, not the record of what happened
        )
        return cls(process)

    async def write(self, ops: list[WriteOp]) -> None:
        from onexgen.history.ops import encode_ops

        stdin = self._process.stdin
        assert stdin is not None
        data = (encode_ops(ops) + "\n").encode("utf-8")

        def send() -> None:
            stdin.write(data)
            stdin.flush()

        await asyncio.to_thread(send)

    async def close(self) -> None:
        import json

        from onexgen.history.ops import HistoryError

        process = self._process
        answer, _ = await asyncio.to_thread(process.communicate)
        try:
            outcome = json.loads(answer.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise HistoryError(
                f"the history writer ended without an answer (exit {process.returncode})"
            ) from None
        if not outcome.get("ok"):
            raise HistoryError(str(outcome.get("problem") or "the history writer failed"))


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if ":" in text else f"{type(exc).__name__}: {text}"


def _validation_summary(result: ModelGenerationResult) -> dict[str, Any]:
    validation = result.validation
    assert validation is not None
    return {
        "level": validation.level.value,
        "passed": validation.passed,
        "quality_score": validation.quality_score,
        "threshold": validation.threshold,
        "components": {
            c.component.value: {"score": c.score, "checked": c.checked, "issues": c.issue_count}
            for c in validation.component_scores
        },
        "issues": [
            {
                "severity": issue.severity.value,
                "code": issue.code,
                "location": issue.location,
                "message": issue.message,
            }
            for issue in validation.issues[:50]
        ],
        "issue_count": len(validation.issues),
        "blocking": len(validation.blocking_issues),
        "tools_run": list(validation.tools_run),
    }
