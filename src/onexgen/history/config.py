"""Where the history lives: ``--database-url``, ``ONEXGEN_DATABASE_URL`` or SQLite in the data dir.

Kept free of SQLAlchemy so that resolving (and reporting) the URL costs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_URL_ENV = "ONEXGEN_DATABASE_URL"
DATA_DIR_ENV = "ONEXGEN_DATA_DIR"


def data_dir() -> Path:
    """The user's onexgen data directory (``ONEXGEN_DATA_DIR`` overrides platformdirs)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("onexgen", appauthor=False))


def default_sqlite_path() -> Path:
    """The default history database file."""
    return data_dir() / "history.sqlite3"


def resolve_database_url(explicit: str | None = None) -> str:
    """The async SQLAlchemy URL to use: the option, then the environment, then local SQLite.

    Plain ``postgresql://`` / ``postgres://`` and ``sqlite:///`` URLs are accepted and given
    their async drivers (asyncpg, aiosqlite), so the URL other tools use works unchanged.
    """
    url = explicit or os.environ.get(DATABASE_URL_ENV) or ""
    if not url.strip():
        return f"sqlite+aiosqlite:///{default_sqlite_path()}"
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def describe_url(url: str) -> str:
    """``url`` without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
