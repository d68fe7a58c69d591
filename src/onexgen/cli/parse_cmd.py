"""``onexgen parse``: show what the parser understood from a prompt or a requirements file.

Only Typer is imported at module level; the parser (pydantic), Rich and YAML are imported inside
the command so that ``onexgen --help`` and every other command start fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path  # noqa: TC003 - Typer reads the annotation at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.requirements import ModelPRDRequirements


class NodeTypeOption(StrEnum):
    """Values accepted by ``--node-type`` (kept here so the CLI does not import the models)."""

    EFFECT = "effect"
    COMPUTE = "compute"
    REDUCER = "reducer"
    ORCHESTRATOR = "orchestrator"


def result_as_json(
    requirements: ModelPRDRequirements, classification: ModelClassificationResult
) -> dict[str, Any]:
    """The machine-readable view: stable top-level keys first, then everything else."""
    return {
        "node_type": classification.node_type.value,
        "node_name": requirements.node_name,
        "service_name": requirements.service_name,
        "domain": requirements.domain,
        "category": requirements.category.value,
        "operations": list(requirements.operations),
        "features": list(requirements.features),
        "external_systems": list(requirements.external_systems),
        "confidence": classification.confidence,
        "alternatives": [
            {"node_type": alt.node_type.value, "confidence": alt.confidence}
            for alt in classification.alternatives
        ],
        "extraction_confidence": requirements.extraction_confidence,
        "field_confidence": requirements.field_confidence.model_dump(),
        "explicit_fields": list(requirements.explicit_fields),
        "business_description": requirements.business_description,
        "dependencies": list(requirements.dependencies),
        "performance_requirements": requirements.performance_requirements.model_dump(
            mode="json", exclude_defaults=True
        ),
        "template_name": classification.template_name,
        "template_variant": classification.template_variant,
        "primary_indicators": list(classification.primary_indicators),
    }


def _render_human(
    requirements: ModelPRDRequirements, classification: ModelClassificationResult
) -> None:
    from rich.console import Console
    from rich.table import Table

    stated = set(requirements.explicit_fields)

    def origin(field: str) -> str:
        return "stated" if field in stated else "inferred"

    table = Table(title="What onexgen understood", show_header=True, header_style="bold")
    table.add_column("field", style="cyan", no_wrap=True)
    table.add_column("value")
    table.add_column("how", style="dim")
    table.add_row(
        "node type",
        f"[bold]{classification.node_type.value}[/bold] ({classification.confidence:.0%})",
        origin("node_type"),
    )
    table.add_row("node name", requirements.node_name, origin("node_name"))
    table.add_row("service name", requirements.service_name, origin("service_name"))
    table.add_row("domain", requirements.domain, origin("domain"))
    table.add_row("category", requirements.category.value, "inferred")
    table.add_row("purpose", requirements.business_description, "")
    table.add_row("operations", ", ".join(requirements.operations) or "-", "")
    table.add_row("features", ", ".join(requirements.features) or "-", "")
    table.add_row("external systems", ", ".join(requirements.external_systems) or "-", "")
    numbers = requirements.performance_requirements.model_dump(mode="json", exclude_defaults=True)
    table.add_row(
        "numbers", ", ".join(f"{key}={value}" for key, value in numbers.items()) or "-", ""
    )
    table.add_row(
        "template", f"{classification.template_name} / {classification.template_variant}", ""
    )
    table.add_row(
        "alternatives",
        ", ".join(f"{a.node_type.value} {a.confidence:.0%}" for a in classification.alternatives)
        or "-",
        "",
    )
    table.add_row("why", "; ".join(classification.primary_indicators) or "-", "")
    table.add_row("extraction confidence", f"{requirements.extraction_confidence:.0%}", "")
    Console().print(table)


def parse(
    prompt: Annotated[
        str | None,
        typer.Argument(help="What the node should do, in plain language.", show_default=False),
    ] = None,
    node_type: Annotated[
        NodeTypeOption | None,
        typer.Option("--node-type", help="Settle the node kind instead of inferring it."),
    ] = None,
    requirements: Annotated[
        Path | None,
        typer.Option(
            "--requirements",
            help="A YAML or JSON requirements file to use instead of a prompt.",
            dir_okay=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON for machines.")
    ] = False,
) -> None:
    """Parse a request and show the node kind, names, operations, features and numbers."""
    if prompt is None and requirements is None:
        raise typer.BadParameter("give a PROMPT or --requirements FILE", param_hint="PROMPT")
    if prompt is not None and requirements is not None:
        raise typer.BadParameter(
            "give either a PROMPT or --requirements FILE, not both", param_hint="PROMPT"
        )

    from onexgen.parsing import (
        NodeClassifier,
        ParsingError,
        PRDAnalyzer,
        PromptRefusedError,
        load_requirements_file,
    )

    try:
        if requirements is not None:
            parsed = load_requirements_file(requirements)
            if node_type is not None and parsed.node_type.value != node_type.value:
                parsed = parsed.model_copy(
                    update={
                        "node_type": node_type.value,
                        "explicit_fields": tuple(
                            dict.fromkeys((*parsed.explicit_fields, "node_type"))
                        ),
                    }
                )
                parsed = type(parsed).model_validate(parsed.model_dump())
        else:
            assert prompt is not None
            parsed = PRDAnalyzer().analyze_prompt(
                prompt, node_type_hint=node_type.value if node_type else None
            )
    except PromptRefusedError as error:
        sys.stderr.write(f"error: {error.message}\n\nA prompt that works looks like:\n")
        sys.stderr.write(f"{error.template}\n")
        raise typer.Exit(code=1) from None
    except ParsingError as error:
        sys.stderr.write(f"error: {error.message}\n")
        raise typer.Exit(code=1) from None

    classification = NodeClassifier().classify(parsed)
    if as_json:
        import json

        sys.stdout.write(json.dumps(result_as_json(parsed, classification), indent=2) + "\n")
    else:
        _render_human(parsed, classification)
