"""``onexgen test NODE_DIR``: run a node's tests and explain any failures.

Exit codes: 0 all selected tests passed, 1 failures (or no tests), 2 usage error.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path  # noqa: TC003 - Typer reads the annotation at run time
from typing import Annotated

import typer

from onexgen.cli.options import NoSandboxOption, apply_sandbox_flag, require_node_dir


class TestTypeOption(StrEnum):
    """Values of ``--type`` (mirrors EnumTestType without importing pydantic)."""

    __test__ = False

    ALL = "all"
    UNIT = "unit"
    INTEGRATION = "integration"
    CONTRACT = "contract"
    PERFORMANCE = "performance"


def run_tests(
    node_dir: Annotated[
        Path, typer.Argument(help="The generated node package directory.", show_default=False)
    ],
    *,
    test_type: Annotated[
        TestTypeOption, typer.Option("--type", "-t", help="Only tests with this marker.")
    ] = TestTypeOption.ALL,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Kill the run after this many seconds.")
    ] = 300.0,
    coverage: Annotated[
        bool, typer.Option("--coverage/--no-coverage", help="Measure line coverage.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    no_sandbox: NoSandboxOption = False,
) -> None:
    """Run a node's tests (marker filter, timeout, coverage) and analyse the failures."""
    apply_sandbox_flag(no_sandbox)
    require_node_dir(node_dir, "onexgen test generated/node_postgres_writer_effect --type unit")
    from onexgen.models.testing import EnumTestType
    from onexgen.testing.failure_analyzer import FailureAnalyzer
    from onexgen.testing.test_executor import TestExecutor
    from onexgen.validation.tools import ToolNotFoundError

    try:
        results = TestExecutor(timeout).run_sync(
            node_dir, EnumTestType(test_type.value), coverage=coverage
        )
    except ToolNotFoundError as error:
        sys.stderr.write(f"error: {error}\n")
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        sys.stderr.write("onexgen: interrupted; the test run was stopped\n")
        raise typer.Exit(code=130) from None
    analyzer = FailureAnalyzer()
    analysis = analyzer.analyze(results)
    if as_json:
        payload = {
            **results.summary_dict(),
            "analysis": {
                **analysis.model_dump(mode="json"),
                "categories": [category.value for category in analysis.categories],
            },
        }
        payload.pop("output_tail", None)
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(analyzer.to_markdown(analysis, results)))
        for failed in results.failed_tests:
            Console().print(f"[red]FAILED[/red] {failed.name}: {failed.error}")
    raise typer.Exit(code=0 if results.is_passing else 1)
