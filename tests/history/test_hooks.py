"""The run hooks see every run start and end with every option it ran with (no drift)."""

from __future__ import annotations

import asyncio
import inspect
from typing import TYPE_CHECKING
from uuid import uuid4

import pytest

from onexgen.pipeline.hooks import NOT_OPTIONS, RECORDED_NAMES, RunRequest
from onexgen.pipeline.service import CodeGenerationService

if TYPE_CHECKING:
    from pathlib import Path
    from uuid import UUID

    from onexgen.models.generation import ModelGenerationResult


class Collector:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def run_started(self, request: RunRequest) -> None:
        self.calls.append(("started", request))

    def run_files(self, correlation_id: UUID, files: tuple[tuple[str, str], ...]) -> None:
        self.calls.append(("files", files))

    def run_finished(self, correlation_id: UUID, result: ModelGenerationResult) -> None:
        self.calls.append(("finished", result))

    def run_aborted(self, correlation_id: UUID, error: BaseException) -> None:
        self.calls.append(("aborted", error))


def test_every_parameter_of_generate_node_is_recorded_as_an_option(tmp_path: Path) -> None:
    hooks = Collector()
    service = CodeGenerationService(hooks=hooks)
    run_id = uuid4()
    result = asyncio.run(
        service.generate_node(
            prompt="Create EFFECT node for PostgreSQL writes",
            output_directory=tmp_path / "out",
            validation_level="none",
            correlation_id=run_id,
            module_prefix="pkg.nodes",
        )
    )
    assert result.success, result.errors
    kinds = [kind for kind, _ in hooks.calls]
    assert kinds[0] == "started"
    assert kinds[-1] == "finished"
    assert "files" in kinds
    started = hooks.calls[0][1]
    assert isinstance(started, RunRequest)
    assert started.correlation_id == run_id
    parameters = inspect.signature(CodeGenerationService.generate_node).parameters
    expected = {RECORDED_NAMES.get(name, name) for name in parameters if name not in NOT_OPTIONS}
    assert set(started.options) == expected
    assert started.options["output_dir"] == str((tmp_path / "out").absolute())
    assert started.options["validation"] == "none"
    assert started.options["module_prefix"] == "pkg.nodes"
    assert hooks.calls[-1][1] is result


def test_a_cancelled_run_is_reported_aborted(tmp_path: Path) -> None:
    hooks = Collector()

    async def paused(_staging: Path) -> None:
        await asyncio.sleep(30)

    service = CodeGenerationService(hooks=hooks, before_commit=paused)

    async def run() -> None:
        task = asyncio.create_task(
            service.generate_node(
                prompt="Create EFFECT node for PostgreSQL writes",
                output_directory=tmp_path / "out",
                validation_level="none",
            )
        )
        while not any(kind == "files" for kind, _ in hooks.calls):
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert hooks.calls[-1][0] == "aborted"
    assert isinstance(hooks.calls[-1][1], asyncio.CancelledError)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
