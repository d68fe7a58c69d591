"""``CodeGenerationService``: runs the nine stages, times them, reports progress, never half-writes.

Flow (what keeps it atomic): stages 1-5 run in memory; stage 6 materialises the rendered node in
the writer's staging directory beside the target and validates it there; stage 7 refines that
staged copy (under a fresh path, because mypy's cache keys on paths); stage 8 writes the manifest
and swaps the node in with one rename, keeping any old node aside; stage 9 checks the generated
tests and, when asked, runs them on the committed node. A failure or Ctrl-C before the end rolls
back to the old state; in strict mode so does a failing test run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from pydantic import ValidationError

from onexgen.models.enums import EnumNodeKind
from onexgen.models.generation import EnumPipelineStage, ModelGenerationResult
from onexgen.models.strategy import (
    EnumGenerationStrategy,
    ModelStrategyManifest,
    ModelStrategyReport,
)
from onexgen.models.validation import EnumValidationLevel
from onexgen.pipeline import stages
from onexgen.pipeline.progress import ProgressBroadcaster, StageRecorder
from onexgen.writing.atomic_writer import AtomicNodeWriter, FileWriteHook, NodeWriteError
from onexgen.writing.manifest import MANIFEST_FILE_NAME

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from onexgen.llm.engine import StrategyEngine, StrategySession
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.generation import ModelProgressEvent
    from onexgen.models.rendered import ModelRenderedNode
    from onexgen.models.requirements import ModelPRDRequirements
    from onexgen.models.testing import ModelTestResults
    from onexgen.models.validation import ModelRefinementResult, ModelValidationResult
    from onexgen.pipeline.hooks import RunHooks, RunRequest
    from onexgen.pipeline.progress import ProgressSubscriber
    from onexgen.rendering.template_manager import TemplateManager

_LOG = logging.getLogger("onexgen.pipeline")

type CommitHook = Callable[[Path], Awaitable[None]]
"""Awaited with the staging path just before the swap (crash-safety tests pause here)."""

type ConfirmOverwrite = Callable[[Path, tuple[str, ...]], bool]
"""Asked (node path, files edited by hand) before ``force`` replaces them; True to go on."""

type RemoteRun = Callable[
    [Callable[[ModelProgressEvent], object]],
    Awaitable[tuple[ModelGenerationResult, tuple[tuple[str, str], ...]]],
]
"""Executes a run elsewhere, passing each stage event it receives to the given callable; returns
the result and the node's ``(relative path, text)`` files."""

DEFAULT_OUTPUT_DIRECTORY = Path("generated_nodes")
S = EnumPipelineStage


class _StageError(Exception):
    """A stage failed; already recorded, carries the one-line message for the result."""

    def __init__(self, stage: EnumPipelineStage, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message


def one_line(exc: BaseException) -> str:
    """A single line describing ``exc`` that a user can act on."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "input"
        text = f"invalid {exc.title} ({where}): {first.get('msg', '')}"
    elif isinstance(exc, OSError | ValueError | LookupError) and type(exc).__module__ == "builtins":
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


@dataclass
class _Run:
    """Everything one run produced so far (per run, never shared)."""

    correlation_id: UUID
    recorder: StageRecorder
    output_directory: Path
    requirements: ModelPRDRequirements | None = None
    package_name: str | None = None
    node_path: Path | None = None
    files: tuple[str, ...] = ()
    contract_yaml: str | None = None
    validation: ModelValidationResult | None = None
    refinement: ModelRefinementResult | None = None
    test_results: ModelTestResults | None = None
    strategy: ModelStrategyReport | None = None
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class CodeGenerationService:
    """Generates one node per call; subscribers registered here see every run's progress."""

    def __init__(
        self,
        *,
        template_manager: TemplateManager | None = None,
        before_file_write: FileWriteHook | None = None,
        before_commit: CommitHook | None = None,
        strategy_engine: StrategyEngine | None = None,
        durable: bool = True,
        hooks: RunHooks | None = None,
    ) -> None:
        """``durable=False`` skips the fsync before the final rename: for scratch output that is
        read back and discarded (a remote worker's), where durability buys nothing. ``hooks`` are
        told when each run starts, its files, and how it ends (the history recorder)."""
        self._progress = ProgressBroadcaster()
        self._strategy_engine = strategy_engine
        self._durable = durable
        self._before_file_write = before_file_write
        self._before_commit = before_commit
        self._hooks = hooks
        # Compiled templates are reused across runs of this service, one manager per
        # ``templates_dir`` (an override directory changes what the names resolve to).
        self._template_managers: dict[Path | None, TemplateManager] = {}
        if template_manager is not None:
            self._template_managers[template_manager.templates_dir] = template_manager

    def template_manager(self, templates_dir: Path | None = None) -> TemplateManager:
        """The template manager runs with ``templates_dir`` use (created on first use)."""
        key = Path(os.path.abspath(templates_dir)) if templates_dir is not None else None
        manager = self._template_managers.get(key)
        if manager is None:
            from onexgen.rendering.template_manager import (
                TemplateManager,
                default_bytecode_cache_dir,
            )

            # Compiled templates also persist on disk (keyed by source checksum, so an edited
            # template is recompiled): a cold CLI run loads them in ~10 ms instead of ~300 ms.
            manager = TemplateManager(key, bytecode_cache_dir=default_bytecode_cache_dir())
            self._template_managers[key] = manager
        return manager

    def subscribe(self, subscriber: ProgressSubscriber) -> Callable[[], None]:
        """Receive every progress event of this service; returns an unsubscribe callable."""
        return self._progress.subscribe(subscriber)

    async def generate_node(
        self,
        requirements: ModelPRDRequirements | Path | None = None,
        output_directory: Path = DEFAULT_OUTPUT_DIRECTORY,
        *,
        prompt: str | None = None,
        contract: ModelNodeContract | Path | None = None,
        node_type: EnumNodeKind | str | None = None,
        force: bool = False,
        dry_run: bool = False,
        validation_level: EnumValidationLevel | str = EnumValidationLevel.BASIC,
        run_tests: bool = False,
        strict_mode: bool = False,
        templates_dir: Path | None = None,
        timeout: float | None = None,
        correlation_id: UUID | None = None,
        module_prefix: str = "",
        strategy: EnumGenerationStrategy | str = EnumGenerationStrategy.AUTO,
        overwrite_edits: bool = False,
        confirm_overwrite: ConfirmOverwrite | None = None,
    ) -> ModelGenerationResult:
        """Run the pipeline once and describe the outcome (failures are results, not raises).

        ``requirements`` and ``contract`` may be models or paths to files; exactly one of
        ``prompt``, ``requirements`` and ``contract`` (a contract model also needs its
        requirements) says what to build. Cancellation (Ctrl-C) rolls back and re-raises.
        """
        arguments = dict(locals())  # first: every parameter, so the hooks' record cannot drift
        run_id = correlation_id or uuid4()
        if self._hooks is not None:
            from onexgen.pipeline.hooks import RunRequest, run_options

            request = RunRequest(
                correlation_id=run_id,
                prompt=prompt,
                requirements=requirements,
                contract=contract,
                options=run_options(arguments),
            )
            self._notify(lambda hooks: hooks.run_started(request))
        if prompt is not None:
            from onexgen.rendering.escaping import strip_invisible

            # The prompt boundary: terminal escapes, bidi overrides and zero-width characters
            # never reach the parser, the generated files or the manifest.
            prompt = strip_invisible(prompt)
        run = _Run(
            correlation_id=run_id,
            recorder=StageRecorder(run_id, self._progress),
            output_directory=Path(output_directory),
        )
        try:
            result = await self._run_once(
                run,
                prompt=prompt,
                requirements=requirements,
                contract=contract,
                node_type=node_type,
                force=force,
                dry_run=dry_run,
                validation_level=validation_level,
                run_tests=run_tests,
                strict_mode=strict_mode,
                templates_dir=templates_dir,
                timeout=timeout,
                module_prefix=module_prefix,
                strategy=strategy,
                overwrite_edits=overwrite_edits,
                confirm_overwrite=confirm_overwrite,
            )
        except BaseException as exc:
            failure = exc  # ``exc`` itself is unbound once the except block ends
            self._notify(lambda hooks: hooks.run_aborted(run_id, failure))
            raise
        self._notify(lambda hooks: hooks.run_finished(run_id, result))
        return result

    async def run_elsewhere(self, request: RunRequest, execute: RemoteRun) -> ModelGenerationResult:
        """A run whose stages execute elsewhere (an event-bus worker): its stage events reach
        this service's subscribers and its hooks see it start, its files and its end, exactly
        as for a run of :meth:`generate_node`."""
        run_id = request.correlation_id
        self._notify(lambda hooks: hooks.run_started(request))
        try:
            result, files = await execute(self._progress.emit)
        except BaseException as exc:
            failure = exc  # ``exc`` itself is unbound once the except block ends
            self._notify(lambda hooks: hooks.run_aborted(run_id, failure))
            raise
        if files:
            self._notify(lambda hooks: hooks.run_files(run_id, files))
        self._notify(lambda hooks: hooks.run_finished(run_id, result))
        return result

    def _notify(self, call: Callable[[RunHooks], None]) -> None:
        """Tell the hooks (if any); a hook that raises is logged, never the run's failure."""
        if self._hooks is None:
            return
        try:
            call(self._hooks)
        except Exception:
            _LOG.warning("a run hook failed", exc_info=True)

    async def _run_once(
        self,
        run: _Run,
        *,
        prompt: str | None,
        requirements: ModelPRDRequirements | Path | None,
        contract: ModelNodeContract | Path | None,
        node_type: EnumNodeKind | str | None,
        force: bool,
        dry_run: bool,
        validation_level: EnumValidationLevel | str,
        run_tests: bool,
        strict_mode: bool,
        templates_dir: Path | None,
        timeout: float | None,
        module_prefix: str,
        strategy: EnumGenerationStrategy | str,
        overwrite_edits: bool,
        confirm_overwrite: ConfirmOverwrite | None,
    ) -> ModelGenerationResult:
        began = time.perf_counter()
        try:
            level = EnumValidationLevel(validation_level)
            kind = EnumNodeKind(node_type) if node_type is not None else None
            session = self._strategy_session(run, strategy)
        except ValueError as exc:
            run.errors.append(one_line(exc))
            run.recorder.skip_remaining("invalid request")
            return self._result(run, began, dry_run=dry_run)
        try:
            async with asyncio.timeout(timeout):
                await self._execute(
                    run,
                    prompt=prompt,
                    requirements=requirements,
                    contract=contract,
                    node_type=kind,
                    force=force,
                    dry_run=dry_run,
                    level=level,
                    run_tests=run_tests,
                    strict_mode=strict_mode,
                    templates_dir=templates_dir,
                    timeout=timeout,
                    module_prefix=module_prefix,
                    session=session,
                    edits_ok=overwrite_edits,
                    confirm_overwrite=confirm_overwrite,
                )
        except _StageError as exc:
            run.errors.append(f"stage {exc.stage.value} ({exc.stage.title}): {exc.message}")
            run.recorder.skip_remaining(f"stage {exc.stage.value} failed")
        except TimeoutError:
            where = run.recorder.running()
            if where is not None:
                run.recorder.failed(where, f"timed out after {timeout:g} s")
            stage_text = f" in stage {where.value} ({where.title})" if where else ""
            run.errors.append(
                f"generation timed out after {timeout:g} s{stage_text}; nothing was changed "
                "(raise --timeout or lower --validation)"
            )
            run.recorder.skip_remaining("timed out")
        except asyncio.CancelledError:
            self._close_session(run, session)
            where = run.recorder.running()
            if where is not None:
                run.recorder.failed(where, "cancelled")
            raise
        self._close_session(run, session)
        return self._result(run, began, dry_run=dry_run)

    def _strategy_session(
        self, run: _Run, strategy: EnumGenerationStrategy | str
    ) -> StrategySession | None:
        """Resolve ``strategy`` (``auto``: hybrid when a model is configured); a session only
        when a model will be asked. LLMConfigurationError (a ValueError) for an impossible ask."""
        from onexgen.llm.settings import ModelLLMSettings, resolve_strategy

        engine = self._strategy_engine
        choice = resolve_strategy(strategy, engine.settings if engine else ModelLLMSettings())
        run.strategy = ModelStrategyReport(
            requested=choice.requested, used=choice.used, reason=choice.reason
        )
        if engine is None or choice.used is EnumGenerationStrategy.JINJA2:
            return None
        return engine.session(choice)

    @staticmethod
    def _close_session(run: _Run, session: StrategySession | None) -> None:
        if session is not None:
            run.strategy = session.report()
            run.warnings.extend(w for w in run.strategy.warnings if w not in run.warnings)

    def generate_node_sync(
        self,
        requirements: ModelPRDRequirements | Path | None = None,
        output_directory: Path = DEFAULT_OUTPUT_DIRECTORY,
        *,
        prompt: str | None = None,
        contract: ModelNodeContract | Path | None = None,
        node_type: EnumNodeKind | str | None = None,
        force: bool = False,
        dry_run: bool = False,
        validation_level: EnumValidationLevel | str = EnumValidationLevel.BASIC,
        run_tests: bool = False,
        strict_mode: bool = False,
        templates_dir: Path | None = None,
        timeout: float | None = None,
        correlation_id: UUID | None = None,
        module_prefix: str = "",
        overwrite_edits: bool = False,
    ) -> ModelGenerationResult:
        """Blocking form of :meth:`generate_node` for callers without an event loop."""
        return asyncio.run(
            self.generate_node(
                requirements,
                output_directory,
                prompt=prompt,
                contract=contract,
                node_type=node_type,
                force=force,
                dry_run=dry_run,
                validation_level=validation_level,
                run_tests=run_tests,
                strict_mode=strict_mode,
                templates_dir=templates_dir,
                timeout=timeout,
                correlation_id=correlation_id,
                module_prefix=module_prefix,
                overwrite_edits=overwrite_edits,
            )
        )

    async def generate_from_prompt(
        self, prompt: str, output_directory: Path = DEFAULT_OUTPUT_DIRECTORY, **options: Any
    ) -> ModelGenerationResult:
        """Shortcut for ``generate_node(prompt=prompt, output_directory=...)``."""
        return await self.generate_node(None, output_directory, prompt=prompt, **options)

    # -- the run ----------------------------------------------------------------------------

    async def _execute(
        self,
        run: _Run,
        *,
        prompt: str | None,
        requirements: ModelPRDRequirements | Path | None,
        contract: ModelNodeContract | Path | None,
        node_type: EnumNodeKind | None,
        force: bool,
        dry_run: bool,
        level: EnumValidationLevel,
        run_tests: bool,
        strict_mode: bool,
        templates_dir: Path | None,
        timeout: float | None,
        module_prefix: str = "",
        session: StrategySession | None = None,
        edits_ok: bool = False,
        confirm_overwrite: ConfirmOverwrite | None = None,
    ) -> None:
        parsed = await self._stage(
            run,
            S.PROMPT_PARSING,
            _now(
                lambda: stages.parse_request(
                    prompt=prompt, requirements=requirements, contract=contract, node_type=node_type
                )
            ),
            lambda p: (
                f"{p.requirements.node_name} ({p.classification.node_type.value}, "
                f"{p.requirements.category.value}, confidence {p.classification.confidence:.2f})"
            ),
        )
        req, cls = parsed.requirements, parsed.classification
        if session is not None and parsed.contract is None:
            req, cls = await session.understand(req, cls)
        run.requirements = req
        intelligence = await self._stage(
            run,
            S.INTELLIGENCE_GATHERING,
            _now(lambda: stages.gather(req, cls)),
            lambda i: f"{len(i.best_practices)} best practices",
        )
        node_contract = await self._stage(
            run,
            S.CONTRACT_BUILDING,
            _now(
                lambda: stages.build_node_contract(
                    req, cls, intelligence, parsed.contract, module_prefix
                )
            ),
            lambda c: f"{c.name}: {len(c.operations)} operations",
        )
        rendered = await self._stage(
            run,
            S.CODE_GENERATION,
            _now(
                lambda: stages.generate_code(
                    req,
                    cls,
                    intelligence,
                    node_contract,
                    self.template_manager(templates_dir),
                    output_directory=run.output_directory,
                )
            ),
            lambda r: f"{len(r.files)} files",
        )
        before = {f.path for f in rendered.files}
        rendered = await self._stage(
            run,
            S.EVENT_BUS_INTEGRATION,
            _now(
                lambda: stages.integrate_event_bus(
                    rendered,
                    req,
                    node_contract,
                    self.template_manager(templates_dir),
                    output_directory=run.output_directory,
                )
            ),
            lambda r: f"{len({f.path for f in r.files} - before)} event files",
        )
        if session is not None and not dry_run:  # a dry run writes nothing, so no model code
            rendered = await session.write_code(rendered, req, run.output_directory)
            run.strategy = session.report()  # the manifest (stage 8) records it
            self._check_strict_llm(session)
        run.package_name = rendered.package_name
        self._report_files(run, tuple((f.path, f.content) for f in rendered.files))
        try:
            writer = AtomicNodeWriter(
                run.output_directory,
                rendered.package_name,
                force=force,
                before_file_write=self._before_file_write,
                durable=self._durable,
            )
        except NodeWriteError as exc:  # a package name that is not a safe directory name
            run.recorder.failed(S.FILE_WRITING, one_line(exc))
            raise _StageError(S.FILE_WRITING, one_line(exc)) from exc
        run.node_path = writer.target
        if dry_run:
            run.files = tuple(sorted({*(f.path for f in rendered.files), MANIFEST_FILE_NAME}))
            run.contract_yaml = _contract_text(rendered, node_contract)
            try:
                writer.check_target()
            except Exception as exc:
                run.warnings.append(f"a real run would fail: {one_line(exc)}")
            run.recorder.skip_remaining("dry run: nothing is written")
            return

        if force and not edits_ok:
            _check_user_edits(run, writer.target, confirm_overwrite)
        with writer:
            await self._validate_and_refine(run, writer, rendered, level)
            target = await self._stage(
                run,
                S.FILE_WRITING,
                lambda: self._write(
                    writer,
                    rendered=rendered,
                    requirements=req,
                    classification=cls,
                    run=run,
                    prompt=prompt,
                ),
                lambda t: f"{len(run.files)} files -> {t}",
            )
            await self._tests(
                run,
                writer,
                rendered=rendered,
                target=target,
                run_tests=run_tests,
                strict_mode=strict_mode,
                timeout=timeout,
            )

    @staticmethod
    def _check_strict_llm(session: StrategySession) -> None:
        """``--strict-llm``: a fallback or rejected model code fails the run before writing."""
        if not session.settings.strict:
            return
        report = session.report()
        if report.used is not session.choice.used or report.needs_review:
            why = report.review_reason if report.needs_review else report.reason
            raise _StageError(S.CODE_GENERATION, f"--strict-llm: {why}; nothing was written")

    async def _validate_and_refine(
        self,
        run: _Run,
        writer: AtomicNodeWriter,
        rendered: ModelRenderedNode,
        level: EnumValidationLevel,
    ) -> None:
        if level is EnumValidationLevel.NONE:
            run.recorder.skipped(S.VALIDATION, "validation level none")
            run.recorder.skipped(S.REFINEMENT, "validation level none")
            return

        async def validate() -> ModelValidationResult:
            staged = stages.stage_files(writer, rendered)
            return await stages.validate_node(staged, level)

        validation = await self._stage(run, S.VALIDATION, validate, _validation_detail)
        run.validation = validation
        if validation.passed and (level is EnumValidationLevel.BASIC or not validation.issues):
            # At basic (the fast default) a node that passed keeps its non-blocking notes: each
            # fix costs tool runs. Standard and strict ask for quality, so their notes get fixed.
            run.recorder.skipped(
                S.REFINEMENT, f"validation passed ({len(validation.issues)} notes)"
            )
        else:

            async def refine() -> ModelRefinementResult:
                return await stages.refine_node(writer.fresh_staging_path(), validation)

            refinement = await self._stage(
                run,
                S.REFINEMENT,
                refine,
                lambda r: (
                    f"{sum(1 for step in r.steps if step.kept and step.changes)} fixes kept; "
                    + _validation_detail(r.after)
                ),
            )
            run.refinement = refinement
            run.validation = refinement.after
        final = run.validation
        if final is not None and not final.passed:
            blocking = final.blocking_issues
            first = f"; first: {blocking[0].location}: {blocking[0].message}" if blocking else ""
            raise _StageError(
                S.REFINEMENT if run.refinement is not None else S.VALIDATION,
                f"the node failed {level.value} validation (score {final.quality_score:.2f}, "
                f"threshold {final.threshold:.2f}, {len(blocking)} blocking issues{first}); "
                "nothing was written",
            )

    async def _write(
        self,
        writer: AtomicNodeWriter,
        *,
        rendered: ModelRenderedNode,
        requirements: ModelPRDRequirements,
        classification: ModelClassificationResult,
        run: _Run,
        prompt: str | None,
    ) -> Path:
        if not writer.staged:
            stages.stage_files(writer, rendered)
        stages.seal_node(
            writer,
            rendered=rendered,
            requirements=requirements,
            classification=classification,
            correlation_id=run.correlation_id,
            prompt=prompt,
            strategy=ModelStrategyManifest.of(run.strategy) if run.strategy else None,
        )
        if self._hooks is not None:
            try:
                sealed = _read_tree(writer.staging_path)
            except (OSError, UnicodeError) as exc:  # never a reason to fail the write
                run.warnings.append(f"files hook skipped: {one_line(exc)}")
            else:
                self._report_files(run, sealed)
        if self._before_commit is not None:
            await self._before_commit(writer.staging_path)
        target = writer.commit()
        run.files = writer.list_files()
        return target

    async def _tests(
        self,
        run: _Run,
        writer: AtomicNodeWriter,
        *,
        rendered: ModelRenderedNode,
        target: Path,
        run_tests: bool,
        strict_mode: bool,
        timeout: float | None,
    ) -> None:
        async def step() -> str:
            found = stages.inspect_generated_tests(rendered)
            detail = f"{found.test_functions} tests in {len(found.files)} files"
            if not run_tests:
                return detail + " (not run)"
            earlier = run.validation.test_results if run.validation is not None else None
            if earlier is not None:
                # Strict validation already ran these tests on the final staged files.
                results = earlier
                detail += " (run during validation)"
            else:
                results = await stages.run_node_tests(target, timeout)
                writer.remove_tool_artifacts()
            run.test_results = results
            outcome = f"{results.passed}/{results.total - results.skipped} passed"
            if results.is_passing:
                return f"{detail}; {outcome}"
            if strict_mode:
                writer.rollback()
                run.node_path = None
                run.files = ()
                raise RuntimeError(
                    f"the node's tests failed ({outcome}); strict mode restored the previous state"
                )
            run.warnings.append(f"the node's tests failed ({outcome}); see test_results")
            return f"{detail}; {outcome}"

        await self._stage(run, S.TEST_GENERATION, step, lambda detail: detail)

    def _report_files(self, run: _Run, files: tuple[tuple[str, str], ...]) -> None:
        if self._hooks is None:
            return
        try:
            self._hooks.run_files(run.correlation_id, files)
        except Exception as exc:  # recording must never fail a generation
            _LOG.debug("files hook failed", exc_info=True)
            run.warnings.append(f"files hook failed: {one_line(exc)}")

    async def _stage[T](
        self,
        run: _Run,
        stage: EnumPipelineStage,
        work: Callable[[], Awaitable[T]],
        describe: Callable[[T], str],
    ) -> T:
        """Run one stage: emit started, time it, emit completed or failed."""
        recorder = run.recorder
        # Yield to the loop once per stage so that a ``timeout`` or Ctrl-C that is already due
        # takes effect between stages even when the stages themselves never wait.
        await asyncio.sleep(0)
        recorder.started(stage)
        try:
            result = await work()
        except _StageError:
            raise
        except Exception as exc:
            _LOG.debug("stage %s failed", stage.title, exc_info=True)
            message = one_line(exc)
            recorder.failed(stage, message)
            raise _StageError(stage, message) from exc
        try:
            detail = describe(result)
        except Exception:  # a detail string must never fail a stage
            detail = ""
        recorder.completed(stage, detail)
        return result

    def _result(self, run: _Run, began: float, *, dry_run: bool) -> ModelGenerationResult:
        req = run.requirements
        validation = run.validation
        success = not run.errors
        return ModelGenerationResult(
            success=success,
            correlation_id=run.correlation_id,
            node_name=req.node_name if req else None,
            service_name=req.service_name if req else None,
            node_type=req.node_type if req else None,
            package_name=run.package_name,
            node_path=run.node_path if (success or dry_run) else None,
            files=run.files if success else (),
            stage_timings=run.recorder.timings,
            total_duration_ms=round((time.perf_counter() - began) * 1000.0, 3),
            quality_score=validation.quality_score if validation else None,
            validation=validation,
            refinement=run.refinement,
            test_results=run.test_results,
            warnings=(*run.warnings, *run.recorder.warnings),
            errors=tuple(run.errors),
            dry_run=dry_run,
            contract_yaml=run.contract_yaml,
            strategy=run.strategy,
        )


def _check_user_edits(run: _Run, target: Path, confirm: ConfirmOverwrite | None) -> None:
    """Stop before ``force`` replaces files edited by hand, unless ``confirm`` says go on."""
    from onexgen.writing.manifest import user_edits

    edits = user_edits(target)
    if not edits or (confirm is not None and confirm(target, edits)):
        return
    shown = ", ".join(edits[:10]) + (f" and {len(edits) - 10} more" if len(edits) > 10 else "")
    message = (
        f"{target} has {len(edits)} file(s) edited by hand since it was generated ({shown}); "
        "pass --overwrite-edits to replace them, or move them away"
    )
    run.recorder.failed(S.FILE_WRITING, message)
    raise _StageError(S.FILE_WRITING, message)


def _now[T](work: Callable[[], T]) -> Callable[[], Awaitable[T]]:
    """Adapt a synchronous (fast, in-memory) stage to :meth:`CodeGenerationService._stage`."""

    async def call() -> T:
        return work()

    return call


def _read_tree(root: Path) -> tuple[tuple[str, str], ...]:
    """Every file under ``root`` as sorted ``(relative POSIX path, text)`` pairs.

    Plain ``os`` calls, not pathlib: this runs on every recorded generation (~0.3 ms for a node).
    """
    found: list[tuple[str, str]] = []
    base = len(os.fspath(root)) + 1
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8")
            found.append((path[base:].replace(os.sep, "/"), text))
    return tuple(sorted(found))


def _validation_detail(result: ModelValidationResult) -> str:
    verdict = "passed" if result.passed else "failed"
    return f"score {result.quality_score:.2f}, {len(result.issues)} issues, {verdict}"


def _contract_text(rendered: ModelRenderedNode, contract: ModelNodeContract) -> str:
    try:
        return rendered.file("contract.yaml").content
    except KeyError:
        return contract.to_yaml()
