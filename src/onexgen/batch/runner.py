"""Runs a batch: spec -> requirements -> generation in dependency stages -> batched validation.

Nothing unvalidated reaches the output directory: with any validation level, nodes are generated
into a scratch directory inside it, validated there in one batched pass, and only the ones that
pass are moved into place (each through the atomic writer, so ``--force`` and "already exists"
work as for ``generate``); failing ones are reported and dropped unless ``keep_failed``.

Prompts are parsed up front, so a refused prompt is known (and its dependents skipped) before any
time is spent generating. Generation goes through the real pipeline (``CodeGenerationService``),
staged by dependencies. Validation is batched: the in-process AST checks run inside the pipeline
before a node is written, and mypy, pytest and ``onex validate`` run once over every generated
node (see :mod:`onexgen.batch.batched_validation`), their findings folded into each node's score.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from onexgen.batch.executor import (
    EnumStepStatus,
    ExecutionCancelledError,
    ExecutionStep,
    ModelExecutionResult,
    ModelStepOutcome,
    StagedParallelExecutor,
)
from onexgen.models.batch import (
    EnumBatchNodeStatus,
    ModelBatchNodeResult,
    ModelBatchResult,
    ModelBatchStageTiming,
    ModelBatchToolTiming,
)
from onexgen.models.generation import ModelGenerationResult
from onexgen.models.requirements import ModelPRDRequirements
from onexgen.models.validation import EnumValidationLevel

if TYPE_CHECKING:
    from collections.abc import Callable

    from onexgen.batch.batched_validation import ModelBatchValidationResult
    from onexgen.batch.spec import ModelBatchNodeSpec, ModelBatchSpec
    from onexgen.pipeline.service import CodeGenerationService
    from onexgen.rendering.template_manager import TemplateManager

DEFAULT_OUTPUT_DIR = Path("generated_nodes")
DEFAULT_JOBS = 2


class ModelBatchOptions(BaseModel):
    """The effective options of one batch: CLI flags over spec ``defaults:`` over built-ins."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    output_dir: Path
    validation: EnumValidationLevel
    jobs: int = Field(ge=1)
    fail_fast: bool = False
    force: bool = False
    keep_failed: bool = False
    overwrite_edits: bool = False
    timeout_seconds: float | None = Field(default=None, gt=0)
    templates_dir: Path | None = None


def resolve_options(
    spec: ModelBatchSpec,
    *,
    output_dir: Path | None = None,
    validation: EnumValidationLevel | None = None,
    jobs: int | None = None,
    fail_fast: bool | None = None,
    force: bool | None = None,
    timeout_seconds: float | None = None,
    templates_dir: Path | None = None,
    keep_failed: bool = False,
    overwrite_edits: bool = False,
) -> ModelBatchOptions:
    """Merge: an explicit argument wins over the spec's ``defaults:``, which wins over built-ins."""
    from onexgen.validation.levels import DEFAULT_LEVEL

    d = spec.defaults
    return ModelBatchOptions(
        output_dir=output_dir or d.output_dir or DEFAULT_OUTPUT_DIR,
        validation=validation or d.validation or DEFAULT_LEVEL,
        jobs=jobs or d.jobs or DEFAULT_JOBS,
        fail_fast=fail_fast if fail_fast is not None else bool(d.fail_fast),
        force=force if force is not None else bool(d.force),
        keep_failed=keep_failed,
        overwrite_edits=overwrite_edits,
        timeout_seconds=timeout_seconds or d.timeout_seconds,
        templates_dir=templates_dir,
    )


class _Prepared(BaseModel):
    """One entry after stage 1: its requirements, or why it cannot be generated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requirements: ModelPRDRequirements | None = None
    refused: bool = False
    error: str | None = None


class NodeGenerationError(Exception):
    """A node could not be generated; the message is the pipeline's own one-line reason."""


def with_dependencies(
    requirements: ModelPRDRequirements, depends_on: tuple[str, ...]
) -> ModelPRDRequirements:
    """Add the spec's ``depends_on`` names to the requirements' ``dependencies``.

    This is how an orchestrator learns which nodes it coordinates: its generated workflow steps are
    rendered from ``dependencies``. Re-validated so every invariant of the model still holds.
    """
    if not depends_on:
        return requirements
    merged = tuple(dict.fromkeys((*depends_on, *requirements.dependencies)))
    return ModelPRDRequirements.model_validate(
        {**requirements.model_dump(), "dependencies": merged}
    )


def prepare_requirements(spec: ModelBatchSpec) -> dict[str, _Prepared]:
    """Parse every prompt (stage 1) before generating anything; refusals become per-node results.

    Two entries that would generate the same package are caught here too: the later one fails
    with a message naming the earlier, instead of silently replacing it under ``--force``.
    """
    from onexgen.batch.spec import named_after_entry
    from onexgen.parsing import PRDAnalyzer
    from onexgen.parsing.errors import ParsingError, PromptRefusedError
    from onexgen.rendering.escaping import strip_invisible

    analyzer = PRDAnalyzer()
    prepared: dict[str, _Prepared] = {}
    packages: dict[tuple[str, str], str] = {}
    for entry in spec.nodes:
        requirements = entry.requirements
        if entry.prompt is not None:
            try:
                requirements = analyzer.analyze_prompt(
                    strip_invisible(entry.prompt), node_type_hint=entry.node_type
                )
            except PromptRefusedError as exc:
                prepared[entry.name] = _Prepared(refused=True, error=f"prompt refused: {exc}")
                continue
            except ParsingError as exc:
                prepared[entry.name] = _Prepared(error=f"prompt not understood: {exc}")
                continue
        assert requirements is not None  # the spec guarantees exactly one of prompt/requirements
        if entry.node_type is not None and requirements.node_type is not entry.node_type:
            requirements = ModelPRDRequirements.model_validate(
                {**requirements.model_dump(), "node_type": entry.node_type}
            )
        requirements = with_dependencies(named_after_entry(entry, requirements), entry.depends_on)
        key = (requirements.service_name, requirements.node_type.value)
        if key in packages:
            prepared[entry.name] = _Prepared(
                error=(
                    f"would generate the same package as '{packages[key]}' (service "
                    f"'{key[0]}', kind {key[1]}); give one of them another service_name"
                )
            )
            continue
        packages[key] = entry.name
        prepared[entry.name] = _Prepared(requirements=requirements)
    return prepared


def _generation_level(level: EnumValidationLevel) -> EnumValidationLevel:
    """What the pipeline checks per node; mypy and pytest are left to the batched run."""
    from onexgen.batch.batched_validation import per_node_level

    return per_node_level(level)


async def run_batch(
    spec: ModelBatchSpec,
    options: ModelBatchOptions,
    *,
    spec_label: str = "<spec>",
    service: CodeGenerationService | None = None,
    on_node_finished: Callable[[str, EnumBatchNodeStatus, str | None], None] | None = None,
    strategy: str = "auto",
) -> ModelBatchResult:
    """Generate and validate every node of ``spec``; failures are rows, not exceptions.

    Raises :class:`BatchCancelledError` (with the rows finished so far) when cancelled: finished
    nodes stay in place, unfinished ones are never committed (the atomic writer rolls them back).
    """
    from onexgen.pipeline.service import CodeGenerationService
    from onexgen.writing.atomic_writer import _remove_tree, make_batch_scratch

    started = time.perf_counter()
    prepared = prepare_requirements(spec)
    generator = service or CodeGenerationService()
    # One service for the whole batch, so one TemplateManager: every template is compiled once
    # (preloaded here) and reused by every node, instead of once per node.
    templates = generator.template_manager(options.templates_dir)
    templates.preload()
    level = _generation_level(options.validation)
    generated: dict[str, ModelGenerationResult] = {}
    scratch: Path | None = None
    if options.validation is not EnumValidationLevel.NONE:
        scratch = make_batch_scratch(options.output_dir)
    try:
        result = await _generate_and_validate(
            spec,
            options,
            spec_label,
            prepared,
            generator,
            templates,
            level,
            generated,
            scratch,
            started,
            on_node_finished,
            strategy,
        )
        if scratch is not None:
            result = _place(result, options, started)
        return result
    finally:
        if scratch is not None:
            _remove_tree(scratch)


async def _generate_and_validate(  # noqa: PLR0917 - private, one caller
    spec: ModelBatchSpec,
    options: ModelBatchOptions,
    spec_label: str,
    prepared: dict[str, _Prepared],
    generator: CodeGenerationService,
    templates: TemplateManager,
    level: EnumValidationLevel,
    generated: dict[str, ModelGenerationResult],
    scratch: Path | None,
    started: float,
    on_node_finished: Callable[[str, EnumBatchNodeStatus, str | None], None] | None,
    strategy: str,
) -> ModelBatchResult:
    def make_step(entry: ModelBatchNodeSpec) -> ExecutionStep[ModelGenerationResult]:
        ready = prepared[entry.name]

        async def run() -> ModelGenerationResult:
            if ready.requirements is None:
                raise NodeGenerationError(ready.error or "cannot be generated")
            result = await generator.generate_node(
                ready.requirements,
                scratch or options.output_dir,
                force=options.force and scratch is None,
                overwrite_edits=options.overwrite_edits,
                validation_level=level,
                templates_dir=options.templates_dir,
                strategy=strategy,
            )
            generated[entry.name] = result
            if not result.success:
                raise NodeGenerationError("; ".join(result.errors) or "generation failed")
            return result

        return ExecutionStep[ModelGenerationResult](
            step_id=entry.name,
            run=run,
            depends_on=entry.depends_on,
            timeout_seconds=options.timeout_seconds,
        )

    def report(outcome: ModelStepOutcome[Any]) -> None:
        if on_node_finished is not None:
            status = _STEP_TO_STATUS[outcome.status]
            if prepared[outcome.step_id].refused:
                status = EnumBatchNodeStatus.REFUSED
            on_node_finished(outcome.step_id, status, outcome.error)

    executor = StagedParallelExecutor(
        max_concurrency=options.jobs, fail_fast=options.fail_fast, on_step_finished=report
    )
    steps = [make_step(entry) for entry in spec.nodes]
    try:
        execution = await executor.execute(steps)
    except ExecutionCancelledError as exc:
        partial: ModelExecutionResult[ModelGenerationResult] = exc.result
        result = _compose(
            spec, options, spec_label, prepared, generated, partial, None, started, templates
        )
        if scratch is not None:
            # Nothing was validated yet, so nothing is written: the scratch dir goes away.
            rows = tuple(row.model_copy(update={"node_path": None}) for row in result.nodes)
            result = result.model_copy(update={"nodes": rows, "output_dir": options.output_dir})
        raise BatchCancelledError(result) from None

    validation: ModelBatchValidationResult | None = None
    ok_paths = [
        result.node_path
        for result in (o.value for o in execution.outcomes if o.value is not None)
        if result.node_path is not None
    ]
    stop = options.fail_fast and not execution.success
    if ok_paths and not stop and options.validation is not EnumValidationLevel.NONE:
        from onexgen.batch.batched_validation import DEFAULT_TIMEOUT_SECONDS, validate_batch

        validation = await validate_batch(
            ok_paths,
            level=options.validation,
            timeout_seconds=options.timeout_seconds or DEFAULT_TIMEOUT_SECONDS,
            max_concurrency=options.jobs,
        )
    return _compose(
        spec, options, spec_label, prepared, generated, execution, validation, started, templates
    )


def _place(
    result: ModelBatchResult, options: ModelBatchOptions, started: float
) -> ModelBatchResult:
    """Move the validated nodes from the scratch directory into the output directory.

    Only rows that passed (and, with ``keep_failed``, failed ones that were generated) are
    written, each through the atomic writer: without ``--force`` an existing node is kept and
    the row fails with "already exists"; a node that is not written leaves the old one alone.
    """
    from onexgen.writing.atomic_writer import AtomicNodeWriter, NodeWriteError
    from onexgen.writing.manifest import user_edits

    rows: list[ModelBatchNodeResult] = []
    for row in result.nodes:
        staged = row.node_path
        wanted = row.status is EnumBatchNodeStatus.OK or (
            options.keep_failed and row.status is EnumBatchNodeStatus.FAILED
        )
        if staged is None or row.package_name is None:
            rows.append(row)
            continue
        if not wanted:
            note = (
                f"{row.name}: not written (it did not pass {options.validation.value} "
                "validation; --keep-failed writes it anyway)"
            )
            rows.append(row.model_copy(update={"node_path": None, "errors": (*row.errors, note)}))
            continue
        edits = (
            user_edits(options.output_dir / row.package_name)
            if options.force and not options.overwrite_edits
            else None
        )
        if edits:
            problem = (
                f"{row.name}: not written: {options.output_dir / row.package_name} has "
                f"{len(edits)} file(s) edited by hand ({', '.join(edits[:10])}); pass "
                "--overwrite-edits to replace them"
            )
            update = {
                "status": EnumBatchNodeStatus.FAILED,
                "node_path": None,
                "errors": (*row.errors, problem),
            }
            rows.append(row.model_copy(update=update))
            continue
        try:
            with AtomicNodeWriter(
                options.output_dir, row.package_name, force=options.force
            ) as writer:
                writer.adopt(staged)
                final = writer.commit()
        except NodeWriteError as exc:
            rows.append(
                row.model_copy(
                    update={
                        "status": EnumBatchNodeStatus.FAILED,
                        "node_path": None,
                        "errors": (*row.errors, f"{row.name}: {exc}"),
                    }
                )
            )
            continue
        rows.append(row.model_copy(update={"node_path": final}))
    unattributed = [e for e in result.errors if not any(e in row.errors for row in result.nodes)]
    errors = [e for row in rows for e in row.errors] + unattributed
    return result.model_copy(
        update={
            "nodes": tuple(rows),
            "errors": tuple(errors),
            "output_dir": options.output_dir,
            "total_duration_seconds": round(time.perf_counter() - started, 4),
        }
    )


class BatchCancelledError(Exception):
    """The batch was cancelled (Ctrl-C); ``result`` has the rows of what had finished."""

    def __init__(self, result: ModelBatchResult) -> None:
        self.result = result
        done = sum(1 for row in result.nodes if row.status.is_ok)
        super().__init__(f"cancelled: {done} of {len(result.nodes)} nodes were finished")


def _own_seconds(result: ModelGenerationResult | None, fallback: float) -> float:
    """The node's own pipeline time: the sum of its stage timings.

    Nodes of one stage take turns between pipeline stages, so the wall time from a node's start to
    its end also counts its neighbours' turns; each stage timing does not.
    """
    if result is None or not result.stage_timings:
        return fallback
    return sum(timing.duration_ms for timing in result.stage_timings) / 1000.0


_STEP_TO_STATUS = {
    EnumStepStatus.SUCCEEDED: EnumBatchNodeStatus.OK,
    EnumStepStatus.FAILED: EnumBatchNodeStatus.FAILED,
    EnumStepStatus.TIMED_OUT: EnumBatchNodeStatus.TIMED_OUT,
    EnumStepStatus.SKIPPED: EnumBatchNodeStatus.SKIPPED,
    EnumStepStatus.CANCELLED: EnumBatchNodeStatus.CANCELLED,
}


def _compose(  # noqa: PLR0917 - private, called twice with the same nine values
    spec: ModelBatchSpec,
    options: ModelBatchOptions,
    spec_label: str,
    prepared: dict[str, _Prepared],
    generated: dict[str, ModelGenerationResult],
    execution: ModelExecutionResult[ModelGenerationResult],
    validation: ModelBatchValidationResult | None,
    started: float,
    templates: TemplateManager,
) -> ModelBatchResult:
    """One row per spec entry, in spec order, with batched validation folded in."""
    by_step = {o.step_id: o for o in execution.outcomes}
    rows: list[ModelBatchNodeResult] = []
    for entry in spec.nodes:
        outcome = by_step[entry.name]
        ready = prepared[entry.name]
        gen = generated.get(entry.name)
        status = _STEP_TO_STATUS[outcome.status]
        if ready.refused:
            status = EnumBatchNodeStatus.REFUSED
        errors = [outcome.error] if outcome.error else []
        row_validation = gen.validation if gen is not None else None
        tests = gen.test_results if gen is not None else None
        if status is EnumBatchNodeStatus.OK and gen is not None and gen.node_path is not None:
            if validation is not None:
                from onexgen.batch.batched_validation import fold_into_result

                row_validation, tests = fold_into_result(gen.node_path, row_validation, validation)
            if row_validation is not None and not row_validation.passed:
                status = EnumBatchNodeStatus.FAILED
                blocking = row_validation.blocking_issues
                first = (
                    f"; first: {blocking[0].location}: {blocking[0].message}" if blocking else ""
                )
                score = row_validation.quality_score
                errors.append(
                    f"{entry.name}: failed {options.validation.value} validation (score "
                    f"{score:.2f}, threshold {row_validation.threshold:.2f}, "
                    f"{len(blocking)} blocking issues{first})"
                )
        kind = None
        if gen is not None and gen.node_type is not None:
            kind = gen.node_type
        elif ready.requirements is not None:
            kind = ready.requirements.node_type
        else:
            kind = entry.node_type
        rows.append(
            ModelBatchNodeResult(
                name=entry.name,
                kind=kind,
                status=status,
                stage=outcome.stage_index,
                depends_on=entry.depends_on,
                package_name=gen.package_name if gen is not None else None,
                node_path=gen.node_path if gen is not None and gen.success else None,
                duration_seconds=round(_own_seconds(gen, outcome.duration_seconds), 4),
                score=row_validation.quality_score if row_validation is not None else None,
                validation=row_validation,
                test_results=tests,
                errors=tuple(errors),
                warnings=gen.warnings if gen is not None else (),
            )
        )
    tool_runs: tuple[ModelBatchToolTiming, ...] = ()
    if validation is not None:
        tool_runs = tuple(
            ModelBatchToolTiming(
                tool=run.tool,
                duration_seconds=round(run.duration_seconds, 4),
                node_count=run.node_count,
                exit_code=run.exit_code,
                timed_out=run.timed_out,
            )
            for run in validation.runs
        )
    stats = templates.stats()
    all_errors = [e for row in rows for e in row.errors]
    if validation is not None:
        all_errors.extend(validation.unattributed)
    return ModelBatchResult(
        spec=spec_label,
        output_dir=options.output_dir,
        validation_level=options.validation,
        jobs=options.jobs,
        fail_fast=options.fail_fast,
        nodes=tuple(rows),
        stages=tuple(
            ModelBatchStageTiming(
                index=s.index,
                nodes=s.step_ids,
                duration_seconds=round(s.duration_seconds, 4),
                failed=s.failed,
            )
            for s in execution.stages
        ),
        total_duration_seconds=round(time.perf_counter() - started, 4),
        generation_duration_seconds=round(execution.total_duration_seconds, 4),
        generation_step_seconds=round(sum(row.duration_seconds for row in rows), 4),
        validation_duration_seconds=round(validation.duration_seconds, 4) if validation else 0.0,
        tool_runs=tool_runs,
        failed_stage=execution.failed_stage,
        errors=tuple(all_errors),
        cancelled=execution.cancelled,
        template_cache_hit_rate=round(stats.hit_rate, 4),
        template_cache_size=stats.size,
    )


__all__ = [
    "BatchCancelledError",
    "ModelBatchOptions",
    "NodeGenerationError",
    "prepare_requirements",
    "resolve_options",
    "run_batch",
    "with_dependencies",
]
