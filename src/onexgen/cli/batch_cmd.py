"""``onexgen batch SPEC.yaml``: a whole system of nodes from one spec, validated in one pass.

The spec is checked completely before anything is generated (exit 2 with one line per problem).
Heavy modules are imported inside :func:`batch` so ``onexgen --help`` stays fast. Exit codes as
``generate``: 0 every node ok, 1 any node failed, 2 usage error or invalid spec, 130 Ctrl-C.
"""

from __future__ import annotations

import asyncio
import sys
from enum import StrEnum
from pathlib import Path  # noqa: TC003 - Typer resolves the annotations at runtime
from typing import TYPE_CHECKING, Annotated

import typer

from onexgen.cli.llm_options import (
    EnableQuorumOpt,
    LLMModelOpt,
    QuorumModelsOpt,
    StrategyOption,
    StrictLLMOpt,
    engine_for,
    remote_only_llm_options,
    strategy_label,
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
    from rich.console import Console

    from onexgen.batch.spec import ModelBatchSpec
    from onexgen.llm.engine import StrategyEngine
    from onexgen.models.batch import EnumBatchNodeStatus, ModelBatchResult
    from onexgen.pipeline.service import CodeGenerationService

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class ValidationOption(StrEnum):
    """Choices of ``--validation`` (the same levels as ``generate``)."""

    NONE = "none"
    BASIC = "basic"
    STANDARD = "standard"
    STRICT = "strict"


BatchStrategyOpt = Annotated[
    StrategyOption | None,
    typer.Option(
        "--strategy",
        case_sensitive=False,
        show_default=False,
        help="Who writes the code, as for generate: jinja2, hybrid, llm or auto (default: the "
        "spec's defaults.strategy, else auto).",
    ),
]
"""``--strategy`` of batch: unset means the spec decides (command-line flags win, as for every
spec default)."""


def batch(
    spec: Annotated[
        Path,
        typer.Argument(help="YAML spec with a top-level 'nodes:' list (and optional 'defaults:')."),
    ],
    *,
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", "-o", help="Where the nodes go (overrides the spec)."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=64,
            help="Nodes in generation, and validation tools running, at the same time.",
        ),
    ] = None,
    fail_fast: Annotated[
        bool | None,
        typer.Option(
            "--fail-fast/--collect-all",
            help="Stop at the first failure, or (default) go on and report every error.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the batch result as JSON.")
    ] = False,
    validation: Annotated[
        ValidationOption | None,
        typer.Option(
            "--validation",
            case_sensitive=False,
            help="none, basic, standard or strict (overrides the spec).",
        ),
    ] = None,
    force: Annotated[
        bool | None,
        typer.Option("--force/--no-force", "-f", help="Replace existing nodes (atomically)."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.001, help="Give up on a node after this many seconds."),
    ] = None,
    keep_failed: Annotated[
        bool,
        typer.Option(
            "--keep-failed",
            help="Also write nodes that fail validation (by default only passing ones are).",
        ),
    ] = False,
    overwrite_edits: Annotated[
        bool,
        typer.Option(
            "--overwrite-edits",
            help="With --force, also replace nodes whose files were edited by hand.",
        ),
    ] = False,
    templates_dir: TemplatesDirOption = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    strategy: BatchStrategyOpt = None,
    llm_model: LLMModelOpt = None,
    strict_llm: StrictLLMOpt = False,
    enable_quorum: EnableQuorumOpt = False,
    quorum_models: QuorumModelsOpt = None,
    kafka_servers: KafkaServersOption = None,
    no_sandbox: NoSandboxOption = False,
    no_history: NoHistoryOption = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Generate every node of SPEC.yaml in dependency order, in parallel, and validate them."""
    apply_sandbox_flag(no_sandbox)
    from onexgen.batch.runner import BatchCancelledError, resolve_options, run_batch
    from onexgen.models.validation import EnumValidationLevel

    loaded = _load_spec(spec)
    remote_only_llm_options(
        kafka_servers,
        llm_model=llm_model,
        strict_llm=strict_llm,
        enable_quorum=enable_quorum,
        quorum_models=quorum_models,
    )
    strategy, engine = _strategy_engine(
        strategy,
        loaded,
        spec,
        remote=kafka_servers is not None,
        llm_model=llm_model,
        strict_llm=strict_llm,
        enable_quorum=enable_quorum,
        quorum_models=quorum_models,
    )
    options = resolve_options(
        loaded,
        output_dir=output_dir,
        validation=EnumValidationLevel(validation.value) if validation else None,
        jobs=jobs,
        fail_fast=fail_fast,
        force=force,
        timeout_seconds=timeout,
        templates_dir=templates_dir,
        keep_failed=keep_failed,
        overwrite_edits=overwrite_edits,
    )
    console = _console(stderr=as_json)
    if not as_json:
        console.print(
            f"onexgen batch: {len(loaded.nodes)} nodes -> {options.output_dir} "
            f"(jobs {options.jobs}, validation {options.validation.value}, "
            f"{'fail-fast' if options.fail_fast else 'collect-all'}, "
            f"strategy {strategy_label(strategy, engine, remote=kafka_servers is not None)})",
            markup=False,
        )

    def progress(name: str, status: EnumBatchNodeStatus, error: str | None) -> None:
        if not as_json:
            reason = f" ({error.removeprefix(f'{name}: ')})" if error else ""
            console.print(f"  {name}: generation {status.value}{reason}", markup=False)

    async def main() -> ModelBatchResult:
        if kafka_servers is not None:
            from onexgen.cli.remote_mode import batch_remote

            return await batch_remote(
                kafka_servers,
                loaded,
                options,
                spec_label=str(spec),
                on_node_finished=progress,
                strategy=strategy.value,
            )
        service = _batch_service(history=not no_history, database_url=database_url, engine=engine)
        try:
            return await run_batch(
                loaded,
                options,
                spec_label=str(spec),
                on_node_finished=progress,
                service=service,
                strategy=strategy.value,
            )
        finally:
            close = getattr(service, "close_history", None)
            if close is not None:
                await close()
            if engine is not None:
                await engine.aclose()

    try:
        result = asyncio.run(main())
    except (KeyboardInterrupt, BatchCancelledError) as exc:
        partial = exc.result if isinstance(exc, BatchCancelledError) else None
        if partial is not None:
            _report(partial, as_json=as_json)
        kept = (
            "finished nodes were kept, unfinished ones were not written"
            if options.validation is EnumValidationLevel.NONE
            else "nothing was written (nodes are written only once validated)"
        )
        typer.echo(f"onexgen: interrupted; {kept}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if debug:
            raise
        from onexgen.bus.port import BusError
        from onexgen.pipeline.service import one_line

        hint = "" if isinstance(exc, BusError) else " (run with --debug for details)"
        typer.echo(f"onexgen: error: {one_line(exc)}{hint}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    _report(result, as_json=as_json)
    raise typer.Exit(EXIT_OK if result.success else EXIT_FAILED)


def _strategy_engine(
    strategy: StrategyOption | None,
    loaded: ModelBatchSpec,
    spec: Path,
    *,
    remote: bool,
    llm_model: str | None,
    strict_llm: bool,
    enable_quorum: bool,
    quorum_models: str | None,
) -> tuple[StrategyOption, StrategyEngine | None]:
    """``--strategy``, else the spec's ``defaults.strategy``, else auto; and its engine."""
    from_spec = strategy is None and loaded.defaults.strategy is not None
    if strategy is None:
        chosen = loaded.defaults.strategy
        strategy = StrategyOption(chosen.value) if chosen else StrategyOption.AUTO
    if remote:  # the workers resolve it against their own model configuration
        return strategy, None
    try:
        engine = engine_for(
            strategy,
            llm_model=llm_model,
            strict_llm=strict_llm,
            enable_quorum=enable_quorum,
            quorum_models=quorum_models,
        )
    except typer.BadParameter as exc:
        if not from_spec:
            raise
        problem = str(exc).replace(f"--strategy {strategy.value}", strategy.value, 1)
        typer.echo(
            f"onexgen: {spec}: defaults.strategy {problem}; or pass --strategy jinja2", err=True
        )
        raise typer.Exit(EXIT_USAGE) from None
    return strategy, engine


def _load_spec(spec: Path) -> ModelBatchSpec:
    """The validated spec, or one line per problem and exit 2."""
    from onexgen.batch.spec import BatchSpecError, load_batch_spec

    try:
        return load_batch_spec(spec)
    except BatchSpecError as exc:
        for line in str(exc).splitlines():
            typer.echo(f"onexgen: invalid spec: {line}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _console(*, stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _report(result: ModelBatchResult, *, as_json: bool) -> None:
    if as_json:
        payload = result.model_dump_json(indent=2)
        sys.stdout.write(payload + "\n")
        return
    console = _console(stderr=False)
    _print_table(console, result)
    err = _console(stderr=True)
    for error in result.errors:
        err.print(f"onexgen: error: {error}", markup=False)


def _print_table(console: Console, result: ModelBatchResult) -> None:
    from rich.table import Table
    from rich.text import Text

    styles = {
        "ok": "green",
        "failed": "red",
        "refused": "red",
        "timed_out": "red",
        "skipped": "yellow",
        "cancelled": "yellow",
    }
    table = Table(title=f"onexgen batch: {result.spec}", show_header=True)
    table.add_column("node")
    table.add_column("kind")
    table.add_column("status")
    table.add_column("duration", justify="right")
    table.add_column("score", justify="right")
    for row in result.nodes:
        table.add_row(
            Text(row.name),
            Text(row.kind.value if row.kind else "-"),
            Text(row.status.value, style=styles.get(row.status.value, "")),
            Text(f"{row.duration_seconds:.2f} s" if row.duration_seconds else "-"),
            Text(f"{row.score:.2f}" if row.score is not None else "-"),
        )
    console.print(table)
    counts = ", ".join(f"{n} {status}" for status, n in result.counts().items())
    tools = "".join(
        f", {run.tool} {run.duration_seconds:.1f} s over {run.node_count} nodes"
        for run in result.tool_runs
    )
    cache = ""
    if result.template_cache_hit_rate is not None:
        cache = (
            f"; {result.template_cache_size} templates compiled once, cache hit rate "
            f"{result.template_cache_hit_rate:.0%}"
        )
    console.print(
        f"{counts}; total {result.total_duration_seconds:.1f} s (generation "
        f"{result.generation_duration_seconds:.1f} s in {len(result.stages)} dependency stages; "
        f"validation {result.validation_duration_seconds:.1f} s{tools}{cache})",
        markup=False,
    )


def _batch_service(
    *, history: bool, database_url: str | None, engine: StrategyEngine | None
) -> CodeGenerationService:
    """One generation service for the whole batch: recording history unless opted out."""
    from onexgen.pipeline.service import CodeGenerationService

    if not history:
        return CodeGenerationService(strategy_engine=engine)
    from onexgen.cli.options import history_notice
    from onexgen.history.recording import RecordingGenerationService

    return RecordingGenerationService(
        source="batch",
        database_url=database_url,
        notice=history_notice,
        writer_process=True,
        strategy_engine=engine,
    )
