"""Fixtures: every history test runs against SQLite and against a real PostgreSQL.

The PostgreSQL cluster is Debian's ``postgresql`` package: ``initdb`` in a temp directory,
``pg_ctl`` on a free port, trust auth on 127.0.0.1 only. PostgreSQL refuses to run as root, so
as root the cluster belongs to the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class PostgresCluster:
    """A running cluster; ``url(db)`` gives an asyncpg URL."""

    data_dir: Path
    port: int
    bin_dir: Path
    user: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://onexgen@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run(
            [
                str(self.bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "onexgen",
                name,
            ]
        )
        return self.url(name)

    def stop(self) -> None:
        self._run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"]
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def _run(self, argv: list[str]) -> None:
        command = ["runuser", "-u", self.user, "--", *argv] if self.user else argv
        subprocess.run(command, check=True, capture_output=True, timeout=120)


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` with ``initdb``, or one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _version_key(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_cluster(bin_dir: Path) -> PostgresCluster:
    """initdb + start; the caller stops it."""
    root = Path(tempfile.mkdtemp(prefix="onexgen-pg-"))
    data = root / "data"
    user: str | None = None
    if os.geteuid() == 0:
        user = "postgres"
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    cluster = PostgresCluster(data_dir=data, port=port, bin_dir=bin_dir, user=user)
    cluster._run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "onexgen",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]
    )
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    )
    cluster._run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ]
    )
    return cluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster | None]:
    """One cluster per test session (None when PostgreSQL is not installed, outside CI)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs Debian's postgresql")
        yield None
        return
    cluster = start_cluster(bin_dir)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_cluster: PostgresCluster | None
) -> str:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'history.sqlite3'}"
    if postgres_cluster is None:
        if os.environ.get("CI"):  # CI installs it (.ci/run): a skip there would hide a gap
            pytest.fail("PostgreSQL binaries not found in CI (apt-get install postgresql)")
        pytest.skip("PostgreSQL binaries not found (apt-get install postgresql)")
    return postgres_cluster.create_database(f"t_{uuid.uuid4().hex[:12]}")
