"""What a worker does with each request kind; no bus code here (that is ``worker/service.py``).

Each handler works in a private temporary directory that is removed afterwards: requests carry
their input files (requirements or contract file, the destination's ruff settings, a node's
files to validate) and responses carry the results, so a worker never touches the client's disk.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from onexgen.bus.messages import (
    ModelAnalyzeRequest,
    ModelAnalyzeResponse,
    ModelIntelligenceRequest,
    ModelMixinResponse,
    ModelPatternMatch,
    ModelPatternResponse,
    ModelRemoteFile,
    ModelRuffConfig,
    ModelValidateRequest,
    ModelValidateResponse,
)

if TYPE_CHECKING:
    from uuid import UUID

    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.generation import ModelProgressEvent
    from onexgen.models.intelligence import ModelIntelligence, ModelMixinRecommendation
    from onexgen.models.requirements import ModelPRDRequirements
    from onexgen.pipeline.service import CodeGenerationService

OUTPUT_FOLDER = "out"
SCRATCH_PREFIX = "onexgen-worker-"
OUTPUT_PLACEHOLDER = "<output>"
"""Stands for the client's output directory in stage details (the client puts its path back)."""
_SCRATCH_OUTPUT = re.compile(rf"\S*{SCRATCH_PREFIX}[^/\s]+/{OUTPUT_FOLDER}")


def hide_scratch(text: str) -> str:
    """``text`` with the scratch output directory replaced by :data:`OUTPUT_PLACEHOLDER`."""
    return _SCRATCH_OUTPUT.sub(OUTPUT_PLACEHOLDER, text)


def hide_scratch_in_event(event: ModelProgressEvent) -> ModelProgressEvent:
    """A stage event whose detail does not name the worker's scratch directory."""
    if event.event == "stage_completed" and SCRATCH_PREFIX in event.detail:
        return event.model_copy(update={"detail": hide_scratch(event.detail)})
    return event


def _write_ruff_config(root: Path, config: ModelRuffConfig | None) -> None:
    """Place the client's ruff settings where the pipeline's lookup (``find_ruff_config``) finds
    them: above the output directory, as in the client's project."""
    if config is not None:
        (root / config.file_name).write_text(config.content, encoding="utf-8")


def _input_file(root: Path, remote: ModelRemoteFile | None, default_name: str) -> Path | None:
    """Write a request's input file under ``root`` by its base name (never a path of its own)."""
    if remote is None:
        return None
    remote.verified()
    name = PurePosixPath(remote.path).name or default_name
    if name.startswith(".") or "/" in name or "\\" in name:
        name = default_name
    path = root / "input" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(remote.content, encoding="utf-8")
    return path


def read_node_files(node_dir: Path, relative_paths: tuple[str, ...]) -> tuple[ModelRemoteFile, ...]:
    """The files of a written node with their digests, in the result's (sorted) order."""
    return tuple(
        ModelRemoteFile.of(path, (node_dir / path).read_text(encoding="utf-8"))
        for path in relative_paths
    )


async def analyze(
    request: ModelAnalyzeRequest,
    correlation_id: UUID,
    service: CodeGenerationService,
    *,
    worker: str,
) -> ModelAnalyzeResponse:
    """Run the full pipeline for ``request`` in a scratch directory; return result and files.

    The service emits the stage events (its subscribers publish them); the result's
    ``node_path`` is the would-be name inside the client's output directory (the client sets
    the real one when it writes the files).
    """
    options = request.options
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as scratch:
        root = Path(scratch)
        _write_ruff_config(root, request.ruff_config)
        requirements = _input_file(root, request.requirements_file, "requirements.yaml")
        contract = _input_file(root, request.contract_file, "contract.yaml")
        output = root / OUTPUT_FOLDER
        result = await service.generate_node(
            requirements,
            output,
            prompt=request.prompt,
            contract=contract,
            node_type=options.node_type,
            force=False,
            dry_run=options.dry_run,
            validation_level=options.validation_level,
            run_tests=options.run_tests,
            strict_mode=options.strict_mode,
            timeout=options.timeout_seconds,
            correlation_id=correlation_id,
            strategy=options.strategy,
        )
        files: tuple[ModelRemoteFile, ...] = ()
        if result.success and not result.dry_run and result.node_path is not None:
            files = read_node_files(result.node_path, result.files)
        relative = None
        if result.node_path is not None and result.package_name is not None:
            relative = Path(result.package_name)
        timings = tuple(
            t.model_copy(update={"detail": hide_scratch(t.detail)}) for t in result.stage_timings
        )
        return ModelAnalyzeResponse(
            result=result.model_copy(update={"node_path": relative, "stage_timings": timings}),
            files=files,
            worker=worker,
        )


async def validate(request: ModelValidateRequest, *, worker: str) -> ModelValidateResponse:
    """Write the node's files into a scratch package and validate it with the real tools."""
    from onexgen.pipeline.service import one_line
    from onexgen.validation.quality_validator import QualityValidator
    from onexgen.writing.atomic_writer import validate_node_dir_name, validate_relative_path

    try:
        with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as scratch:
            root = Path(scratch)
            _write_ruff_config(root, request.ruff_config)
            node_dir = root / validate_node_dir_name(request.package_name)
            for remote in request.files:
                target = node_dir / validate_relative_path(remote.verified().path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(remote.content, encoding="utf-8")
            node_dir.mkdir(exist_ok=True)
            result = await QualityValidator(threshold=request.threshold).validate(
                node_dir, request.level
            )
    except Exception as exc:  # a bad request or a missing tool: an answer, not a retry
        return ModelValidateResponse(error=one_line(exc), worker=worker)
    return ModelValidateResponse(
        result=result.model_copy(update={"node_dir": request.package_name}), worker=worker
    )


def _understand(
    request: ModelIntelligenceRequest,
) -> tuple[ModelPRDRequirements, ModelClassificationResult, ModelIntelligence]:
    from onexgen.models.enums import EnumNodeKind
    from onexgen.pipeline import stages

    kind = EnumNodeKind(request.node_type) if request.node_type else None
    parsed = stages.parse_request(
        prompt=request.prompt, requirements=None, contract=None, node_type=kind
    )
    intelligence = stages.gather(parsed.requirements, parsed.classification)
    return parsed.requirements, parsed.classification, intelligence


def patterns(request: ModelIntelligenceRequest, *, worker: str) -> ModelPatternResponse:
    """The best practices (patterns) that apply to the prompt's node kind and category."""
    from onexgen.pipeline.service import one_line

    try:
        requirements, classification, intelligence = _understand(request)
    except Exception as exc:
        return ModelPatternResponse(error=one_line(exc), worker=worker)
    return ModelPatternResponse(
        node_type=classification.node_type.value,
        category=requirements.category.value,
        patterns=tuple(
            ModelPatternMatch(title=p.title, rationale=p.rationale, feature=p.feature)
            for p in intelligence.best_practices
        ),
        worker=worker,
    )


def mixins(request: ModelIntelligenceRequest, *, worker: str) -> ModelMixinResponse:
    """The mixins recommended for the prompt's node."""
    from onexgen.pipeline.service import one_line

    try:
        _, classification, intelligence = _understand(request)
    except Exception as exc:
        return ModelMixinResponse(error=one_line(exc), worker=worker)
    return ModelMixinResponse(
        node_type=classification.node_type.value,
        mixins=recommend_mixins(intelligence),
        worker=worker,
    )


def recommend_mixins(intelligence: ModelIntelligence) -> tuple[ModelMixinRecommendation, ...]:
    """The one place mixin recommendations come from: the recommender of stage 2
    (``onexgen.intelligence.mixins``), the same list as ``onexgen parse --json``."""
    return intelligence.recommended_mixins
