"""``onexgen parse``: show what the parser understood from a prompt or a requirements file.

Only Typer is imported at module level; the parser (pydantic), Rich and YAML are imported inside
the command so that ``onexgen --help`` and every other command start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path  # noqa: TC003 - Typer reads the annotation at run time
from typing import Annotated, Any

import typer

from onexgen.cli.parse_fast import (
    PROMPT_LIMIT,
    NodeTypeOption,
    from_prompt,
    print_refusal,
    render_human,
    result_as_json,
)


def parse(
    prompt: Annotated[
        str | None,
        typer.Argument(
            help=f"What the node should do, in plain language (at most {PROMPT_LIMIT:,} chars).",
            show_default=False,
        ),
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

    from onexgen.parsing.errors import ParsingError, PromptRefusedError

    try:
        if requirements is not None:
            requirements_dict, classification_dict = _from_file(requirements, node_type)
        else:
            requirements_dict, classification_dict = from_prompt(prompt or "", node_type)
    except PromptRefusedError as error:
        print_refusal(error.message, error.template)
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
        render_human(result)


def _from_file(
    path: Path, node_type: NodeTypeOption | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    from onexgen.parsing import NodeClassifier, load_requirements_file

    parsed = load_requirements_file(path)
    if node_type is not None:
        explicit = tuple(dict.fromkeys((*parsed.explicit_fields, "node_type")))
        parsed = type(parsed).model_validate(
            {**parsed.model_dump(), "node_type": node_type.value, "explicit_fields": explicit}
        )
    classification = NodeClassifier().classify(parsed)
    return parsed.model_dump(mode="json"), classification.model_dump(mode="json")
