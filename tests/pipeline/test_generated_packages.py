"""Acceptance: generated packages pass ruff, ruff format, mypy --strict, onex validate, pytest.

A sample of the public corpus covering all four kinds, several categories and the features with
real code behind them (pooling, retry, circuit breaker, cache, rate limit, pagination, windowing),
plus hostile prompts, generated through the real pipeline and checked with the real tools in one
batched run per tool. The whole corpus: ``.venv/bin/python scripts/check_corpus.py``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from onexgen.pipeline import CodeGenerationService
from onexgen.pipeline.package_checks import check_packages

if TYPE_CHECKING:
    from pathlib import Path

SAMPLE = {
    # effect / database: CRUD, connection pooling, retry
    "p07": "Create a PostgreSQL CRUD Effect node with connection pooling and retry logic for "
    "database operations",
    # compute / data: parse, transform, validate
    "p08": "Create a data transformation Compute node that parses JSON and converts to XML format "
    "with validation",
    # reducer / monitoring: metrics, windowing
    "p16": "Real-time metrics aggregation with time-based windowing (1min, 5min, 1hour), count, "
    "sum, avg, min, max aggregations and periodic emission",
    # orchestrator / workflow: retry per step
    "p20": "Coordinate user signup: create the account, send the verification email, and emit a "
    "signup event; retry each step twice",
    # effect / cache: pooling, TTL, circuit breaker, metrics
    "p14": "Create a Redis caching node with connection pooling, TTL support for cache expiration, "
    "automatic serialization, a circuit breaker and metrics collection",
    # effect / api: rate limit, retry with backoff, caching, auth, pagination
    "p15": "GitHub API client with rate limiting, automatic retry with backoff, response caching, "
    "authentication via token and pagination support",
    # compute / ml
    "p19": "Run model inference with a pre-trained classifier and return labels with confidence "
    "scores",
    # hostile text inside an otherwise clear request
    "hostile_quotes": "Create EFFECT node for S3 uploads of files named '''x''' and \"\"\"y\"\"\" "
    "with {{ 7*7 }} {% raw %} \\ backslashes and a\nnewline\tand tab",
    "hostile_names": "COMPUTE node: Class (domain: import) - computes def lambda 123 ../../etc",
}


@pytest.mark.slow
def test_sample_packages_pass_every_tool(tmp_path: Path) -> None:
    service = CodeGenerationService()
    nodes = {}
    for key, prompt in SAMPLE.items():
        result = service.generate_node_sync(
            None, tmp_path / key, prompt=prompt, validation_level="none"
        )
        assert result.success, (key, result.errors)
        assert result.node_path is not None
        nodes[key] = result.node_path
    kinds = {path.name.rsplit("_", 1)[1] for path in nodes.values()}
    assert kinds == {"effect", "compute", "reducer", "orchestrator"}

    checked = asyncio.run(check_packages(list(nodes.values())))
    checks = {c.node_dir: c for c in checked}
    failures = {
        key: checks[str(path)].problems
        for key, path in nodes.items()
        if not checks[str(path)].passed
    }
    assert failures == {}
