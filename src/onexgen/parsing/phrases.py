"""How the phrase tables are written and matched: whole words and phrases, never substrings.

The logic half of the vocabulary: the kind and category names, the regex helpers the tables are
written with (a verb's regular forms, a noun's plural, a whole-word pattern) and the compiled
entry types. The data half, the tables themselves, is ``vocabulary`` (and ``lexicon``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


class Kind:
    """Node kinds as plain strings (the values of ``EnumNodeKind``).

    The parser works on plain strings so that ``onexgen parse`` never has to import pydantic;
    the typed models are built at the edge. A test keeps these equal to the enums.
    """

    EFFECT: Final = "effect"
    COMPUTE: Final = "compute"
    REDUCER: Final = "reducer"
    ORCHESTRATOR: Final = "orchestrator"
    ALL: Final = (EFFECT, COMPUTE, REDUCER, ORCHESTRATOR)


class Category:
    """Categories as plain strings (the values of ``EnumCategory``, in the same order)."""

    DATABASE: Final = "database"
    CACHE: Final = "cache"
    API: Final = "api"
    MESSAGING: Final = "messaging"
    STORAGE: Final = "storage"
    ML: Final = "ml"
    MONITORING: Final = "monitoring"
    SECURITY: Final = "security"
    WORKFLOW: Final = "workflow"
    DATA: Final = "data"
    GENERAL: Final = "general"
    ALL: Final = (
        DATABASE,
        CACHE,
        API,
        MESSAGING,
        STORAGE,
        ML,
        MONITORING,
        SECURITY,
        WORKFLOW,
        DATA,
        GENERAL,
    )


# A word boundary that also treats dotted names ("order.created") and identifiers
# ("data_services") as single tokens, so their parts never count as words of their own.
_START = r"(?<![\w])(?<!\w\.)"
_END = r"(?![\w])(?!\.\w)"


def verb(base: str, *extra: str) -> str:
    """Regex alternation of a regular English verb's forms (base, -s, -ing, -ed) plus extras."""
    if base.endswith("e") and not base.endswith("ee"):
        forms = {base, base + "s", base[:-1] + "ing", base + "d"}
    elif base.endswith("y") and base[-2:-1] not in "aeiou":
        forms = {base, base[:-1] + "ies", base + "ing", base[:-1] + "ied"}
    elif base.endswith(("s", "sh", "ch", "x", "z")):
        forms = {base, base + "es", base + "ing", base + "ed"}
    else:
        forms = {base, base + "s", base + "ing", base + "ed"}
    forms.update(extra)
    return "|".join(sorted(forms, key=lambda form: (-len(form), form)))


def noun(base: str, *extra: str) -> str:
    """Regex alternation of a noun and its plural."""
    plural = base + "es" if base.endswith(("s", "sh", "ch", "x")) else base + "s"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        plural = base[:-1] + "ies"
    forms = {base, plural, *extra}
    return "|".join(sorted(forms, key=lambda form: (-len(form), form)))


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated block (easier to read and edit)."""
    return frozenset(text.split())


def phrase_pattern(*alternatives: str) -> re.Pattern[str]:
    """Compile alternatives (regex fragments) into one whole-word, case-insensitive pattern."""
    body = "|".join(f"(?:{alt})" for alt in alternatives)
    return re.compile(f"{_START}(?:{body}){_END}", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Term:
    """A canonical name and the pattern of everything that expresses it."""

    canonical: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Cue:
    """Evidence for a node kind or category: a label for explanations, a pattern and a weight."""

    target: str
    label: str
    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True, slots=True)
class ExternalSystem:
    """An outside system the node talks to, its display name and the category it implies."""

    name: str
    pattern: re.Pattern[str]
    category: str


def terms(table: dict[str, tuple[str, ...]]) -> tuple[Term, ...]:
    """Compile a table of canonical name -> alternatives into matchable terms."""
    return tuple(Term(name, phrase_pattern(*alts)) for name, alts in table.items())


def cues(target: str, entries: tuple[tuple[str, str, float], ...]) -> tuple[Cue, ...]:
    """Compile (label, regex, weight) entries into cues for ``target``."""
    return tuple(
        Cue(target, label, phrase_pattern(regex), weight) for label, regex, weight in entries
    )


__all__ = [
    "Category",
    "Cue",
    "ExternalSystem",
    "Kind",
    "Term",
    "cues",
    "noun",
    "phrase_pattern",
    "terms",
    "verb",
    "word_set",
]
