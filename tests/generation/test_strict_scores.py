"""Every public prompt's node passes strict validation with a score >= 0.95 AS GENERATED.

Issue 4's acceptance, without stage 7: each prompt of ``prompts_public.jsonl`` goes through the
real pipeline with ``validation_level="none"`` (no validation, no refinement: the files written
are exactly what stages 4 and 5 rendered), each into its own folder (p09 and p16 give the same
package name), then the real validator scores them all at ``strict``. One batched validation per
group of distinct package names shares a single mypy, pytest and ``onex validate`` run.

Slow: ~25 s on an idle machine (generation ~2 s, the rest is the tools).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from onexgen.batch.batched_validation import validate_batch
from onexgen.models.validation import EnumValidationLevel, ModelValidationResult
from onexgen.pipeline import CodeGenerationService

pytestmark = pytest.mark.slow

PUBLIC = Path(__file__).resolve().parents[3] / "shared" / "eval" / "prompts_public.jsonl"
MIN_SCORE = 0.95


def _prompts() -> list[tuple[str, str]]:
    lines = PUBLIC.read_text(encoding="utf-8").splitlines()
    return [(row["id"], row["prompt"]) for row in map(json.loads, filter(None, lines))]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Prompt id -> node directory, generated with no validation and no refinement."""
    if not PUBLIC.is_file():
        pytest.skip(f"evaluation corpus not present at {PUBLIC}")
    out = tmp_path_factory.mktemp("public_prompts")
    service = CodeGenerationService()

    async def generate_all() -> dict[str, Path]:
        nodes: dict[str, Path] = {}
        for prompt_id, prompt in _prompts():
            result = await service.generate_node(
                None,
                out / prompt_id,
                prompt=prompt,
                validation_level="none",
                run_tests=False,
            )
            assert result.success, f"{prompt_id}: {result.errors}"
            assert result.node_path is not None
            nodes[prompt_id] = Path(result.node_path)
        return nodes

    return asyncio.run(generate_all())


def _groups(nodes: dict[str, Path]) -> list[dict[str, Path]]:
    """Split the nodes so that no batch holds two directories of the same name."""
    groups: list[dict[str, Path]] = []
    for prompt_id, node_dir in sorted(nodes.items()):
        for group in groups:
            if node_dir.name not in {d.name for d in group.values()}:
                group[prompt_id] = node_dir
                break
        else:
            groups.append({prompt_id: node_dir})
    return groups


def _validate(nodes: dict[str, Path]) -> dict[str, ModelValidationResult]:
    results: dict[str, ModelValidationResult] = {}
    for group in _groups(nodes):
        batch = asyncio.run(validate_batch(list(group.values()), level=EnumValidationLevel.STRICT))
        by_dir = {Path(node.node_dir): node.validation for node in batch.nodes}
        for prompt_id, node_dir in group.items():
            validation = by_dir[node_dir.resolve()]
            assert validation is not None, prompt_id
            results[prompt_id] = validation
    return results


def test_every_public_prompt_scores_at_least_095_at_strict_as_generated(
    generated: dict[str, Path],
) -> None:
    assert len(generated) == len(_prompts())
    results = _validate(generated)
    for prompt_id, result in sorted(results.items()):
        print(f"{prompt_id} {generated[prompt_id].name}: {result.quality_score:.4f}")
    below = {
        prompt_id: [f"{i.code} {i.location}: {i.message}" for i in result.issues]
        for prompt_id, result in results.items()
        if result.quality_score < MIN_SCORE or not result.passed
    }
    assert not below, below
    assert all(r.test_results is not None and r.test_results.is_passing for r in results.values())
