"""Turns a plain-language request into typed requirements (stage 1).

What the user states wins: a kind ("EFFECT node", "node type: reducer"), a name ("called X",
"named X", "Name: X", "COMPUTE node: X") and a domain ("in the X domain", "domain: X"). Everything
else is read from whole words and phrases (see ``vocabulary``), and the kind is inferred by the
weighted scoring in ``classifier`` when it was not stated. Same text, same result, always.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from onexgen.parsing.classifier import KindScores, score_kinds
from onexgen.parsing.errors import MAX_PROMPT_CHARS, PromptRefusedError
from onexgen.parsing.facts import extract_facts
from onexgen.parsing.lemmas import lemma
from onexgen.parsing.lexicon import (
    AGENT_NOUNS,
    CADENCES,
    FLOW_NOUNS,
    NUMBER_WORDS,
    SCHEDULE_TIMES,
    STATISTIC_NOUNS,
    WEAK_ACTIONS,
)
from onexgen.parsing.names import (
    ACRONYMS,
    BRANDS,
    KIND_ROLE,
    generic_name_words,
    split_words,
    to_pascal_case,
    to_snake_case,
    without_generic_words,
)
from onexgen.parsing.phrases import Category, Kind, word_set
from onexgen.parsing.quantities import extract_performance_values
from onexgen.parsing.structure import Structure, read_structure
from onexgen.parsing.thesaurus import action_kind, agent_noun
from onexgen.parsing.vocabulary import (
    CATEGORY_CUES,
    CRUD_PATTERN,
    EXTERNAL_SYSTEMS,
    FEATURES,
    FILLER_WORDS,
    GENERIC_VERBS,
    KIND_WORDS,
    OPERATIONS,
    TOPIC_ONLY_WORDS,
)

if TYPE_CHECKING:
    from onexgen.models.enums import EnumNodeKind
    from onexgen.models.requirements import ModelPRDRequirements

_KIND = r"(effect|compute|reducer|orchestrator)"
_TYPE_COLON = re.compile(rf"\b(?:node[ _-]?)?(?:type|kind)\s*[:=]\s*{_KIND}\b", re.IGNORECASE)
_KIND_NODE = re.compile(rf"\b{_KIND}[ \t]+node\b(?!s)", re.IGNORECASE)
_OTHER_NODE = re.compile(
    r"\b(?:with|using|via|to|from|into|calls?|calling|invokes?|triggers?|other|downstream|"
    r"upstream|existing|each|every)\s+(?:the\s+|an?\s+|one\s+)?$",
    re.IGNORECASE,
)
"""Words before a kind that make it a reference to another node, not the node requested."""
_KIND_ARTICLE = re.compile(
    r"\b(?:an?|the|as)\s+(reducer|orchestrator|effect|compute)\b"
    r"(?=\s*(?:$|[,.;:!?)]|that\b|which\b|for\b|to\b|called\b|named\b|node\b|with\b))",
    re.IGNORECASE,
)
_KIND_SHOUTED = re.compile(r"\b(EFFECT|COMPUTE|REDUCER|ORCHESTRATOR)\b(?!\s+nodes\b)")
_KIND_STANDALONE = re.compile(r"\b(reducer|orchestrator)\b(?!\s+nodes\b)", re.IGNORECASE)
_NAME_SUFFIX = re.compile(r"(?<=[a-z0-9])(Effect|Compute|Reducer|Orchestrator)$")

_IDENT = r"[A-Za-z][A-Za-z0-9_]*"
_NAME_CALLED = re.compile(
    rf"\b(?:called|named)\s+(?:[\"'`]([^\"'`\n]{{1,60}})[\"'`]|({_IDENT}))", re.IGNORECASE
)
_NAME_END = re.compile(
    r"\s*(?:$|[,.;:!?)(\-]|(?:that|which|who|for|in|to|with|node)\b)", re.IGNORECASE
)
_NAME_COLON = re.compile(rf"\b(?:node[ _-]?)?name\s*(?:[:=]|is)\s*[\"'`]?({_IDENT})", re.IGNORECASE)
_NAME_AFTER_KIND = re.compile(rf"\b{_KIND}(?:\s+node)?\s*([:,]|\s)\s*({_IDENT})", re.IGNORECASE)
_CAMEL = r"[A-Z][a-z0-9]++[A-Z][A-Za-z0-9]*+|[A-Z]{2,}+[a-z][A-Za-z0-9]*+"
"""CamelCase with a second capital (DatabaseWriter, PostgresCRUD, APIHandler); possessive
quantifiers keep matching linear on long tokens."""
_NAME_BEFORE_NODE = re.compile(rf"\b({_CAMEL})\s+(?i:{_KIND}\s+)?(?i:node)\b")
_NAME_AFTER_FOR = re.compile(rf"\bfor\s+({_CAMEL})\b")

_DOMAIN_COLON = re.compile(r"\b(?i:domain)\s*[:=]\s*([A-Za-z][\w-]*(?:[ \t]+[A-Z][\w-]*){0,2})")
_DOMAIN_PHRASE = re.compile(
    r"(?:\b(?:in|for|within)\s+(?:the\s+)?|\()([A-Za-z][\w-]*)\s+domain\b", re.IGNORECASE
)
_NOT_NAMES = word_set(
    """
    node nodes that which for with the a an and to in on of from by effect compute reducer
    orchestrator name domain type should will must is are be it this called named using via
    create build make generate new my our your as at or into
    """
)
_LEADING_SCHEDULE = re.compile(
    r"^\s*((?:at\s+)?(?:" + "|".join(c.replace(" ", r"\s+") for c in CADENCES) + r")"
    r"|(?:every|each|once\s+(?:a|an|per|every))\s+(?:(?:\d+(?:\.\d+)?|"
    + "|".join(NUMBER_WORDS)
    + r"|other)\s+)?(?:"
    + "|".join(SCHEDULE_TIMES)
    + r")s?)\s*,\s*",
    re.IGNORECASE,
)
"""A schedule adverbial opening the request ("Nightly, run the ETL: ..."): it says when the
node runs, so it is read as a schedule and kept out of the clause that names the node."""
_NOT_DOMAINS = word_set("the a an this that same its our my your one any some")
_REQUEST_LEAD = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would)\s+you\s+)?"
    r"(?:create|build|make|generate|write|implement|develop|design|add|i\s+need|i\s+want|"
    r"we\s+need|give\s+me|help\s+me\s+(?:build|create|write))\b\s*(?:me\b\s*)?"
    r"(?=(?:a|an|the|new|me|node|something|anything|one|effect|compute|reducer|orchestrator)\b"
    r"|[A-Z]\w*\s+(?:\w+\s+)?node\b|$)",
    re.IGNORECASE,
)
"""A request verb ("Create a ...") is not the node's action; "Write to database" is."""
_LEADING_JOINERS = re.compile(
    r"^(?:\s|[-:,;.()\u2013]|\b(?:a|an|the|node|nodes|that|which|for|to|will|should|must|and|is|who|"
    r"one|something|system|description|purpose|summary|goal)\b)+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")


@dataclass(frozen=True, slots=True)
class _Stated:
    value: str
    confidence: float
    spans: tuple[tuple[int, int], ...]


def _normalise_whitespace(prompt: str) -> str:
    lines = [" ".join(line.split()) for line in prompt.strip().splitlines()]
    return "\n".join(line for line in lines if line)


def _stated_kind(text: str) -> _Stated | None:
    """The kind the user wrote: the first singular mention wins; conflicts cost confidence."""
    typed = _TYPE_COLON.search(text)
    if typed:
        return _Stated(typed.group(1).lower(), 1.0, (typed.span(),))
    mentions: list[tuple[int, str, float, tuple[int, int]]] = []
    for match in _KIND_NODE.finditer(text):
        if not _OTHER_NODE.search(text[: match.start()]):
            mentions.append((match.start(), match.group(1).lower(), 1.0, match.span()))
    for pattern, confidence in (
        (_KIND_ARTICLE, 0.9),
        (_KIND_SHOUTED, 0.9),
        (_KIND_STANDALONE, 0.9),
    ):
        for match in pattern.finditer(text):
            if _OTHER_NODE.search(text[: match.start(1)]):
                continue  # "calls a COMPUTE node", "with the reducer": another node
            if not any(start <= match.start(1) < end for _, _, _, (start, end) in mentions):
                mentions.append((match.start(1), match.group(1).lower(), confidence, match.span(1)))
    if not mentions:
        return None
    mentions.sort()
    kinds = {kind for _, kind, _, _ in mentions}
    first_kind = mentions[0][1]
    spans = tuple(span for _, kind, _, span in mentions if kind == first_kind)
    best = max(conf for _, kind, conf, _ in mentions if kind == first_kind)
    confidence = best if len(kinds) == 1 else 0.7
    return _Stated(first_kind, confidence, spans)


def _acceptable_name(token: str) -> bool:
    lowered = token.lower()
    return lowered not in _NOT_NAMES and lowered not in KIND_WORDS and lowered not in BRANDS


def _stated_name(text: str) -> _Stated | None:
    """A name the user wrote: "called X", "named X", "Name: X", "KIND node: X", "XName node"."""
    for match in _NAME_CALLED.finditer(text):
        raw = (match.group(1) or match.group(2) or "").strip()
        if not raw or not _acceptable_name(raw.split()[0]) or not to_pascal_case(raw):
            continue
        plain_word = bool(match.group(2)) and raw.islower() and "_" not in raw
        if plain_word and not _NAME_END.match(text, match.end()):
            # a plain lower-case word is a name only where a name can end:
            # "named ledger that ..." yes, "called whenever an order arrives" no
            continue
        return _Stated(to_pascal_case(raw), 1.0, (match.span(),))
    for match in _NAME_COLON.finditer(text):
        if _acceptable_name(match.group(1)):
            return _Stated(to_pascal_case(match.group(1)), 1.0, (match.span(),))
    for match in _NAME_AFTER_KIND.finditer(text):
        token, separator = match.group(3), match.group(2)
        if not _acceptable_name(token):
            continue
        with_node = "node" in match.group(0).lower()
        camel = bool(re.fullmatch(_CAMEL, token))
        capitalised = token[0].isupper() and token[1:].islower()
        if camel or (with_node and (separator == ":" or capitalised)):
            # KIND node colon Name, KIND node Name, KIND node comma CamelName, KIND colon CamelName
            return _Stated(to_pascal_case(token), 1.0, (match.span(3),))
    for match in _NAME_BEFORE_NODE.finditer(text):
        token = match.group(1)
        if _acceptable_name(token) and re.fullmatch(_CAMEL, token):
            return _Stated(to_pascal_case(token), 1.0, (match.span(1),))
    for match in _NAME_AFTER_FOR.finditer(text):
        token = match.group(1)
        if _acceptable_name(token):
            return _Stated(to_pascal_case(token), 0.6, ((match.start(1), match.start(1)),))
    return None


def _stated_domain(text: str) -> _Stated | None:
    """A domain the user wrote: "domain: X", "in the X domain", "(X domain)"."""
    colon = _DOMAIN_COLON.search(text)
    if colon:
        words = colon.group(1).split()
        raw = colon.group(1) if words[0][:1].isupper() and len(words) > 1 else words[0]
        value = to_snake_case(raw)
        if value:
            return _Stated(value, 1.0, (colon.span(),))
    for match in _DOMAIN_PHRASE.finditer(text):
        token = match.group(1)
        if token.lower() not in _NOT_DOMAINS and token.lower() not in KIND_WORDS:
            value = to_snake_case(token)
            if value:
                return _Stated(value, 1.0, (match.span(),))
    return None


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)


_PARTICIPLE = re.compile(r"[a-z]{3,}(?:ed|en)$")
_PARTICIPLE_WORD = re.compile(r"\b[a-z]{3,}(?:ed|en)\b")
_AFTER_VERB = re.compile(
    r"\s*(?:$|[,.;:!?)(\-]|(?:to|into|in|from|by|on|at|via|with|and|or|as|for|through|once|"
    r"when|before|after|the|an?)\b)",
    re.IGNORECASE,
)


_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being|gets?|got)\s+$", re.IGNORECASE)
_DESTINATION_AFTER = re.compile(r"\s+(?:to|into|onto|via|through)\b", re.IGNORECASE)


def _is_participle_adjective(match: re.Match[str], text: str) -> bool:
    """ "uploaded files", "text (that) is written in English": the participle describes a
    thing; the node does not perform that action."""
    surface = match.group(0)
    if " " in surface or not _PARTICIPLE.match(surface.lower()):
        return False
    if _ARTICLE_NOUN_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
        return True  # "a model loaded from disk": describes the model
    if _PASSIVE_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
        # "is written in English" describes; "are written to PostgreSQL" is the node's work
        return not _DESTINATION_AFTER.match(text, match.end())
    return not _AFTER_VERB.match(text, match.end())


_PASSIVE_DESCRIPTION = re.compile(
    r"\b(?:is|are|was|were|been|being)\s+([a-z]{3,}(?:ed|en))\b(?!\s+(?:to|into|onto|via|through)\b)",
    re.IGNORECASE,
)


def _blank_passive(match: re.Match[str]) -> str:
    """Blank the participle of a passive description, keeping offsets."""
    start = match.start(1) - match.start()
    return match.group(0)[:start] + " " * len(match.group(1))


_PROPER_NAME = re.compile(r"\b[A-Z][\w-]*((?:\s+[A-Z][a-z][\w-]*)+)")
_ARTICLE_NOUN_BEFORE = re.compile(
    r"\b(?:a|an|the|its|their|our|your|some|any)\s+[a-z][\w-]*\s+$", re.IGNORECASE
)


def _blank_name_tail(match: re.Match[str]) -> str:
    """Blank the Title-case words that continue a proper name, keeping offsets."""
    start = match.start(1) - match.start()
    return match.group(0)[:start] + " " * len(match.group(1))


def _find_terms(text: str) -> tuple[str, ...]:
    """Canonical operations in order of first appearance ("CRUD" expands to four).

    Operations said only with a generic verb ("compute", "process") come after the others,
    so they never become the node's leading operation.
    """
    found: list[tuple[bool, int, int, str]] = []
    for index, term in enumerate(OPERATIONS):
        for match in term.pattern.finditer(text):
            if _is_participle_adjective(match, text):
                continue  # "uploaded files" describes the files; nothing is uploaded
            generic = match.group(0).lower() in GENERIC_VERBS
            found.append((generic, match.start(), index, term.canonical))
            if not generic:
                break
    crud = CRUD_PATTERN.search(text)
    if crud:
        for offset, name in enumerate(("create", "read", "update", "delete")):
            found.append((False, crud.start(), -4 + offset, name))
    found.sort()
    return tuple(dict.fromkeys(name for _, _, _, name in found))


def _is_rate_period(feature: str, match: re.Match[str], text: str) -> bool:
    if feature != "windowing" or not re.match(r"(?:per|each|every)\b", match.group(0), re.I):
        return False
    return bool(re.search(r"\d", text[max(0, match.start() - 25) : match.start()]))


def _find_features(text: str) -> tuple[str, ...]:
    found: list[tuple[int, int, str]] = []
    for index, term in enumerate(FEATURES):
        for match in term.pattern.finditer(text):
            if _is_rate_period(term.canonical, match, text):
                continue  # "5000 requests per hour" is a rate limit, not a window
            found.append((match.start(), index, term.canonical))
            break
    found.sort()
    return tuple(name for _, _, name in found)


def _find_systems(text: str) -> tuple[str, ...]:
    found: list[tuple[int, int, str]] = []
    for index, system in enumerate(EXTERNAL_SYSTEMS):
        match = system.pattern.search(text)
        if match:
            found.append((match.start(), index, system.name))
    found.sort()
    return tuple(dict.fromkeys(name for _, _, name in found))


def score_categories(text: str, systems: tuple[str, ...]) -> dict[str, float]:
    """Weight of evidence per category: named systems count most, then topic words."""
    weights: dict[str, float] = {}
    for cue in CATEGORY_CUES:
        matches = cue.pattern.findall(text)
        if matches:
            category = cue.target
            weights[category] = (
                weights.get(category, 0.0) + cue.weight * min(len(matches), 3) ** 0.5
            )
    by_name = {system.name: system.category for system in EXTERNAL_SYSTEMS}
    for position, name in enumerate(systems):
        category = by_name[name]
        if category != Category.GENERAL:
            bonus = 2.5 if position == 0 else 1.5
            if name == "HTTP API" and len(systems) > 1:
                bonus = 1.0
            weights[category] = weights.get(category, 0.0) + bonus
    return weights


_IO_CATEGORIES = frozenset(
    {Category.DATABASE, Category.CACHE, Category.API, Category.MESSAGING, Category.STORAGE}
)
_IO_TOPIC_SHARE = 0.25
"""What an outside-system category's topic words count for in a node that does no I/O."""


def _domain_weights(
    weights: dict[str, float], systems: tuple[str, ...], lead: tuple[str, str] | None
) -> dict[str, float]:
    """Category evidence for the kind: when the main action is a pure function or a fold and
    no outside system is named, an I/O topic ("an uploaded photo") does not make it I/O."""
    if systems or lead is None or lead[1] not in {Kind.COMPUTE, Kind.REDUCER}:
        return weights
    return {
        category: weight for category, weight in weights.items() if category not in _IO_CATEGORIES
    }


def _choose_category(
    weights: dict[str, float], kind: str | None, systems: tuple[str, ...] = ()
) -> str:
    adjusted = dict(weights)
    if kind in {Kind.COMPUTE, Kind.REDUCER} and not systems:
        # A pure function or a fold talks to no outside system: without a named one, words such
        # as "notifications" or "publish" say what its data is about, not where it does I/O.
        for category in _IO_CATEGORIES & adjusted.keys():
            adjusted[category] *= _IO_TOPIC_SHARE
    if kind == Kind.ORCHESTRATOR:
        adjusted[Category.WORKFLOW] = adjusted.get(Category.WORKFLOW, 0.0) + 2.0
    if kind == Kind.REDUCER:
        # Folding a stream is data work unless a more specific area was named.
        adjusted[Category.DATA] = adjusted.get(Category.DATA, 0.0) + 0.3
    if not adjusted or max(adjusted.values()) < 0.3:
        # A pure function of its input or a fold over inputs works on data by definition.
        return Category.DATA if kind in {Kind.COMPUTE, Kind.REDUCER} else Category.GENERAL
    order = list(Category.ALL)
    return max(adjusted.items(), key=lambda item: (item[1], -order.index(item[0])))[0]


_ROLE_NOUNS: dict[str, str] = {
    "create": "Writer",
    "read": "Reader",
    "update": "Updater",
    "delete": "Remover",
    "list": "Lister",
    "search": "Searcher",
    "transform": "Transformer",
    "parse": "Parser",
    "validate": "Validator",
    "calculate": "Calculator",
    "aggregate": "Aggregator",
    "merge": "Merger",
    "deduplicate": "Deduplicator",
    "predict": "Predictor",
    "publish": "Publisher",
    "consume": "Consumer",
    "send": "Sender",
    "encrypt": "Encryptor",
    "decrypt": "Decryptor",
    "hash": "Hasher",
    "sign": "Signer",
    "filter": "Filter",
    "authenticate": "Authenticator",
    "authorize": "Authorizer",
    "route": "Router",
    "coordinate": "Coordinator",
    "schedule": "Scheduler",
}
_ROLE_ENDINGS = (
    "workflow",
    "pipeline",
    "client",
    "cache",
    "gateway",
    "router",
    "scheduler",
    "handler",
    "manager",
    "saga",
    "service",
)
_SUBJECT_SKIP = FILLER_WORDS | word_set(
    """
    all any every each from into onto over under per by at as is are be been being than then
    when where while which who whom whose what how also only more most less multiple several
    various given configured existing incoming outgoing external internal local real time real-time
    automatic automatically full fully support supports supporting including include includes
    operations operation requests request including other run runs running handle handles
    handling manage manages managing process processes processing perform performs execute
    executes provide provides implement implements take takes return returns accept accepts
    receive receives given keep keeps track tracks maintain maintains poll polls expose exposes
    hold holds sign signs turn turns how many much times often list lists set sets
    lot lots bunch collection out away up moving rolling running sliding
    """
)


def _subject_words(purpose: str, operations: tuple[str, ...]) -> list[str]:
    """The thing the node works on: the first content words that are not action verbs."""
    action_words: set[str] = set()
    for term in OPERATIONS:
        for match in term.pattern.finditer(purpose):
            action_words.update(match.group(0).lower().split())
    words: list[str] = []
    for match in _WORD.finditer(purpose):
        word = match.group(0)
        lowered = word.lower()
        if lowered in _SUBJECT_SKIP or lowered in action_words or len(lowered) < 2:
            if words:
                break
            continue
        words.append(word)
        if len(words) == 2:
            break
    if words:
        words[-1] = _singular(words[-1])
    return words


def _singular(word: str) -> str:
    """Naive singular for the last word of a derived name ("addresses" -> "address")."""
    lowered = word.lower()
    if lowered.endswith("sses"):
        return word[:-2]
    if lowered.endswith("ies") and len(word) > 4:
        return word[:-3] + ("Y" if word[-3:].isupper() else "y")
    if lowered.endswith("s") and not lowered.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


_CATEGORY_ROLE: dict[str, str] = {
    Category.CACHE: "Cache",
    Category.API: "Client",
    Category.MESSAGING: "Client",
}


def _derive_name(kind: str, category: str, facts: _Facts, structure: Structure) -> str:
    """A derived name that ``onex validate --strict`` accepts (no Manager, Service, ...)."""
    name = _action_name(kind, facts, structure) or _derive_subject_name(kind, category, facts)
    if (
        name.endswith(("Reader", "Writer"))
        and "read" in facts.operations
        and _WRITES & set(facts.operations)
    ):
        # reads and writes: a Reader (or Writer) would contradict half of what the node does
        name = name.removesuffix("Reader").removesuffix("Writer") + "Store"
    if generic_name_words(name):
        return without_generic_words(name, KIND_ROLE[kind])
    return name


_WRITES = frozenset({"create", "update", "delete"})
_ONE_WAY_ROLES = frozenset({"Fetcher", "Puller", "Reader", "Loader", "Writer", "Saver", "Store"})


def _agent_noun(action: str) -> str:
    """The role noun of an action: the table's, else the doer noun WordNet derives ("detect"
    -> Detector), else the regular -er agent ("rank" -> Ranker)."""
    if action in AGENT_NOUNS:
        return AGENT_NOUNS[action]
    if action in _ROLE_NOUNS:
        return _ROLE_NOUNS[action]
    if derived := agent_noun(action):
        return derived.capitalize()
    if action.endswith("ate"):
        return f"{action[:-1].capitalize()}or"  # validate -> Validator, frobnicate -> Frobnicator
    if action.endswith("e"):
        return f"{action.capitalize()}r"
    if action.endswith("y") and action[-2:-1] not in "aeiou":
        return f"{action[:-1].capitalize()}ier"
    if re.fullmatch(r"[^aeiou]*[aeiou][bdgklmnprt]", action) and len(action) <= 4:
        return f"{action.capitalize()}{action[-1]}er"  # map -> Mapper, scan -> Scanner
    return f"{action.capitalize()}er"


def _object_words(words: tuple[str, ...], singular: bool) -> list[str]:
    direct = list(words[: words.index("to")] if "to" in words else words)
    direct = [re.sub(r"'s?$", "", word) for word in direct]
    while direct and lemma(direct[0]) in STATISTIC_NOUNS:
        direct = direct[1:]  # "the total number of ...": the statistic is not the subject
    # "defrag the disks nightly": a trailing cadence says when, not what ("nightly crawl" stays)
    direct = [w for i, w in enumerate(direct) if i == 0 or w.lower() not in CADENCES]
    end = len(direct) - 1
    participle = end >= 1 and lemma(direct[end]) != direct[end].lower()
    if participle and not direct[end].lower().endswith("s"):
        direct = direct[:end]  # "images held (in memory)": the participle describes them
    direct = direct[:3]
    if singular and direct:
        last = direct[-1]
        base = lemma(last)
        if base != last.lower() and last.lower().endswith("s"):
            direct[-1] = base if last.islower() else base.capitalize()
    return direct


def _action_name(kind: str, facts: _Facts, structure: Structure) -> str | None:
    """A name from the main action and its object: PageViewCounter, RedisSessionStore,
    NightlyOrdersETL, ThumbnailFanOut; ``None`` when the request has no clear lead action.

    The role never contradicts the operations: a node that reads and writes is a Store.
    """
    lead = structure.lead
    if lead is not None and lead.action and not lead.objects:
        # "Resize and compress images": the object of the next action is the lead's too
        donor = next((step for step in structure.steps if step.action and step.objects), None)
        if donor is not None:
            lead = replace(lead, objects=donor.objects)
    if lead is None or not lead.action or not lead.objects:
        return None
    lead_kind = action_kind(lead.action)
    if kind == Kind.ORCHESTRATOR:
        subject = _object_words(lead.objects, singular=False)
        if not subject or (lead_kind != Kind.ORCHESTRATOR and not structure.orchestrated):
            return None
        if lead_kind == Kind.ORCHESTRATOR or lead.action in {"fan", "book"}:
            role = _agent_noun(lead.action)
        else:
            role = ""  # the lead is the first step ("validate the loan application")
        if not role and subject[-1].lower() not in FLOW_NOUNS:
            role = "Workflow"
        return to_pascal_case(" ".join([*subject, role]))
    if lead.action in WEAK_ACTIONS or (lead_kind is None and kind != Kind.COMPUTE):
        return None
    lead_kind = lead_kind or Kind.COMPUTE  # an unknown action on an object is read as compute
    if lead_kind != kind and not (kind == Kind.REDUCER and lead_kind == Kind.COMPUTE):
        return None  # the lead action is not what this node does ("fetch" in a compute node)
    subject = _object_words(lead.objects, singular=True)
    if not subject:
        return None
    role = _agent_noun(lead.action) if lead_kind == kind else "Aggregator"
    if role in _ONE_WAY_ROLES and "read" in facts.operations and _WRITES & set(facts.operations):
        role = "Store"  # a node that reads and writes is not a Fetcher or a Writer
    named = [name for name in facts.systems if name not in {"HTTP API", "Filesystem"}]
    owner = _API_NAME.search(facts.match_text) if "HTTP API" in facts.systems else None
    prefix: list[str] = []
    if kind == Kind.EFFECT and (named or owner):
        system = to_pascal_case(
            named[0].replace("/", " ") if named or not owner else owner.group(1)
        )
        if system.lower() not in {word.lower() for word in subject} | {"api", "http", "rest"}:
            prefix = [system]
    return to_pascal_case(" ".join([*prefix, *subject])) + role


def _derive_subject_name(
    kind: str,
    category: str,
    facts: _Facts,
) -> str:
    """A meaningful, stable name from the prompt's subject: PostgreSQLWriter, PaymentWorkflow.

    The kind is not repeated (later stages add the Effect/Compute/... suffix), so a prompt
    about "PostgreSQL operations" gives ``PostgreSQL``.
    """
    operations, systems = facts.operations, facts.systems
    if {"create", "read", "update", "delete"} <= set(operations):
        role = "CRUD"
    elif operations:
        role = _ROLE_NOUNS.get(operations[0], "")
    else:
        role = _CATEGORY_ROLE.get(category, "")
    named = [name for name in systems if name not in {"HTTP API", "Filesystem"}]
    topic = "".join(to_pascal_case(word) for word in _subject_words(facts.purpose, operations))
    if named and (kind == Kind.EFFECT or not topic):
        # An effect node is about the system it talks to; other kinds about their subject.
        subject = to_pascal_case(named[0].replace("/", " "))
    elif systems and systems[0] == "HTTP API" and role in {"", "Client", "Reader", "Sender"}:
        owner = _API_OWNER.search(facts.match_text)
        surface = _API_SURFACE.search(facts.match_text)
        if owner and owner.group(1).lower() not in ACRONYMS:
            subject = to_pascal_case(owner.group(1))  # "the Zendesk API" -> ZendeskClient
        else:
            subject = to_pascal_case(surface.group(0)) if surface else "API"
        role = "Client"
    else:
        subject = topic
    if not subject:
        return f"{kind.capitalize()}{role or KIND_ROLE[kind]}"
    if subject.lower() in _ROLE_ENDINGS and (owner := _ROLE_OWNER.search(facts.purpose)):
        # "a saga for order placement" -> OrderPlacementSaga
        owner_words = [w for w in owner.group(1).split() if w.lower() not in _SUBJECT_SKIP]
        subject = "".join(to_pascal_case(w) for w in owner_words[:2]) + subject
    elif not role and not named and len(split_words(subject)) == 1:
        role = "Pipeline" if _PROCESSING.search(facts.purpose) else KIND_ROLE[kind]
    if len(split_words(subject)) > 1 and subject.lower().endswith(_ROLE_ENDINGS):
        return to_pascal_case(subject)
    if subject.endswith(role):
        return subject
    return to_pascal_case(f"{subject}{role}")


_ROLE_OWNER = re.compile(
    r"\b(?:workflow|pipeline|saga|process|cache|client|gateway)\s+(?:for|of)\s+(?:the\s+|an?\s+)?"
    r"([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)",
    re.IGNORECASE,
)
_PROCESSING = re.compile(r"\bprocess(?:es|ing)?\b", re.IGNORECASE)
_API_OWNER = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][A-Za-z0-9]+)\s+(?:REST\s+|HTTP\s+)?APIs?\b")
_API_NAME = re.compile(
    r"(?<![.!?]\s)(?<!^)\b((?:[A-Z][A-Za-z0-9]+\s+){0,2}[A-Z][A-Za-z0-9]+)\s+(?:REST\s+|HTTP\s+)?APIs?\b"
)
"""The product an API belongs to, up to three capitalised words ("the Google Maps API")."""
_API_SURFACE = re.compile(r"\b(?:https?|rest|graphql|grpc|api)\b", re.IGNORECASE)


def _description(text: str, spans: list[tuple[int, int]]) -> str:
    """The purpose text: the prompt without the stated kind, name and domain, tidied."""
    cleaned = _blank_spans(text, spans)
    cleaned = re.sub(r"\b(?:an?|the)\s+(?=(?:node\b|\s*$|[,.;:]))", " ", cleaned, flags=re.I)
    lines = [" ".join(line.split()) for line in cleaned.splitlines()]
    cleaned = " ".join(line for line in lines if line)
    cleaned = re.sub(r"\(\s*\)", " ", cleaned)
    cleaned = _LEADING_JOINERS.sub("", cleaned)
    cleaned = re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(cleaned.split()))
    cleaned = re.sub(r"^[,.;:!?)\s-]+", "", cleaned).strip()
    if cleaned:
        cleaned = cleaned[0].upper() + cleaned[1:]
    return cleaned[:4000]


def _content_words(purpose: str) -> list[str]:
    return [
        word.lower()
        for word in _WORD.findall(purpose)
        if len(word) >= 2
        and word.lower() not in FILLER_WORDS
        and word.lower() not in TOPIC_ONLY_WORDS
    ]


def _coerce_hint(node_type_hint: EnumNodeKind | str | None) -> str | None:
    if node_type_hint is None:
        return None
    value = str(getattr(node_type_hint, "value", node_type_hint)).strip().lower()
    value = value.removesuffix("_generic")
    if value not in KIND_WORDS:
        allowed = ", ".join(KIND_WORDS)
        raise ValueError(f"unknown node type {node_type_hint!r}; use one of: {allowed}")
    return value


@dataclass(frozen=True, slots=True)
class _Facts:
    """Everything read from the purpose text, before names and confidences are settled."""

    purpose: str
    match_text: str
    action_text: str
    operations: tuple[str, ...]
    features: tuple[str, ...]
    systems: tuple[str, ...]
    category_weights: dict[str, float]
    has_content: bool


def _read_facts(text: str, spans: list[tuple[int, int]], stated_name: _Stated | None) -> _Facts:
    purpose = _description(text, spans)
    # The stated name's words are evidence too ("PriceCalculator"), except a kind suffix.
    name_words = (
        " ".join(split_words(_NAME_SUFFIX.sub("", stated_name.value))) if stated_name else ""
    )
    match_text = f"{purpose}\n{name_words}" if name_words else purpose
    match_text = _PASSIVE_DESCRIPTION.sub(_blank_passive, match_text)
    # Actions are read without the inner words of proper names ("the Google Maps API" maps
    # nothing); the stated name's words stay evidence.
    action_text = _PROPER_NAME.sub(
        _blank_name_tail, _PASSIVE_DESCRIPTION.sub(_blank_passive, purpose)
    )
    # "an uploaded invoice" describes the invoice: the node uploads nothing
    action_text = _PARTICIPLE_WORD.sub(
        lambda match: (
            " " * len(match.group(0))
            if action_kind(lemma(match.group(0))) and _is_participle_adjective(match, action_text)
            else match.group(0)
        ),
        action_text,
    )
    if name_words:
        action_text = f"{action_text}\n{name_words}"
    systems = _find_systems(match_text)
    return _Facts(
        purpose=purpose,
        match_text=match_text,
        action_text=action_text,
        operations=_find_terms(action_text),
        features=_find_features(match_text),
        systems=systems,
        category_weights=score_categories(match_text, systems),
        has_content=bool(_content_words(match_text)),
    )


def _check_prompt(prompt: str, limit: int) -> None:
    if not prompt or not prompt.strip():
        raise PromptRefusedError(
            "The prompt is empty: describe what the node should do.", reason="empty"
        )
    if len(prompt) > limit:
        raise PromptRefusedError(
            f"The prompt is {len(prompt):,} characters long; the limit is {limit:,}. "
            "Describe one node briefly, or use --requirements FILE.",
            reason="too_long",
        )


def _settle_kind(
    hint: str | None,
    stated_kind: _Stated | None,
    stated_name: _Stated | None,
    scores: KindScores,
    structure: Structure,
) -> tuple[str, float, bool]:
    """The kind, its confidence, and whether the user stated it.

    Stated (hint > text > name suffix) is certain. Otherwise the request's shape decides when
    it is clear (a list of steps, "undo ... if ... fails", "in parallel ... wait for all": a
    workflow; "the total per category": accumulated state), then the weighted scores, then
    what the lead action does to the world; a request naming an action is never refused.
    """
    if hint is not None:
        return hint, 1.0, True
    if stated_kind is not None:
        return stated_kind.value, 1.0, True
    if stated_name and (suffix := _NAME_SUFFIX.search(stated_name.value)):
        return suffix.group(1).lower(), 1.0, True
    if structure.orchestrated:
        return Kind.ORCHESTRATOR, max(0.7, scores.inferred_confidence()), False
    if structure.accumulates:
        return Kind.REDUCER, max(0.7, scores.inferred_confidence()), False
    if scores.best is None and structure.lead_kind is not None:
        return structure.lead_kind, 0.5, False
    lead = structure.lead
    if scores.best is None and lead is not None and lead.action and lead.objects:
        # an action on an object ("frobnicate the widgets") is never refused; with nothing
        # saying it talks to the world or keeps state, it is a pure function of its input
        return Kind.COMPUTE, 0.4, False
    if scores.best is None:
        raise PromptRefusedError(
            "Could not tell what the node does from the prompt: name the action "
            "(writes, calculates, aggregates, coordinates...) or pass --node-type.",
            reason="no_purpose",
        )
    return scores.best, scores.inferred_confidence(), False


@dataclass(frozen=True, slots=True)
class ParsedRequirements:
    """The analyzer's result as plain values, with exactly the fields of ModelPRDRequirements.

    ``onexgen parse`` prints it without building the models (start-up time);
    ``PRDAnalyzer.analyze_prompt`` validates it into the typed model. ``facts`` is the
    ``ModelRequestFacts`` dump ``facts.extract_facts`` returns.
    """

    node_type: str
    node_name: str
    service_name: str
    domain: str
    category: str
    business_description: str
    operations: tuple[str, ...]
    features: tuple[str, ...]
    external_systems: tuple[str, ...]
    dependencies: tuple[str, ...]
    performance_requirements: dict[str, Any]
    extraction_confidence: float
    explicit_fields: tuple[str, ...]
    field_confidence: dict[str, float]
    facts: dict[str, Any]
    original_prompt: str = field(repr=False, default="")

    def as_dict(self) -> dict[str, Any]:
        """The same shape as ``ModelPRDRequirements.model_dump(mode="json")``."""
        return {
            "node_type": self.node_type,
            "node_name": self.node_name,
            "service_name": self.service_name,
            "domain": self.domain,
            "category": self.category,
            "business_description": self.business_description,
            "operations": list(self.operations),
            "features": list(self.features),
            "external_systems": list(self.external_systems),
            "dependencies": list(self.dependencies),
            "performance_requirements": self.performance_requirements,
            "extraction_confidence": self.extraction_confidence,
            "explicit_fields": list(self.explicit_fields),
            "field_confidence": dict(self.field_confidence),
            "facts": self.facts,
            "original_prompt": self.original_prompt,
        }

    def to_model(self) -> ModelPRDRequirements:
        """Validate into the typed model every later stage consumes."""
        from onexgen.models.requirements import ModelPRDRequirements

        return ModelPRDRequirements.model_validate(self.as_dict())


def analyze_prompt_values(
    prompt: str,
    node_type_hint: EnumNodeKind | str | None = None,
    *,
    max_prompt_chars: int = MAX_PROMPT_CHARS,
) -> ParsedRequirements:
    """The whole analysis as plain values (see ``PRDAnalyzer.analyze_prompt``)."""
    hint = _coerce_hint(node_type_hint)
    _check_prompt(prompt, max_prompt_chars)
    text = _normalise_whitespace(prompt)
    stated_kind = _stated_kind(text)
    stated_name = _stated_name(text)
    stated_domain = _stated_domain(text)
    spans = [
        span
        for stated in (stated_kind, stated_name, stated_domain)
        if stated is not None
        for span in stated.spans
    ]
    after_schedule = text
    if leading_schedule := _LEADING_SCHEDULE.match(text):
        spans.append(leading_schedule.span())
        after_schedule = " " * leading_schedule.end() + text[leading_schedule.end() :]
    if request := _REQUEST_LEAD.match(after_schedule):
        spans.append(request.span())
    facts = _read_facts(text, spans, stated_name)
    # A stated name or domain together with a stated kind is a deliberate scaffold request
    # (like `onex new node NAME --type KIND`); anything less says nothing about the node.
    scaffold = stated_name is not None or (
        stated_domain is not None and (stated_kind is not None or hint is not None)
    )
    if not facts.has_content and not scaffold:
        raise PromptRefusedError(
            "The prompt does not say what the node is for: state the action and what it "
            "acts on (e.g. 'writes orders to PostgreSQL').",
            reason="no_purpose",
        )
    structure = read_structure(facts.purpose)
    lead = _lead_evidence(structure)
    scores = score_kinds(
        facts.action_text,
        facts.operations,
        facts.features,
        _domain_weights(facts.category_weights, facts.systems, lead),
        facts.systems,
        lead=lead,
    )
    kind, kind_confidence, kind_stated = _settle_kind(
        hint, stated_kind, stated_name, scores, structure
    )
    category = _choose_category(_topic_weights(facts, structure), kind, facts.systems)
    request_facts = extract_facts(
        facts.purpose,
        structure,
        workflow=kind == Kind.ORCHESTRATOR,
        accumulates=kind == Kind.REDUCER,
    )
    if leading_schedule is not None:
        _add_leading_schedule(request_facts, leading_schedule.group(1))

    explicit: list[str] = ["node_type"] if kind_stated else []
    if stated_name is not None:
        node_name, name_confidence = stated_name.value, stated_name.confidence
        if stated_name.confidence >= 1.0:
            explicit.extend(["node_name", "service_name"])
    else:
        node_name = _derive_name(kind, category, facts, structure)
        name_confidence = 0.5 if (facts.systems or facts.operations) else 0.3
    if stated_domain is not None:
        domain, domain_confidence = stated_domain.value, 1.0
        explicit.append("domain")
    else:
        domain = category
        domain_confidence = 0.7 if category != Category.GENERAL else 0.3

    evidence = len(facts.operations) + len(facts.features) + len(facts.systems)
    extraction_confidence = (
        0.5 * kind_confidence
        + 0.15 * name_confidence
        + 0.15 * domain_confidence
        + (0.1 if facts.has_content else 0.0)
        + min(0.1, 0.035 * evidence)
    )
    return ParsedRequirements(
        node_type=kind,
        node_name=node_name,
        service_name=to_snake_case(node_name),
        domain=domain,
        category=category,
        business_description=facts.purpose or f"{kind.capitalize()} node {node_name}",
        operations=facts.operations,
        features=facts.features,
        external_systems=facts.systems,
        dependencies=tuple(to_snake_case(name) for name in facts.systems),
        performance_requirements=_performance(text, request_facts),
        extraction_confidence=round(min(1.0, extraction_confidence), 4),
        explicit_fields=tuple(dict.fromkeys(explicit)),
        field_confidence={
            "node_type": round(kind_confidence, 4),
            "node_name": round(name_confidence, 4),
            "domain": round(domain_confidence, 4),
        },
        original_prompt=prompt,
        facts=request_facts,
    )


def _add_leading_schedule(request_facts: dict[str, Any], adverbial: str) -> None:
    """Put the facts of a leading schedule adverbial first ("Each morning," runs at 07:00):
    the adverbial was kept out of the purpose text so it cannot name or classify the node."""
    phrase = re.sub(r"^\s*each\b", "every", adverbial, flags=re.IGNORECASE)
    found = extract_facts(phrase, read_structure(phrase), workflow=False, accumulates=False)
    for key in ("schedules", "durations"):
        entries = [{**entry, "source": adverbial} for entry in found[key]]
        request_facts[key] = [*entries, *request_facts[key]]


def _lead_evidence(structure: Structure) -> tuple[str, str] | None:
    """(action, kind) of the request's main action, when it is a known, unambiguous one."""
    lead = structure.lead
    if lead is None or not lead.action or lead.action in WEAK_ACTIONS:
        return None
    kind = action_kind(lead.action)
    return (lead.action, kind) if kind else None


def _topic_weights(facts: _Facts, structure: Structure) -> dict[str, float]:
    """Category evidence without the grouping keys: in "the error rate of each endpoint" the
    endpoint is what the state is kept per, the error rate is what the node is about."""
    if not structure.grouping:
        return facts.category_weights
    keys = {word for key, _ in structure.grouping for word in key.split("_")}
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(key) for key in sorted(keys)) + r")(?:s|es)?\b", re.I
    )
    text = pattern.sub(" ", facts.match_text)
    return score_categories(text, _find_systems(text))


def _performance(text: str, request_facts: dict[str, Any]) -> dict[str, Any]:
    """The numbers block, completed from the facts ("cache them for an hour" -> TTL 3600)."""
    values = extract_performance_values(text)
    by_role: dict[str, float] = {}
    for duration in request_facts["durations"]:
        by_role.setdefault(duration["role"], duration["seconds"])
    if "ttl" in by_role:
        values["cache_ttl_seconds"] = by_role["ttl"]
    if values["timeout_seconds"] is None and "timeout" in by_role:
        values["timeout_seconds"] = by_role["timeout"]
    windows = [window["size_seconds"] for window in request_facts["windows"]]
    if windows:
        values["window_seconds"] = list(dict.fromkeys([*windows, *values["window_seconds"]]))
    limits = {limit["role"]: limit["value"] for limit in reversed(request_facts["limits"])}
    if values["retry_attempts"] is None and 0 <= limits.get("retries", -1) <= 100:
        values["retry_attempts"] = limits["retries"]
    if values["batch_size"] is None and limits.get("batch_size"):
        values["batch_size"] = limits["batch_size"]
    return values


class PRDAnalyzer:
    """Reads a request and returns ``ModelPRDRequirements``; stateless and deterministic."""

    max_prompt_chars: int = MAX_PROMPT_CHARS

    def analyze_prompt(
        self, prompt: str, node_type_hint: EnumNodeKind | str | None = None
    ) -> ModelPRDRequirements:
        """Understand ``prompt``; ``node_type_hint`` (e.g. from ``--node-type``) settles the kind.

        Raises ``PromptRefusedError`` for blank or oversized prompts and for prompts that do not
        say what the node is for; ``ValueError`` for an unknown ``node_type_hint``.
        """
        return analyze_prompt_values(
            prompt, node_type_hint, max_prompt_chars=self.max_prompt_chars
        ).to_model()


# --- the analyzer's steps, public so callers (and the benchmark) can use them one at a time ---


def find_stated_kind(text: str) -> tuple[str, float] | None:
    """The kind a text states ("EFFECT node", "node type: reducer") and how clearly."""
    stated = _stated_kind(_normalise_whitespace(text))
    return (stated.value, stated.confidence) if stated else None


def find_stated_name(text: str) -> tuple[str, float] | None:
    """The PascalCase name a text states ("called X", "Name: X", "COMPUTE node: X")."""
    stated = _stated_name(_normalise_whitespace(text))
    return (stated.value, stated.confidence) if stated else None


def find_stated_domain(text: str) -> str | None:
    """The snake_case domain a text states ("in the X domain", "domain: X")."""
    stated = _stated_domain(_normalise_whitespace(text))
    return stated.value if stated else None


def find_operations(text: str) -> tuple[str, ...]:
    """Canonical operations a text names, in order of appearance."""
    return _find_terms(text)


def find_features(text: str) -> tuple[str, ...]:
    """Canonical features a text names, in order of appearance."""
    return _find_features(text)


def find_external_systems(text: str) -> tuple[str, ...]:
    """Outside systems a text names (display names such as PostgreSQL, Kafka, HTTP API)."""
    return _find_systems(text)
