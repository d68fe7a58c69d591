"""``onexgen validate NODE_DIR``: score a node with the real tools and list what to fix.

Exit codes: 0 passed, 1 failed (or a tool is missing), 2 usage error. Heavy modules (pydantic,
Rich, the validator) are imported inside the command so the CLI starts fast.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path  # noqa: TC003 - Typer reads the annotation at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onexgen.cli.options import (
    KafkaServersOption,
    NoSandboxOption,
    apply_sandbox_flag,
    require_node_dir,
)

if TYPE_CHECKING:
    from onexgen.models.validation import ModelValidationResult


class LevelOption(StrEnum):
    """Values of ``--level`` (mirrors EnumValidationLevel without importing pydantic)."""

    NONE = "none"
    BASIC = "basic"
    STANDARD = "standard"
    STRICT = "strict"


def validate(
    node_dir: Annotated[
        Path, typer.Argument(help="The generated node package directory.", show_default=False)
    ],
    *,
    level: Annotated[
        LevelOption, typer.Option("--level", "-l", help="How much to check.")
    ] = LevelOption.STRICT,
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.0, max=1.0, help="Minimum quality score to pass."),
    ] = 0.8,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    kafka_servers: KafkaServersOption = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=1.0, help="Kill the node's test run after this many seconds."
        ),
    ] = 120.0,
    no_sandbox: NoSandboxOption = False,
) -> None:
    """Validate a node: ONEX compliance, mypy --strict, ruff, docs and tests, with fixes."""
    apply_sandbox_flag(no_sandbox)
    require_node_dir(node_dir, "onexgen validate generated/node_postgres_writer_effect")
    from onexgen.bus.port import BusError
    from onexgen.validation.quality_validator import QualityValidator
    from onexgen.validation.tools import ToolNotFoundError

    try:
        if kafka_servers is not None:
            from onexgen.cli.remote_mode import validate_remote

            result = validate_remote(
                kafka_servers, node_dir, level=level.value, threshold=threshold
            )
        else:
            validator = QualityValidator(threshold=threshold, test_timeout_seconds=timeout)
            result = validator.validate_sync(node_dir, level.value)
    except (ToolNotFoundError, BusError) as error:
        sys.stderr.write(f"error: {error}\n")
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        sys.stderr.write("onexgen: interrupted; the node was not changed\n")
        raise typer.Exit(code=130) from None
    except (OSError, RuntimeError) as error:  # full TMPDIR, unreadable node: one line
        sys.stderr.write(f"onexgen: error: {' '.join(str(error).split())}\n")
        raise typer.Exit(code=1) from None
    if as_json:
        sys.stdout.write(json.dumps(result_as_json(result), indent=2) + "\n")
    else:
        print_result(result)
    raise typer.Exit(code=0 if result.passed else 1)


def result_as_json(result: ModelValidationResult) -> dict[str, Any]:
    """The machine-readable view: verdict and scores first, then the issues."""
    return {
        "passed": result.passed,
        "quality_score": result.quality_score,
        "threshold": result.threshold,
        "level": result.level.value,
        "component_scores": {
            score.component.value: score.score for score in result.component_scores
        },
        "components": [score.model_dump(mode="json") for score in result.component_scores],
        "issues": [issue.model_dump(mode="json") for issue in result.issues],
        "tools_run": list(result.tools_run),
        "duration_seconds": result.duration_seconds,
        "node_dir": result.node_dir,
    }


def print_result(result: ModelValidationResult) -> None:
    """Score table, then every issue with its location and fix."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    table = Table(title=f"Validation of {result.node_dir} ({result.level.value})")
    table.add_column("component")
    table.add_column("weight", justify="right")
    table.add_column("score", justify="right")
    table.add_column("issues", justify="right")
    table.add_column("checked")
    table.add_column("details")
    for score in result.component_scores:
        table.add_row(
            score.component.value,
            f"{score.weight:.0%}",
            f"{score.score:.2f}",
            str(score.issue_count),
            "yes" if score.checked else "partly",
            "; ".join(score.details),
        )
    console.print(table)
    for issue in result.issues:
        line = Text()
        line.append(f"{issue.severity.value:<8} ", style=_STYLES[issue.severity.value])
        line.append(f"{issue.location} ", style="bold")
        line.append(f"[{issue.code}] {issue.message}")
        console.print(line)
        console.print(Text(f"         fix: {issue.suggested_fix}", style="dim"))
    verdict = "PASSED" if result.passed else "FAILED"
    console.print(
        Text(
            f"{verdict}: quality {result.quality_score:.2f} (threshold {result.threshold:.2f}), "
            f"{len(result.issues)} issue(s), {len(result.blocking_issues)} blocking, "
            f"{result.duration_seconds:.1f} s",
            style="bold green" if result.passed else "bold red",
        )
    )


_STYLES = {"critical": "bold red", "error": "red", "warning": "yellow", "info": "cyan"}
