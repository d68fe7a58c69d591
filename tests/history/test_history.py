"""History on SQLite and PostgreSQL: migrations, real runs, CLI, recover, restart safety."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from onexgen.cli.generate_cmd import HOLD_ENV
from onexgen.history import schema
from onexgen.history.migrate import script_head, upgrade_to_head
from onexgen.history.models import EnumSessionStatus
from onexgen.history.recording import RecordingGenerationService
from onexgen.history.store import HistoryStore, SessionNotFoundError

if TYPE_CHECKING:
    from onexgen.models.generation import ModelGenerationResult

PROMPT = "Create EFFECT node for PostgreSQL writes"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onexgen", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


async def record(url: str, out: Path, prompt: str = PROMPT) -> ModelGenerationResult:
    service = RecordingGenerationService(source="generate", database_url=url)
    try:
        return await service.generate_node(
            prompt=prompt, output_directory=out, validation_level="none"
        )
    finally:
        await service.close_history()


def test_shipped_migrations_end_at_the_schema_head() -> None:
    assert script_head() == schema.HEAD_REVISION


def test_migrations_upgrade_an_empty_database_to_the_model(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    async def check() -> list[object]:
        store = await HistoryStore.open(database_url)
        try:
            async with store.engine.connect() as conn:
                version = (
                    await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                ).scalar()
                assert version == schema.HEAD_REVISION

                def diff(sync: sa.Connection) -> list[object]:
                    return list(compare_metadata(MigrationContext.configure(sync), schema.METADATA))

                found = await conn.run_sync(diff)
            # Opening again is a no-op (already at head) and so is an explicit upgrade.
            async with store.engine.begin() as conn:
                await conn.run_sync(upgrade_to_head)
            return found
        finally:
            await store.close()

    assert asyncio.run(check()) == []


def test_a_real_run_is_recorded_with_events_files_and_hashes(
    database_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    async def run() -> tuple[ModelGenerationResult, object]:
        result = await record(database_url, out)
        store = await HistoryStore.open(database_url)
        try:
            detail = await store.get_session(str(result.correlation_id)[:8], with_content=True)
            rows, total = await store.list_sessions(status=EnumSessionStatus.SUCCEEDED)
            assert total == 1
            assert rows[0].id == str(result.correlation_id)
            assert (await store.list_sessions(status=EnumSessionStatus.FAILED))[1] == 0
            with pytest.raises(SessionNotFoundError):
                await store.get_session("ffffffff")
            return result, detail
        finally:
            await store.close()

    result, detail = asyncio.run(run())
    assert result.success
    from onexgen.history.models import ModelSessionDetail

    assert isinstance(detail, ModelSessionDetail)
    assert detail.status is EnumSessionStatus.SUCCEEDED
    assert detail.request_text == PROMPT
    assert detail.options["validation"] == "none"
    assert detail.node_kind == "effect"
    assert detail.last_stage == 9
    # Every stage event, in the order the pipeline emitted them.
    assert [e.seq for e in detail.events] == list(range(1, len(detail.events) + 1))
    stages = [e.stage for e in detail.events if e.event != "stage_started"]
    assert stages == list(range(1, 10))
    # The recorded files are exactly the written node (manifest included), hashes included.
    assert result.node_path is not None
    on_disk = tree(result.node_path)
    assert {f.path for f in detail.files} == set(on_disk)
    for item in detail.files:
        assert item.sha256 == hashlib.sha256(on_disk[item.path]).hexdigest()
        assert item.content is not None
        assert item.content.encode() == on_disk[item.path]


def test_failed_write_leaves_a_recoverable_session(database_url: str, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output directory should be\n")
    out = blocker / "out"  # every write below a regular file fails (ENOTDIR), even as root
    result = asyncio.run(record(database_url, out))
    assert not result.success
    assert any("File Writing" in e or "writ" in e.lower() for e in result.errors)

    listed = cli("history", "--json", "--status", "failed", "--database-url", database_url)
    assert listed.returncode == 0, listed.stderr
    sessions = json.loads(listed.stdout)["sessions"]
    assert [s["id"] for s in sessions] == [str(result.correlation_id)]

    target_dir = tmp_path / "recovered"
    done = cli(
        "recover", sessions[0]["id"][:10], "-o", str(target_dir), "--database-url", database_url
    )
    assert done.returncode == 0, done.stderr
    recovered = tree(target_dir / "node_postgresql_writer_effect")

    # The same request written normally: identical files (the manifest names its own run).
    reference = asyncio.run(record(database_url, tmp_path / "ref"))
    assert reference.node_path is not None
    expected = tree(reference.node_path)
    expected.pop("node.manifest.yaml")
    assert recovered == expected

    again = cli("recover", sessions[0]["id"], "-o", str(target_dir), "--database-url", database_url)
    assert again.returncode == 1
    assert "--force" in again.stderr
    assert "Traceback" not in again.stderr


def test_deleted_output_is_restored_byte_identical_by_the_cli(
    database_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = cli(
        "generate", PROMPT, "-o", str(out), "--validation", "none", "--json",
        "--database-url", database_url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    node = Path(json.loads(done.stdout)["node_path"])
    before = tree(node)
    session = json.loads(done.stdout)["correlation_id"]
    subprocess.run(["rm", "-rf", str(node)], check=True)

    shown = cli("show", session[:8], "--database-url", database_url)
    assert shown.returncode == 0, shown.stderr
    assert "[8/9] File Writing" in shown.stdout
    assert "node.manifest.yaml" in shown.stdout

    restored = cli("recover", session, "--database-url", database_url)
    assert restored.returncode == 0, restored.stderr
    assert tree(node) == before


def test_unreachable_database_never_fails_generation(tmp_path: Path) -> None:
    url = "postgresql://nobody@127.0.0.1:9/none"  # port 9 (discard): nothing listens
    done = cli(
        "generate", PROMPT, "-o", str(tmp_path), "--validation", "none", "--database-url", url
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "node_postgresql_writer_effect" / "node.py").is_file()
    assert done.stderr.count("history not recorded") == 1
    assert "Traceback" not in done.stderr


def test_no_history_records_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    done = cli(
        "generate", PROMPT, "-o", str(tmp_path / "o"), "--validation", "none", "--no-history",
        "--database-url", url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "h.sqlite3").exists()


def test_killed_cli_run_is_marked_interrupted_at_next_start(
    database_url: str, tmp_path: Path
) -> None:
    hold = tmp_path / "hold"
    proc = subprocess.Popen(
        [sys.executable, "-m", "onexgen", "generate", PROMPT, "-o", str(tmp_path / "o"),
         "--validation", "none", "--database-url", database_url],
        env={**os.environ, HOLD_ENV: str(hold)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not hold.exists():
        assert proc.poll() is None, "generate ended before reaching the commit"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # The session row and the events so far are written while the run waits before the rename.
    running: list[dict[str, object]] = []
    while time.monotonic() < deadline and not running:
        rows = json.loads(cli("history", "--json", "--database-url", database_url).stdout)
        running = [s for s in rows["sessions"] if s["status"] == "running"]
        time.sleep(0.05)
    assert running, "the running session was not recorded"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    rows = json.loads(cli("history", "--json", "--database-url", database_url).stdout)
    (session,) = rows["sessions"]
    assert session["status"] == "interrupted"
    assert session["last_stage"] == 5  # 6 and 7 were skipped (none), 8 had begun
    shown = cli("show", session["id"], "--database-url", database_url)
    assert "ended after stage" in shown.stdout


def test_batch_runs_are_recorded_one_session_per_node(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "nodes:\n"
        "  - name: orders_store\n"
        "    prompt: Create EFFECT node called OrdersStore that writes orders to PostgreSQL\n"
        "  - name: order_totals\n"
        "    prompt: Calculate order totals with tax and discounts\n"
        "    depends_on: [orders_store]\n",
        encoding="utf-8",
    )
    done = cli(
        "batch", str(spec), "-o", str(tmp_path / "out"), "--validation", "none",
        "--database-url", url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(cli("history", "--json", "--database-url", url).stdout)["sessions"]
    assert sorted(r["node_kind"] for r in rows) == ["compute", "effect"]
    assert {r["source"] for r in rows} == {"batch"}
    assert {r["status"] for r in rows} == {"succeeded"}


@pytest.mark.parametrize(
    "argv",
    [
        ["parse", PROMPT, "--json"],
        ["generate", PROMPT, "--validation", "none", "--json", "-o", "{out}"],
    ],
)
def test_cli_processes_never_import_sqlalchemy(argv: list[str], tmp_path: Path) -> None:
    # generate records through the helper writer process; the CLI process itself stays light.
    args = [a.replace("{out}", str(tmp_path / "out")) for a in argv]
    code = (
        "import sys\n"
        "from onexgen.cli.entry import main\n"
        f"sys.argv = ['onexgen', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'sqlalchemy', 'alembic'})\n"
        "assert not loaded, loaded\n"
    )
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ONEXGEN_DATABASE_URL": url},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    if argv[0] == "generate":
        rows = json.loads(cli("history", "--json", "--database-url", url).stdout)["sessions"]
        assert [r["status"] for r in rows] == ["succeeded"]
