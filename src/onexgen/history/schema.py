"""The history tables (SQLAlchemy Core): sessions, their stage events and their files.

Core tables rather than ORM classes: the recorder writes rows in bulk and reads them back into
pydantic models, so a mapper adds cost and nothing else. Alembic migrations create exactly these
tables (a test compares the migrated database with this metadata).
"""

from __future__ import annotations

import sqlalchemy as sa

METADATA = sa.MetaData()

HEAD_REVISION = "0001"
"""The newest migration; a database at this revision needs no Alembic run (fast CLI start)."""

sessions = sa.Table(
    "onexgen_sessions",
    METADATA,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("request_kind", sa.String(16), nullable=False),
    sa.Column("request_text", sa.Text(), nullable=False),
    sa.Column("options", sa.JSON(), nullable=False),
    sa.Column("node_name", sa.String(255), nullable=True),
    sa.Column("node_kind", sa.String(32), nullable=True),
    sa.Column("package_name", sa.String(255), nullable=True),
    sa.Column("output_dir", sa.Text(), nullable=True),
    sa.Column("node_path", sa.Text(), nullable=True),
    sa.Column("duration_ms", sa.Float(), nullable=True),
    sa.Column("quality_score", sa.Float(), nullable=True),
    sa.Column("validation", sa.JSON(), nullable=True),
    sa.Column("errors", sa.JSON(), nullable=False),
    sa.Column("warnings", sa.JSON(), nullable=False),
    sa.Column("last_stage", sa.Integer(), nullable=True),
)

events = sa.Table(
    "onexgen_session_events",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column(
        "session_id",
        sa.String(36),
        sa.ForeignKey("onexgen_sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("stage", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("duration_ms", sa.Float(), nullable=True),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("session_id", "seq", name="uq_onexgen_session_events_seq"),
)

files = sa.Table(
    "onexgen_session_files",
    METADATA,
    sa.Column(
        "session_id",
        sa.String(36),
        sa.ForeignKey("onexgen_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("path", sa.String(1024), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
)
