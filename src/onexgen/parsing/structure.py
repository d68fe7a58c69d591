"""The request's structure: its actions and their objects, lists of steps, "per X" keys,
"in parallel", "then", "if ... fails".

The kind of a node follows from what it does to the world, and that shows in the shape of the
request more reliably than in any single keyword: a headline with a list of steps is a
workflow, "the total per category" accumulates state, an action on a named outside system is
I/O. This module reads that shape; ``prd_analyzer`` decides with it, ``facts`` reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onexgen.parsing.lemmas import lemma
from onexgen.parsing.lexicon import (
    BACK_REFERENCES,
    COLLECTIVE_NOUNS,
    DETERMINERS,
    FUNCTION_WORDS,
    LEAD_ADVERBS,
    LIST_HEADS,
    LIST_INTRODUCERS,
    NON_STEP_LEADS,
    NOT_KEYS,
    NUMBER_WORDS,
    PARALLEL_PHRASES,
    PREPOSITIONS,
    STATISTIC_NOUNS,
    STATISTIC_NOUNS_WITH_OF,
    TIME_UNITS,
    WEAK_ACTIONS,
)
from onexgen.parsing.thesaurus import action_kind, action_kinds, undo_actions

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|\d+(?:\.\d+)?")
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
_CHUNK_SPLIT = re.compile(
    r"\s*,\s*(?:and\s+|then\s+|and\s+then\s+)?|\s+and\s+then\s+|\s+then\s+|\s+and\s+finally\s+"
    r"|\s+and\s+(?=\w)",
    re.IGNORECASE,
)
_LEAD_ADVERBS = LEAD_ADVERBS
_CONDITION = re.compile(r"\b(?:if|when|unless|once|only|whenever|in case)\b", re.IGNORECASE)
_FAILS = re.compile(
    r"\b(?:if|when|whenever|should|in case)\s+(?:the\s+)?([A-Za-z][\w-]*)(?:\s+[\w-]+){0,2}?\s+"
    r"(?:fails?|failed|errors?|is declined|declines?|times out|does not succeed)\b",
    re.IGNORECASE,
)
_ROLL_BACK = re.compile(r"^(?:roll(?:s|ing)?\s+back|rollback)\b", re.IGNORECASE)
_PARALLEL = re.compile(r"\b(?:" + "|".join(PARALLEL_PHRASES) + r")\b", re.IGNORECASE)
_JOIN = re.compile(
    r"\bwait(?:s|ing)?\s+for\s+(?:all|every|each|them)\b|\ball of them\b|\bgather(?:s|ing)?\b"
    r"|\bonly if all\b|\bwhen all\b",
    re.IGNORECASE,
)
_SEQUENCE = re.compile(r"\b(?:first|then|finally|afterwards|at the end|after that)\b", re.I)
_GROUP = re.compile(
    r"\b(?:per|each|every|for\s+each|for\s+every|(?:group|grouped|keyed|partitioned)\s+by)\s+([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2})",
    re.IGNORECASE,
)
_WINDOW = re.compile(r"\b(?:windows?|windowed|tumbling|sliding|rolling)\b", re.IGNORECASE)
_RATE_BEFORE = re.compile(r"(?:\d|\b(?:" + "|".join(NUMBER_WORDS) + r"))\s*$", re.IGNORECASE)
_GROUP_STOP = FUNCTION_WORDS | NOT_KEYS


@dataclass(frozen=True, slots=True)
class Step:
    """One action clause of the request: its verb lemma, object words and source text."""

    action: str
    objects: tuple[str, ...]
    source: str
    position: int

    @property
    def name(self) -> str:
        """snake_case from the user's own words: verb and object (``reserve_flight``)."""
        words = [self.action, *self.objects] if self.action else list(self.objects)
        return "_".join(_snake(word) for word in words if _snake(word))[:80].strip("_")


@dataclass(frozen=True, slots=True)
class Compensation:
    """An undo clause: what it undoes (object words), on which failure, and its text."""

    action: str
    objects: tuple[str, ...]
    trigger: str
    source: str


@dataclass(frozen=True, slots=True)
class Structure:
    """What the request's shape says about the node."""

    lead: Step | None
    steps: tuple[Step, ...]
    compensations: tuple[Compensation, ...]
    parallel: bool
    parallel_source: str
    grouping: tuple[tuple[str, str], ...]
    """(snake_case key, source words) pairs, in order."""
    orchestrated: str
    """Why the request is a workflow ("" when it is not)."""
    accumulates: str
    """Why the request keeps state across inputs ("" when it does not)."""
    parallel_steps: tuple[int, ...] = ()
    """Indexes of the steps a later clause runs side by side ("... in parallel")."""

    @property
    def lead_kind(self) -> str | None:
        """The kind of the lead action, when it is a known action."""
        return action_kind(self.lead.action) if self.lead else None


def _snake(word: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", word.lower()).strip("_")


_PREPOSITIONS = PREPOSITIONS


def _is_known(word: str) -> bool:
    return word in action_kinds() or word in undo_actions() or word in NON_STEP_LEADS


def _is_action(word: str) -> bool:
    return _is_known(lemma(word)) or _is_known(word.lower())


def _content(words: list[str]) -> list[str]:
    return [
        word
        for word in words
        if word.lower() not in FUNCTION_WORDS
        and not word[0].isdigit()
        and word.lower() not in NUMBER_WORDS
    ]


def _clause(text: str, position: int) -> Step | None:
    """A clause as an action and its object words ("charge the traveller" -> charge, traveller)."""
    words = _WORD.findall(text)
    while words and words[0].lower() in _LEAD_ADVERBS:
        words = words[1:]
    if not words:
        return None
    condition = _CONDITION.search(text)
    head = text[: condition.start()] if condition else text
    head_words = [w for w in _WORD.findall(head) if w.lower() not in _LEAD_ADVERBS]
    first = words[0]
    # an imperative: a known action, or any word followed by a determiner ("enroll them in
    # payroll", "onboard a new employee")
    imperative = len(words) > 1 and words[1].lower() in DETERMINERS and first[0].isalpha()
    guessed = imperative and first.lower() not in FUNCTION_WORDS and not first.endswith("ly")
    action = lemma(first) if _is_action(first) or guessed else ""
    rest = head_words[1:] if action else head_words
    if action in {"kick", "fan"} and rest and rest[0].lower() in {"off", "out"}:
        rest = rest[1:]
    # direct object: up to the first preposition; then the destination of "to" ("post the
    # totals to accounting", "send it to a reviewer"), which names the step as much as its object
    cut = next((i for i, word in enumerate(rest) if word.lower() in _PREPOSITIONS), len(rest))
    objects = _content(rest[:cut])[:3]
    if not objects and action and cut < len(rest):
        # "enroll them in payroll": the pronoun's step is named by what follows
        objects = _content(rest[cut + 1 :])[:2]
    elif cut < len(rest) and rest[cut].lower() in {"to", "into"}:
        after = rest[cut + 1 :]
        stop = next((i for i, w in enumerate(after) if w.lower() in _PREPOSITIONS), len(after))
        target = _content(after[:stop])[:2]
        if target:
            objects = [*objects, "to", *target]
    objects_tuple = tuple(objects)
    return Step(action, objects_tuple, " ".join(text.split()).strip(" ,.;:")[:400], position)


def _chunks(sentence: str, offset: int) -> list[tuple[str, int]]:
    pieces: list[tuple[str, int]] = []
    start = 0
    for match in _CHUNK_SPLIT.finditer(sentence):
        pieces.append((sentence[start : match.start()], offset + start))
        start = match.end()
    pieces.append((sentence[start:], offset + start))
    return [(piece, position) for piece, position in pieces if piece.strip(" ,.;:")]


def _stem_overlap(left: str, right: str) -> bool:
    a, b = lemma(left), lemma(right)
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return a == b or common >= 5 or (common >= 4 and min(len(a), len(b)) <= 5)


def _compensation(step: Step) -> Compensation | None:
    source = step.source
    fails = _FAILS.search(source)
    rolled = _ROLL_BACK.match(source)
    if not fails or not (step.action in undo_actions() or rolled):
        return None
    objects = step.objects
    if rolled:
        words = list(_WORD.findall(source[rolled.end() : fails.start()]))
        objects = tuple(w for w in words if w.lower() not in FUNCTION_WORDS)[:3]
    trigger = " ".join(lemma(word) for word in _WORD.findall(fails.group(0))[1:-1])
    return Compensation(step.action or "roll_back", objects, trigger, source[:400])


def _grouping(text: str) -> tuple[tuple[str, str], ...]:
    keys: dict[str, str] = {}
    text = _PARALLEL.sub(lambda match: " " * len(match.group(0)), text)
    for match in _GROUP.finditer(text):
        if _RATE_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
            continue  # "100 per page", "5000 requests per hour": a rate, not a key
        words: list[str] = []
        for word in match.group(1).split():
            lowered = word.lower()
            if lowered in _GROUP_STOP or lemma(word) in TIME_UNITS or lowered in NUMBER_WORDS:
                break
            if words and lemma(word) != lowered and not lowered.endswith("s"):
                break  # "each support agent spent": stop at the verb
            words.append(word)
        if not words or lemma(words[0]) in TIME_UNITS or words[0][0].isdigit():
            continue
        words[-1] = lemma(words[-1]) if action_kind(lemma(words[-1])) is None else words[-1]
        key = "_".join(_snake(word) for word in words)[:80].strip("_")
        if key and key not in keys:
            prefix = match.group(0)[: match.start(1) - match.start()]
            keys[key] = prefix + " ".join(match.group(1).split()[: len(words)])
    return tuple(keys.items())


def _refers_to(step: Step, chunk: str, steps: list[Step]) -> list[int]:
    """Indexes of earlier steps whose objects a qualifying clause names again, or all of them
    when its object points back ("run them in parallel")."""
    after = _WORD.findall(chunk)[1:]
    points_back = bool(after) and after[0].lower() in BACK_REFERENCES
    if step.action and points_back and (len(after) == 1 or after[1].lower() in FUNCTION_WORDS):
        return list(range(len(steps)))
    words = {lemma(word) for word in step.objects or _WORD.findall(chunk)} - FUNCTION_WORDS
    return [
        index
        for index, earlier in enumerate(steps)
        if earlier.objects and lemma(earlier.objects[-1]) in words
    ]


def parallel_steps(text: str, steps: tuple[Step, ...]) -> tuple[int, ...]:
    """Indexes of the steps a parallel phrase applies to ("..., running the charts and the
    figures in parallel"), empty when its clause names fewer than two earlier steps."""
    match = _PARALLEL.search(text)
    if match is None:
        return ()
    start = max(text.rfind(mark, 0, match.start()) for mark in ",;:.\n") + 1
    segment = text[start : match.end()]
    words = {lemma(word) for word in _WORD.findall(segment)} - FUNCTION_WORDS
    named = [
        index
        for index, step in enumerate(steps)
        if step.objects and lemma(step.objects[-1]) in words and step.position < start
    ]
    return tuple(named) if len(named) >= 2 else ()


_Chunk = tuple[str, int, tuple[str, ...] | None]
"""A clause's text, its position, and its item words when it is an item of a noun list."""


def _item_words(words: list[str]) -> list[str] | None:
    """The words of one list item ("watermark", "image resize"), or None when the piece is a
    clause of its own (a verb with its object, a prepositional phrase)."""
    if words and words[0].lower() in DETERMINERS:
        words = words[1:]
    if not 1 <= len(words) <= 3 or any(
        word.lower() in _PREPOSITIONS or word.lower() in DETERMINERS for word in words
    ):
        return None  # "to the billing", "restart the web": a clause, not an item
    return [word for word in words if word.lower() not in FUNCTION_WORDS] or None


def _list_start(words: list[str]) -> tuple[list[str], list[str]] | None:
    """(headline words, first item words) of the piece that opens a noun list: "fan out a job
    to the | resize" splits after the determiner that follows the preposition, "run the |
    resize" after a list verb's determiner; a bare item opens the list itself."""
    for index in range(len(words) - 2, 0, -1):
        if words[index].lower() in LIST_INTRODUCERS and words[index + 1].lower() in DETERMINERS:
            item = _item_words(words[index + 2 :])
            return (words[:index], item) if item else None
    if len(words) > 2 and lemma(words[0]) in LIST_HEADS and words[1].lower() in DETERMINERS:
        item = _item_words(words[2:])
        return (words[:2], item) if item else None
    if len(words) > 1 and _is_action(words[0]):
        return None  # "restart web and worker services": one action on two objects
    item = _item_words(words)
    return ([], item) if item else None


def _collective_list(clauses: list[tuple[str, int]]) -> tuple[list[_Chunk], str | None]:
    """Clauses with a noun list whose last item ends in a collective noun ("the resize,
    watermark and upload steps") read as items named without that noun; also the headline
    that introduced the list ("Fan out a thumbnail job"), when there is one."""
    plain: list[_Chunk] = [(chunk, position, None) for chunk, position in clauses]
    for last, (chunk, _) in enumerate(clauses):
        words = _WORD.findall(chunk)
        at = next(
            (i for i, word in enumerate(words[:4]) if i and word.lower() in COLLECTIVE_NOUNS),
            None,
        )
        tail = _item_words(words[:at]) if at is not None else None
        if last == 0 or tail is None:
            continue
        items: list[tuple[int, list[str]]] = [(last, tail)]
        first = last - 1
        while first > 0 and (middle := _item_words(_WORD.findall(clauses[first][0]))):
            items.append((first, middle))
            first -= 1
        opening = _list_start(_WORD.findall(clauses[first][0]))
        if opening is None:
            continue
        headline_words, item = opening
        items.append((first, item))
        chunks = plain[:first]
        for index, words_of_item in reversed(items):
            text, where = clauses[index]
            offset = text.find(words_of_item[0])
            chunks.append((" ".join(words_of_item), where + max(0, offset), tuple(words_of_item)))
        chunks.extend(plain[last + 1 :])
        return chunks, " ".join(headline_words) or None
    return plain, None


def _list_head(steps: list[Step]) -> str:
    return next((step.action for step in reversed(steps) if step.action), "")


def _read_clauses(
    text: str,
) -> tuple[Step | None, list[Step], list[Compensation], bool, tuple[int, ...]]:
    """The lead action, the steps, the undo clauses, whether a headline heads a list, and the
    steps a later clause runs side by side ("..., and run them in parallel")."""
    steps: list[Step] = []
    side_by_side: tuple[int, ...] = ()
    compensations: list[Compensation] = []
    lead: Step | None = None
    colon_list = False
    sentence_start = 0
    for sentence in _SENTENCES.split(text):
        position = text.find(sentence, sentence_start)
        sentence_start = position + len(sentence)
        head, colon, body = sentence.partition(":")
        if colon and body.strip() and len(_WORD.findall(head)) <= 8:
            headline = _clause(head, position)
            if headline and headline.action and lead is None:
                lead = headline
            clauses = _chunks(body, position + len(head) + 1)
            colon_list = colon_list or len(clauses) >= 2
        else:
            clauses = _chunks(sentence, position)
        chunks, introduced_by = _collective_list(clauses)
        if introduced_by is not None:
            headline = _clause(introduced_by, position)
            if headline and headline.action and lead is None:
                lead = headline
        for chunk, chunk_position, item in chunks:
            if item is not None:
                steps.append(Step("", item, chunk, chunk_position))
                continue
            step = _clause(chunk, chunk_position)
            if step is None:
                continue
            if lead is None and step.action:
                lead = step
            compensation = _compensation(step)
            if compensation is not None:
                compensations.append(compensation)
            elif not step.name:
                continue
            elif (referred := _refers_to(step, chunk, steps)) and (
                _PARALLEL.search(chunk) or step.action in LIST_HEADS
            ):
                if _PARALLEL.search(chunk) and len(referred) >= 2:
                    side_by_side = tuple(referred)
                continue  # "running the charts and the figures in parallel" qualifies steps
            elif step.action and step.action not in NON_STEP_LEADS:
                steps.append(step)
            elif not step.action and step.objects and steps and _list_head(steps) in LIST_HEADS:
                steps.append(step)  # "run the identity check, sanctions screening and ..."
    if (
        len(steps) > 1
        and steps[0].action in LIST_HEADS
        and not steps[1].action
        and steps[0].objects
    ):
        # "Run the identity check, sanctions screening ...": the run verb heads a noun list
        first = steps[0]
        steps[0] = Step("", first.objects, first.source, first.position)
    return lead, [step for step in steps if step.name], compensations, colon_list, side_by_side


def _kind_of(step: Step | None) -> str | None:
    return action_kind(step.action) if step is not None else None


def _workflow_reasons(
    text: str,
    lead: Step | None,
    steps: list[Step],
    compensations: list[Compensation],
    colon_list: bool,
) -> list[str]:
    with_objects = [step for step in steps if step.objects]
    kinds = {action_kind(step.action) for step in with_objects if step.action}
    parallel_match = _PARALLEL.search(text)
    reasons: list[str] = []
    if lead is not None and _kind_of(lead) == "orchestrator" and lead.action not in WEAK_ACTIONS:
        reasons.append(f"leads with '{lead.action}'")
    heads_list = lead is not None and (
        _kind_of(lead) == "orchestrator" or lead.action in LIST_HEADS
    )
    if colon_list and len(steps) >= 2 and (heads_list or len(with_objects) >= 2):
        # "Book a trip: reserve the flight, reserve the hotel, ..." is a workflow; "store
        # sessions in Redis: read, write, expire" lists one node's operations
        reasons.append("a headline followed by a list of steps")
    if len(with_objects) >= 3 and kinds - {"compute"}:
        reasons.append(f"{len(with_objects)} steps in a row")
    if compensations and len(steps) >= 2:
        # one undo of something the node did not do itself ("annul the hotel booking if the
        # flight reservation fails") is a single call, not a workflow of its own
        reasons.append("undoes completed steps on failure")
    if parallel_match and (len(steps) >= 2 or _JOIN.search(text)):
        reasons.append(f"runs work {parallel_match.group(0)}")
    return reasons


def _accumulation(
    text: str, lead: Step | None, steps: list[Step], grouping: tuple[tuple[str, str], ...]
) -> str:
    window = _WINDOW.search(text)
    if not grouping and not window:
        return ""
    per = f"per {grouping[0][0]}" if grouping else "over windows"
    reducer_action = next((step.action for step in steps if _kind_of(step) == "reducer"), "")
    if _kind_of(lead) == "reducer" and lead is not None:
        reducer_action = lead.action
    if reducer_action:
        return f"'{reducer_action}' {per}"
    if window and grouping:
        return f"{window.group(0)} windows {per}"
    words = [lemma(word) for word in _WORD.findall(text)]
    statistic = next(
        (
            word
            for word, after in zip(words, [*words[1:], ""], strict=True)
            if word in STATISTIC_NOUNS and (word not in STATISTIC_NOUNS_WITH_OF or after == "of")
        ),
        "",
    )
    if statistic and grouping and _kind_of(lead) != "effect":
        return f"{statistic} {per}"
    return ""


def read_structure(text: str) -> Structure:
    """Steps, parallelism, compensation and grouping keys of ``text`` (the purpose text)."""
    lead, steps, compensations, colon_list, side_by_side = _read_clauses(text)
    parallel_match = _PARALLEL.search(text)
    grouping = _grouping(text)
    return Structure(
        lead=lead,
        steps=tuple(steps),
        compensations=tuple(compensations),
        parallel=bool(parallel_match),
        parallel_source=parallel_match.group(0) if parallel_match else "",
        grouping=grouping,
        orchestrated="; ".join(_workflow_reasons(text, lead, steps, compensations, colon_list)),
        accumulates=_accumulation(text, lead, steps, grouping),
        parallel_steps=(side_by_side or parallel_steps(text, tuple(steps)))
        if parallel_match
        else (),
    )


__all__ = ["Compensation", "Step", "Structure", "read_structure"]
