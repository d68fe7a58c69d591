"""``onexgen generate``: options, output shapes, exit codes, and crash safety of a real process."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from onexgen.cli.app import app
from onexgen.cli.generate_cmd import HOLD_ENV
from onexgen.process_control import wait_until
from onexgen.writing import MANIFEST_FILE_NAME, STAGING_PREFIX

PROMPT = "Create EFFECT node for PostgreSQL writes with connection pooling and retry logic"
ONEXGEN = Path(sys.executable).parent / "onexgen"
GENERATE_FORCE = [str(ONEXGEN), "generate", PROMPT, "--validation", "none", "--force"]
GENERATE_FORCE.append("--overwrite-edits")  # the old nodes of these tests were edited by hand
runner = CliRunner()


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def generate(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["generate", *args])
    return result.exit_code, result.stdout, result.stderr


def generate_json(out: Path, *args: str) -> dict[str, object]:
    code, stdout, stderr = generate(PROMPT, "-o", str(out), "--json", *args)
    assert code == 0, stderr + stdout
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


# -- usage errors: exit 2 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["   "],
        [PROMPT, "--requirements", "pyproject.toml"],
        [PROMPT, "--validation", "paranoid"],
        [PROMPT, "--node-type", "transformer"],
        ["--requirements", "does/not/exist.yaml"],
        [PROMPT, "--timeout", "-1"],
        [PROMPT, "--no-such-option"],
    ],
)
def test_usage_errors_exit_2_and_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    code, _, stderr = generate(*args, "-o", str(tmp_path / "out"))
    assert code == 2, stderr
    assert not (tmp_path / "out").exists()


# -- success paths ------------------------------------------------------------------------------


def test_json_result_lists_node_path_and_files_that_exist(tmp_path: Path) -> None:
    data = generate_json(tmp_path / "out", "--validation", "none")
    assert data["success"] is True
    node_path = Path(str(data["node_path"]))
    assert node_path.parent == (tmp_path / "out").resolve()
    assert node_path.name == data["package_name"]
    files = data["files"]
    assert isinstance(files, list)
    assert sorted(files) == sorted(snapshot(node_path))
    assert MANIFEST_FILE_NAME in files
    assert "contract.yaml" in files
    assert data["node_type"] == "effect"
    timings = data["stage_timings"]
    assert isinstance(timings, list)
    assert [t["number"] for t in timings] == list(range(1, 10))
    assert [t["status"] for t in timings][5:7] == ["skipped", "skipped"]
    assert isinstance(data["correlation_id"], str)
    manifest = yaml.safe_load((node_path / MANIFEST_FILE_NAME).read_text())
    assert manifest["correlation_id"] == data["correlation_id"]


def test_plain_progress_lines_and_summary_when_not_a_terminal(tmp_path: Path) -> None:
    code, stdout, _ = generate(PROMPT, "-o", str(tmp_path), "--validation", "basic")
    assert code == 0
    lines = stdout.splitlines()
    stage_lines = [line for line in lines if line.startswith("[")]
    assert [line.split("]")[0] for line in stage_lines] == [f"[{n}/9" for n in range(1, 10)]
    assert "[1/9] Prompt Parsing: done in" in stage_lines[0]
    assert "[7/9] Refinement" in stage_lines[6]
    assert any("generated" in line and "quality" in line for line in lines)


def test_dry_run_shows_files_and_contract_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, _ = generate(PROMPT, "-o", str(out), "--dry-run")
    assert code == 0
    assert not out.exists()
    assert "would be written to" in stdout
    assert "contract.yaml" in stdout
    assert "node_type: EFFECT_GENERIC" in stdout
    code, stdout, _ = generate(PROMPT, "-o", str(out), "--dry-run", "--json")
    data = json.loads(stdout)
    assert data["dry_run"] is True
    assert "node_type: EFFECT_GENERIC" in data["contract_yaml"]
    assert MANIFEST_FILE_NAME in data["files"]
    assert not out.exists()


def test_existing_node_needs_force_then_is_replaced(tmp_path: Path) -> None:
    data = generate_json(tmp_path, "--validation", "none")
    node = Path(str(data["node_path"]))
    (node / "hand_written.txt").write_text("mine")
    before = snapshot(node)

    code, stdout, stderr = generate(PROMPT, "-o", str(tmp_path), "--validation", "none")
    assert code == 1
    errors = [line for line in stderr.splitlines() if line.strip()]
    assert len(errors) == 1, stderr
    assert "already exists" in errors[0]
    assert "--force" in errors[0]
    assert "Traceback" not in stderr + stdout
    assert snapshot(node) == before

    generate_json(tmp_path, "--validation", "none", "--force", "--overwrite-edits")
    assert not (node / "hand_written.txt").exists()
    assert sorted(os.listdir(tmp_path)) == [node.name]


def test_refused_prompt_is_one_line_exit_1(tmp_path: Path) -> None:
    code, stdout, stderr = generate("hello", "-o", str(tmp_path / "out"))
    assert code == 1
    assert "Traceback" not in stderr + stdout
    errors = [line for line in stderr.splitlines() if line.strip()]
    assert len(errors) == 1
    assert errors[0].startswith("onexgen: error: stage 1 (Prompt Parsing):")
    assert not (tmp_path / "out").exists()


def test_requirements_file_and_node_type_override(tmp_path: Path) -> None:
    spec = tmp_path / "req.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "node_type": "compute",
                "node_name": "PriceCalculator",
                "domain": "pricing",
                "business_description": "Calculate prices with tax and discounts",
                "operations": ["calculate"],
            }
        )
    )
    code, stdout, stderr = generate(
        "--requirements", str(spec), "-o", str(tmp_path / "out"), "--json", "--validation", "none"
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    assert data["node_type"] == "compute"
    assert data["node_name"] == "PriceCalculator"
    assert Path(str(data["node_path"])).is_dir()


def test_contract_file_regenerates_the_same_code(tmp_path: Path) -> None:
    first = generate_json(tmp_path / "a", "--validation", "none")
    node = Path(str(first["node_path"]))
    code, stdout, stderr = generate(
        "--contract",
        str(node / "contract.yaml"),
        "-o",
        str(tmp_path / "b"),
        "--json",
        "--validation",
        "none",
    )
    assert code == 0, stderr
    second = Path(str(json.loads(stdout)["node_path"]))
    assert second.name == node.name
    a, b = snapshot(node), snapshot(second)
    a.pop(MANIFEST_FILE_NAME)
    b.pop(MANIFEST_FILE_NAME)
    assert a == b


def test_timeout_is_a_clear_failure_and_writes_nothing(tmp_path: Path) -> None:
    code, _, stderr = generate(
        PROMPT, "-o", str(tmp_path / "out"), "--validation", "none", "--timeout", "0.001"
    )
    assert code == 1
    assert "timed out after 0.001 s" in stderr
    assert not (tmp_path / "out").exists()


# -- real processes: exit codes, Ctrl-C, kill -9 ------------------------------------------------


def start(out: Path, hold: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--validation", "none", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, HOLD_ENV: str(hold)},
    )


def wait_for(path: Path, proc: subprocess.Popen[str], limit: float = 60.0) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"onexgen exited early ({proc.returncode}): {out}{err}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("onexgen never reached the commit point")


def old_node(out: Path) -> tuple[Path, dict[str, bytes]]:
    proc = subprocess.run(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(out), "--validation", "none", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    node = Path(json.loads(proc.stdout)["node_path"])
    (node / "node.py").write_text("# the old version\n")
    (node / "old_only.txt").write_text("old")
    return node, snapshot(node)


def test_kill_9_between_staging_and_rename_leaves_old_node(tmp_path: Path) -> None:
    out = tmp_path / "out"
    node, before = old_node(out)
    hold = tmp_path / "hold"
    proc = start(out, hold, "--force", "--overwrite-edits")
    staging = Path(wait_for(hold, proc))
    assert staging.name == node.name
    assert staging.parent.parent == out.resolve()
    assert staging.parent.name.startswith(STAGING_PREFIX)
    assert (staging / MANIFEST_FILE_NAME).is_file()  # the new node is complete in staging
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(node) == before
    assert staging.parent.exists()  # a recognisable leftover...

    proc2 = subprocess.run(
        [*GENERATE_FORCE, "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc2.returncode == 0, proc2.stderr
    assert not staging.parent.exists()  # ...that the next run cleans up
    assert sorted(os.listdir(out)) == [node.name]
    assert not (node / "old_only.txt").exists()


def test_kill_9_of_first_generation_leaves_no_node(tmp_path: Path) -> None:
    out = tmp_path / "out"
    hold = tmp_path / "hold"
    proc = start(out, hold)
    wait_for(hold, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert [n for n in os.listdir(out) if not n.startswith(STAGING_PREFIX)] == []


def test_ctrl_c_exits_130_and_restores_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    node, before = old_node(out)
    hold = tmp_path / "hold"
    proc = start(out, hold, "--force", "--overwrite-edits")
    wait_for(hold, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    assert snapshot(node) == before
    assert sorted(os.listdir(out)) == [node.name]


def test_debug_shows_traceback_and_alias_works(tmp_path: Path) -> None:
    alias = Path(sys.executable).parent / "omninode-generate"
    proc = subprocess.run(
        [str(alias), "hello", "-o", str(tmp_path / "out"), "--debug"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr
    proc = subprocess.run(
        [str(alias), PROMPT, "-o", str(tmp_path / "out"), "--validation", "none", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["success"] is True


def test_hostile_contract_name_cannot_escape_the_output_dir(tmp_path: Path) -> None:
    first = generate_json(tmp_path / "a", "--validation", "none")
    contract = yaml.safe_load((Path(str(first["node_path"])) / "contract.yaml").read_text())
    contract["name"] = "../../escaped_effect"
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(yaml.safe_dump(contract))
    out = tmp_path / "deep" / "out"
    code, stdout, stderr = generate(
        "--contract", str(hostile), "-o", str(out), "--json", "--validation", "none"
    )
    assert "Traceback" not in stderr
    # either the name is sanitised into a package inside ``out`` or the run is refused
    outside = sorted(p.name for p in (tmp_path / "deep").iterdir())
    assert outside in ([], ["out"])
    assert not (tmp_path / "escaped_effect").exists()
    if code == 0:
        node_path = Path(str(json.loads(stdout)["node_path"]))
        assert node_path.parent == out.resolve()
    else:
        assert code == 1


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.6, 0.85, 0.95, 1.05])
def test_kill_9_at_any_moment_leaves_old_or_complete_new(tmp_path: Path, fraction: float) -> None:
    """Kill -9 at points spread over a real run: the node is the old one or the whole new one."""
    reference = tmp_path / "reference"
    began = time.monotonic()
    proc = subprocess.run(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(reference), "--validation", "none"],
        capture_output=True,
        text=True,
        check=True,
    )
    duration = time.monotonic() - began
    (new_node,) = reference.iterdir()
    new = snapshot(new_node)
    new.pop(MANIFEST_FILE_NAME)

    out = tmp_path / "out"
    node, old = old_node(out)
    running = subprocess.Popen(
        [*GENERATE_FORCE, "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(duration * fraction)
    running.send_signal(signal.SIGKILL)
    running.wait()

    now = snapshot(node)
    if now != old:
        manifest = now.pop(MANIFEST_FILE_NAME)
        assert now == new, "the node is neither the old one nor the complete new one"
        assert yaml.safe_load(manifest)["name"] == node.name
    assert [n for n in os.listdir(out) if not n.startswith(".onexgen-")] == [node.name]
    assert proc.returncode == 0


def test_live_view_on_a_terminal(tmp_path: Path) -> None:
    """On a TTY the nine stages are drawn by Rich's live view, then the summary."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(tmp_path), "--validation", "none"],
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    for title in ("Prompt Parsing", "Event Bus Integration", "File Writing", "Test Generation"):
        assert title in screen
    assert "\x1b[" in screen  # drawn with terminal control sequences, not plain lines
    assert "[1/9]" not in screen
    assert "generated node_postgresql_writer_effect" in screen


def child_pids(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found.update(int(p) for p in (task / "children").read_text().split())
    return found


def is_validation_tool(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return any(tool in command for tool in (b"mypy", b"pytest", b"onex\x00validate"))


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_ctrl_c_during_validation_leaves_no_tool_running(tmp_path: Path) -> None:
    """Validation tools run in their own sessions; Ctrl-C must not leave them behind."""
    proc = subprocess.Popen(
        [str(ONEXGEN), "generate", PROMPT, "-o", str(tmp_path / "out"), "--validation", "strict"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    tools: set[int] = set()
    deadline = time.monotonic() + 60
    while not tools and time.monotonic() < deadline and proc.poll() is None:
        tools = {pid for pid in child_pids(proc.pid) if is_validation_tool(pid)}
        time.sleep(0.01)
    assert tools, "the run never started a validation tool"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    # SIGKILLed tools finish exiting asynchronously: on a loaded machine tearing down a large
    # process (mypy) takes longer than a fixed 0.2 s, so poll for a bounded while instead.
    wait_until(lambda: not any(running(pid) for pid in tools), limit=10.0)
    assert [pid for pid in tools if running(pid)] == []
    assert not (tmp_path / "out" / "node_postgresql_writer_effect").exists()
