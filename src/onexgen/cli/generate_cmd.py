"""``onexgen generate``: one node from a prompt, a requirements file or a contract.

Heavy modules (the pipeline, omnibase_core via validation, Jinja2, Rich's live view) are imported
inside :func:`generate` so ``onexgen --help`` stays fast. Exit codes: 0 success, 1 failure (one
clear line; a traceback only with ``--debug``), 2 usage error, 130 Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onexgen.cli.llm_options import (
    EnableQuorumOpt,
    LLMModelOpt,
    QuorumModelsOpt,
    StrategyOpt,
    StrategyOption,
    StrictLLMOpt,
    engine_for,
    remote_only_llm_options,
)
from onexgen.cli.options import (
    DatabaseUrlOption,
    KafkaServersOption,
    NoHistoryOption,
    NoSandboxOption,
    TemplatesDirOption,
    apply_sandbox_flag,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine
    from uuid import UUID

    from rich.console import RenderableType
    from rich.live import Live

    from onexgen.llm.engine import StrategyEngine
    from onexgen.models.generation import (
        EnumPipelineStage,
        ModelGenerationResult,
        ModelProgressEvent,
    )
    from onexgen.writing.project import ModelOnexProject

HOLD_ENV = "ONEXGEN_HOLD_BEFORE_COMMIT"
"""Crash-safety test hook: when set to a file path, the run writes its staging path there just
before the final rename and waits until the file is deleted (tests kill the run meanwhile)."""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class NodeTypeOption(StrEnum):
    """Choices of ``--node-type``."""

    EFFECT = "effect"
    COMPUTE = "compute"
    REDUCER = "reducer"
    ORCHESTRATOR = "orchestrator"


class ValidationOption(StrEnum):
    """Choices of ``--validation``."""

    NONE = "none"
    BASIC = "basic"
    STANDARD = "standard"
    STRICT = "strict"


def generate(
    prompt: Annotated[
        str | None,
        typer.Argument(help="What to build, e.g. 'Create EFFECT node for PostgreSQL writes'."),
    ] = None,
    *,
    requirements: Annotated[
        Path | None,
        typer.Option(
            "--requirements",
            "-r",
            help="Generate from a requirements file (YAML or JSON) instead of a prompt.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    contract: Annotated[
        Path | None,
        typer.Option(
            "--contract",
            "-c",
            help="Generate the code for an existing contract.yaml.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-o",
            help="Directory that receives node_<name>_<kind>/ (default: the ONEX project's "
            "src/<pkg>/nodes/ when the current directory is one, else generated_nodes).",
        ),
    ] = None,
    project_root: Annotated[
        Path | None,
        typer.Option(
            "--project-root",
            help="ONEX project (made by `onex init`): place the node in src/<pkg>/nodes/ "
            "with references rooted at <pkg>.nodes, as `onex new node` does.",
            file_okay=False,
        ),
    ] = None,
    register: Annotated[
        bool,
        typer.Option(
            "--register",
            help="Add the node to the project's onex.nodes entry points (needs a project).",
        ),
    ] = False,
    node_type: Annotated[
        NodeTypeOption | None,
        typer.Option("--node-type", "-t", case_sensitive=False, help="Force the node kind."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Replace an existing node (atomically).")
    ] = False,
    overwrite_edits: Annotated[
        bool,
        typer.Option(
            "--overwrite-edits",
            help="With --force, also replace files edited by hand since generation (listed "
            "and asked about in a terminal, refused otherwise).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the files and contract; write nothing.")
    ] = False,
    validation: Annotated[
        ValidationOption,
        typer.Option(
            "--validation",
            case_sensitive=False,
            help="How much to check before writing: none, basic (fast), standard, strict.",
        ),
    ] = ValidationOption.BASIC,
    run_tests: Annotated[
        bool | None,
        typer.Option(
            "--run-tests/--no-run-tests",
            help="Run the node's own tests after writing (default: only with --validation "
            "strict, where a failure restores the previous state).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON (node_path, files, ...).")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Log details and show tracebacks.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.001, help="Give up after this many seconds."),
    ] = None,
    templates_dir: TemplatesDirOption = None,
    strategy: StrategyOpt = StrategyOption.AUTO,
    llm_model: LLMModelOpt = None,
    strict_llm: StrictLLMOpt = False,
    enable_quorum: EnableQuorumOpt = False,
    quorum_models: QuorumModelsOpt = None,
    kafka_servers: KafkaServersOption = None,
    no_sandbox: NoSandboxOption = False,
    no_history: NoHistoryOption = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Generate a complete ONEX node package (contract, code, tests, manifest)."""
    apply_sandbox_flag(no_sandbox)
    sources = [
        name
        for name, value in (
            ("PROMPT", prompt),
            ("--requirements", requirements),
            ("--contract", contract),
        )
        if value is not None
    ]
    if len(sources) != 1:
        what = "nothing" if not sources else " and ".join(sources)
        raise typer.BadParameter(
            f"give exactly one of PROMPT, --requirements FILE or --contract FILE (got {what})"
        )
    if prompt is not None and not prompt.strip():
        raise typer.BadParameter("PROMPT is empty; describe the node to generate")
    if kafka_servers is not None and templates_dir is not None:
        raise typer.BadParameter("--templates-dir cannot be used with --kafka-servers")
    if debug:
        logging.basicConfig(
            level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
        )
    remote_only_llm_options(
        kafka_servers,
        llm_model=llm_model,
        strict_llm=strict_llm,
        enable_quorum=enable_quorum,
        quorum_models=quorum_models,
    )
    # Remote: the workers resolve --strategy against their own model configuration.
    engine = (
        None
        if kafka_servers is not None
        else engine_for(
            strategy,
            llm_model=llm_model,
            strict_llm=strict_llm,
            enable_quorum=enable_quorum,
            quorum_models=quorum_models,
        )
    )
    strict = validation is ValidationOption.STRICT
    want_tests = strict if run_tests is None else run_tests
    project = _project(project_root, output_dir, register)
    if project is not None and output_dir is None:
        output_dir = project.nodes_dir

    try:
        result = _run(
            prompt=prompt,
            requirements=requirements,
            contract=contract,
            output_dir=output_dir or Path("generated_nodes"),
            module_prefix=project.module_prefix if project is not None else "",
            node_type=node_type.value if node_type else None,
            force=force,
            overwrite_edits=overwrite_edits,
            dry_run=dry_run,
            validation=validation.value,
            run_tests=want_tests,
            strict=strict,
            as_json=as_json,
            timeout=timeout,
            templates_dir=templates_dir,
            strategy=strategy.value,
            engine=engine,
            kafka_servers=kafka_servers,
            history=not no_history,
            database_url=database_url,
        )
    except KeyboardInterrupt:
        typer.echo("onexgen: interrupted; no partial node was left behind", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if debug:
            raise
        from onexgen.bus.port import BusError
        from onexgen.pipeline import one_line

        hint = "" if isinstance(exc, BusError) else " (run with --debug for details)"
        typer.echo(f"onexgen: error: {one_line(exc)}{hint}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    if result.success and project is not None and register and not dry_run:
        _register(project, result, quiet_stdout=as_json)
    raise typer.Exit(EXIT_OK if result.success else EXIT_FAILED)


def _project(
    project_root: Path | None, output_dir: Path | None, register: bool
) -> ModelOnexProject | None:
    """The ONEX project the node goes into: ``--project-root``, else the current directory when
    it is one and no ``--output-dir`` was given; None for standalone output."""
    from onexgen.writing.project import ProjectError, detect_project, load_project

    project: ModelOnexProject | None = None
    try:
        if project_root is not None:
            project = load_project(project_root)
        elif output_dir is None:
            project = detect_project(Path.cwd())
        else:
            project = None
    except ProjectError as exc:
        raise typer.BadParameter(str(exc), param_hint="--project-root") from None
    if register and project is None:
        raise typer.BadParameter(
            "--register needs an ONEX project: pass --project-root DIR or run inside one",
            param_hint="--register",
        )
    if project is not None and output_dir is not None:
        inside = output_dir.resolve()
        if inside != project.nodes_dir:
            raise typer.BadParameter(
                f"nodes of {project.root} go to {project.nodes_dir}; drop --output-dir",
                param_hint="--output-dir",
            )
    if project is not None:
        project.nodes_dir.mkdir(parents=True, exist_ok=True)
        (project.nodes_dir / "__init__.py").touch(exist_ok=True)
    return project


def _register(
    project: ModelOnexProject, result: ModelGenerationResult, *, quiet_stdout: bool
) -> None:
    """``--register``: the node's class as an ``onex.nodes`` entry point of the project
    (reported on stderr when stdout carries JSON)."""
    import re

    from onexgen.writing.project import ProjectError, register_node

    assert result.node_path is not None
    assert result.package_name is not None
    node_py = (result.node_path / "node.py").read_text(encoding="utf-8")
    match = re.search(r"^class (\w+)\(", node_py, re.MULTILINE)
    target = f"{project.module_prefix}.{result.package_name}.node"
    if match:
        target = f"{target}:{match.group(1)}"
    try:
        added = register_node(project, result.package_name, target)
    except ProjectError as exc:
        typer.echo(f"onexgen: error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    state = "registered" if added else "already registered"
    typer.echo(
        f"{state}: {result.package_name} = {target!r} in {project.root}/pyproject.toml",
        err=quiet_stdout,
    )


def _run(
    *,
    prompt: str | None,
    requirements: Path | None,
    contract: Path | None,
    output_dir: Path,
    module_prefix: str,
    node_type: str | None,
    force: bool,
    overwrite_edits: bool,
    dry_run: bool,
    validation: str,
    run_tests: bool,
    strict: bool,
    as_json: bool,
    timeout: float | None,
    templates_dir: Path | None,
    strategy: str = "auto",
    engine: StrategyEngine | None = None,
    kafka_servers: str | None = None,
    history: bool = True,
    database_url: str | None = None,
) -> ModelGenerationResult:

    if kafka_servers is not None:
        from onexgen.cli.remote_mode import RemoteGeneration

        remote = RemoteGeneration(
            kafka_servers,
            prompt=prompt,
            requirements=requirements,
            contract=contract,
            output_dir=output_dir,
            node_type=node_type,
            force=force,
            dry_run=dry_run,
            validation=validation,
            run_tests=run_tests,
            strict=strict,
            timeout=timeout,
            strategy=strategy,
        )
        return _show(remote.run, remote.subscribe, as_json=as_json)

    recorder = None
    if history:
        # Started before the pipeline's imports, so the helper's own start-up (SQLAlchemy)
        # overlaps them instead of following them.
        from onexgen.cli.options import history_notice
        from onexgen.history.recorder import HistoryRecorder

        recorder = HistoryRecorder(
            database_url, source="generate", notice=history_notice, writer_process=True
        )
        recorder.start_writer()

    from onexgen.bus.in_process_status import InProcessStatus
    from onexgen.pipeline import CodeGenerationService

    hold = os.environ.get(HOLD_ENV)
    before_commit = _hold_until_released(Path(hold)) if hold else None
    service: CodeGenerationService
    if recorder is not None:
        from onexgen.history.recording import RecordingGenerationService

        service = RecordingGenerationService(
            source="generate",
            recorder=recorder,
            before_commit=before_commit,
            strategy_engine=engine,
        )
    else:
        service = CodeGenerationService(before_commit=before_commit, strategy_engine=engine)

    # The display follows the run's stage events on the in-process bus, as it follows a
    # worker's on Kafka in remote mode (one event path for both).
    status = InProcessStatus()

    async def main() -> ModelGenerationResult:
        try:
            result = await status.run(service.subscribe, generate_once)
        finally:
            close = getattr(service, "close_history", None)
            if close is not None:
                await close()
            if engine is not None:
                await engine.aclose()
        if status.warnings:
            result = result.model_copy(update={"warnings": (*result.warnings, *status.warnings)})
        return result

    async def generate_once(session: UUID) -> ModelGenerationResult:
        return await service.generate_node(
            requirements,
            output_dir,
            prompt=prompt,
            contract=contract,
            node_type=node_type,
            force=force,
            dry_run=dry_run,
            validation_level=validation,
            run_tests=run_tests,
            strict_mode=strict,
            templates_dir=templates_dir,
            timeout=timeout,
            module_prefix=module_prefix,
            strategy=strategy,
            overwrite_edits=overwrite_edits,
            confirm_overwrite=confirm,
            correlation_id=session,
        )

    live_view: list[Live] = []

    def _ask_before_overwriting(node: Path, edits: tuple[str, ...]) -> bool:
        for live in live_view:
            live.stop()
        sys.stderr.write(f"{node} has files edited by hand since it was generated:\n")
        sys.stderr.write("".join(f"  {path}\n" for path in edits))
        answer = typer.confirm("Replace them?", default=False, err=True)
        for live in live_view:
            live.start()
        return answer

    # Asked in a terminal only; --json and pipes refuse (the message names --overwrite-edits).
    confirm = _ask_before_overwriting if sys.stdin.isatty() and not as_json else None
    return _show(main, status.subscribe, as_json=as_json, live_view=live_view)


def _show(
    main: Callable[[], Coroutine[Any, Any, ModelGenerationResult]],
    subscribe: Callable[[Callable[[ModelProgressEvent], None]], object],
    *,
    as_json: bool,
    live_view: list[Live] | None = None,
) -> ModelGenerationResult:
    """Run ``main`` with the live stage view (or plain lines, or JSON) fed by ``subscribe``.

    ``live_view`` receives the Rich live display while it runs, so a question asked mid-run
    (overwrite hand-edited files?) can pause it.
    """
    import asyncio

    if as_json:
        result = asyncio.run(main())
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return result
    if sys.stdout.isatty():
        # Rich only for a terminal: its import is a noticeable part of a ~1 s run.
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        console = Console(highlight=False, soft_wrap=True)
        view = _LiveStages()
        subscribe(view.on_event)
        with Live(console=console, get_renderable=view.render, refresh_per_second=12) as live:
            if live_view is not None:
                live_view.append(live)
            result = asyncio.run(main())
        for text, style in _summary_lines(result):
            console.print(Text(text, style=style))
    else:
        subscribe(_plain_stage_line)
        result = asyncio.run(main())
        sys.stdout.write("".join(f"{text}\n" for text, _ in _summary_lines(result)))
    sys.stdout.flush()
    for error in result.errors:
        sys.stderr.write(f"onexgen: error: {error}\n")
    return result


def _hold_until_released(marker: Path) -> Callable[[Path], Awaitable[None]]:
    import asyncio

    async def hold(staging: Path) -> None:
        marker.write_text(str(staging), encoding="utf-8")
        while marker.exists():
            await asyncio.sleep(0.01)

    return hold


# -- progress views ---------------------------------------------------------------------------


def _plain_stage_line(event: ModelProgressEvent) -> None:
    """One line per finished stage, for logs and pipes."""
    label = f"[{event.stage.value}/9] {event.name}"
    if event.event == "stage_completed":
        suffix = f" ({event.detail})" if event.detail else ""
        line = f"{label}: done in {_ms(event.duration_ms)}{suffix}"
    elif event.event == "stage_failed":
        line = f"{label}: FAILED after {_ms(event.duration_ms)}: {event.error}"
    elif event.event == "stage_skipped":
        line = f"{label}: skipped ({event.reason})"
    else:
        return
    sys.stdout.write(line + "\n")


class _LiveStages:
    """The nine stages with status and timings, redrawn by Rich's Live on every refresh."""

    def __init__(self) -> None:
        from onexgen.models.generation import EnumPipelineStage

        self._stages = tuple(EnumPipelineStage)
        self._status: dict[EnumPipelineStage, str] = dict.fromkeys(self._stages, "pending")
        self._text: dict[EnumPipelineStage, str] = dict.fromkeys(self._stages, "")
        self._started: dict[EnumPipelineStage, float] = {}
        self._duration: dict[EnumPipelineStage, float] = {}

    def on_event(self, event: ModelProgressEvent) -> None:
        stage = event.stage
        if event.event == "stage_started":
            self._status[stage] = "running"
            self._started[stage] = time.perf_counter()
        elif event.event == "stage_completed":
            self._status[stage] = "done"
            self._duration[stage] = event.duration_ms
            self._text[stage] = event.detail
        elif event.event == "stage_failed":
            self._status[stage] = "failed"
            self._duration[stage] = event.duration_ms
            self._text[stage] = event.error
        else:
            self._status[stage] = "skipped"
            self._text[stage] = event.reason

    def render(self) -> RenderableType:
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        table = Table(title="onexgen generate", show_header=True, expand=True, box=None)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("stage", no_wrap=True, min_width=21)
        table.add_column("", width=2, no_wrap=True)
        table.add_column("time", justify="right", no_wrap=True, min_width=9)
        table.add_column("detail", overflow="ellipsis", no_wrap=True, ratio=1)
        marks = {"done": ("✓", "green"), "failed": ("✗", "red"), "skipped": ("-", "dim")}
        for stage in self._stages:
            status = self._status[stage]
            mark: RenderableType
            if status == "running":
                mark = Spinner("dots", style="cyan")
                elapsed = (time.perf_counter() - self._started[stage]) * 1000.0
                timing = _ms(elapsed)
            elif status == "pending":
                mark, timing = Text("·", style="dim"), ""
            else:
                symbol, style = marks[status]
                mark = Text(symbol, style=style)
                timing = _ms(self._duration[stage]) if stage in self._duration else ""
            table.add_row(
                str(stage.value),
                Text(stage.title, style="dim" if status in {"pending", "skipped"} else ""),
                mark,
                timing,
                Text(self._text[stage], style="red" if status == "failed" else "dim"),
            )
        return table


def _summary_lines(result: ModelGenerationResult) -> list[tuple[str, str]]:
    """The summary after the stages, as (text, Rich style) lines; plain output drops the style."""
    lines = [(f"warning: {warning}", "yellow") for warning in result.warnings]
    if not result.success:
        lines.append(
            (
                f"✗ generation failed after {_ms(result.total_duration_ms)} "
                f"(correlation id {result.correlation_id})",
                "red",
            )
        )
        return lines
    name = result.package_name or "node"
    lines.extend(_strategy_lines(result))
    if result.dry_run:
        lines.append((f"Dry run: {name} would be written to {result.node_path}", "bold"))
        lines.extend((f"  {path}", "") for path in result.files)
        if result.contract_yaml:
            lines.append(("--- contract.yaml", "dim"))
            lines.extend((line, "") for line in result.contract_yaml.splitlines())
        return lines
    score = f", quality {result.quality_score:.2f}" if result.quality_score is not None else ""
    lines.append(
        (
            f"✓ generated {name} ({len(result.files)} files{score}) in "
            f"{_ms(result.total_duration_ms)}",
            "green",
        )
    )
    lines.append((f"  {result.node_path}", ""))
    if result.test_results is not None:
        tests = result.test_results
        lines.append(
            (f"  tests: {tests.passed} passed, {tests.failed} failed, {tests.skipped} skipped", "")
        )
    return lines


def _strategy_lines(result: ModelGenerationResult) -> list[tuple[str, str]]:
    """Which strategy ran and why; review state and model disagreements."""
    report = result.strategy
    if report is None:
        return []
    lines = [(f"strategy: {report.used.value} ({report.reason})", "dim")]
    if report.methods_written:
        lines.append((f"  model-written: {', '.join(report.methods_written)}", "dim"))
    lines.extend((f"  differs: {item}", "yellow") for item in report.disagreements)
    if report.needs_review:
        lines.append((f"needs_review: {report.review_reason}", "yellow"))
    return lines


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"
