"""Settings the generated code acts on, read from the request's structured facts.

Stage 1 records what the user stated (``ModelRequestFacts``); this module turns the facts that
effect, compute and orchestrator code honours into configuration values, each with the user's
number: a concurrency limit (a semaphore over operations, or over an orchestrator's parallel
steps), a schedule (declared in the contract, triggered from outside: omnibase_core has no node
scheduler), a count of outputs ("three sizes"), top-N and a threshold (the compute's result), a
presigned URL's expiry, a lookback period ("the last 24 hours"), the retry count and an overall
deadline. Reducers are left to the
reducer's own contract code.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from onexgen.models.contract import ModelScheduleConfig, ModelThresholdConfig
from onexgen.models.enums import EnumNodeKind

if TYPE_CHECKING:
    from onexgen.models.facts import ModelLimitFact, ModelRequestFacts
    from onexgen.models.requirements import ModelPRDRequirements

__all__ = [
    "DEFAULT_PRESIGN_EXPIRY_SECONDS",
    "PRESIGN_OPERATIONS",
    "cron_for",
    "fact_settings",
    "stated_max_retries",
    "stated_page_size",
    "stated_timeout_seconds",
]

# AWS SDKs default a presigned URL to one hour when no expiry is given.
DEFAULT_PRESIGN_EXPIRY_SECONDS = 3600
# The longest expiry S3 accepts for a SigV4 presigned URL (seven days).
MAX_PRESIGN_EXPIRY_SECONDS = 7 * 86400
PRESIGN_OPERATIONS = frozenset({"presign"})
PRESIGN_DURATION_ROLES = frozenset({"ttl", "other", "timeout"})
_ATTEMPTS = re.compile(r"\battempt", re.IGNORECASE)
_MINUTE, _HOUR, _DAY = 60, 3600, 86400


def _limit(facts: ModelRequestFacts, role: str) -> ModelLimitFact | None:
    """The first limit of ``role`` with a usable (positive) value."""
    return next((x for x in facts.limits if x.role == role and x.value >= 1), None)


def cron_for(every_seconds: float) -> str | None:
    """A cron line for a fixed interval, when cron can say it exactly (else ``None``).

    Cron fires on calendar boundaries, so only intervals that divide the minute's hour or the
    hour's day are exact: 5 minutes -> ``*/5 * * * *``, 6 hours -> ``0 */6 * * *``.
    """
    seconds = round(every_seconds)
    if seconds != every_seconds or seconds < _MINUTE:
        return None
    if seconds % _DAY == 0:
        return "0 0 * * *" if seconds == _DAY else None
    if seconds % _HOUR == 0:
        hours = seconds // _HOUR
        if hours == 1:
            return "0 * * * *"
        return f"0 */{hours} * * *" if 24 % hours == 0 else None
    if seconds % _MINUTE == 0:
        minutes = seconds // _MINUTE
        if minutes == 1:
            return "* * * * *"
        return f"*/{minutes} * * * *" if 60 % minutes == 0 else None
    return None


def _schedule(facts: ModelRequestFacts) -> ModelScheduleConfig | None:
    if not facts.schedules:
        return None
    stated = facts.schedules[0]
    every = stated.every_seconds
    cron = stated.cron or (cron_for(every) if every else None)
    if every is None and cron is None:
        return None
    return ModelScheduleConfig(every_seconds=every, cron=cron)


def stated_max_retries(facts: ModelRequestFacts) -> int | None:
    """Retries after the first attempt, as the user counted them.

    "retry 4 times" is four retries (five attempts); "4 attempts" is three retries.
    """
    retries = next((x for x in facts.limits if x.role == "retries"), None)
    if retries is None:
        return None
    if _ATTEMPTS.search(retries.source):
        return max(retries.value - 1, 0)
    return retries.value


def stated_page_size(facts: ModelRequestFacts) -> int | None:
    """The page size the user stated ("50 per page"), which switches pagination on."""
    page = _limit(facts, "page_size")
    return page.value if page else None


def stated_timeout_seconds(facts: ModelRequestFacts) -> float | None:
    """An overall deadline the user stated ("give up after 2 minutes", "timeout of 8 s")."""
    return next((d.seconds for d in facts.durations if d.role == "timeout"), None)


def _presign_expiry(requirements: ModelPRDRequirements) -> int | None:
    facts = requirements.facts
    presigns = PRESIGN_OPERATIONS & set(requirements.operations) or any(
        output.name == "presigned_url" for output in facts.outputs
    )
    if not presigns:
        return None
    stated = next(
        (d.seconds for d in facts.durations if d.role in PRESIGN_DURATION_ROLES),
        float(DEFAULT_PRESIGN_EXPIRY_SECONDS),
    )
    return min(max(round(stated), 1), MAX_PRESIGN_EXPIRY_SECONDS)


def fact_settings(requirements: ModelPRDRequirements, kind: EnumNodeKind) -> dict[str, Any]:
    """``ModelFeatureConfiguration`` fields the request's facts set for a node of ``kind``."""
    if kind is EnumNodeKind.REDUCER:
        return {}
    facts = requirements.facts
    settings: dict[str, Any] = {}
    if concurrency := _limit(facts, "concurrency"):
        settings["max_concurrency"] = concurrency.value
    if schedule := _schedule(facts):
        settings["schedule"] = schedule
    if kind is EnumNodeKind.COMPUTE:
        if variants := _limit(facts, "variants"):
            settings["output_variants"] = variants.value
        if top := _limit(facts, "top_n"):
            settings["top_n"] = top.value
        if facts.thresholds:
            stated = facts.thresholds[0]
            settings["threshold"] = ModelThresholdConfig(
                metric=stated.metric, value=stated.value, comparison=stated.comparison
            )
    lookback = next((d.seconds for d in facts.durations if d.role == "lookback"), None)
    if lookback is not None and kind in {EnumNodeKind.EFFECT, EnumNodeKind.COMPUTE}:
        settings["lookback_seconds"] = lookback
    if kind is EnumNodeKind.EFFECT and (expiry := _presign_expiry(requirements)):
        settings["presign_expiry_seconds"] = expiry
    return settings
