"""``onexgen parse``: show what the parser understood from a prompt or a requirements file.

Typer and the enum of kinds are imported at module level; the parser, Rich and YAML inside the
command. A prompt goes through the parser's plain-value path (no pydantic model is built), a
requirements file through the typed models; both print the same view.
"""

from __future__ import annotations

import sys
from pathlib import Path  # noqa: TC003 - Typer reads the annotation at run time
from typing import Annotated, Any

import typer

from onexgen.models.enums import EnumNodeKind  # noqa: TC001 - Typer reads it at run time
from onexgen.parsing.errors import MAX_PROMPT_CHARS


def parse(
    prompt: Annotated[
        str | None,
        typer.Argument(
            help=f"What the node should do, in plain language (at most {MAX_PROMPT_CHARS:,} "
            "chars).",
            show_default=False,
        ),
    ] = None,
    node_type: Annotated[
        EnumNodeKind | None,
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
    """Parse a request and show the node kind, names, operations, features, numbers and facts."""
    if prompt is None and requirements is None:
        raise typer.BadParameter("give a PROMPT or --requirements FILE", param_hint="PROMPT")
    if prompt is not None and requirements is not None:
        raise typer.BadParameter(
            "give either a PROMPT or --requirements FILE, not both", param_hint="PROMPT"
        )

    from onexgen.parsing.errors import ParsingError, PromptRefusedError

    try:
        if requirements is not None:
            requirements_dict, classification_dict = _from_file(requirements, node_type)
        else:
            requirements_dict, classification_dict = _from_prompt(prompt or "", node_type)
    except PromptRefusedError as error:
        sys.stderr.write(f"error: {error.message}\n\nA prompt that works looks like:\n")
        sys.stderr.write(f"{error.template}\n")
        raise typer.Exit(code=1) from None
    except ParsingError as error:
        sys.stderr.write(f"error: {error.message}\n")
        raise typer.Exit(code=1) from None

    result = result_as_json(requirements_dict, classification_dict)
    from onexgen.intelligence.mixins import recommend_values

    result["recommended_mixins"] = recommend_values(
        classification_dict["node_type"],
        requirements_dict["category"],
        requirements_dict["features"],
        requirements_dict["operations"],
    )
    if as_json:
        import json

        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        _render_human(result)


def _from_prompt(
    prompt: str, node_type: EnumNodeKind | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    from onexgen.parsing.classifier import classify_values
    from onexgen.parsing.prd_analyzer import analyze_prompt_values

    parsed = analyze_prompt_values(prompt, node_type.value if node_type else None)
    classification = classify_values(
        node_type=parsed.node_type,
        kind_stated="node_type" in parsed.explicit_fields,
        inferred_confidence=parsed.field_confidence["node_type"],
        business_description=parsed.business_description,
        node_name=parsed.node_name,
        category=parsed.category,
        operations=parsed.operations,
        features=parsed.features,
        external_systems=parsed.external_systems,
    )
    return parsed.as_dict(), classification.as_dict()


def _from_file(path: Path, node_type: EnumNodeKind | None) -> tuple[dict[str, Any], dict[str, Any]]:
    from onexgen.parsing import NodeClassifier, load_requirements_file

    parsed = load_requirements_file(path)
    if node_type is not None:
        explicit = tuple(dict.fromkeys((*parsed.explicit_fields, "node_type")))
        parsed = type(parsed).model_validate(
            {**parsed.model_dump(), "node_type": node_type.value, "explicit_fields": explicit}
        )
    classification = NodeClassifier().classify(parsed)
    return parsed.model_dump(mode="json"), classification.model_dump(mode="json")


def result_as_json(requirements: dict[str, Any], classification: dict[str, Any]) -> dict[str, Any]:
    """The machine-readable view: the issue's top-level keys first, then everything else.

    Takes ``model_dump(mode="json")``-shaped dicts, so the prompt path can skip pydantic.
    ``facts`` carries every structured fact with the words (``source``) it came from.
    """
    numbers = {
        key: value
        for key, value in requirements["performance_requirements"].items()
        if value not in (None, [], ())
    }
    return {
        "node_type": classification["node_type"],
        "node_name": requirements["node_name"],
        "service_name": requirements["service_name"],
        "domain": requirements["domain"],
        "category": requirements["category"],
        "operations": list(requirements["operations"]),
        "features": list(requirements["features"]),
        "external_systems": list(requirements["external_systems"]),
        "confidence": classification["confidence"],
        "alternatives": [
            {
                "node_type": alt["node_type"],
                "confidence": alt["confidence"],
                "reason": alt.get("reason", ""),
            }
            for alt in classification["alternatives"]
        ],
        "extraction_confidence": requirements["extraction_confidence"],
        "field_confidence": requirements["field_confidence"],
        "explicit_fields": list(requirements["explicit_fields"]),
        "business_description": requirements["business_description"],
        "dependencies": list(requirements["dependencies"]),
        "performance_requirements": numbers,
        "facts": requirements["facts"],
        "template_name": classification["template_name"],
        "template_variant": classification["template_variant"],
        "primary_indicators": list(classification["primary_indicators"]),
    }


def _fact_lines(facts: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for step in facts["steps"]:
        extra = f" after {', '.join(step['depends_on'])}" if step["depends_on"] else ""
        if step["parallel_group"]:
            extra += f" [{step['parallel_group']}]"
        if step["compensation"]:
            extra += f" (undone: {step['compensation']})"
        lines.append(f"step {step['name']}{extra}")
    lines += [f"group by {key['name']} ('{key['source']}')" for key in facts["group_by"]]
    for window in facts["windows"]:
        slide = f", slide {window['slide_seconds']:g} s" if window["slide_seconds"] else ""
        lines.append(f"{window['kind']} window {window['size_seconds']:g} s{slide}")
    for schedule in facts["schedules"]:
        when = schedule["label"] or f"every {schedule['every_seconds']:g} s"
        lines.append(f"schedule {when} ('{schedule['source']}')")
    lines += [f"{d['role']} {d['seconds']:g} s ('{d['source']}')" for d in facts["durations"]]
    lines += [f"{limit['role']} {limit['value']}" for limit in facts["limits"]]
    lines += [
        f"{t['metric']} {t['comparison']} {t['value']:g}{' ' + t['unit'] if t['unit'] else ''}"
        for t in facts["thresholds"]
    ]
    lines += [f"output {output['name']}" for output in facts["outputs"]]
    return lines


def _render_human(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    stated = set(result["explicit_fields"])

    def origin(field: str) -> str:
        return "stated" if field in stated else "inferred"

    def listed(values: list[str]) -> str:
        return ", ".join(values) or "-"

    table = Table(title="What onexgen understood", show_header=True, header_style="bold")
    table.add_column("field", style="cyan", no_wrap=True)
    table.add_column("value")
    table.add_column("how", style="dim")
    table.add_row(
        "node type",
        f"[bold]{result['node_type']}[/bold] ({result['confidence']:.0%})",
        origin("node_type"),
    )
    table.add_row("node name", result["node_name"], origin("node_name"))
    table.add_row("service name", result["service_name"], origin("service_name"))
    table.add_row("domain", result["domain"], origin("domain"))
    table.add_row("category", result["category"], "inferred")
    table.add_row("purpose", result["business_description"], "")
    table.add_row("operations", listed(result["operations"]), "")
    table.add_row("features", listed(result["features"]), "")
    table.add_row("external systems", listed(result["external_systems"]), "")
    numbers = [f"{key}={value}" for key, value in result["performance_requirements"].items()]
    table.add_row("numbers", listed(numbers), "")
    table.add_row("facts", "\n".join(_fact_lines(result["facts"])) or "-", "")
    table.add_row("template", f"{result['template_name']} / {result['template_variant']}", "")
    alternatives = [
        f"{a['node_type']} {a['confidence']:.0%}" + (f" ({a['reason']})" if a["reason"] else "")
        for a in result["alternatives"]
    ]
    table.add_row("alternatives", "\n".join(alternatives) or "-", "")
    table.add_row("why", "; ".join(result["primary_indicators"]) or "-", "")
    table.add_row("extraction confidence", f"{result['extraction_confidence']:.0%}", "")
    Console().print(table)
