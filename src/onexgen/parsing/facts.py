"""Structured facts of a request (``ModelRequestFacts``), each with the words it came from.

Durations ("an hour", "five-minute", "2 days") are read as a number (digits or words) with a
time unit, and their role comes from the words around them (every -> schedule, window ->
window, timeout, TTL, last/past -> lookback); the other numbers become limits (top N,
concurrency, retries, page size); "above 5 percent" a threshold; steps, parallel groups,
compensation and grouping keys come from ``structure``. Plain values in the shape of
``ModelRequestFacts.model_dump(mode="json")`` so the parser stays pydantic-free.
"""

from __future__ import annotations

import re
from typing import Any

from onexgen.parsing.lemmas import lemma
from onexgen.parsing.lexicon import CADENCES, LIMIT_ROLES, NUMBER_WORDS, TIME_UNITS
from onexgen.parsing.structure import Step, Structure, _stem_overlap

_UNIT_WORDS = sorted(
    {*TIME_UNITS, *(unit + "s" for unit in TIME_UNITS if len(unit) > 2), "mins", "secs", "hrs"},
    key=len,
    reverse=True,
)
_LONG_UNITS = [unit for unit in _UNIT_WORDS if len(unit) > 2]
_DURATION = re.compile(
    rf"\b(?:(\d+(?:\.\d+)?)\s*-?\s*({'|'.join(_UNIT_WORDS)})"
    rf"|({'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))}|an?)(?:\s+|-)"
    rf"({'|'.join(_LONG_UNITS)}))\b(?!-?\d)",
    re.IGNORECASE,
)
"""Digits with any unit ("10s", "5 min", "2-day"); words only with a whole unit ("an hour")."""
_PERIOD = re.compile(
    r"\b(?:per|each|every|a|an)\s+(second|minute|hour|day|week|month)\b", re.IGNORECASE
)
_CADENCE = re.compile(
    r"\b(?:at\s+)?(" + "|".join(c.replace(" ", r"\s+") for c in CADENCES) + r")\b", re.IGNORECASE
)
_COUNT = re.compile(rf"(?<![\w.-])(\d+(?:\.\d+)?|{'|'.join(NUMBER_WORDS)})(?![\w.%-])", re.I)
_PERCENT = re.compile(
    r"\b(above|over|more than|greater than|exceeds?|below|under|less than|at least|at most)\s+"
    r"(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")\s*(%|percent|ms|milliseconds|seconds)?",
    re.IGNORECASE,
)
_METRIC = re.compile(
    r"([a-z][\w-]*\s+)?(rate|latency|usage|ratio|score|confidence|utili[sz]ation|load|"
    r"temperature|balance|count|size|errors?|failures?)\b",
    re.IGNORECASE,
)
_OUTPUTS = (
    (re.compile(r"\bp(\d{2}(?:\.\d)?)\b", re.IGNORECASE), None),
    (
        re.compile(r"\b(?:pre-?signed|signed)\s+(?:download\s+|upload\s+)?urls?\b", re.I),
        "presigned_url",
    ),
    (re.compile(r"\bmedians?\b", re.IGNORECASE), "median"),
    (re.compile(r"\b(?:averages?|mean)\b", re.IGNORECASE), "average"),
    (re.compile(r"\brunning\s+(?:tally|totals?|counts?|sums?)\b", re.IGNORECASE), "running_total"),
)
_ROLE_CONTEXT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bevery\s*$", re.I), "interval"),
    (
        re.compile(
            r"\b(?:time-?outs?|deadline)\b|\b(?:give\s+up|abort|bail\s+out)\s+(?:after|in)\s*$",
            re.I,
        ),
        "timeout",
    ),
    (
        re.compile(
            r"\b(?:ttl|time[- ]to[- ]live|expir\w*|cache\w*|keep\w*|retain\w*|for)\s*$", re.I
        ),
        "ttl",
    ),
    (re.compile(r"\b(?:last|past|previous|recent|trailing)\s*$", re.I), "lookback"),
    (re.compile(r"\b(?:segments?|chunks?|clips?)\s+of\s*$", re.I), "segment"),
    (re.compile(r"\b(?:after|delay\w*|wait\w*|in)\s*$", re.I), "delay"),
)
_WINDOW_AFTER = re.compile(
    r"^\s*(?:tumbling\s+|sliding\s+|rolling\s+)?(?:time\s+)?windows?\b", re.I
)
_WINDOW_BEFORE = re.compile(r"\b(sliding|tumbling|rolling|moving|hopping)\s*$", re.I)
_SLIDE = re.compile(r"\b(?:slid(?:e|es|ing)|advanc\w+|hop\w*|every)\s+(?:by\s+)?$", re.IGNORECASE)
_TIMEOUT_AFTER = re.compile(r"^\s*(?:\w+\s+)?time-?outs?\b", re.IGNORECASE)
_TTL_AFTER = re.compile(r"^\s*(?:ttl|expiry|expiration)\b", re.IGNORECASE)
_EXPIRE_NEAR = re.compile(
    r"\b(?:expir\w*|ttl|cache\w*|evict\w*|keep\w*|remember\w*|delet\w*|remov\w*|purg\w*"
    r"|retain\w*|retention|drop\w*)\b",
    re.I,
)


def _value(text: str) -> float:
    lowered = text.lower()
    if lowered in {"a", "an"}:
        return 1.0
    if lowered in NUMBER_WORDS:
        return float(NUMBER_WORDS[lowered])
    return float(lowered)


def _duration_seconds(match: re.Match[str]) -> float:
    number = match.group(1) or match.group(3)
    unit = match.group(2) or match.group(4)
    return _value(number) * _unit_seconds(unit)


def _unit_seconds(unit: str) -> float:
    lowered = unit.lower()
    if lowered in TIME_UNITS:
        return TIME_UNITS[lowered]
    return TIME_UNITS.get(lowered.removesuffix("s"), TIME_UNITS.get(lemma(lowered), 0.0))


def _clause_span(text: str, start: int, end: int) -> str:
    """The clause around a match (between punctuation), at most 80 characters either side."""
    left = max(*(text.rfind(mark, 0, start) for mark in ",;.:\n()"), start - 80)
    rights = [i for i in (text.find(mark, end) for mark in ",;.\n()") if i >= 0]
    right = min([*rights, end + 80, len(text)])
    return " ".join(text[left + 1 : right].split())


def _duration_role(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 40) : start]
    after = text[end : end + 30]
    if _WINDOW_AFTER.match(after) or _WINDOW_BEFORE.search(before):
        return "window"
    if _TIMEOUT_AFTER.match(after):
        return "timeout"
    if _TTL_AFTER.match(after):
        return "ttl"
    for pattern, role in _ROLE_CONTEXT:
        if pattern.search(before):
            if role in {"ttl", "delay"} and not _EXPIRE_NEAR.search(_clause_span(text, start, end)):
                return "delay" if role == "delay" else "other"
            if role == "delay" and _EXPIRE_NEAR.search(_clause_span(text, start, end)):
                return "ttl"
            return role
    if re.search(r"\btime-?outs?\b", _clause_span(text, start, end), re.I):
        return "timeout"
    return "other"


def _durations(text: str, facts: dict[str, list[dict[str, Any]]]) -> list[tuple[int, int]]:
    used: list[tuple[int, int]] = []
    window_kind = _WINDOW_BEFORE.search
    for match in _DURATION.finditer(text):
        seconds = _duration_seconds(match)
        if seconds <= 0:
            continue
        used.append(match.span())
        role = _duration_role(text, match.start(), match.end())
        source = _clause_span(text, match.start(), match.end())
        before = text[max(0, match.start() - 40) : match.start()]
        if role == "interval":
            facts["schedules"].append(
                {"every_seconds": seconds, "cron": None, "label": "", "source": source}
            )
        if role == "window":
            kind_match = window_kind(before) or re.search(
                r"\b(sliding|tumbling|rolling|moving|hopping)\b", source, re.I
            )
            sliding = kind_match is not None and kind_match.group(1).lower() != "tumbling"
            slide = None
            for other in _DURATION.finditer(text[match.end() : match.end() + 60]):
                if _SLIDE.search(text[match.end() : match.end() + other.start()]):
                    slide = _duration_seconds(other)
                    break
            facts["windows"].append(
                {
                    "kind": "sliding" if sliding else "tumbling",
                    "size_seconds": seconds,
                    "slide_seconds": (slide or min(seconds, 60.0)) if sliding else None,
                    "source": source,
                }
            )
        facts["durations"].append({"role": role, "seconds": seconds, "source": source})
    return used


def _periods(
    text: str,
    facts: dict[str, list[dict[str, Any]]],
    used: list[tuple[int, int]],
    accumulates: bool,
) -> None:
    """'per week', 'every hour', 'nightly', 'at midnight': periods stated without a number."""
    for match in _PERIOD.finditer(text):
        if any(a <= match.start() < b for a, b in used):
            continue
        if re.search(r"\d\s*\S*\s*$", text[max(0, match.start() - 15) : match.start()]):
            continue  # "5000 requests per hour" is a rate
        seconds = TIME_UNITS[match.group(1).lower()]
        source = _clause_span(text, match.start(), match.end())
        word = match.group(0).split()[0].lower()
        if word == "every":
            facts["schedules"].append(
                {"every_seconds": seconds, "cron": None, "label": "", "source": source}
            )
            facts["durations"].append({"role": "interval", "seconds": seconds, "source": source})
        elif word in {"per", "each"} and accumulates:
            facts["windows"].append(
                {
                    "kind": "tumbling",
                    "size_seconds": seconds,
                    "slide_seconds": None,
                    "source": source,
                }
            )
            facts["durations"].append({"role": "window", "seconds": seconds, "source": source})
        elif word in {"a", "an"}:
            continue  # "an hour" alone is read as a duration above
        used.append(match.span())
    for match in _CADENCE.finditer(text):
        label = " ".join(match.group(1).lower().split())
        seconds, cron = CADENCES[label]
        facts["schedules"].append(
            {
                "every_seconds": seconds,
                "cron": cron,
                "label": label,
                "source": _clause_span(text, match.start(), match.end()),
            }
        )


def _limit_role(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 25) : start]
    after = text[end : end + 20]
    around = f"{before} {after}"
    for pattern, role in LIMIT_ROLES:
        target = before if role == "top_n" else around
        if re.search(pattern, target, re.IGNORECASE):
            return role
    return "count"


def _limits(text: str, facts: dict[str, list[dict[str, Any]]], used: list[tuple[int, int]]) -> None:
    for match in _COUNT.finditer(text):
        if any(a <= match.start() < b for a, b in used):
            continue
        raw = match.group(1)
        if raw.lower() == "one" and not re.match(r"\s+(?:at a time|of)\b", text[match.end() :]):
            continue  # "one" is mostly an article ("skip one", "one of")
        if "." in raw:
            continue
        value = int(_value(raw))
        if 1900 <= value <= 2100 and raw.isdigit():
            continue  # a year
        facts["limits"].append(
            {
                "role": _limit_role(text, match.start(), match.end()),
                "value": value,
                "source": _clause_span(text, match.start(), match.end()),
            }
        )
    for word, value in (("once", 1), ("twice", 2), ("thrice", 3)):
        for match in re.finditer(rf"\b{word}\b", text, re.IGNORECASE):
            context = text[max(0, match.start() - 40) : match.start()]
            if re.search(r"\bretr\w*|attempt\w*", context, re.IGNORECASE):
                facts["limits"].append(
                    {
                        "role": "retries",
                        "value": value,
                        "source": _clause_span(text, match.start(), match.end()),
                    }
                )


def _thresholds(
    text: str, facts: dict[str, list[dict[str, Any]]], used: list[tuple[int, int]]
) -> None:
    for match in _PERCENT.finditer(text):
        unit = (match.group(3) or "").lower() or None
        if unit is None and not re.search(
            r"\b(?:rate|ratio|share|percent)\b", text[: match.start()], re.I
        ):
            continue
        used.append(match.span())
        metric_match = None
        for candidate in _METRIC.finditer(text[: match.start()]):
            metric_match = candidate
        metric = "value"
        if metric_match:
            words = [w for w in (metric_match.group(1) or "", metric_match.group(2)) if w.strip()]
            metric = "_".join(lemma(w.strip()) for w in words)
            metric = re.sub(r"[^a-z0-9_]", "", metric) or "value"
        comparison = match.group(1).lower()
        facts["thresholds"].append(
            {
                "metric": metric if re.match(r"^[a-z]", metric) else "value",
                "value": _value(match.group(2)),
                "unit": "percent" if unit in {"%", "percent"} else unit,
                "comparison": "below"
                if comparison in {"below", "under", "less than"}
                else "at_least"
                if comparison == "at least"
                else "at_most"
                if comparison == "at most"
                else "above",
                "source": _clause_span(text, match.start(), match.end()),
            }
        )


def _outputs(text: str) -> list[dict[str, Any]]:
    found: dict[str, str] = {}
    for pattern, name in _OUTPUTS:
        for match in pattern.finditer(text):
            key = name or f"p{match.group(1).replace('.', '_')}"
            found.setdefault(key, _clause_span(text, match.start(), match.end()))
    return [{"name": name, "source": source} for name, source in found.items()]


def _step_facts(structure: Structure) -> list[dict[str, Any]]:
    steps = list(structure.steps)
    names: list[str] = []
    for step in steps:
        name = step.name
        while name in names:
            name = f"{name}_{len(names) + 1}"
        names.append(name)
    group: set[int] = set()
    if structure.parallel:
        nouns = {index for index, step in enumerate(steps) if not step.action}
        if len(nouns) >= 2:
            group = nouns
        elif structure.parallel_steps:
            group = set(structure.parallel_steps)
        else:
            marked = [
                i
                for i, step in enumerate(steps)
                if structure.parallel_source.lower() in step.source.lower()
            ]
            group = set(marked[:1]) or ({len(steps) - 1} if steps else set())
    undo: dict[int, tuple[str, str]] = {}
    for compensation in structure.compensations:
        trigger_words = compensation.trigger.split()
        trigger = next(
            (
                i
                for i, step in enumerate(steps)
                if any(
                    _stem_overlap(word, said)
                    for word in (step.action, *step.objects)
                    if word
                    for said in trigger_words
                )
            ),
            None,
        )
        targets = [
            i
            for i, step in enumerate(steps)
            if i != trigger
            and any(
                _stem_overlap(word, target)
                for word in (step.action, *step.objects)
                if word
                for target in compensation.objects
            )
        ]
        if not targets:
            targets = [i for i in range(len(steps)) if trigger is None or i < trigger]
        if trigger is None and targets and max(targets) + 1 < len(steps):
            # "roll back the reservation if payment fails": the failure names no step, so it is
            # the step that runs after the ones undone (charge the card)
            trigger = max(targets) + 1
        for index in targets:
            undo[index] = (compensation.source, names[trigger] if trigger is not None else "")
    result: list[dict[str, Any]] = []
    group_name = "parallel_1" if group else None
    for index, step in enumerate(steps):
        if index in group:
            before = [j for j in range(index) if j not in group]
            depends = [names[before[-1]]] if before else []
        elif group and index > max(group):
            depends = (
                [names[j] for j in sorted(group)] if index == max(group) + 1 else [names[index - 1]]
            )
        else:
            depends = [names[index - 1]] if index else []
        undo_source, undo_trigger = undo.get(index, ("", ""))
        result.append(
            {
                "name": names[index],
                "description": step.source[:400],
                "depends_on": depends,
                "parallel_group": group_name if index in group else None,
                "compensation": undo_source or None,
                "compensation_trigger": undo_trigger or None,
                "source": step.source[:400],
            }
        )
    return result


def extract_facts(
    text: str, structure: Structure, *, workflow: bool, accumulates: bool
) -> dict[str, Any]:
    """Every structured fact of ``text``; ``workflow``: the node is an orchestrator (steps are
    reported only then); ``accumulates``: it keeps state, so "per week" is a window."""
    facts: dict[str, list[dict[str, Any]]] = {
        "schedules": [],
        "windows": [],
        "durations": [],
        "limits": [],
        "thresholds": [],
    }
    used = _durations(text, facts)
    _periods(text, facts, used, accumulates)
    _thresholds(text, facts, used)
    _limits(text, facts, used)
    steps = _step_facts(structure) if workflow else []
    return {
        "steps": steps,
        "parallel": workflow and structure.parallel,
        "compensation": workflow and bool(structure.compensations),
        "group_by": [{"name": key[:80], "source": source} for key, source in structure.grouping],
        "windows": facts["windows"],
        "schedules": facts["schedules"],
        "durations": facts["durations"],
        "limits": facts["limits"],
        "thresholds": facts["thresholds"],
        "outputs": _outputs(text),
    }


__all__ = ["Step", "extract_facts"]
