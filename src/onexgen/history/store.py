"""``HistoryStore``: the one place that reads and writes the history database (async SQLAlchemy).

Writes come in batches (``write``), each batch one transaction, so a run's dozen stage events
cost one commit instead of twelve. Opening a store brings the schema to head (Alembic only when
the recorded revision is not the head already) and marks sessions whose process died as
``interrupted``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from onexgen.history import schema
from onexgen.history.config import describe_url, resolve_database_url
from onexgen.history.liveness import owner_alive
from onexgen.history.models import (
    EnumRequestKind,
    EnumSessionStatus,
    ModelSessionDetail,
    ModelSessionEvent,
    ModelSessionFile,
    ModelSessionSummary,
)
from onexgen.history.ops import (
    AddEvents,
    CreateSession,
    HistoryError,
    SessionNotFoundError,
    UpdateSession,
    WriteOp,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = [
    "AddEvents",
    "CreateSession",
    "HistoryError",
    "HistoryStore",
    "SessionNotFoundError",
    "UpdateSession",
    "WriteOp",
    "sha256_text",
]

_ID_PREFIX = re.compile(r"^[0-9a-fA-F-]{1,36}$")
_PG_MIGRATION_LOCK = 0x6F6E6578  # "onex": one migrating process at a time on a shared server


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def sha256_text(text: str) -> str:
    """Hash of a file exactly as written (UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class HistoryStore:
    """An open history database."""

    def __init__(self, engine: AsyncEngine, url: str) -> None:
        self._engine = engine
        self.url = url

    @property
    def engine(self) -> AsyncEngine:
        """The async engine (tests and the service's health check use it)."""
        return self._engine

    @property
    def label(self) -> str:
        """The URL without its password."""
        return describe_url(self.url)

    @classmethod
    async def open(
        cls,
        database_url: str | None = None,
        *,
        sweep: bool = True,
        connect_timeout: float = 5.0,
    ) -> HistoryStore:
        """Connect, migrate to head and (by default) mark dead processes' sessions interrupted."""
        url = resolve_database_url(database_url)
        try:
            engine = _create_engine(url, connect_timeout)
        except (SQLAlchemyError, ValueError, ImportError, OSError) as exc:
            raise HistoryError(f"cannot use history database {describe_url(url)}: {exc}") from exc
        store = cls(engine, url)
        try:
            await store.ensure_schema()
            if sweep:
                await store.sweep_interrupted()
        except BaseException:
            await engine.dispose()
            raise
        return store

    async def close(self) -> None:
        """Release the connections."""
        await self._engine.dispose()

    # -- schema ---------------------------------------------------------------------------------

    async def ensure_schema(self) -> None:
        """Upgrade to head unless the database is there already (one cheap query)."""
        from onexgen.history.migrate import upgrade_to_head

        try:
            if await self._revision() == schema.HEAD_REVISION:
                return
            async with self._engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    await conn.execute(
                        sa.text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
                    )
                await conn.run_sync(upgrade_to_head)
        except (SQLAlchemyError, OSError) as exc:
            if await self._revision_or_none() == schema.HEAD_REVISION:
                return  # another process migrated at the same moment
            raise HistoryError(
                f"cannot use history database {self.label}: {_one_line(exc)}"
            ) from exc

    async def _revision(self) -> str | None:
        async with self._engine.connect() as conn:
            try:
                value = (
                    await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                ).scalar()
            except DBAPIError:
                return None  # no alembic_version table: an empty database
            return str(value) if value is not None else None

    async def _revision_or_none(self) -> str | None:
        try:
            return await self._revision()
        except (SQLAlchemyError, OSError):
            return None

    # -- writing --------------------------------------------------------------------------------

    async def write(self, ops: Sequence[WriteOp]) -> None:
        """Apply ``ops`` in one transaction, merged into as few statements as possible.

        A session created and finished in the same batch (a fast run) becomes one insert; all
        events are one executemany, all files another: three statements for a whole run.
        """
        if not ops:
            return
        created: dict[str, dict[str, Any]] = {}
        events: list[dict[str, Any]] = []
        updates: list[UpdateSession] = []
        files: dict[str, tuple[tuple[str, str], ...]] = {}
        for op in ops:
            if isinstance(op, CreateSession):
                created[op.request.session_id] = _session_row(op)
            elif isinstance(op, AddEvents):
                events.extend({"session_id": op.session_id, **row} for row in op.rows)
            elif op.session_id in created:
                created[op.session_id].update(op.values)
                if op.files is not None:
                    files[op.session_id] = op.files
            else:
                updates.append(op)
        try:
            async with self._engine.begin() as conn:
                if created:
                    await conn.execute(schema.sessions.insert(), list(created.values()))
                if events:
                    await conn.execute(schema.events.insert(), events)
                for update in updates:
                    await _update(conn, update)
                rows = [
                    _file_row(session_id, path, text)
                    for session_id, items in files.items()
                    for path, text in items
                ]
                if rows:
                    await conn.execute(schema.files.insert(), rows)
        except (SQLAlchemyError, OSError) as exc:
            raise HistoryError(f"history write failed: {_one_line(exc)}") from exc

    async def sweep_interrupted(self) -> tuple[str, ...]:
        """Mark sessions whose owning process is gone as ``interrupted``; return their ids."""
        active = (EnumSessionStatus.RUNNING.value, EnumSessionStatus.QUEUED.value)
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(schema.sessions.c.id, schema.sessions.c.owner).where(
                        schema.sessions.c.status.in_(active)
                    )
                )
            ).all()
        dead = [row.id for row in rows if not owner_alive(row.owner)]
        if not dead:
            return ()
        async with self._engine.begin() as conn:
            for session_id in dead:
                await _interrupt(conn, session_id)
        return tuple(dead)

    # -- reading --------------------------------------------------------------------------------

    async def list_sessions(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        status: EnumSessionStatus | None = None,
        kind: str | None = None,
        source: str | None = None,
    ) -> tuple[tuple[ModelSessionSummary, ...], int]:
        """Newest first; also the total number of sessions that match the filters."""
        table = schema.sessions
        conditions: list[sa.ColumnElement[bool]] = []
        if status is not None:
            conditions.append(table.c.status == status.value)
        if kind is not None:
            conditions.append(table.c.node_kind == kind)
        if source is not None:
            conditions.append(table.c.source == source)
        query = (
            sa.select(*_summary_columns())
            .where(*conditions)
            .order_by(table.c.created_at.desc(), table.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        count = sa.select(sa.func.count()).select_from(table).where(*conditions)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
            total = int((await conn.execute(count)).scalar() or 0)
        return tuple(_summary(row) for row in rows), total

    async def resolve_id(self, session_id: str) -> str:
        """The full id of the one session whose id is or starts with ``session_id``."""
        text = session_id.strip().lower()
        if not _ID_PREFIX.match(text):
            raise SessionNotFoundError(
                f"{session_id!r} is not a session id; copy one from 'onexgen history'"
            )
        table = schema.sessions
        async with self._engine.connect() as conn:
            found = (
                (
                    await conn.execute(
                        sa.select(table.c.id).where(table.c.id.like(f"{text}%")).limit(2)
                    )
                )
                .scalars()
                .all()
            )
        if not found:
            raise SessionNotFoundError(
                f"no session {session_id!r} in {self.label}; list them with 'onexgen history'"
            )
        if len(found) > 1:
            raise SessionNotFoundError(
                f"{session_id!r} matches more than one session; give more of the id"
            )
        return str(found[0])

    async def get_session(
        self, session_id: str, *, with_content: bool = False
    ) -> ModelSessionDetail:
        """One session with its events and files (``content`` only when asked)."""
        full_id = await self.resolve_id(session_id)
        s, e, f = schema.sessions, schema.events, schema.files
        file_columns = [f.c.path, f.c.sha256, f.c.size] + ([f.c.content] if with_content else [])
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(s).where(s.c.id == full_id))).mappings().one()
            event_rows = (
                (
                    await conn.execute(
                        sa.select(e).where(e.c.session_id == full_id).order_by(e.c.seq)
                    )
                )
                .mappings()
                .all()
            )
            file_rows = (
                (
                    await conn.execute(
                        sa.select(*file_columns).where(f.c.session_id == full_id).order_by(f.c.path)
                    )
                )
                .mappings()
                .all()
            )
        summary = _summary(row)
        return ModelSessionDetail(
            **summary.model_dump(),
            owner=row["owner"],
            request_kind=EnumRequestKind(row["request_kind"]),
            request_text=row["request_text"],
            options=dict(row["options"] or {}),
            output_dir=row["output_dir"],
            node_path=row["node_path"],
            validation=row["validation"],
            errors=tuple(row["errors"] or ()),
            warnings=tuple(row["warnings"] or ()),
            events=tuple(_event(r) for r in event_rows),
            files=tuple(
                ModelSessionFile(
                    path=r["path"],
                    sha256=r["sha256"],
                    size=r["size"],
                    content=r["content"] if with_content else None,
                )
                for r in file_rows
            ),
        )

    async def events_after(self, session_id: str, seq: int) -> tuple[ModelSessionEvent, ...]:
        """Events of ``session_id`` numbered above ``seq`` (SSE for sessions of other processes)."""
        e = schema.events
        async with self._engine.connect() as conn:
            rows = (
                (
                    await conn.execute(
                        sa.select(e)
                        .where(e.c.session_id == session_id, e.c.seq > seq)
                        .order_by(e.c.seq)
                    )
                )
                .mappings()
                .all()
            )
        return tuple(_event(r) for r in rows)

    async def status_counts(self) -> dict[tuple[str, str, str], int]:
        """Sessions by (source, node kind, status), for the metrics endpoint."""
        s = schema.sessions
        query = sa.select(s.c.source, s.c.node_kind, s.c.status, sa.func.count()).group_by(
            s.c.source, s.c.node_kind, s.c.status
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {(r[0], r[1] or "unknown", r[2]): int(r[3]) for r in rows}

    async def ping(self) -> None:
        """Raise ``HistoryError`` unless the database answers."""
        try:
            async with self._engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            raise HistoryError(_one_line(exc)) from exc


# -- helpers ------------------------------------------------------------------------------------


def _create_engine(url: str, connect_timeout: float) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = sa.make_url(url).database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer; NORMAL: durable at checkpoints, and a commit
            # costs no fsync (history, unlike the node files, may lose the last moment on a crash).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_async_engine(
        url,
        pool_size=5,
        max_overflow=10,
        connect_args={"timeout": connect_timeout},
    )


def _session_row(op: CreateSession) -> dict[str, Any]:
    request = op.request
    return {
        "id": request.session_id,
        "source": request.source,
        "status": request.status.value,
        "created_at": op.created_at,
        "finished_at": None,
        "owner": op.owner,
        "request_kind": request.request_kind.value,
        "request_text": request.request_text,
        "options": request.options,
        "node_name": None,
        "node_kind": None,
        "package_name": None,
        "output_dir": None,
        "node_path": None,
        "duration_ms": None,
        "quality_score": None,
        "validation": None,
        "errors": [],
        "warnings": [],
        "last_stage": None,
    }


def _file_row(session_id: str, path: str, text: str) -> dict[str, Any]:
    data = text.encode("utf-8")
    return {
        "session_id": session_id,
        "path": path,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "content": text,
    }


async def _update(conn: AsyncConnection, op: UpdateSession) -> None:
    if op.values:
        await conn.execute(
            schema.sessions.update()
            .where(schema.sessions.c.id == op.session_id)
            .values(**op.values)
        )
    if op.files is not None:
        await conn.execute(schema.files.delete().where(schema.files.c.session_id == op.session_id))
        if op.files:
            await conn.execute(
                schema.files.insert(), [_file_row(op.session_id, p, t) for p, t in op.files]
            )


async def _interrupt(conn: AsyncConnection, session_id: str) -> None:
    s, e = schema.sessions, schema.events
    last = (
        await conn.execute(
            sa.select(sa.func.max(e.c.stage)).where(
                e.c.session_id == session_id, e.c.event == "stage_completed"
            )
        )
    ).scalar()
    row = (await conn.execute(sa.select(s.c.owner, s.c.errors).where(s.c.id == session_id))).one()
    where = f" after stage {last}" if last is not None else " before any stage completed"
    message = f"interrupted: the process that ran it ({row.owner}) ended{where}"
    await conn.execute(
        s.update()
        .where(s.c.id == session_id, s.c.status.in_(("running", "queued")))
        .values(
            status=EnumSessionStatus.INTERRUPTED.value,
            finished_at=_now(),
            last_stage=last,
            errors=[*(row.errors or []), message],
        )
    )


def _summary_columns() -> list[sa.Column[Any]]:
    s = schema.sessions
    return [
        s.c.id,
        s.c.source,
        s.c.status,
        s.c.created_at,
        s.c.finished_at,
        s.c.node_name,
        s.c.node_kind,
        s.c.package_name,
        s.c.duration_ms,
        s.c.quality_score,
        s.c.last_stage,
    ]


def _summary(row: Any) -> ModelSessionSummary:
    return ModelSessionSummary(
        id=row["id"],
        source=row["source"],
        status=EnumSessionStatus(row["status"]),
        created_at=_utc(row["created_at"]) or _now(),
        finished_at=_utc(row["finished_at"]),
        node_name=row["node_name"],
        node_kind=row["node_kind"],
        package_name=row["package_name"],
        duration_ms=row["duration_ms"],
        quality_score=row["quality_score"],
        last_stage=row["last_stage"],
    )


def _event(row: Any) -> ModelSessionEvent:
    return ModelSessionEvent(
        seq=row["seq"],
        event=row["event"],
        stage=row["stage"],
        name=row["name"],
        duration_ms=row["duration_ms"],
        message=row["message"],
        at=_utc(row["at"]) or _now(),
    )


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{type(exc).__name__}: {text}"
