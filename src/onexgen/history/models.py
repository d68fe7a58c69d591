"""Typed views of recorded sessions, shared by the CLI commands and the HTTP service."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EnumSessionStatus(StrEnum):
    """Life of a session: queued (service) -> running -> one of the final states."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def final(self) -> bool:
        """Whether the session has ended (no more events will come)."""
        return self not in {EnumSessionStatus.QUEUED, EnumSessionStatus.RUNNING}


class EnumRequestKind(StrEnum):
    """What the request gave: a prompt, a requirements document or a contract."""

    PROMPT = "prompt"
    REQUIREMENTS = "requirements"
    CONTRACT = "contract"


class ModelSessionRequest(BaseModel):
    """What a new session was asked to do (recorded before the run starts)."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    source: str = Field(description="generate, batch, service or worker")
    request_kind: EnumRequestKind
    request_text: str
    options: dict[str, Any] = Field(default_factory=dict)
    status: EnumSessionStatus = EnumSessionStatus.RUNNING


class ModelSessionEvent(BaseModel):
    """One stage event of a session, in the order it happened."""

    model_config = ConfigDict(frozen=True)

    seq: int
    event: str
    stage: int
    name: str
    duration_ms: float | None = None
    message: str = ""
    at: datetime


class ModelSessionFile(BaseModel):
    """One generated file; ``content`` is left out of listings."""

    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str
    size: int
    content: str | None = None


class ModelSessionSummary(BaseModel):
    """One row of ``onexgen history`` / ``GET /v1/sessions``."""

    model_config = ConfigDict(frozen=True)

    id: str
    source: str
    status: EnumSessionStatus
    created_at: datetime
    finished_at: datetime | None = None
    node_name: str | None = None
    node_kind: str | None = None
    package_name: str | None = None
    duration_ms: float | None = None
    quality_score: float | None = None
    last_stage: int | None = None


class ModelSessionDetail(ModelSessionSummary):
    """Everything recorded about one session (``onexgen show``, ``GET /v1/sessions/{id}``)."""

    owner: str
    request_kind: EnumRequestKind
    request_text: str
    options: dict[str, Any]
    output_dir: str | None = None
    node_path: str | None = None
    validation: dict[str, Any] | None = None
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    events: tuple[ModelSessionEvent, ...] = ()
    files: tuple[ModelSessionFile, ...] = ()
