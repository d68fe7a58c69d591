"""Numbers stated in a prompt, kept in structured form.

"pool 10-50", "5000 requests/hour", "TTL 30 minutes", "3 attempts", "5 second timeout",
"windows (1min, 5min, 1hour)", "< 50ms", "batches of 100", "per day" become fields of
``ModelPerformanceRequirements`` so later stages configure exactly what was asked for.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from onexgen.parsing.lexicon import NUMBER_WORDS

if TYPE_CHECKING:
    from onexgen.models.requirements import ModelPerformanceRequirements

_UNIT_SECONDS: dict[str, float] = {
    "ms": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "week": 604800.0,
    "weeks": 604800.0,
}
_UNIT = r"(?:milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?)"
_NUM = r"\d+(?:[.,]\d+)*"
_COUNT = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"

_POOL_RANGE = re.compile(
    r"pool\w*[^.\n\d]{0,40}?(\d+)\s*(?:-|\u2013|to|\.\.)\s*(\d+)"
    r"|(\d+)\s*(?:-|\u2013|to)\s*(\d+)\s*(?:db |database |pooled )?connections",
    re.IGNORECASE,
)
_POOL_MAX = re.compile(
    r"pool size(?: of)?\s*(\d+)|(?:max(?:imum)?|up to)\s*(\d+)\s*connections"
    r"|pool of\s*(\d+)\s*connections",
    re.IGNORECASE,
)
_RATE = re.compile(
    rf"({_NUM})\s*(requests?|req|calls?|operations?|ops|messages?|events?|queries)?"
    rf"\s*(?:/|per|an?|each)\s*({_UNIT})\b",
    re.IGNORECASE,
)
_TTL = re.compile(
    rf"(?:ttl|time[- ]to[- ]live|expir\w*(?: after)?)\D{{0,25}}?({_NUM})\s*({_UNIT})\b"
    rf"|({_NUM})\s*[- ]?({_UNIT})\s*(?:ttl|expiry|expiration)",
    re.IGNORECASE,
)
_RETRIES = re.compile(
    rf"\b({_COUNT})\s*(?:retry\s+)?(?:attempts|retries|tries|times)\b"
    rf"|retr(?:y|ies)\w*[^.\n]{{0,30}}?\b(?:up to\s*)?({_COUNT}|once|twice|thrice)\b"
    rf"(?!\s*(?:{_UNIT}|%)\b)",
    re.IGNORECASE,
)
_TIMEOUT = re.compile(
    rf"({_NUM})\s*[- ]?({_UNIT})\s*(?:\w+\s+)?time-?outs?"
    rf"|time-?outs?\s*(?:of|:|=|after|is)?\s*({_NUM})\s*[- ]?({_UNIT})\b",
    re.IGNORECASE,
)
_LATENCY = re.compile(
    # the number must belong to the latency: not across a clause ("p99 latency, keeping
    # the last 24 hours" states a lookback, not a 24 h latency budget)
    rf"(?:latency|p9\d|p50|response time)"
    rf"(?:(?!\b(?:last|past|previous|recent|trailing|keep\w*|retain\w*|every)\b)[^.,;\n\d]){{0,25}}"
    rf"({_NUM})\s*({_UNIT})\b"
    rf"|(?:under|below|within|<)\s*({_NUM})\s*(ms|milliseconds?)\b",
    re.IGNORECASE,
)
_THROUGHPUT = re.compile(r"throughput", re.IGNORECASE)
_BREAKER = re.compile(
    r"(?:circuit[- ]?breaker\w*[^.\n\d]{0,60}?(\d+)\s*(?:consecutive\s+)?(?:failures|errors))"
    r"|(?:(\d+)\s*(?:consecutive\s+)?(?:failures|errors)[^.\n]{0,40}?(?:open|trip|circuit))",
    re.IGNORECASE,
)
_BATCH = re.compile(
    r"batch(?:es)?\s*(?:size)?\s*(?:of|:|=)?\s*(\d+)|(\d+)\s*(?:items|records|rows|messages|events)"
    r"\s*per\s*batch",
    re.IGNORECASE,
)
_WINDOW_CONTEXT = re.compile(r"windows?|windowing|windowed|tumbling|sliding", re.IGNORECASE)
_DURATION = re.compile(rf"\b({_NUM})\s*[- ]?({_UNIT})\b", re.IGNORECASE)
_PER_PERIOD = re.compile(
    r"\b(?:per|each)\s+(?:calendar\s+)?(second|minute|hour|day|week)\b"
    r"|\b(hourly|daily|weekly)\s+(?:averages?|totals?|counts?|sums?|buckets?|windows?|stats)\b",
    re.IGNORECASE,
)
_PERIOD_ADVERB = {"hourly": 3600.0, "daily": 86400.0, "weekly": 604800.0}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _count(text: str) -> int:
    lowered = text.lower()
    return NUMBER_WORDS[lowered] if lowered in NUMBER_WORDS else int(lowered)


def _seconds(value: str, unit: str) -> float:
    return _number(value) * _UNIT_SECONDS[unit.lower()]


def _first_group(match: re.Match[str], *indexes: int) -> str | None:
    for index in indexes:
        value = match.group(index)
        if value:
            return value
    return None


def _windows(text: str, used: list[tuple[int, int]]) -> tuple[float, ...]:
    found: list[float] = []
    for context in _WINDOW_CONTEXT.finditer(text):
        # Durations listed right after (or just before) the word "window": "windows (1min, 5min)".
        segment_start = max(0, context.start() - 20)
        segment = text[segment_start : context.end() + 60]
        stop = re.search(r"[.;\n]", segment[context.end() - segment_start :])
        if stop:
            segment = segment[: context.end() - segment_start + stop.start()]
        for duration in _DURATION.finditer(segment):
            start = segment_start + duration.start()
            if any(a <= start < b for a, b in used):
                continue
            seconds = _seconds(duration.group(1), duration.group(2))
            if seconds >= 1 and seconds not in found:
                found.append(seconds)
    for period in _PER_PERIOD.finditer(text):
        if any(a <= period.start() < b for a, b in used):
            continue
        before = text[max(0, period.start() - 25) : period.start()]
        if re.search(r"\d", before):
            continue  # "5000 requests per hour" is a rate, not a window
        word = (period.group(1) or period.group(2)).lower()
        seconds = _PERIOD_ADVERB.get(word) or _UNIT_SECONDS[word]
        if seconds not in found:
            found.append(seconds)
    return tuple(found)


def _pool(text: str, values: dict[str, object], used: list[tuple[int, int]]) -> None:
    if pool := _POOL_RANGE.search(text):
        low = _first_group(pool, 1, 3)
        high = _first_group(pool, 2, 4)
        if low and high and int(low) <= int(high) and int(high) > 0:
            values["pool_min_size"] = int(low)
            values["pool_max_size"] = int(high)
            used.append(pool.span())
    elif pool_max := _POOL_MAX.search(text):
        size = _first_group(pool_max, 1, 2, 3)
        if size and int(size) > 0:
            values["pool_max_size"] = int(size)
            used.append(pool_max.span())


def _rates(text: str, values: dict[str, object], used: list[tuple[int, int]]) -> None:
    for rate in _RATE.finditer(text):
        amount = _number(rate.group(1))
        period = _UNIT_SECONDS[rate.group(3).lower()]
        if amount <= 0:
            continue
        before = text[max(0, rate.start() - 40) : rate.start()]
        if _THROUGHPUT.search(before):
            values.setdefault("throughput_per_second", amount / period)
        elif rate.group(2) or re.search(r"rate|limit|throttl|quota", before, re.IGNORECASE):
            values.setdefault("rate_limit", {"requests": int(amount), "period_seconds": period})
        else:
            continue
        used.append(rate.span())


def _durations(text: str, values: dict[str, object], used: list[tuple[int, int]]) -> None:
    """TTL, timeout and latency: a number with a time unit next to the word that names it."""
    for field, pattern, scale in (
        ("cache_ttl_seconds", _TTL, 1.0),
        ("timeout_seconds", _TIMEOUT, 1.0),
        ("max_latency_ms", _LATENCY, 1000.0),
    ):
        match = pattern.search(text)
        if match is None:
            continue
        value, unit = _first_group(match, 1, 3), _first_group(match, 2, 4)
        if value and unit and _seconds(value, unit) > 0:
            values[field] = _seconds(value, unit) * scale
            used.append(match.span())


def _counts(text: str, values: dict[str, object]) -> None:
    if retries := _RETRIES.search(text):
        count = _first_group(retries, 1, 2)
        if count is not None and 0 <= _count(count) <= 100:
            values["retry_attempts"] = _count(count)
    if breaker := _BREAKER.search(text):
        threshold = _first_group(breaker, 1, 2)
        if threshold and int(threshold) > 0:
            values["circuit_breaker_threshold"] = int(threshold)
    if batch := _BATCH.search(text):
        size = _first_group(batch, 1, 2)
        if size and int(size) > 0:
            values["batch_size"] = int(size)


def extract_performance(text: str) -> ModelPerformanceRequirements:
    """Every number the prompt states, as the typed model later stages consume."""
    from onexgen.models.requirements import ModelPerformanceRequirements

    return ModelPerformanceRequirements.model_validate(extract_performance_values(text))


_DEFAULTS: dict[str, Any] = {
    "max_latency_ms": None,
    "throughput_per_second": None,
    "timeout_seconds": None,
    "retry_attempts": None,
    "pool_min_size": None,
    "pool_max_size": None,
    "cache_ttl_seconds": None,
    "rate_limit": None,
    "circuit_breaker_threshold": None,
    "batch_size": None,
    "window_seconds": [],
}


def extract_performance_values(text: str) -> dict[str, Any]:
    """Every number the prompt states about pools, rates, TTLs, retries, timeouts and windows.

    Plain values in the shape of ``ModelPerformanceRequirements.model_dump(mode="json")``.
    """
    values: dict[str, object] = {}
    used: list[tuple[int, int]] = []
    _pool(text, values, used)
    _rates(text, values, used)
    _durations(text, values, used)
    _counts(text, values)
    windows = _windows(text, used)
    if windows:
        values["window_seconds"] = list(windows)
    return {**_DEFAULTS, **values}
