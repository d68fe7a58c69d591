"""``onexgen parse PROMPT`` without Typer or pydantic: the start-up-critical half of the command.

Typer builds a pydantic adapter for every parameter of every command (about 0.35 s of CPU), so
the console script (``cli/entry.py``) answers plain prompt parsing here, with argparse and the
parser's plain-value path, and hands everything else (``--help``, ``--requirements``, other
commands) to the Typer app. Both paths print the same output and use the same exit codes.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any

PROMPT_LIMIT = 8000
"""Same as ``onexgen.parsing.errors.MAX_PROMPT_CHARS`` (a test keeps them equal); repeated here
so that building the CLI does not import the parser."""


class NodeTypeOption(StrEnum):
    """Values accepted by ``--node-type`` (kept here so the CLI does not import the models)."""

    EFFECT = "effect"
    COMPUTE = "compute"
    REDUCER = "reducer"
    ORCHESTRATOR = "orchestrator"


def result_as_json(requirements: dict[str, Any], classification: dict[str, Any]) -> dict[str, Any]:
    """The machine-readable view: the issue's top-level keys first, then everything else.

    Takes ``model_dump(mode="json")``-shaped dicts, so the prompt path can skip pydantic.
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
            {"node_type": alt["node_type"], "confidence": alt["confidence"]}
            for alt in classification["alternatives"]
        ],
        "extraction_confidence": requirements["extraction_confidence"],
        "field_confidence": requirements["field_confidence"],
        "explicit_fields": list(requirements["explicit_fields"]),
        "business_description": requirements["business_description"],
        "dependencies": list(requirements["dependencies"]),
        "performance_requirements": numbers,
        "template_name": classification["template_name"],
        "template_variant": classification["template_variant"],
        "primary_indicators": list(classification["primary_indicators"]),
    }


def render_human(result: dict[str, Any]) -> None:
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
    table.add_row("template", f"{result['template_name']} / {result['template_variant']}", "")
    alternatives = [f"{a['node_type']} {a['confidence']:.0%}" for a in result["alternatives"]]
    table.add_row("alternatives", listed(alternatives), "")
    table.add_row("why", "; ".join(result["primary_indicators"]) or "-", "")
    table.add_row("extraction confidence", f"{result['extraction_confidence']:.0%}", "")
    Console().print(table)


def print_refusal(message: str, template: str) -> None:
    """One line saying what is missing, then the prompt template (stderr)."""
    sys.stderr.write(f"error: {message}\n\nA prompt that works looks like:\n")
    sys.stderr.write(f"{template}\n")


def wants_fast_path(argv: list[str]) -> bool:
    """True for ``parse`` invocations the Typer-free path handles identically."""
    return (
        argv[:1] == ["parse"]
        and any(not arg.startswith("-") for arg in argv[1:])
        and not any(arg in {"--help", "-h", "--requirements"} for arg in argv[1:])
        and not any(arg.startswith("--requirements=") for arg in argv[1:])
    )


def from_prompt(
    prompt: str, node_type: NodeTypeOption | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse without pydantic: the plain-value path keeps `onexgen parse` start-up fast."""
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


def run_without_typer(argv: list[str]) -> int:
    """``onexgen parse`` for a prompt, with no Typer and no pydantic import (start-up time).

    Typer 0.29 builds a pydantic TypeAdapter for every parameter, which alone costs about
    0.35 s of CPU; this path parses the same arguments with argparse and returns the same
    output and exit codes (0 ok, 1 refused, 2 usage). ``--help`` and ``--requirements`` go
    through Typer, which is only slower, not different.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="onexgen parse", add_help=False)
    parser.add_argument("prompt")
    parser.add_argument("--node-type", choices=[kind.value for kind in NodeTypeOption])
    parser.add_argument("--json", action="store_true", dest="as_json")
    args = parser.parse_args(argv)
    from onexgen.parsing.errors import PromptRefusedError

    node_type = NodeTypeOption(args.node_type) if args.node_type else None
    try:
        requirements_dict, classification_dict = from_prompt(args.prompt, node_type)
    except PromptRefusedError as error:
        print_refusal(error.message, error.template)
        return 1
    result = result_as_json(requirements_dict, classification_dict)
    if args.as_json:
        import json

        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        render_human(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_without_typer(sys.argv[1:]))
