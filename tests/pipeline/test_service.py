"""CodeGenerationService: nine real stages, progress, atomicity, failure handling, determinism."""

from __future__ import annotations

import ast
import asyncio
import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml

from onexgen.models import EnumNodeKind, ModelPRDRequirements
from onexgen.models.generation import (
    EnumPipelineStage,
    EnumStageStatus,
    ModelGenerationResult,
    ModelProgressEvent,
    ModelStageCompleted,
    ModelStageSkipped,
    ModelStageStarted,
)
from onexgen.pipeline import CodeGenerationService
from onexgen.writing import MANIFEST_FILE_NAME, STAGING_PREFIX

PROMPT = "Create EFFECT node for PostgreSQL writes with connection pooling and retry logic"


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(service: CodeGenerationService, out: Path, **options: Any) -> ModelGenerationResult:
    options.setdefault("prompt", PROMPT)
    options.setdefault("validation_level", "none")
    return service.generate_node_sync(None, out, **options)


def test_events_cover_nine_stages_in_order_with_one_correlation_id(tmp_path: Path) -> None:
    service = CodeGenerationService()
    events: list[ModelProgressEvent] = []
    service.subscribe(events.append)
    result = run(service, tmp_path, validation_level="basic")
    assert result.success, result.errors

    assert {e.correlation_id for e in events} == {result.correlation_id}
    order = [(e.event, e.stage.value) for e in events]
    assert order[:10] == [
        (kind, n) for n in range(1, 6) for kind in ("stage_started", "stage_completed")
    ]
    assert [n for _, n in order] == sorted(n for _, n in order)  # never out of stage order
    assert [t.number for t in result.stage_timings] == list(range(1, 10))
    assert result.timing(EnumPipelineStage.VALIDATION) is not None
    validation = result.timing(EnumPipelineStage.VALIDATION)
    assert validation is not None
    assert validation.status is EnumStageStatus.COMPLETED
    assert result.quality_score is not None
    assert result.validation is not None
    assert result.validation.level.value == "basic"
    completed = [e for e in events if isinstance(e, ModelStageCompleted)]
    timings = {t.number: t.duration_ms for t in result.stage_timings}
    assert all(timings[e.stage.value] == e.duration_ms for e in completed)
    assert result.total_duration_ms >= sum(timings.values()) - 1.0


def test_validation_none_skips_6_and_7_and_still_writes_manifest(tmp_path: Path) -> None:
    service = CodeGenerationService()
    events: list[ModelProgressEvent] = []
    service.subscribe(events.append)
    result = run(service, tmp_path)
    assert result.success
    skipped = [e.stage.value for e in events if isinstance(e, ModelStageSkipped)]
    assert skipped == [6, 7]
    assert result.node_path is not None
    manifest = yaml.safe_load((result.node_path / MANIFEST_FILE_NAME).read_text())
    assert UUID(manifest["correlation_id"]) == result.correlation_id
    listed = {entry["path"] for entry in manifest["files"]}
    assert listed == set(result.files) - {MANIFEST_FILE_NAME}
    assert manifest["prompt"] == PROMPT


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(CodeGenerationService(), out, dry_run=True)
    assert result.success
    assert result.dry_run
    assert not out.exists()
    assert result.contract_yaml is not None
    assert "handler_routing" in result.contract_yaml
    assert [t.status for t in result.stage_timings][5:] == [EnumStageStatus.SKIPPED] * 4


def test_requirements_model_input_is_normalised_and_classified(tmp_path: Path) -> None:
    requirements = ModelPRDRequirements(
        node_type=EnumNodeKind.REDUCER,
        node_name="MerchantTotals",
        service_name="merchant_totals",
        domain="payments",
        business_description="Sum the amounts of payment events per merchant per day",
        operations=("aggregate",),
    )
    result = CodeGenerationService().generate_node_sync(
        requirements, tmp_path, validation_level="none"
    )
    assert result.success, result.errors
    assert result.node_type is EnumNodeKind.REDUCER
    assert result.package_name == "node_merchant_totals_reducer"


def test_conflicting_inputs_fail_in_stage_1(tmp_path: Path) -> None:
    result = CodeGenerationService().generate_node_sync(
        None, tmp_path / "out", validation_level="none"
    )
    assert not result.success
    assert result.errors[0].startswith("stage 1 (Prompt Parsing): nothing to generate")
    assert not (tmp_path / "out").exists()


def test_stated_name_onex_rejects_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    result = run(
        CodeGenerationService(),
        tmp_path / "out",
        prompt="Create EFFECT node called SessionManager that stores sessions in Redis",
    )
    assert not result.success
    assert "'Manager'" in result.errors[0]
    assert "'SessionClient'" in result.errors[0]
    assert not (tmp_path / "out").exists()


def test_disk_full_mid_write_keeps_old_node(tmp_path: Path) -> None:
    first = run(CodeGenerationService(), tmp_path)
    assert first.node_path is not None
    before = snapshot(first.node_path)
    written: list[str] = []

    def disk_fills_up(rel: str) -> None:
        written.append(rel)
        if len(written) > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), rel)

    result = run(CodeGenerationService(before_file_write=disk_fills_up), tmp_path, force=True)
    assert not result.success
    assert "ENOSPC" in result.errors[0]
    assert result.errors[0].startswith("stage 8 (File Writing)")
    assert snapshot(first.node_path) == before
    assert os.listdir(tmp_path) == [first.node_path.name]
    assert result.node_path is None
    assert result.files == ()


def test_cancellation_before_commit_rolls_back(tmp_path: Path) -> None:
    first = run(CodeGenerationService(), tmp_path)
    assert first.node_path is not None
    (first.node_path / "node.py").write_text("# old\n")
    before = snapshot(first.node_path)
    reached = asyncio.Event()

    async def stall(staging: Path) -> None:
        assert staging.parent.name.startswith(STAGING_PREFIX)
        reached.set()
        await asyncio.sleep(60)

    async def scenario() -> None:
        service = CodeGenerationService(before_commit=stall)
        task = asyncio.create_task(
            service.generate_node(
                None,
                tmp_path,
                prompt=PROMPT,
                force=True,
                overwrite_edits=True,  # node.py was edited above
                validation_level="none",
            )
        )
        await asyncio.wait_for(reached.wait(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert snapshot(first.node_path) == before
    assert os.listdir(tmp_path) == [first.node_path.name]


def test_timeout_fails_cleanly_and_writes_nothing(tmp_path: Path) -> None:
    async def stall(staging: Path) -> None:
        await asyncio.sleep(60)

    result = run(CodeGenerationService(before_commit=stall), tmp_path / "out", timeout=0.5)
    assert not result.success
    assert "timed out after 0.5 s in stage 8 (File Writing)" in result.errors[0]
    failed = result.timing(EnumPipelineStage.FILE_WRITING)
    assert failed is not None
    assert failed.status is EnumStageStatus.FAILED
    assert not (tmp_path / "out").exists()  # not even the directory it created


def test_broken_subscriber_does_not_break_generation(tmp_path: Path) -> None:
    service = CodeGenerationService()
    started: list[ModelProgressEvent] = []

    def broken(event: ModelProgressEvent) -> None:
        raise RuntimeError("no display")

    service.subscribe(broken)
    service.subscribe(lambda e: started.append(e) if isinstance(e, ModelStageStarted) else None)
    result = run(service, tmp_path)
    assert result.success
    assert len(started) == 7  # stages 6 and 7 skipped at level none
    assert any("no display" in w for w in result.warnings)


def test_same_prompt_twice_is_byte_identical_apart_from_manifest(tmp_path: Path) -> None:
    a = run(CodeGenerationService(), tmp_path / "a")
    b = run(CodeGenerationService(), tmp_path / "b")
    assert a.node_path is not None
    assert b.node_path is not None
    first, second = snapshot(a.node_path), snapshot(b.node_path)
    manifest_a = yaml.safe_load(first.pop(MANIFEST_FILE_NAME))
    manifest_b = yaml.safe_load(second.pop(MANIFEST_FILE_NAME))
    assert first == second
    for volatile in ("correlation_id", "generated_at"):
        manifest_a.pop(volatile)
        manifest_b.pop(volatile)
    assert manifest_a == manifest_b


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "from onexgen.pipeline import CodeGenerationService\n"
        "r = CodeGenerationService().generate_node_sync(None, Path(sys.argv[1]),"
        " prompt=sys.argv[2], validation_level='none')\n"
        "sys.exit(0 if r.success else 1)\n"
    )
    prompt = (
        "Create a Redis caching node with connection pooling, TTL, a circuit breaker and metrics"
    )
    results = []
    for seed in ("1", "4242"):
        out = tmp_path / seed
        subprocess.run(
            [sys.executable, "-c", script, str(out), prompt],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        (node,) = out.iterdir()
        files = snapshot(node)
        files.pop(MANIFEST_FILE_NAME)
        results.append(files)
    assert results[0] == results[1]


HOSTILE_SUFFIXES = [
    "with quotes ' \" and triple quotes ''' \"\"\" inside",
    "that stores {{ 7*7 }} and {% for x in y %}{{ x }}{% endfor %} and {# c #}",
    "with backslashes \\ \\n \\x00 \\u2603 and a trailing backslash \\",
    "across\nseveral\nlines\r\nwith\ttabs",
    "with a NUL \x00 byte and bell \x07",
    "for caf\u00e9 \u2603 \U0001f600 \u202e\u00e9tats-unis and \u0130stanbul",
    "named class def import lambda None True 123abc",
    "writing ../../etc/passwd and /absolute/path and ..\\windows",
    "`rm -rf /` $(touch /tmp/onexgen-pwned) ; echo pwned && exit 1",
    "key: value\n- item\n--- !!python/object/apply:os.system ['id'] &a *a",
    "x " * 1500,
]


@pytest.mark.parametrize("suffix", HOSTILE_SUFFIXES)
def test_hostile_prompts_never_break_or_escape(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / "out"
    prompt = f"Create EFFECT node for PostgreSQL writes {suffix}"
    result = run(CodeGenerationService(), out, prompt=prompt)
    if not result.success:
        # stage 1 may refuse a prompt, in one clean line and without writing anything
        assert len(result.errors) == 1
        assert result.errors[0].startswith("stage 1 (Prompt Parsing): ")
        assert "\n" not in result.errors[0]
        assert not out.exists()
        pytest.skip(f"refused: {result.errors[0]}")
    assert result.node_path is not None
    assert sorted(os.listdir(out)) == [result.node_path.name]
    assert not Path("/tmp/onexgen-pwned").exists()
    for rel, data in snapshot(result.node_path).items():
        text = data.decode("utf-8")
        if rel.endswith(".py"):
            ast.parse(text, filename=rel)
        elif rel.endswith((".yaml", ".yml")):
            yaml.safe_load(text)
        if "7*7" in prompt and rel != MANIFEST_FILE_NAME:
            assert "49" not in text, f"{rel}: a template expression from the prompt was evaluated"


FAILING_TEST_TEMPLATE = '''"""Unit tests of {{ n.handler_class }} (overridden: one fails)."""


def test_handler_is_broken() -> None:
    """A failing test, so that strict mode has something to roll back."""
    assert "{{ n.handler_class }}" == "something else"
'''


@pytest.mark.slow
def test_strict_mode_rolls_back_when_the_node_tests_fail(tmp_path: Path) -> None:
    first = run(CodeGenerationService(), tmp_path)
    assert first.node_path is not None
    before = snapshot(first.node_path)
    templates = tmp_path / "templates"
    (templates / "shared").mkdir(parents=True)
    (templates / "shared" / "test_handler.py.j2").write_text(FAILING_TEST_TEMPLATE)

    loose = run(
        CodeGenerationService(),
        tmp_path / "loose",
        templates_dir=templates,
        run_tests=True,
    )
    assert loose.success  # without strict mode a failing test is a warning
    assert loose.test_results is not None
    assert loose.test_results.failed == 1
    assert any("tests failed" in w for w in loose.warnings)

    strict = run(
        CodeGenerationService(),
        tmp_path,
        force=True,
        templates_dir=templates,
        run_tests=True,
        strict_mode=True,
    )
    assert not strict.success
    assert "strict mode restored the previous state" in strict.errors[0]
    assert strict.test_results is not None
    assert strict.test_results.failed == 1
    assert snapshot(first.node_path) == before
    assert sorted(os.listdir(tmp_path)) == sorted([first.node_path.name, "loose", "templates"])


@pytest.mark.slow
def test_standard_level_refines_the_staged_node_before_writing(tmp_path: Path) -> None:
    service = CodeGenerationService()
    events: list[ModelProgressEvent] = []
    service.subscribe(events.append)
    result = run(service, tmp_path, validation_level="standard")
    assert result.success, result.errors
    refinement = result.timing(EnumPipelineStage.REFINEMENT)
    assert refinement is not None
    assert result.validation is not None
    if refinement.status is EnumStageStatus.SKIPPED:
        assert not result.validation.issues  # only a spotless node skips stage 7 here
        return
    assert result.refinement is not None
    assert result.validation == result.refinement.after
    assert result.refinement.after.quality_score >= result.refinement.before.quality_score
    assert result.quality_score == result.refinement.after.quality_score
    # the refined files are what was written, and the manifest describes them
    assert result.node_path is not None
    manifest = yaml.safe_load((result.node_path / MANIFEST_FILE_NAME).read_text())
    for entry in manifest["files"]:
        data = (result.node_path / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
    assert not any(p.name == "__pycache__" for p in result.node_path.rglob("*"))
