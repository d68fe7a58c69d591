"""The nine stages as named, typed steps.

Each function does the real work of its stage by calling the stage package (``parsing``,
``intelligence``, ``contracts``, ``rendering``, ``events``, ``validation``, ``refinement``,
``writing``, ``testing``) and returns a typed value plus nothing else; timing, events, timeouts and
rollback are the service's job. Stage packages are imported inside the functions so that importing
the pipeline (and ``onexgen --help``) stays cheap.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from onexgen.models.requirements import ModelPRDRequirements
from onexgen.writing.manifest import MANIFEST_FILE_NAME, build_manifest, render_manifest

if TYPE_CHECKING:
    from uuid import UUID

    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.enums import EnumNodeKind
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.rendered import ModelRenderedNode
    from onexgen.models.strategy import ModelStrategyManifest
    from onexgen.models.testing import ModelTestResults
    from onexgen.models.validation import (
        EnumValidationLevel,
        ModelRefinementResult,
        ModelValidationResult,
    )
    from onexgen.rendering.template_manager import TemplateManager
    from onexgen.writing.atomic_writer import AtomicNodeWriter


class PipelineInputError(ValueError):
    """The request itself is wrong (nothing to generate from, conflicting inputs)."""


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    """Output of stage 1: what to build, which kind, and a contract if one was supplied."""

    requirements: ModelPRDRequirements
    classification: ModelClassificationResult
    contract: ModelNodeContract | None


@dataclass(frozen=True, slots=True)
class GeneratedTests:
    """What stage 9 found in the node's ``tests/`` folder before (optionally) running it."""

    files: tuple[str, ...]
    test_functions: int


# -- stage 1 ------------------------------------------------------------------------------------


def parse_request(
    *,
    prompt: str | None,
    requirements: ModelPRDRequirements | Path | None,
    contract: ModelNodeContract | Path | None,
    node_type: EnumNodeKind | None,
) -> ParsedRequest:
    """Stage 1: turn a prompt, a requirements file/model or a contract into typed requirements.

    Text is parsed; requirements and contracts are validated and normalised (re-validated through
    the model so every invariant holds) instead. Either way the classifier then confirms the kind.
    """
    from onexgen.parsing import NodeClassifier, PRDAnalyzer, load_requirements_file

    given = [
        name
        for name, value in (
            ("a prompt", prompt),
            ("requirements", requirements),
            ("a contract", contract),
        )
        if value is not None
    ]
    loaded_contract: ModelNodeContract | None = None
    if isinstance(contract, Path):
        from onexgen.contracts import load_contract

        loaded_contract, from_contract = load_contract(contract)
        if requirements is None:
            requirements = from_contract
    elif contract is not None:
        loaded_contract = contract
        if requirements is None:
            raise PipelineInputError("a contract model needs the requirements it was built from")
    elif len(given) > 1:
        raise PipelineInputError(f"give one of a prompt, requirements or a contract, not {given}")

    if isinstance(requirements, Path):
        requirements = load_requirements_file(requirements)
    if requirements is None:
        if prompt is None or not prompt.strip():
            raise PipelineInputError(
                "nothing to generate: give a prompt, requirements or a contract"
            )
        requirements = PRDAnalyzer().analyze_prompt(prompt, node_type_hint=node_type)
    else:
        requirements = normalise_requirements(requirements, node_type)
    if loaded_contract is not None and loaded_contract.node_kind is not requirements.node_type:
        raise PipelineInputError(
            f"the contract is a {loaded_contract.node_kind.value} node but the requirements ask "
            f"for {requirements.node_type.value}"
        )
    _refuse_generic_name(requirements)
    classification = NodeClassifier().classify(requirements)
    if classification.node_type is not requirements.node_type:
        # The requirements name their kind explicitly; the classifier's opinion is advisory.
        classification = classification.model_copy(update={"node_type": requirements.node_type})
    return ParsedRequest(requirements, classification, loaded_contract)


def _refuse_generic_name(requirements: ModelPRDRequirements) -> None:
    """Stop before any work when the node's name would fail ``onex validate --strict``.

    Every generated class name contains the node name, and omnibase_core rejects class names
    containing generic words (Manager, Service, Processor, ...); a stated name is the user's
    choice, so it is refused with a suggestion rather than rewritten silently.
    """
    from onexgen.parsing.names import KIND_ROLE, generic_name_words, without_generic_words

    words = generic_name_words(requirements.node_name)
    if words:
        suggestion = without_generic_words(
            requirements.node_name, KIND_ROLE[requirements.node_type.value]
        )
        raise PipelineInputError(
            f"node name {requirements.node_name!r} contains {', '.join(map(repr, words))}, which "
            "onex validate --strict rejects in class names; name the node for what it does, "
            f"e.g. {suggestion!r}"
        )


def normalise_requirements(
    requirements: ModelPRDRequirements, node_type: EnumNodeKind | None
) -> ModelPRDRequirements:
    """Re-validate requirements built elsewhere and apply an explicit ``--node-type``."""
    data = requirements.model_dump()
    if node_type is not None:
        # A kind given on the command line is stated, even when it matches what was inferred.
        data["node_type"] = node_type
        data["explicit_fields"] = tuple(sorted({*requirements.explicit_fields, "node_type"}))
    return ModelPRDRequirements.model_validate(data)


# -- stages 2 to 5 -------------------------------------------------------------------------------


def gather(
    requirements: ModelPRDRequirements, classification: ModelClassificationResult
) -> ModelIntelligence:
    """Stage 2: best practices for this kind and category."""
    from onexgen.intelligence import gather_intelligence

    return gather_intelligence(requirements, classification)


def build_node_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
    supplied: ModelNodeContract | None,
    module_prefix: str = "",
) -> ModelNodeContract:
    """Stage 3: build the contract, or keep the one supplied (already validated on loading).

    ``module_prefix`` (``<pkg>.nodes`` inside an ONEX project) roots every reference of the
    contract there; empty keeps the package name as the import path (standalone output).
    """
    if supplied is None:
        from onexgen.contracts import build_contract

        supplied = build_contract(requirements, classification, intelligence)
    if module_prefix:
        return supplied.model_copy(update={"module_root": f"{module_prefix}.{supplied.name}"})
    return supplied


def generate_code(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
    contract: ModelNodeContract,
    templates: TemplateManager | Path | None,
    *,
    output_directory: Path | None = None,
) -> ModelRenderedNode:
    """Stage 4: render the package from the templates (compiled once per manager).

    ``templates`` is a shared manager or, for one-off calls, an override directory (or None).
    Not formatted here: stage 5 runs one ``ruff format`` over the whole package, so each node
    pays for a single ruff process. The ruff settings of the project around
    ``output_directory`` (if any) set the line length docstrings are wrapped to.
    """
    from onexgen.rendering import render_node
    from onexgen.rendering.formatting import find_ruff_config

    templates = _manager(templates)
    return render_node(
        requirements,
        classification,
        intelligence,
        contract,
        templates_dir=templates.templates_dir,
        template_manager=templates,
        ruff_format=False,
        ruff_config=None if output_directory is None else find_ruff_config(output_directory),
    )


def integrate_event_bus(
    rendered: ModelRenderedNode,
    requirements: ModelPRDRequirements,
    contract: ModelNodeContract,
    templates: TemplateManager | Path | None,
    *,
    output_directory: Path | None = None,
) -> ModelRenderedNode:
    """Stage 5: add event models for the contract's topics, then format the whole package.

    Formatting follows the ruff settings of the project around ``output_directory`` (the
    validator reads the same ones), else ruff's defaults.
    """
    from onexgen.events import wire_event_bus
    from onexgen.rendering.formatting import find_ruff_config

    templates = _manager(templates)
    return wire_event_bus(
        rendered,
        requirements,
        contract,
        templates_dir=templates.templates_dir,
        template_manager=templates,
        ruff_config=None if output_directory is None else find_ruff_config(output_directory),
    )


def _manager(templates: TemplateManager | Path | None) -> TemplateManager:
    from onexgen.rendering.template_manager import TemplateManager

    if isinstance(templates, TemplateManager):
        return templates
    return TemplateManager(templates)


# -- stages 6 and 7 ------------------------------------------------------------------------------


async def validate_node(node_dir: Path, level: EnumValidationLevel) -> ModelValidationResult:
    """Stage 6: validate the staged node at ``level``."""
    from onexgen.validation.quality_validator import QualityValidator

    return await QualityValidator().validate(node_dir, level)


async def refine_node(node_dir: Path, validation: ModelValidationResult) -> ModelRefinementResult:
    """Stage 7: apply automatic fixes to the staged node and re-validate."""
    from onexgen.refinement.refiner import refine

    return await refine(node_dir, validation)


# -- stage 8 -------------------------------------------------------------------------------------


def stage_files(writer: AtomicNodeWriter, rendered: ModelRenderedNode) -> Path:
    """Stage 8, first half: write the rendered files into the writer's staging directory."""
    return writer.stage((item.path, item.content) for item in rendered.files)


def seal_node(
    writer: AtomicNodeWriter,
    *,
    rendered: ModelRenderedNode,
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    correlation_id: UUID,
    prompt: str | None,
    strategy: ModelStrategyManifest | None = None,
) -> Path:
    """Stage 8, second half: drop tool caches and write the manifest of the final staged files."""
    writer.remove_tool_artifacts()
    manifest = build_manifest(
        node_dir=writer.staging_path,
        contract=rendered.contract,
        requirements=requirements,
        classification=classification,
        template_versions=rendered.template_versions,
        correlation_id=correlation_id,
        prompt=prompt,
        strategy=strategy.used.value if strategy is not None else "jinja2",
        strategy_details=strategy,
    )
    return writer.add_file(MANIFEST_FILE_NAME, render_manifest(manifest))


# -- stage 9 -------------------------------------------------------------------------------------


def inspect_generated_tests(rendered: ModelRenderedNode) -> GeneratedTests:
    """Stage 9, always: the node ships tests, and every test module parses and defines tests."""
    files: list[str] = []
    count = 0
    for item in rendered.files:
        path = PurePosixPath(item.path)
        if path.parts[0] != "tests" or path.suffix != ".py":
            continue
        tree = ast.parse(item.content, filename=item.path)
        if path.name.startswith("test_"):
            files.append(item.path)
            count += sum(
                1
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith("test_")
            )
    if not files or count == 0:
        raise ValueError("the generated node has no tests (expected tests/**/test_*.py)")
    return GeneratedTests(tuple(sorted(files)), count)


async def run_node_tests(node_dir: Path, timeout_seconds: float | None) -> ModelTestResults:
    """Stage 9, when asked: run the committed node's own tests."""
    from onexgen.testing.test_executor import DEFAULT_TIMEOUT_SECONDS, TestExecutor

    return await TestExecutor(timeout_seconds or DEFAULT_TIMEOUT_SECONDS).run(node_dir)
