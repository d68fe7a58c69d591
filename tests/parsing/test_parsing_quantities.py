"""Numbers stated in prompts come back in structured form."""

from __future__ import annotations

import pytest

from onexgen.parsing import PRDAnalyzer
from onexgen.parsing.quantities import extract_performance


def test_pool_rate_ttl_retries_timeout() -> None:
    numbers = extract_performance(
        "connection pool 10-50, rate limit of 5000 requests/hour, TTL 30 minutes, "
        "3 retry attempts and a 5 second timeout"
    )
    assert (numbers.pool_min_size, numbers.pool_max_size) == (10, 50)
    assert numbers.rate_limit is not None
    assert numbers.rate_limit.requests == 5000
    assert numbers.rate_limit.period_seconds == 3600
    assert numbers.cache_ttl_seconds == 1800
    assert numbers.retry_attempts == 3
    assert numbers.timeout_seconds == 5


def test_connection_range_without_the_word_pool() -> None:
    numbers = extract_performance("Connection pooling (10-50 connections)")
    assert (numbers.pool_min_size, numbers.pool_max_size) == (10, 50)


def test_windows_listed_after_the_word_window() -> None:
    numbers = extract_performance("time-based windowing (1min, 5min, 1hour) with count and sum")
    assert numbers.window_seconds == (60, 300, 3600)


def test_per_day_is_a_window_but_requests_per_hour_is_a_rate() -> None:
    assert extract_performance("sum amounts per merchant per day").window_seconds == (86400,)
    numbers = extract_performance("at most 100 requests per hour")
    assert numbers.window_seconds == ()
    assert numbers.rate_limit is not None
    assert numbers.rate_limit.per_second == pytest.approx(100 / 3600)


@pytest.mark.parametrize(
    ("text", "attempts"),
    [("retry each step twice", 2), ("up to 5 retries", 5), ("retry up to three times", 3)],
)
def test_retry_counts(text: str, attempts: int) -> None:
    assert extract_performance(text).retry_attempts == attempts


def test_latency_throughput_breaker_batch() -> None:
    numbers = extract_performance(
        "Read latency: < 50ms (p95). Throughput: > 100 operations/second. "
        "Circuit breaker opens after 3 consecutive failures. Write in batches of 500."
    )
    assert numbers.max_latency_ms == 50
    assert numbers.throughput_per_second == 100
    assert numbers.circuit_breaker_threshold == 3
    assert numbers.batch_size == 500
    assert numbers.rate_limit is None


def test_numbers_reach_the_requirements() -> None:
    result = PRDAnalyzer().analyze_prompt(
        "Forward alerts to a Slack webhook with a 5 second timeout"
    )
    assert result.performance_requirements.timeout_seconds == 5
    assert "timeout" in result.features


def test_no_numbers_no_values() -> None:
    numbers = extract_performance("Convert XML to JSON")
    assert numbers.model_dump(exclude_defaults=True) == {}
