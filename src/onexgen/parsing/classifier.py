"""Which node kind a request describes: weighted multi-factor scoring, then template choice.

Four factors, weighted as in the earlier generator's documentation: the domain/category (30%),
the operations (30%), the keywords of the text (25%) and the features (15%). Each factor gives a
distribution over the kinds; factors with no evidence are left out instead of voting for a
default, so an empty factor never drags the result towards EFFECT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onexgen.parsing.names import split_words
from onexgen.parsing.phrases import Category, Kind
from onexgen.parsing.vocabulary import (
    CATEGORY_KIND,
    FEATURE_KIND,
    GENERIC_VERBS,
    KIND_CUES,
    OPERATION_KIND,
)

FACTOR_WEIGHTS: dict[str, float] = {
    "domain": 0.30,
    "operations": 0.30,
    "keywords": 0.25,
    "features": 0.15,
}
LEAD_BOOST = 3.0
"""The first action a request names is what the node is for; later ones are details."""

SYSTEM_WEIGHT = 0.8
"""Weight of each named outside system as evidence of an EFFECT node."""

INFERRED_CONFIDENCE_CAP = 0.8
"""An inferred kind is never as certain as a stated one."""

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.requirements import ModelPRDRequirements

_KINDS: tuple[str, ...] = Kind.ALL


@dataclass(frozen=True, slots=True)
class KindScores:
    """Normalised score per kind (sums to 1 when there is evidence) and why."""

    scores: dict[str, float]
    indicators: dict[str, tuple[str, ...]]
    evidence: int
    factors: tuple[str, ...] = field(default=())

    def ranked(self) -> list[tuple[str, float]]:
        """Kinds best first; ties broken by the fixed kind order (deterministic)."""
        order = {kind: index for index, kind in enumerate(_KINDS)}
        return sorted(self.scores.items(), key=lambda item: (-item[1], order[item[0]]))

    @property
    def best(self) -> str | None:
        """The top kind, or ``None`` when nothing pointed anywhere."""
        if self.evidence == 0:
            return None
        return self.ranked()[0][0]

    def inferred_confidence(self) -> float:
        """Confidence of the top kind when the user did not state one (capped at 0.8)."""
        if self.evidence == 0:
            return 0.0
        ranked = self.ranked()
        top = ranked[0][1]
        margin = top - ranked[1][1]
        strength = min(1.0, 0.5 + 0.1 * self.evidence)
        value = (0.3 + 0.35 * top + 0.35 * margin) * strength + 0.1
        return round(min(INFERRED_CONFIDENCE_CAP, value), 4)


def _normalise(raw: dict[str, float]) -> dict[str, float] | None:
    total = sum(raw.values())
    if total <= 0:
        return None
    return {kind: raw.get(kind, 0.0) / total for kind in _KINDS}


def _keyword_evidence(
    text: str,
    systems: tuple[str, ...],
    lead: tuple[str, str] | None,
    indicators: dict[str, list[str]],
) -> tuple[dict[str, float], int]:
    """Keyword factor: every cue counts once; the earliest cue in the text is the node's
    purpose; the main action and each named outside system add their weight."""
    evidence = 0
    keyword_raw: dict[str, float] = {}

    hits: list[tuple[int, str, str, float]] = []
    lead_candidates: list[int] = []
    for cue in KIND_CUES:
        match = cue.pattern.search(text)
        if match:
            surface = match.group(0).lower()
            hits.append((match.start(), cue.target, f"{cue.label} ({surface})", cue.weight))
            if surface not in GENERIC_VERBS:
                lead_candidates.append(match.start())
    hits.sort(key=lambda hit: (hit[0], _KINDS.index(hit[1]), hit[2]))
    lead_position = min(lead_candidates) if lead_candidates else -1
    for position, kind, label, weight in hits:
        boost = LEAD_BOOST if position == lead_position else 1.0
        keyword_raw[kind] = keyword_raw.get(kind, 0.0) + weight * boost
        indicators[kind].append(f"keyword: {label}")
        evidence += 1
    if lead is not None:
        action, lead_kind = lead
        keyword_raw[lead_kind] = keyword_raw.get(lead_kind, 0.0) + LEAD_BOOST
        indicators[lead_kind].append(f"main action: {action}")
        evidence += 1
    for system in systems:
        keyword_raw[Kind.EFFECT] = keyword_raw.get(Kind.EFFECT, 0.0) + SYSTEM_WEIGHT
        indicators[Kind.EFFECT].append(f"external system: {system}")
        evidence += 1
    return keyword_raw, evidence


def score_kinds(
    text: str,
    operations: tuple[str, ...],
    features: tuple[str, ...],
    category_weights: dict[str, float],
    systems: tuple[str, ...] = (),
    *,
    lead: tuple[str, str] | None = None,
) -> KindScores:
    """Score the four kinds from the purpose text and the extracted facts.

    A named outside system (PostgreSQL, Kafka, S3...) is keyword evidence of I/O; ``lead``
    (action lemma, kind), the request's main action, is keyword evidence of what it does.
    """
    indicators: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    factors: dict[str, dict[str, float]] = {}
    keyword_raw, evidence = _keyword_evidence(text, systems, lead, indicators)
    if normalised := _normalise(keyword_raw):
        factors["keywords"] = normalised

    operation_raw: dict[str, float] = {}
    for index, operation in enumerate(operations):
        if operation in OPERATION_KIND:
            kind = OPERATION_KIND[operation]
            operation_raw[kind] = operation_raw.get(kind, 0.0) + (LEAD_BOOST if index == 0 else 1.0)
            indicators[kind].append(f"operation: {operation}")
            evidence += 1
    if normalised := _normalise(operation_raw):
        factors["operations"] = normalised

    domain_raw: dict[str, float] = {}
    for category, weight in category_weights.items():
        for kind, share in CATEGORY_KIND.get(category, {}).items():
            domain_raw[kind] = domain_raw.get(kind, 0.0) + weight * share
    if normalised := _normalise(domain_raw):
        factors["domain"] = normalised
        top_category = max(category_weights.items(), key=lambda item: (item[1], item[0]))[0]
        for kind in CATEGORY_KIND.get(top_category, {}):
            indicators[kind].append(f"domain: {top_category}")
        evidence += 1

    feature_raw: dict[str, float] = {}
    for feature in features:
        for kind, share in FEATURE_KIND.get(feature, {}).items():
            feature_raw[kind] = feature_raw.get(kind, 0.0) + share
            if share >= 0.5:
                indicators[kind].append(f"feature: {feature}")
    if normalised := _normalise(feature_raw):
        factors["features"] = normalised
        evidence += 1

    # Only keywords and operations say what the node does; domain and features alone do not.
    if "keywords" not in factors and "operations" not in factors:
        return KindScores(dict.fromkeys(_KINDS, 0.0), {}, 0, ())

    weight_total = sum(FACTOR_WEIGHTS[name] for name in factors)
    scores = {
        kind: round(
            sum(FACTOR_WEIGHTS[name] * dist[kind] for name, dist in factors.items()) / weight_total,
            6,
        )
        for kind in _KINDS
    }
    return KindScores(
        scores,
        {kind: tuple(dict.fromkeys(found)) for kind, found in indicators.items()},
        evidence,
        tuple(sorted(factors)),
    )


_VARIANTS: dict[str, tuple[tuple[frozenset[str], str], ...]] = {
    Kind.EFFECT: (
        (frozenset({"connection_pooling"}), "pooled"),
        (frozenset({"retry_logic", "circuit_breaker", "rate_limiting"}), "resilient"),
        (frozenset({"caching"}), "cached"),
    ),
    Kind.REDUCER: (
        (frozenset({"state_machine"}), "state_machine"),
        (frozenset({"windowing"}), "windowed"),
    ),
    Kind.ORCHESTRATOR: (
        (frozenset({"parallel_execution"}), "parallel"),
        (frozenset({"compensation"}), "saga"),
    ),
    Kind.COMPUTE: ((frozenset({"caching"}), "cached"),),
}
"""Per kind, the first rule whose features the node has names its variant."""
_DEFAULT_VARIANT: dict[str, str] = {Kind.ORCHESTRATOR: "sequential"}


def _template(kind: str, category: str, features: tuple[str, ...]) -> tuple[str, str]:
    """Template name (kind + category) and variant (the feature set that shapes the code)."""
    name = f"{kind}_{'generic' if category == Category.GENERAL else category}"
    feature_set = set(features)
    variant = next(
        (variant for wanted, variant in _VARIANTS[kind] if wanted & feature_set),
        _DEFAULT_VARIANT.get(kind, "standard"),
    )
    return name, variant


@dataclass(frozen=True, slots=True)
class Classification:
    """A classification as plain values; ``NodeClassifier.classify`` wraps it in the model."""

    node_type: str
    confidence: float
    template_name: str
    template_variant: str
    primary_indicators: tuple[str, ...]
    alternatives: tuple[tuple[str, float, tuple[str, ...], str], ...]
    """(kind, score, indicators, why it lost) per other kind with evidence, best first."""

    def as_dict(self) -> dict[str, object]:
        """The same shape as ``ModelClassificationResult.model_dump(mode="json")``."""
        return {
            "node_type": self.node_type,
            "confidence": self.confidence,
            "template_name": self.template_name,
            "template_variant": self.template_variant,
            "primary_indicators": list(self.primary_indicators),
            "alternatives": [
                {
                    "node_type": kind,
                    "confidence": confidence,
                    "indicators": list(indicators),
                    "reason": reason,
                }
                for kind, confidence, indicators, reason in self.alternatives
            ],
        }


def classify_values(
    *,
    node_type: str,
    kind_stated: bool,
    inferred_confidence: float,
    business_description: str,
    node_name: str,
    category: str,
    operations: tuple[str, ...],
    features: tuple[str, ...],
    external_systems: tuple[str, ...],
) -> Classification:
    """Confidence, template and ranked alternatives for an already settled kind.

    The analyzer settles the kind (stated, hinted, or inferred from the whole prompt); the
    scores here explain it: a stated kind is confident when the evidence agrees and less so
    when the text points elsewhere.
    """
    text = f"{business_description} {' '.join(split_words(node_name))}".strip()
    scores = score_kinds(
        text,
        operations,
        features,
        {} if category == Category.GENERAL else {category: 1.0},
        external_systems,
    )
    agreement = scores.scores[node_type] if scores.evidence else 0.6
    if kind_stated:
        # What the user stated is certain; the scores only explain the alternatives.
        confidence = 1.0
        indicators = (f"stated kind: {node_type}", *scores.indicators.get(node_type, ()))
    else:
        inferred = inferred_confidence
        if scores.best == node_type:
            inferred = min(inferred, scores.inferred_confidence())
        confidence = round(min(inferred, 0.3 + 0.5 * agreement), 4)
        indicators = scores.indicators.get(node_type, ())
    template_name, variant = _template(node_type, category, features)
    alternatives = tuple(
        (
            other,
            round(score, 4),
            scores.indicators.get(other, ())[:5],
            _why_lost(other, score, node_type, kind_stated, scores),
        )
        for other, score in scores.ranked()
        if other != node_type and score > 0
    )
    return Classification(
        node_type=node_type,
        confidence=confidence,
        template_name=template_name,
        template_variant=variant,
        primary_indicators=tuple(indicators[:8]),
        alternatives=alternatives,
    )


def _why_lost(kind: str, score: float, chosen: str, stated: bool, scores: KindScores) -> str:
    """One line on why ``kind`` was not chosen, with the evidence it had."""
    evidence = ", ".join(scores.indicators.get(kind, ())[:3]) or "weak evidence"
    if stated:
        return f"the request states {chosen}; {kind} had {evidence}"
    chosen_score = scores.scores.get(chosen, 0.0)
    if score > chosen_score:
        return f"{kind} scored higher on keywords ({evidence}); the request's shape says {chosen}"
    return f"{kind} scored {score:.2f} against {chosen_score:.2f} for {chosen} ({evidence})"


class NodeClassifier:
    """Decides the confidence, template and alternatives for a set of requirements.

    The kind in the requirements (stated, hinted, or inferred by ``PRDAnalyzer``) is kept; a
    stated kind is never overruled.
    """

    def classify(self, requirements: ModelPRDRequirements) -> ModelClassificationResult:
        """Classify ``requirements`` into a kind, a template and ranked alternatives."""
        from onexgen.models.classification import ModelClassificationResult

        values = classify_values(
            node_type=requirements.node_type.value,
            kind_stated="node_type" in requirements.explicit_fields,
            inferred_confidence=requirements.field_confidence.node_type,
            business_description=requirements.business_description,
            node_name=requirements.node_name,
            category=requirements.category.value,
            operations=requirements.operations,
            features=requirements.features,
            external_systems=requirements.external_systems,
        )
        return ModelClassificationResult.model_validate(values.as_dict())
