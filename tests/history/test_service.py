"""``onexgen serve`` as a real uvicorn process over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tarfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import yaml

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.conftest import StartWorker
    from tests.history.conftest import PostgresCluster

    from onexgen.bus.local import Broker

TOKEN = "test-token-" + uuid.uuid4().hex
PROMPT = "Create EFFECT node for PostgreSQL writes"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Server:
    """A running ``onexgen serve``."""

    process: subprocess.Popen[bytes]
    base: str
    data_dir: Path
    database_url: str
    port: int

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers=AUTH, timeout=60, **kwargs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    data_dir: Path,
    database_url: str,
    port: int | None = None,
    *extra: str,
    healthy: bool = True,
) -> Server:
    """Start serve and wait until ``/health`` answers (200, or 503 when not ``healthy``)."""
    port = port or _free_port()
    ready = {200} if healthy else {503}
    process = subprocess.Popen(
        [sys.executable, "-m", "onexgen", "serve", "--port", str(port), "--data-dir",
         str(data_dir), "--database-url", database_url, "--workers", "2", *extra],
        # No model: the tests see the templates-only service whatever the developer's shell has.
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("ONEXGEN_LLM_")},
            "ONEXGEN_API_TOKEN": TOKEN,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: a SIGKILL takes its tools along
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise AssertionError(
                f"serve exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code in ready:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "serve did not come up"
        time.sleep(0.1)
    return Server(process, base, data_dir, database_url, port)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    if server.process.stderr:
        server.process.stderr.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_cluster: PostgresCluster | None,
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("serve")
    if request.param == "sqlite":
        url = f"sqlite:///{data_dir / 'history.sqlite3'}"
    else:
        if postgres_cluster is None:
            pytest.skip("PostgreSQL binaries not found (apt-get install postgresql)")
        url = postgres_cluster.create_database(f"s_{uuid.uuid4().hex[:12]}")
    running = start_server(data_dir, url)
    try:
        yield running
    finally:
        stop_server(running)


def wait_final(client: httpx.Client, session_id: str, limit: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while True:
        body: dict[str, Any] = client.get(f"/v1/sessions/{session_id}").json()
        if body["status"] not in {"queued", "running"}:
            return body
        assert time.monotonic() < deadline, f"session {session_id} still {body['status']}"
        time.sleep(0.1)


def test_token_is_required_everywhere_but_health(server: Server) -> None:
    assert httpx.get(f"{server.base}/health").json()["database"] == "ok"
    for path in ("/v1/sessions", "/metrics", "/docs", "/openapi.json"):
        missing = httpx.get(server.base + path)
        assert missing.status_code == 401
        assert "bearer token" in missing.json()["detail"]
        wrong = httpx.get(server.base + path, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
    posted = httpx.post(f"{server.base}/v1/generate", json={"prompt": PROMPT})
    assert posted.status_code == 401
    with server.client() as client:
        assert client.get("/docs").status_code == 200
        assert "/v1/generate" in client.get("/openapi.json").json()["paths"]


def test_bad_requests_are_refused_clearly(server: Server) -> None:
    with server.client() as client:
        both = client.post("/v1/generate", json={"prompt": PROMPT, "contract": "x: 1"})
        assert both.status_code == 422
        assert "exactly one of prompt" in both.text
        assert client.post("/v1/generate", json={"prompt": "   "}).status_code == 422
        huge = client.post("/v1/generate", content=b"x" * (2 * 1024 * 1024))
        assert huge.status_code == 413
        assert "larger than" in huge.json()["detail"]
        assert client.get(f"/v1/sessions/{uuid.uuid4()}").status_code == 404


def test_the_strategy_is_validated_passed_to_the_pipeline_and_recorded(server: Server) -> None:
    with server.client() as client:
        invalid = client.post("/v1/generate", json={"prompt": PROMPT, "strategy": "magic"})
        assert invalid.status_code == 422
        assert "strategy" in invalid.text
        # hybrid needs a model; this service has none (start_server drops ONEXGEN_LLM_*).
        hybrid = client.post("/v1/generate", json={"prompt": PROMPT, "strategy": "hybrid"})
        assert hybrid.status_code == 422
        detail = hybrid.json()["detail"]
        assert "strategy 'hybrid' needs a model" in detail
        assert "ONEXGEN_LLM_BASE_URL" in detail
        posted = client.post(
            "/v1/generate",
            json={"prompt": PROMPT, "strategy": "jinja2", "validation": "none"},
        )
        assert posted.status_code == 202, posted.text
        final = wait_final(client, posted.json()["session_id"])
        assert final["status"] == "succeeded", final
        assert final["options"]["strategy"] == "jinja2"
        # The pipeline ran the requested strategy: the node's manifest says so.
        manifest = yaml.safe_load(
            (Path(final["node_path"]) / "node.manifest.yaml").read_text(encoding="utf-8")
        )
        assert manifest["strategy_details"]["requested"] == "jinja2", manifest
        assert manifest["strategy_details"]["used"] == "jinja2", manifest


def test_fifty_concurrent_generations_nothing_lost_or_duplicated(server: Server) -> None:
    async def post_all() -> list[str]:
        async with httpx.AsyncClient(base_url=server.base, headers=AUTH, timeout=120) as client:
            answers = await asyncio.gather(
                *(
                    client.post("/v1/generate", json={"prompt": PROMPT, "validation": "none"})
                    for _ in range(50)
                )
            )
        assert all(a.status_code == 202 for a in answers), [a.text for a in answers][:3]
        return [a.json()["session_id"] for a in answers]

    ids = asyncio.run(post_all())
    assert len(set(ids)) == 50
    with server.client() as client:
        finals = [wait_final(client, session_id) for session_id in ids]
        listed = client.get("/v1/sessions", params={"limit": 500, "source": "service"}).json()
        metrics = client.get("/metrics").text
    assert [f["status"] for f in finals] == ["succeeded"] * 50
    listed_ids = [s["id"] for s in listed["sessions"]]
    assert set(ids) <= set(listed_ids)
    assert len(listed_ids) == len(set(listed_ids))
    nodes = sorted(server.data_dir.glob("nodes/*/node_postgresql_writer_effect/node.py"))
    assert {p.parent.parent.name for p in nodes} >= set(ids)
    assert 'onexgen_generations_total{kind="effect",status="succeeded"}' in metrics


def read_sse(server: Server, session_id: str) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    with (
        server.client() as client,
        client.stream("GET", f"/v1/sessions/{session_id}/events") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events


def check_stage_order(events: list[tuple[str, dict[str, Any]]]) -> None:
    stage_events = [payload for name, payload in events if name != "result"]
    assert [e["seq"] for e in stage_events] == list(range(1, len(stage_events) + 1))
    ends = [e["stage"] for e in stage_events if e["event"] != "stage_started"]
    assert ends == list(range(1, 10))
    for event in stage_events:
        if event["event"] in {"stage_completed", "stage_failed"}:
            starts = [
                e
                for e in stage_events
                if e["event"] == "stage_started" and e["stage"] == event["stage"]
            ]
            assert starts
            assert starts[0]["seq"] < event["seq"]
    assert events[-1][0] == "result"


def test_sse_clients_see_every_stage_event_in_order(server: Server) -> None:
    with server.client() as client:
        accepted = client.post("/v1/generate", json={"prompt": PROMPT, "validation": "basic"})
    session_id = accepted.json()["session_id"]
    live = read_sse(server, session_id)
    check_stage_order(live)
    assert live[-1][1]["status"] == "succeeded"
    # A client that comes later replays the same events from the database.
    with server.client() as client:
        recorded = wait_final(client, session_id)
    replay = read_sse(server, session_id)
    check_stage_order(replay)
    assert [e["seq"] for e in recorded["events"]] == [p["seq"] for n, p in replay if n != "result"]


def test_archives_hold_exactly_the_recorded_files(server: Server) -> None:
    with server.client() as client:
        session_id = client.post(
            "/v1/generate", json={"prompt": PROMPT, "validation": "none"}
        ).json()["session_id"]
        wait_final(client, session_id)
        node = next(server.data_dir.glob(f"nodes/{session_id}/node_*"))
        on_disk = {
            f"{node.name}/{p.relative_to(node).as_posix()}": p.read_bytes()
            for p in node.rglob("*")
            if p.is_file()
        }
        tgz = client.get(f"/v1/sessions/{session_id}/archive")
        assert tgz.status_code == 200
        with tarfile.open(fileobj=io.BytesIO(tgz.content), mode="r:gz") as archive:
            from_tar = {
                m.name: archive.extractfile(m).read()  # type: ignore[union-attr]
                for m in archive.getmembers()
                if m.isfile()
            }
        zipped = client.get(f"/v1/sessions/{session_id}/archive", params={"format": "zip"})
        with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
            from_zip = {name: archive.read(name) for name in archive.namelist()}
        # A node uploaded for validation is checked with the real validator.
        checked = client.post(
            "/v1/validate", files={"archive": ("node.tar.gz", tgz.content, "application/gzip")}
        )
    assert from_tar == on_disk
    assert from_zip == on_disk
    assert checked.status_code == 200, checked.text
    assert checked.json()["passed"] is True
    assert not any((server.data_dir / "uploads").iterdir())


def _tar(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            archive.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def _file(name: str, data: bytes = b"x = 1\n") -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, b""


def _zip_symlink() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("node/ok.py", b"x = 1\n")
        link = zipfile.ZipInfo("node/passwd")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, b"/etc/passwd")
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("node/big.py", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("label", "payload", "reason"),
    [
        ("traversal", lambda: _tar(_file("node/ok.py"), _file("../escaped.py")), "segment"),
        ("absolute", lambda: _tar(_file("/tmp/onexgen-absolute.py")), "not a relative"),
        ("symlink", lambda: _tar(_file("a/b.py"), _link("a/l", "/etc", tarfile.SYMTYPE)), "link"),
        ("hardlink", lambda: _tar(_file("a/b.py"), _link("a/h", "/x", tarfile.LNKTYPE)), "link"),
        ("zip symlink", _zip_symlink, "link"),
        ("zip bomb", _zip_bomb, "bomb"),
        ("not an archive", lambda: b"hello, not an archive", "not a .tar.gz"),
    ],
)  # fmt: skip
def test_malicious_archives_are_refused_and_nothing_is_written(
    server: Server, label: str, payload: Any, reason: str, tmp_path: Path
) -> None:
    with server.client() as client:
        answer = client.post(
            "/v1/validate", files={"archive": ("node.tar.gz", payload(), "application/gzip")}
        )
    assert answer.status_code == 400, (label, answer.text)
    assert reason in answer.json()["detail"], answer.json()
    uploads = server.data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    assert not (server.data_dir / "escaped.py").exists()
    assert not os.path.exists("/tmp/onexgen-absolute.py")


def test_sigkill_mid_run_leaves_the_session_interrupted_after_restart(
    tmp_path: Path, postgres_cluster: PostgresCluster | None
) -> None:
    urls = [f"sqlite:///{tmp_path / 'h.sqlite3'}"]
    if postgres_cluster is not None:
        urls.append(postgres_cluster.create_database(f"k_{uuid.uuid4().hex[:12]}"))
    for n, url in enumerate(urls):
        data_dir = tmp_path / f"data{n}"
        first = start_server(data_dir, url)
        try:
            with first.client() as client:
                session_id = client.post(
                    "/v1/generate", json={"prompt": PROMPT, "validation": "strict"}
                ).json()["session_id"]
                deadline = time.monotonic() + 60
                while True:  # kill once stage 1 is recorded and the run is still going
                    body = client.get(f"/v1/sessions/{session_id}").json()
                    done = [e for e in body["events"] if e["event"] == "stage_completed"]
                    if body["status"] == "running" and done:
                        break
                    assert body["status"] in {"queued", "running"}, body["status"]
                    assert time.monotonic() < deadline
                    time.sleep(0.02)
        finally:
            os.killpg(first.process.pid, signal.SIGKILL)  # the service and its tool processes
            first.process.wait(timeout=30)
            if first.process.stderr:
                first.process.stderr.close()
        second = start_server(data_dir, url, port=first.port)
        try:
            with second.client() as client:
                body = client.get(f"/v1/sessions/{session_id}").json()
        finally:
            stop_server(second)
        assert body["status"] == "interrupted", body["status"]
        assert body["last_stage"] is not None
        assert body["last_stage"] >= 1
        assert any("interrupted" in e for e in body["errors"])


def test_requirements_and_contract_requests_like_the_cli(server: Server) -> None:
    import yaml

    from onexgen.parsing.errors import MAX_PROMPT_CHARS

    repo = Path(__file__).resolve().parents[2]
    requirements = yaml.safe_load(
        (repo / "examples" / "order_writer.requirements.yaml").read_text()
    )
    with server.client() as client:
        first = client.post(
            "/v1/generate", json={"requirements": requirements, "validation": "none"}
        )
        assert first.status_code == 202, first.text
        done = wait_final(client, first.json()["session_id"])
        assert done["status"] == "succeeded", done["errors"]
        assert done["node_name"] == "OrderWriter"
        assert done["request_kind"] == "requirements"
        node = next(server.data_dir.glob(f"nodes/{done['id']}/node_*"))
        contract = (node / "contract.yaml").read_text(encoding="utf-8")
        again = client.post("/v1/generate", json={"contract": contract, "validation": "none"})
        regenerated = wait_final(client, again.json()["session_id"])
        assert regenerated["status"] == "succeeded", regenerated["errors"]
        assert regenerated["request_kind"] == "contract"
        broken = client.post("/v1/generate", json={"requirements": {"node_type": "nonsense"}})
        failed = wait_final(client, broken.json()["session_id"])
        long_prompt = client.post("/v1/generate", json={"prompt": "x" * (MAX_PROMPT_CHARS + 1)})
    assert failed["status"] == "failed"
    assert failed["errors"]
    assert "Traceback" not in " ".join(failed["errors"])
    assert long_prompt.status_code == 422
    assert not any((server.data_dir / "requests").iterdir())  # request files are removed


def test_a_full_queue_refuses_with_503_and_leaves_no_waiting_session(tmp_path: Path) -> None:
    server = start_server(
        tmp_path / "d", f"sqlite:///{tmp_path / 'h.sqlite3'}", None, "--queue-limit", "1"
    )
    try:
        with server.client() as client:
            answers = [
                client.post("/v1/generate", json={"prompt": PROMPT, "validation": "strict"})
                for _ in range(6)
            ]
            refused = [a for a in answers if a.status_code == 503]
            assert refused, [a.status_code for a in answers]
            assert "retry later" in refused[0].json()["detail"]
            failed = client.get("/v1/sessions", params={"status": "failed"}).json()
    finally:
        stop_server(server)
    assert failed["total"] == len(refused)
    assert all(s["status"] == "failed" for s in failed["sessions"])


# -- broker mode: serve --kafka-servers, generations on `onexgen worker` processes ----------------


def _without_manifest_identity(files: dict[str, bytes]) -> dict[str, bytes]:
    """The node's files with the manifest's per-run lines (time, session id) left out."""
    found = {}
    for name, data in files.items():
        found[name] = data
        if name.endswith("node.manifest.yaml"):
            found[name] = b"\n".join(
                line
                for line in data.splitlines()
                if not line.startswith((b"generated_at:", b"correlation_id:"))
            )
    return found


def _archived_tree(node: Path) -> dict[str, bytes]:
    """A node folder's files under the names its archive gives them (``<package>/<path>``)."""
    return {
        f"{node.name}/{p.relative_to(node).as_posix()}": p.read_bytes()
        for p in node.rglob("*")
        if p.is_file()
    }


def test_broker_mode_runs_on_workers_with_live_events_and_an_identical_archive(
    broker: Broker, start_worker: StartWorker, tmp_path: Path
) -> None:
    from onexgen.bus.local import run_onexgen

    worker = start_worker(broker.servers)
    worker.wait_ready()
    server = start_server(
        tmp_path / "data", f"sqlite:///{tmp_path / 'h.sqlite3'}", None,
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    try:
        health = httpx.get(f"{server.base}/health").json()
        assert health["broker"] == "ok", health
        with server.client() as client:
            accepted = client.post("/v1/generate", json={"prompt": PROMPT, "validation": "none"})
            assert accepted.status_code == 202, accepted.text
            session_id = accepted.json()["session_id"]
            live = read_sse(server, session_id)
            final = wait_final(client, session_id)
            tgz = client.get(f"/v1/sessions/{session_id}/archive")
            # Requirements and contract requests travel to the worker as files, as from the CLI.
            requirements = yaml.safe_load(
                (
                    Path(__file__).resolve().parents[2]
                    / "examples"
                    / "order_writer.requirements.yaml"
                ).read_text(encoding="utf-8")
            )
            first = client.post(
                "/v1/generate", json={"requirements": requirements, "validation": "none"}
            )
            from_requirements = wait_final(client, first.json()["session_id"])
            contract = (Path(from_requirements["node_path"]) / "contract.yaml").read_text(
                encoding="utf-8"
            )
            again = client.post("/v1/generate", json={"contract": contract, "validation": "none"})
            from_contract = wait_final(client, again.json()["session_id"])
        replay = read_sse(server, session_id)
    finally:
        stop_server(server)
    assert from_requirements["status"] == "succeeded", from_requirements["errors"]
    assert from_requirements["node_name"] == "OrderWriter"
    assert from_contract["status"] == "succeeded", from_contract["errors"]
    assert from_contract["request_kind"] == "contract"
    assert not any((tmp_path / "data" / "requests").iterdir())  # request files are removed
    # Every stage event of the worker's run came back through the status topic, in order.
    check_stage_order(live)
    check_stage_order(replay)
    assert live[-1][1]["status"] == "succeeded", live[-1]
    assert final["status"] == "succeeded", final
    assert final["source"] == "service"
    assert final["last_stage"] == 9
    assert [e["seq"] for e in final["events"]] == [p["seq"] for n, p in live if n != "result"]
    # The node was written below the data dir and recorded with its digests.
    node = Path(final["node_path"])
    assert node.parent == tmp_path / "data" / "nodes" / session_id
    on_disk = _archived_tree(node)
    assert tgz.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(tgz.content), mode="r:gz") as archive:
        from_tar = {
            m.name: archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive.getmembers()
            if m.isfile()
        }
    assert from_tar == on_disk
    # ... and it is the node a local generation writes, byte for byte (manifest identity aside).
    local = run_onexgen(
        "generate", PROMPT, "-o", str(tmp_path / "local"), "--validation", "none", "--no-history"
    )
    assert local.returncode == 0, local.stderr
    local_files = _archived_tree(tmp_path / "local" / node.name)
    assert _without_manifest_identity(from_tar) == _without_manifest_identity(local_files)
    # The worker ran it: the worker process recorded the same session in its own history.
    shown = run_onexgen("show", session_id, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["source"] == "worker"


def test_broker_down_health_says_so_and_generate_refuses_at_once(
    broker: Broker, start_worker: StartWorker, tmp_path: Path
) -> None:
    server = start_server(
        tmp_path / "data", f"sqlite:///{tmp_path / 'h.sqlite3'}", None,
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    try:
        assert httpx.get(f"{server.base}/health").json()["broker"] == "ok"
        broker.kill()
        deadline = time.monotonic() + 20
        while (health := httpx.get(f"{server.base}/health", timeout=5)).status_code != 503:
            assert time.monotonic() < deadline, health.json()
            time.sleep(0.2)
        assert health.json()["status"] == "degraded"
        assert health.json()["broker"].startswith("unreachable"), health.json()
        assert health.json()["database"] == "ok"
        with server.client() as client:
            began = time.monotonic()
            refused = client.post("/v1/generate", json={"prompt": PROMPT, "validation": "none"})
            took = time.monotonic() - began
            assert refused.status_code == 503, refused.text
            assert "Kafka broker" in refused.json()["detail"]
            assert "retry" in refused.json()["detail"]
            assert took < 2.0, took
            # Refused before anything was recorded: no session waits for a broker.
            assert client.get("/v1/sessions").json()["total"] == 0
        # The broker comes back (same address): the service reconnects by itself.
        broker.start()
        deadline = time.monotonic() + 30
        while (health := httpx.get(f"{server.base}/health", timeout=5)).status_code != 200:
            assert time.monotonic() < deadline, health.json()
            time.sleep(0.2)
        assert health.json()["broker"] == "ok"
        # ... and generations run again, on a worker of the restarted broker.
        start_worker(broker.servers).wait_ready()
        with server.client() as client:
            accepted = client.post("/v1/generate", json={"prompt": PROMPT, "validation": "none"})
            assert accepted.status_code == 202, accepted.text
            final = wait_final(client, accepted.json()["session_id"])
        assert final["status"] == "succeeded", final
    finally:
        stop_server(server)


def test_serve_starts_with_its_broker_down_and_says_so(tmp_path: Path) -> None:
    dead = f"127.0.0.1:{_free_port()}"
    server = start_server(
        tmp_path / "data", f"sqlite:///{tmp_path / 'h.sqlite3'}", None,
        "--kafka-servers", dead, healthy=False,
    )  # fmt: skip
    try:
        health = httpx.get(f"{server.base}/health").json()
        with server.client() as client:
            refused = client.post("/v1/generate", json={"prompt": PROMPT})
    finally:
        stop_server(server)
    assert health["broker"].startswith("unreachable"), health
    assert dead in health["broker"]
    assert refused.status_code == 503
    assert dead in refused.json()["detail"]


def test_broker_mode_without_workers_fails_the_session_with_one_clear_line(
    broker: Broker, tmp_path: Path
) -> None:
    server = start_server(
        tmp_path / "data", f"sqlite:///{tmp_path / 'h.sqlite3'}", None,
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    try:
        with server.client() as client:
            accepted = client.post(
                "/v1/generate", json={"prompt": PROMPT, "validation": "none", "timeout": 2}
            )
            assert accepted.status_code == 202, accepted.text
            session_id = accepted.json()["session_id"]
            events = read_sse(server, session_id)
            final = wait_final(client, session_id)
    finally:
        stop_server(server)
    name, result = events[-1]
    assert name == "result"
    assert result["status"] == "failed"
    assert "no worker answered within 2 s" in result["errors"][0], result
    assert final["status"] == "failed"
    assert "is `onexgen worker` running?" in final["errors"][0], final


def test_broker_lost_mid_run_fails_the_session_with_one_clear_line(
    broker: Broker, start_worker: StartWorker, tmp_path: Path
) -> None:
    start_worker(broker.servers).wait_ready()
    server = start_server(
        tmp_path / "data", f"sqlite:///{tmp_path / 'h.sqlite3'}", None,
        "--kafka-servers", broker.servers,
    )  # fmt: skip
    try:
        with server.client() as client:
            accepted = client.post("/v1/generate", json={"prompt": PROMPT, "validation": "strict"})
            assert accepted.status_code == 202, accepted.text
            session_id = accepted.json()["session_id"]
            deadline = time.monotonic() + 60
            while not client.get(f"/v1/sessions/{session_id}").json()["events"]:
                assert time.monotonic() < deadline, "the worker never started the run"
                time.sleep(0.05)
            broker.kill()  # strict validation takes seconds: the run is still on the worker
            final = wait_final(client, session_id, limit=30)
    finally:
        stop_server(server)
    assert final["status"] == "failed", final
    assert "lost the connection to the Kafka broker" in final["errors"][0], final
