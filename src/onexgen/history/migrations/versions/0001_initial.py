"""Initial history schema: sessions, stage events, generated files.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables and their indexes."""
    op.create_table(
        "onexgen_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
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
    op.create_index("ix_onexgen_sessions_status", "onexgen_sessions", ["status"])
    op.create_index("ix_onexgen_sessions_created_at", "onexgen_sessions", ["created_at"])
    op.create_table(
        "onexgen_session_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("onexgen_sessions.id", ondelete="CASCADE"),
            nullable=False,
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
    op.create_index(
        "ix_onexgen_session_events_session_id", "onexgen_session_events", ["session_id"]
    )
    op.create_table(
        "onexgen_session_files",
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


def downgrade() -> None:
    """Drop everything (history is lost)."""
    op.drop_table("onexgen_session_files")
    op.drop_index("ix_onexgen_session_events_session_id", "onexgen_session_events")
    op.drop_table("onexgen_session_events")
    op.drop_index("ix_onexgen_sessions_created_at", "onexgen_sessions")
    op.drop_index("ix_onexgen_sessions_status", "onexgen_sessions")
    op.drop_table("onexgen_sessions")
