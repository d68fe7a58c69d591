"""Data for reading a request's structure: seed action lemmas by what they do to the world,
and the small closed word classes (determiners, time units, number words) the structure reader
needs.

Pure data, no logic: ``structure`` and ``facts`` read it. Entries are dictionary forms
(lemmas); every inflection ("reserved", "copies", "charging") reaches them through
``lemmas.lemma`` (simplemma's bundled dictionary), so no table lists word forms. The action
tables are seeds: their synonyms come from WordNet through ``thesaurus`` (superintend from
supervise, annul from cancel), so a seed is listed only when WordNet does not already give it
from another seed.
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ACTION_SEEDS: Final[dict[str, str]] = {
    # talks to an outside system: effect
    **dict.fromkeys(
        _words(
            """
            fetch pull push send post upload download mirror sync persist store save
            write read query publish stream email mail notify call invoke insert delete
            backup forward deliver poll crawl scrape ingest export import replicate copy move
            archive alert page text sms tweet charge bill refund pay reserve book provision deploy
            geocode subscribe enqueue dequeue purge evict expire cache load dump restore
            emit produce create update remove open close assign upsert broadcast transmit
            """
        ),
        "effect",
    ),
    # pure function of the input: compute
    **dict.fromkeys(
        _words(
            """
            convert compute rank mask parse validate score classify detect tell figure
            work turn transform normalise format encode decode encrypt hash sign
            filter resize compress decompress render split extract match predict estimate sort
            price tokenize summarize summarise translate redact sanitize check verify diff compare
            infer recognize identify determine decide generate hyphenate slugify round
            interpolate resample crop watermark anonymize anonymise lint minify
            build make approve reject review enrich dedupe map merge join
            """
        ),
        "compute",
    ),
    # accumulates state across many inputs: reducer
    **dict.fromkeys(
        _words(
            """
            count sum tally total aggregate track remember maintain collect fold
            average keep watch monitor deduplicate histogram bucket tabulate gather record
            """
        ),
        "reducer",
    ),
    # sequences or fans out work: orchestrator
    **dict.fromkeys(
        _words(
            """
            orchestrate coordinate supervise drive sequence schedule kick fan launch start spawn
            run execute manage chain perform trigger
            """
        ),
        "orchestrator",
    ),
}
"""Seed actions by what they do to the world: the kind of a node whose main action it is.
Read through ``thesaurus.action_kind``, which adds WordNet's synonyms."""

WEAK_ACTIONS: Final[frozenset[str]] = _words(
    "run execute manage keep load check generate book charge cache"
)
"""Actions whose kind depends on their object ("run the checks", "keep answers"): they lead a
node's kind only when nothing else in the request says more."""

NON_STEP_LEADS: Final[frozenset[str]] = _words("retry wait block return respond reply only")
"""Clause verbs that qualify the workflow instead of being one of its steps ("retry a failed
site once", "wait for all of them")."""

LIST_HEADS: Final[frozenset[str]] = _words("run execute start perform launch kick trigger")
"""Verbs that head a list of steps named as nouns ("run the identity check, sanctions
screening and address verification")."""

UNDO_SEEDS: Final[frozenset[str]] = _words(
    "undo revert compensate cancel release refund void unreserve rollback reverse rescind"
    " withdraw deprovision unenroll"
)
"""Seed actions that undo an earlier step ("undo the reservations if charging fails"); read
through ``thesaurus.undo_actions``, which adds WordNet's synonyms (annul, countermand)."""

FUNCTION_WORDS: Final[frozenset[str]] = _words(
    """
    a an the this that these those its their his her our your my some any all both each every
    it them they he she we you i me us him one ones to of in on at for from by with into onto
    over under via through as and or but if then than so also only just already still not no
    is are was were be been being has have had do does did will would should must can could may
    might shall which who whom whose what when where while how why there here up out off down
    about after before during until since per many much whether such same own
    """
)
"""Words that are never a step's object or a grouping key."""

DETERMINERS: Final[frozenset[str]] = _words(
    "the a an them it their its this these those all each every his her our your my some any"
)
"""Words that follow an imperative verb ("enroll them", "provision the laptop")."""

LEAD_ADVERBS: Final[frozenset[str]] = _words(
    "first firstly then next finally lastly also and afterwards later after that please"
)
"""Words that open a clause without being its action ("then fetch the score")."""

SCHEDULE_TIMES: Final[frozenset[str]] = _words(
    "second minute hour day night morning evening afternoon week weekday weekend month year"
)
"""Times of day and periods a leading schedule adverbial names ("Each morning, ...")."""

COLLECTIVE_NOUNS: Final[frozenset[str]] = _words(
    "step steps stage stages service services job jobs task tasks node nodes phase phases"
)
"""Nouns that close a list and name what every item is ("the resize, watermark and upload
steps"): they apply to all the items and are dropped from the step names."""

LIST_INTRODUCERS: Final[frozenset[str]] = _words("to into across onto through")
"""Prepositions after which a verb's object hands over to a list ("fan the job out to the
resize, watermark and upload steps")."""

BACK_REFERENCES: Final[frozenset[str]] = _words("them these those all both each")
"""Objects that point back at the steps already listed ("and run them in parallel")."""

PREPOSITIONS: Final[frozenset[str]] = _words(
    "to into from in on at for with via through of by over across between per each every"
)
"""Where a step's direct object ends ("post the totals | to accounting")."""

NOT_KEYS: Final[frozenset[str]] = _words(
    "page time request call run step other thing item one pass attempt night morning evening"
    " weekday weekend midnight"
)
"""Nouns after "per"/"each" that are not a grouping key ("100 per page", "retry each step")."""

TIME_UNITS: Final[dict[str, float]] = {
    "millisecond": 0.001,
    "ms": 0.001,
    "second": 1.0,
    "sec": 1.0,
    "s": 1.0,
    "minute": 60.0,
    "min": 60.0,
    "m": 60.0,
    "hour": 3600.0,
    "hr": 3600.0,
    "h": 3600.0,
    "day": 86400.0,
    "d": 86400.0,
    "week": 604800.0,
    "wk": 604800.0,
    "month": 2592000.0,
    "year": 31536000.0,
}
"""Seconds per time unit (lemma or abbreviation)."""

CADENCES: Final[dict[str, tuple[float, str | None]]] = {
    "hourly": (3600.0, "0 * * * *"),
    "nightly": (86400.0, "0 2 * * *"),
    "daily": (86400.0, "0 0 * * *"),
    "weekly": (604800.0, "0 0 * * 0"),
    "monthly": (2592000.0, "0 0 1 * *"),
    "midnight": (86400.0, "0 0 * * *"),
    "every night": (86400.0, "0 2 * * *"),
    "every morning": (86400.0, "0 7 * * *"),
    "every evening": (86400.0, "0 19 * * *"),
}
"""Named cadences: their period in seconds and a cron line."""

NUMBER_WORDS: Final[dict[str, int]] = {
    "zero": 0,
    "once": 1,
    "twice": 2,
    "thrice": 3,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
    "thousand": 1000,
    "dozen": 12,
}
"""Number words users write instead of digits ("every five minutes", "three sizes")."""

PARALLEL_PHRASES: Final[tuple[str, ...]] = (
    r"in parallel",
    r"side by side",
    r"concurrently",
    r"at the same time",
    r"simultaneously",
    r"fan(?:s|ning|ned)?[- ]?out",
)
"""Phrases that say steps run side by side."""

STATISTIC_NOUNS: Final[frozenset[str]] = _words(
    """
    total count sum tally average mean median percentile p50 p90 p95 p99 minimum maximum rate
    balance histogram distribution number ranking leaderboard
    """
)
"""Nouns that name state accumulated over many inputs ("the total number of items sold")."""

STATISTIC_NOUNS_WITH_OF: Final[frozenset[str]] = _words("number")
"""Statistic nouns that name one only with "of" ("the number of orders"); otherwise they name
an identifier ("card numbers", "phone number")."""

LIMIT_ROLES: Final[tuple[tuple[str, str], ...]] = (
    (r"\b(?:top|best|first|highest|lowest|largest|smallest)\s*$", "top_n"),
    (r"\b(?:concurrency|at most|at a time|in parallel|simultaneous|workers?)\b", "concurrency"),
    (r"\b(?:retr\w*|attempts?|tries|times)\b", "retries"),
    (r"\bper\s+page\b|\bpage\s+size\b", "page_size"),
    (r"\bbatch(?:es)?\b", "batch_size"),
    (r"\b(?:sizes|variants|renditions|versions|resolutions)\b", "variants"),
)
"""Regexes over the words around a number that say what kind of limit it is."""

AGENT_NOUNS: Final[dict[str, str]] = {
    "store": "Store",
    "persist": "Store",
    "save": "Store",
    "cache": "Cache",
    "remember": "Memory",
    "sync": "Sync",
    "synchronize": "Sync",
    "backup": "Backup",
    "archive": "Archive",
    "sum": "Totals",
    "total": "Totals",
    "tally": "Tally",
    "keep": "Tracker",
    "maintain": "Tracker",
    "watch": "Monitor",
    "run": "",
    "fan": "FanOut",
    "kick": "",
    "email": "Mailer",
    "book": "Booking",
    "turn": "Converter",
    "work": "Calculator",
    "figure": "Calculator",
    "tell": "Detector",
    "compute": "Calculator",
    "summarise": "Summarizer",
    "inspect": "Inspector",
    "select": "Selector",
    "drive": "",
    "pull": "Fetcher",
}
"""Role nouns that WordNet's derivations (``thesaurus.agent_noun``: detect -> Detector) and the
regular agent suffix (-er) do not give: what a store, a sum or a fan-out node is called."""

FLOW_NOUNS: Final[frozenset[str]] = _words(
    "run process pipeline workflow saga etl crawl job flow booking fanout sync backup"
)
"""Last words that already say a name is a workflow ("MonthlyBillingRun", "NightlyOrdersETL")."""

__all__ = [
    "ACTION_SEEDS",
    "AGENT_NOUNS",
    "BACK_REFERENCES",
    "CADENCES",
    "COLLECTIVE_NOUNS",
    "DETERMINERS",
    "FLOW_NOUNS",
    "FUNCTION_WORDS",
    "LEAD_ADVERBS",
    "LIMIT_ROLES",
    "LIST_HEADS",
    "LIST_INTRODUCERS",
    "NON_STEP_LEADS",
    "NOT_KEYS",
    "NUMBER_WORDS",
    "PARALLEL_PHRASES",
    "PREPOSITIONS",
    "SCHEDULE_TIMES",
    "STATISTIC_NOUNS",
    "STATISTIC_NOUNS_WITH_OF",
    "TIME_UNITS",
    "UNDO_SEEDS",
    "WEAK_ACTIONS",
]
