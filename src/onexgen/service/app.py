"""``create_app``: the FastAPI application of ``onexgen serve``.

Everything the app owns (history store, recording service, worker pool, live hub, metrics) is
created in its lifespan and kept on ``app.state``; nothing is global, so tests can run several.
The service writes only below ``settings.data_dir``: nodes/<session>/, requests/<session>/,
uploads/<id>/ (removed after validation), the token file and, by default, the history database.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from onexgen.history.models import (
    EnumRequestKind,
    EnumSessionStatus,
    ModelSessionDetail,
)
from onexgen.models.validation import EnumValidationLevel
from onexgen.service.models import ModelGenerateAccepted, ModelGenerateRequest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from pathlib import Path

    from onexgen.history.recording import RecordingGenerationService
    from onexgen.history.store import HistoryStore
    from onexgen.llm.engine import StrategyEngine
    from onexgen.models.generation import ModelGenerationResult
    from onexgen.service.broker import BrokerDispatcher
    from onexgen.service.live import SessionHub
    from onexgen.service.metrics import ServiceMetrics
    from onexgen.service.pool import GenerationDispatcher, GenerationJob

HEALTH_CACHE_SECONDS = 1.0
_LOG = logging.getLogger("onexgen.service")


@dataclass(frozen=True)
class ServiceSettings:
    """How one service instance runs."""

    data_dir: Path
    token: str
    database_url: str | None = None
    workers: int = 2
    queue_limit: int = 1000
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    broker: str | None = None

    def resolved_database_url(self) -> str:
        """The given URL, or SQLite inside the data directory."""
        if self.database_url:
            from onexgen.history.config import resolve_database_url

            return resolve_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{self.data_dir / 'history.sqlite3'}"


@dataclass
class _State:
    settings: ServiceSettings
    store: HistoryStore
    service: RecordingGenerationService
    hub: SessionHub
    metrics: ServiceMetrics
    pool: GenerationDispatcher
    engine: StrategyEngine | None = None
    broker: BrokerDispatcher | None = None
    health: tuple[float, str] = (0.0, "unknown")
    interrupted_at_start: tuple[str, ...] = field(default=())


type DispatcherFactory = Callable[
    ["RecordingGenerationService", Callable[["GenerationJob", Any, str, str], None]],
    "GenerationDispatcher",
]


def create_app(
    settings: ServiceSettings, *, dispatcher_factory: DispatcherFactory | None = None
) -> FastAPI:
    """The app; ``dispatcher_factory`` swaps the local worker pool for another executor, and
    ``settings.broker`` (``--kafka-servers``) for the workers of a Kafka cluster."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from onexgen.history.recording import RecordingGenerationService
        from onexgen.history.store import HistoryStore
        from onexgen.service.live import SessionHub
        from onexgen.service.metrics import ServiceMetrics
        from onexgen.service.pool import LocalWorkerPool

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = await HistoryStore.open(settings.resolved_database_url(), sweep=False)
        interrupted = await store.sweep_interrupted()
        if interrupted:
            _LOG.warning("marked %d sessions of ended processes interrupted", len(interrupted))
        hub, metrics = SessionHub(), ServiceMetrics()
        from onexgen.llm.engine import engine_from_env

        engine = engine_from_env()
        service = RecordingGenerationService(
            source="service", store=store, stop_on_failure=False, strategy_engine=engine
        )
        service.subscribe(hub.on_event)
        service.subscribe(metrics.on_event)

        def on_result(
            job: GenerationJob, result: ModelGenerationResult | None, status: str, error: str
        ) -> None:
            metrics.on_result(result, status)
            hub.close(job.session_id, _result_payload(str(job.session_id), result, status, error))
            shutil.rmtree(settings.data_dir / "requests" / str(job.session_id), ignore_errors=True)

        broker: BrokerDispatcher | None = None
        pool: GenerationDispatcher
        if dispatcher_factory is not None:
            pool = dispatcher_factory(service, on_result)
        elif settings.broker:
            from onexgen.service.broker import BrokerDispatcher

            pool = broker = BrokerDispatcher(
                service, on_result, servers=settings.broker, queue_limit=settings.queue_limit
            )
        else:
            pool = LocalWorkerPool(
                service, on_result, workers=settings.workers, queue_limit=settings.queue_limit
            )
        app.state.onexgen = _State(
            settings=settings,
            store=store,
            service=service,
            hub=hub,
            metrics=metrics,
            pool=pool,
            engine=engine,
            broker=broker,
            interrupted_at_start=interrupted,
        )
        await pool.start()
        try:
            yield
        finally:
            await pool.stop()
            await service.close_history()
            await store.close()
            if engine is not None:
                await engine.aclose()

    app = FastAPI(
        title="onexgen",
        summary="Generate validated ONEX nodes for omnibase-core over HTTP.",
        version="1",
        lifespan=lifespan,
    )
    _routes(app)

    from onexgen.service.guard import GuardMiddleware

    def refused(reason: str) -> None:
        state: _State | None = getattr(app.state, "onexgen", None)
        if state is not None:
            state.metrics.requests_refused.labels(reason=reason).inc()

    app.add_middleware(
        GuardMiddleware,
        token=settings.token,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        on_refused=refused,
    )
    return app


def _state(request: Request) -> _State:
    state: _State = request.app.state.onexgen
    return state


def _result_payload(
    session_id: str, result: ModelGenerationResult | None, status: str, error: str = ""
) -> dict[str, Any]:
    if result is None:
        errors = [error] if error else []
        return {"session_id": session_id, "status": status, "success": False, "errors": errors}
    return {
        "session_id": session_id,
        "status": status,
        "success": result.success,
        "node_name": result.node_name,
        "node_type": result.node_type.value if result.node_type else None,
        "package_name": result.package_name,
        "files": list(result.files),
        "quality_score": result.quality_score,
        "total_duration_ms": result.total_duration_ms,
        "errors": list(result.errors),
        "warnings": list(result.warnings),
    }


def _routes(app: FastAPI) -> None:  # noqa: PLR0915 - the route table reads best in one place
    @app.get("/health", summary="Liveness and database (and broker) status; no token needed")
    async def health(request: Request) -> JSONResponse:
        state = _state(request)
        checked, database = state.health
        now = time.monotonic()
        if now - checked > HEALTH_CACHE_SECONDS:
            from onexgen.history.store import HistoryError

            try:
                await state.store.ping()
                database = "ok"
            except HistoryError as exc:
                database = f"error: {exc}"
            state.health = (now, database)
        broker = "not configured" if state.broker is None else state.broker.status
        ok = database == "ok" and broker in {"ok", "not configured"}
        body = {
            "status": "ok" if ok else "degraded",
            "database": database,
            "broker": broker,
            "queue": state.pool.depth(),
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.post("/v1/generate", status_code=202, response_model=ModelGenerateAccepted)
    async def generate(body: ModelGenerateRequest, request: Request) -> ModelGenerateAccepted:
        """Queue a generation; follow it at ``events_url`` (Server-Sent Events)."""
        from onexgen.history.store import HistoryError
        from onexgen.llm.settings import (
            LLMConfigurationError,
            ModelLLMSettings,
            resolve_strategy,
        )
        from onexgen.service.pool import GenerationJob, QueueFullError

        state = _state(request)
        try:
            # In broker mode the workers resolve the strategy against their own model.
            if state.broker is None:
                resolve_strategy(
                    body.strategy, state.engine.settings if state.engine else ModelLLMSettings()
                )
        except LLMConfigurationError:
            raise HTTPException(
                status_code=422,
                detail=f"strategy '{body.strategy.value}' needs a model and this service has "
                "none configured: start `onexgen serve` with ONEXGEN_LLM_BASE_URL and "
                "ONEXGEN_LLM_MODEL set, or ask for strategy 'jinja2' or 'auto'",
            ) from None
        problem = state.pool.unavailable()
        if problem is not None:  # refused before anything is recorded: the client retries
            raise HTTPException(status_code=503, detail=problem)
        session_id = uuid.uuid4()
        data_dir = state.settings.data_dir
        output_dir = data_dir / "nodes" / str(session_id)
        requirements_path: Path | None = None
        contract_path: Path | None = None
        if body.requirements is not None or body.contract is not None:
            request_dir = data_dir / "requests" / str(session_id)
            request_dir.mkdir(parents=True)
            if body.requirements is not None:
                requirements_path = request_dir / "requirements.json"
                requirements_path.write_text(json.dumps(body.requirements), encoding="utf-8")
            else:
                contract_path = request_dir / "contract.yaml"
                contract_path.write_text(body.contract or "", encoding="utf-8")
        strict = body.validation is EnumValidationLevel.STRICT
        job = GenerationJob(
            session_id=session_id,
            output_dir=output_dir,
            prompt=body.prompt,
            requirements=requirements_path,
            contract=contract_path,
            node_type=body.node_type.value if body.node_type else None,
            validation=body.validation.value,
            run_tests=strict if body.run_tests is None else body.run_tests,
            strict=strict,
            timeout=body.timeout,
            strategy=body.strategy.value,
        )
        kind, text = (
            (EnumRequestKind.PROMPT, body.prompt or "")
            if body.prompt is not None
            else (EnumRequestKind.CONTRACT, body.contract or "")
            if body.contract is not None
            else (EnumRequestKind.REQUIREMENTS, json.dumps(body.requirements, indent=2))
        )
        options = {
            "output_dir": str(output_dir),
            "node_type": job.node_type,
            "validation": job.validation,
            "run_tests": job.run_tests,
            "strict": strict,
            "timeout": job.timeout,
            "strategy": job.strategy,
        }
        state.hub.open(session_id)
        try:
            await state.service.accept(session_id, kind, text, options)
        except HistoryError as exc:
            state.hub.close(session_id, _result_payload(str(session_id), None, "failed"))
            raise HTTPException(status_code=503, detail=f"history database: {exc}") from None
        try:
            state.pool.submit(job)
        except QueueFullError as exc:
            # The session was recorded as queued: close it, so it does not wait forever.
            state.hub.close(session_id, _result_payload(str(session_id), None, "failed"))
            shutil.rmtree(data_dir / "requests" / str(session_id), ignore_errors=True)
            await state.service.refuse(session_id, f"refused: {exc}")  # recorded before we answer
            raise HTTPException(status_code=503, detail=str(exc)) from None
        state.metrics.queue_depth.set(state.pool.depth())
        base = f"/v1/sessions/{session_id}"
        return ModelGenerateAccepted(
            session_id=str(session_id),
            status=EnumSessionStatus.QUEUED.value,
            session_url=base,
            events_url=f"{base}/events",
            archive_url=f"{base}/archive",
        )

    @app.get("/v1/sessions", summary="Recorded sessions, newest first")
    async def sessions(
        request: Request,
        *,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
        status: EnumSessionStatus | None = None,
        kind: Annotated[str | None, Query(max_length=32)] = None,
        source: Annotated[str | None, Query(max_length=16)] = None,
    ) -> dict[str, Any]:
        rows, total = await _state(request).store.list_sessions(
            limit=limit, offset=offset, status=status, kind=kind, source=source
        )
        return {
            "total": total,
            "limit": limit,
            "offset": offset,
            "sessions": [row.model_dump(mode="json") for row in rows],
        }

    async def detail(
        request: Request, session_id: str, *, content: bool = False
    ) -> ModelSessionDetail:
        from onexgen.history.store import SessionNotFoundError

        try:
            return await _state(request).store.get_session(session_id, with_content=content)
        except SessionNotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    @app.get("/v1/sessions/{session_id}", summary="One session: request, stages, result, files")
    async def session(session_id: str, request: Request) -> ModelSessionDetail:
        return await detail(request, session_id)

    @app.get(
        "/v1/sessions/{session_id}/events",
        summary="Server-Sent Events: every stage event in order, then the result",
    )
    async def events(session_id: str, request: Request) -> StreamingResponse:
        state = _state(request)
        found = await detail(request, session_id)
        return StreamingResponse(
            _event_stream(state, found),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.get("/v1/sessions/{session_id}/archive", summary="The generated node as .tar.gz or .zip")
    async def archive(
        session_id: str,
        request: Request,
        fmt: Annotated[str, Query(alias="format", pattern="^(tar.gz|zip)$")] = "tar.gz",
    ) -> Response:
        from onexgen.service.archives import build_archive

        found = await detail(request, session_id, content=True)
        if not found.files or not found.package_name:
            raise HTTPException(
                status_code=404, detail=f"session {found.id} has no generated files (yet)"
            )
        data = build_archive(
            found.package_name, ((f.path, f.content or "") for f in found.files), fmt
        )
        media = "application/zip" if fmt == "zip" else "application/gzip"
        name = f"{found.package_name}.{fmt}"
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.post("/v1/validate", summary="Validate a node uploaded as a .tar.gz or .zip archive")
    async def validate(
        request: Request,
        archive: Annotated[UploadFile, File(description="The node folder as .tar.gz or .zip")],
        level: EnumValidationLevel = EnumValidationLevel.BASIC,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.8,
    ) -> dict[str, Any]:
        from onexgen.service.archives import ArchiveRefusedError, unpack_upload
        from onexgen.validation.quality_validator import QualityValidator

        state = _state(request)
        data = await archive.read()
        workdir = state.settings.data_dir / "uploads" / uuid.uuid4().hex
        try:
            try:
                node_dir = await asyncio.to_thread(unpack_upload, data, workdir)
            except ArchiveRefusedError as exc:
                state.metrics.requests_refused.labels(reason="archive").inc()
                raise HTTPException(status_code=400, detail=str(exc)) from None
            result = await QualityValidator(threshold=threshold).validate(node_dir, level)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        payload = result.model_dump(mode="json")
        payload["node_dir"] = node_dir.name
        return payload

    @app.get("/metrics", summary="Prometheus metrics")
    async def metrics(request: Request) -> Response:
        state = _state(request)
        state.metrics.queue_depth.set(state.pool.depth())
        return Response(
            state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )


async def _event_stream(state: _State, found: ModelSessionDetail) -> AsyncIterator[bytes]:
    """Live events from the hub when this service runs the session, else from the database."""
    if state.hub.has(found.id):
        async for name, payload in state.hub.follow(found.id):
            yield _sse(name, payload)
        return
    seq = 0
    current = found
    while True:
        for event in await state.store.events_after(found.id, seq):
            seq = event.seq
            yield _sse(event.event, {"session_id": found.id, **event.model_dump(mode="json")})
        if current.status.final:
            break
        await asyncio.sleep(0.5)
        current = await state.store.get_session(found.id)
    yield _sse(
        "result",
        {
            "session_id": current.id,
            "status": current.status.value,
            "success": current.status is EnumSessionStatus.SUCCEEDED,
            "node_name": current.node_name,
            "node_type": current.node_kind,
            "package_name": current.package_name,
            "files": [f.path for f in current.files],
            "quality_score": current.quality_score,
            "total_duration_ms": current.duration_ms,
            "errors": list(current.errors),
            "warnings": list(current.warnings),
        },
    )


def _sse(name: str, payload: dict[str, Any]) -> bytes:
    seq = payload.get("seq")
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(payload)}\n\n".encode()
