"""The records a recorder sends to the database, and the history errors.

Free of SQLAlchemy: the CLI's recorder builds these and ships them to the history writer
process (``history.writer_process``) without importing the database stack itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from onexgen.history.models import ModelSessionRequest

_DATETIME_KEYS = frozenset({"created_at", "finished_at", "at"})


class HistoryError(Exception):
    """The history database could not be used (message is one line)."""


class SessionNotFoundError(HistoryError):
    """No session (or more than one) matches the given id."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CreateSession:
    """A new session row."""

    request: ModelSessionRequest
    owner: str
    created_at: datetime = field(default_factory=_now)


@dataclass(frozen=True)
class AddEvents:
    """Stage events of one session, already numbered."""

    session_id: str
    rows: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class UpdateSession:
    """Column values for one session (status, result summary, ...), and its files if given."""

    session_id: str
    values: dict[str, Any]
    files: tuple[tuple[str, str], ...] | None = None


type WriteOp = CreateSession | AddEvents | UpdateSession


def encode_ops(ops: list[WriteOp]) -> str:
    """One JSON line for a batch of records (datetimes as ISO 8601)."""
    items: list[dict[str, Any]] = []
    for op in ops:
        if isinstance(op, CreateSession):
            items.append(
                {
                    "op": "create",
                    "request": op.request.model_dump(mode="json"),
                    "owner": op.owner,
                    "created_at": op.created_at,
                }
            )
        elif isinstance(op, AddEvents):
            items.append({"op": "events", "session_id": op.session_id, "rows": list(op.rows)})
        else:
            items.append(
                {
                    "op": "update",
                    "session_id": op.session_id,
                    "values": op.values,
                    "files": [list(f) for f in op.files] if op.files is not None else None,
                }
            )
    return json.dumps(items, default=_default, separators=(",", ":"))


def decode_ops(line: str) -> list[WriteOp]:
    """The records of one line written by :func:`encode_ops`."""
    ops: list[WriteOp] = []
    for item in json.loads(line, object_hook=_revive):
        kind = item["op"]
        if kind == "create":
            ops.append(
                CreateSession(
                    ModelSessionRequest.model_validate(item["request"]),
                    item["owner"],
                    item["created_at"],
                )
            )
        elif kind == "events":
            ops.append(AddEvents(item["session_id"], tuple(item["rows"])))
        else:
            files = item["files"]
            ops.append(
                UpdateSession(
                    item["session_id"],
                    item["values"],
                    tuple((str(p), str(t)) for p, t in files) if files is not None else None,
                )
            )
    return ops


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def _revive(obj: dict[str, Any]) -> dict[str, Any]:
    for key in _DATETIME_KEYS & obj.keys():
        if isinstance(obj[key], str):
            obj[key] = datetime.fromisoformat(obj[key])
    return obj
