"""Sample requirements covering all kinds, several categories and features, and a renderer.

Requirements are built directly (the parser's output model is the contract between stages).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from onexgen.contracts import build_contract
from onexgen.events import wire_event_bus
from onexgen.intelligence import gather_intelligence
from onexgen.models import (
    EnumCategory,
    EnumNodeKind,
    ModelClassificationResult,
    ModelPerformanceRequirements,
    ModelPRDRequirements,
    ModelRateLimit,
)
from onexgen.models.rendered import ModelRenderedNode
from onexgen.rendering import render_node
from onexgen.rendering.template_manager import TemplateManager

HOSTILE_TEXT = (
    'Say "hi" and \'bye\' """ triple """ \\ back\\slash \\N{BULLET} {{ 7*7 }} '
    "{% if x %}y{% endif %}"
    "{# c #}\nnew line\r\n\ttab \x00 nul \u2028 sep \U0001f600 \u00e9t\u00e9 ${HOME} $(rm -rf /) "
    "`id` ../../etc/passwd -- # comment ]]> </script> : - ? | > & * ! % @ "
)


def requirements(
    kind: EnumNodeKind,
    name: str,
    service: str,
    category: EnumCategory,
    *,
    operations: tuple[str, ...] = (),
    features: tuple[str, ...] = (),
    description: str = "",
    **performance: object,
) -> ModelPRDRequirements:
    """Requirements as the parser would produce them."""
    return ModelPRDRequirements(
        node_type=kind,
        node_name=name,
        service_name=service,
        domain="infrastructure",
        category=category,
        business_description=description or f"{name} {kind.value} node",
        operations=operations,
        features=features,
        performance_requirements=ModelPerformanceRequirements.model_validate(performance),
        original_prompt=description or f"Create {kind.value.upper()} node {name}",
    )


SAMPLES: tuple[ModelPRDRequirements, ...] = (
    requirements(
        EnumNodeKind.EFFECT,
        "PostgresWriter",
        "postgres_writer",
        EnumCategory.DATABASE,
        operations=("create", "update", "delete"),
        features=("connection_pooling", "retry_logic", "circuit_breaker"),
        description="Write user records to PostgreSQL with pooling and retries",
        retry_attempts=4,
        pool_min_size=5,
        pool_max_size=20,
        circuit_breaker_threshold=3,
    ),
    requirements(
        EnumNodeKind.EFFECT,
        "GithubIssues",
        "github_issues",
        EnumCategory.API,
        operations=("read",),
        features=("rate_limiting", "pagination", "metrics"),
        description="Fetch issues from the GitHub REST API",
        rate_limit=ModelRateLimit(requests=5000, period_seconds=3600),
        timeout_seconds=15,
    ),
    requirements(
        EnumNodeKind.COMPUTE,
        "JsonTransformer",
        "json_transformer",
        EnumCategory.DATA,
        operations=("transform", "validate"),
        features=("validation",),
        description="Transform JSON documents and validate them",
    ),
    requirements(
        EnumNodeKind.COMPUTE,
        "ChurnPredictor",
        "churn_predictor",
        EnumCategory.ML,
        operations=("predict",),
        features=("caching",),
        description="Predict customer churn from usage features",
        cache_ttl_seconds=600,
    ),
    requirements(
        EnumNodeKind.REDUCER,
        "MetricsRollup",
        "metrics_rollup",
        EnumCategory.MONITORING,
        operations=("aggregate",),
        features=("windowing", "metrics"),
        description="Aggregate service metrics over 1 and 5 minute windows",
        window_seconds=(60.0, 300.0),
    ),
    requirements(
        EnumNodeKind.ORCHESTRATOR,
        "PaymentWorkflow",
        "payment_workflow",
        EnumCategory.WORKFLOW,
        operations=(),
        features=("retry_logic",),
        description="Coordinate reservation, charge and receipt steps of a payment",
        retry_attempts=2,
    ),
)


def classification_for(requirements: ModelPRDRequirements) -> ModelClassificationResult:
    """A classification agreeing with the requirements' kind."""
    return ModelClassificationResult(
        node_type=requirements.node_type,
        confidence=1.0,
        template_name=requirements.node_type.value,
        template_variant=requirements.category.value,
    )


def generate(
    requirements: ModelPRDRequirements,
    *,
    templates_dir: Path | None = None,
    template_manager: TemplateManager | None = None,
) -> ModelRenderedNode:
    """Stages 2 to 5 in memory."""
    manager = template_manager or TemplateManager(templates_dir)
    classification = classification_for(requirements)
    intelligence = gather_intelligence(requirements, classification)
    contract = build_contract(requirements, classification, intelligence)
    rendered = render_node(
        requirements,
        classification,
        intelligence,
        contract,
        template_manager=manager,
        ruff_format=False,
    )
    # wire_event_bus formats the whole package in one ruff run (as the pipeline should call it)
    return wire_event_bus(rendered, requirements, contract, template_manager=manager)


def write(rendered: ModelRenderedNode, output_dir: Path) -> Path:
    """Write the package under ``output_dir`` (tests only; the real writer is atomic)."""
    root = output_dir / rendered.package_name
    for item in rendered.files:
        target = root / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.content, encoding="utf-8")
    return root


Generate = Callable[..., ModelRenderedNode]
Write = Callable[[ModelRenderedNode, Path], Path]


@pytest.fixture(scope="session")
def samples() -> tuple[ModelPRDRequirements, ...]:
    """Requirements covering all kinds and several categories and features."""
    return SAMPLES


@pytest.fixture(scope="session")
def generate_node() -> Generate:
    """Run stages 2 to 5 for requirements."""
    return generate


@pytest.fixture(scope="session")
def write_node() -> Write:
    """Write a rendered node to a directory."""
    return write


@pytest.fixture(scope="session")
def hostile_text() -> str:
    """Text that breaks naive code, YAML and template generation."""
    return HOSTILE_TEXT


@pytest.fixture(scope="session")
def make_requirements() -> Callable[..., ModelPRDRequirements]:
    """Build requirements like the parser does."""
    return requirements


@pytest.fixture(scope="session")
def classify() -> Callable[[ModelPRDRequirements], ModelClassificationResult]:
    """Classification matching the requirements' kind."""
    return classification_for
