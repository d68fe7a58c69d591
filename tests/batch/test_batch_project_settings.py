"""Batched validation judges nodes by the ruff settings of the project they were written into."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from onexgen.batch.batched_validation import validate_batch
from onexgen.models.validation import EnumValidationLevel
from onexgen.pipeline import CodeGenerationService

LONG_PROMPT = (
    "Create a Redis caching node with connection pooling, TTL support for cache expiration, "
    "a circuit breaker and metrics collection"
)


@pytest.mark.slow
def test_nodes_in_a_line_length_100_project_pass_at_that_length(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n", encoding="utf-8")
    result = CodeGenerationService().generate_node_sync(
        None, project / "nodes", prompt=LONG_PROMPT, validation_level="none"
    )
    assert result.success, result.errors
    node_dir = Path(result.node_path or "")
    # Formatted at 100 columns: at ruff's default 88 at least one line would be re-wrapped.
    assert any(
        len(line) > 88
        for path in node_dir.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
    )

    batch = asyncio.run(validate_batch([node_dir], level=EnumValidationLevel.STANDARD))

    validation = batch.for_node(node_dir).validation
    assert validation is not None
    assert validation.passed, [issue.message for issue in validation.issues]
    assert not [issue for issue in validation.issues if "format" in issue.message.lower()]
    assert validation.quality_score >= 0.95
