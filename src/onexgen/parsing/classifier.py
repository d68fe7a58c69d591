"""Which node kind a request describes: weighted multi-factor scoring, then template choice.

Four factors, weighted as in the earlier generator's documentation: the domain/category (30%),
the operations (30%), the keywords of the text (25%) and the features (15%). Each factor gives a
distribution over the kinds; factors with no evidence are left out instead of voting for a
default, so an empty factor never drags the result towards EFFECT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onexgen.models.classification import (
    ModelClassificationAlternative,
    ModelClassificationResult,
)
from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.parsing.names import split_words
from onexgen.parsing.vocabulary import (
    CATEGORY_KIND,
    FEATURE_KIND,
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

INFERRED_CONFIDENCE_CAP = 0.8
"""An inferred kind is never as certain as a stated one."""

if TYPE_CHECKING:
    from onexgen.models.requirements import ModelPRDRequirements

_KINDS: tuple[EnumNodeKind, ...] = tuple(EnumNodeKind)


@dataclass(frozen=True, slots=True)
class KindScores:
    """Normalised score per kind (sums to 1 when there is evidence) and why."""

    scores: dict[EnumNodeKind, float]
    indicators: dict[EnumNodeKind, tuple[str, ...]]
    evidence: int
    factors: tuple[str, ...] = field(default=())

    def ranked(self) -> list[tuple[EnumNodeKind, float]]:
        """Kinds best first; ties broken by the fixed kind order (deterministic)."""
        order = {kind: index for index, kind in enumerate(_KINDS)}
        return sorted(self.scores.items(), key=lambda item: (-item[1], order[item[0]]))

    @property
    def best(self) -> EnumNodeKind | None:
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


def _normalise(raw: dict[EnumNodeKind, float]) -> dict[EnumNodeKind, float] | None:
    total = sum(raw.values())
    if total <= 0:
        return None
    return {kind: raw.get(kind, 0.0) / total for kind in _KINDS}


def score_kinds(
    text: str,
    operations: tuple[str, ...],
    features: tuple[str, ...],
    category_weights: dict[EnumCategory, float],
) -> KindScores:
    """Score the four kinds from the purpose text and the extracted facts."""
    indicators: dict[EnumNodeKind, list[str]] = {kind: [] for kind in _KINDS}
    factors: dict[str, dict[EnumNodeKind, float]] = {}
    evidence = 0

    # keywords: every cue counts once; the earliest cue in the text is the node's purpose.
    keyword_raw: dict[EnumNodeKind, float] = {}
    hits: list[tuple[int, EnumNodeKind, str, float]] = []
    for cue in KIND_CUES:
        match = cue.pattern.search(text)
        if match:
            kind = EnumNodeKind(cue.target)
            hits.append(
                (match.start(), kind, f"{cue.label} ({match.group(0).lower()})", cue.weight)
            )
    hits.sort(key=lambda hit: (hit[0], _KINDS.index(hit[1]), hit[2]))
    lead_position = hits[0][0] if hits else -1
    for position, kind, label, weight in hits:
        boost = LEAD_BOOST if position == lead_position else 1.0
        keyword_raw[kind] = keyword_raw.get(kind, 0.0) + weight * boost
        indicators[kind].append(f"keyword: {label}")
        evidence += 1
    if normalised := _normalise(keyword_raw):
        factors["keywords"] = normalised

    operation_raw: dict[EnumNodeKind, float] = {}
    for index, operation in enumerate(operations):
        if operation in OPERATION_KIND:
            kind = OPERATION_KIND[operation]
            operation_raw[kind] = operation_raw.get(kind, 0.0) + (LEAD_BOOST if index == 0 else 1.0)
            indicators[kind].append(f"operation: {operation}")
            evidence += 1
    if normalised := _normalise(operation_raw):
        factors["operations"] = normalised

    domain_raw: dict[EnumNodeKind, float] = {}
    for category, weight in category_weights.items():
        for kind, share in CATEGORY_KIND.get(category, {}).items():
            domain_raw[kind] = domain_raw.get(kind, 0.0) + weight * share
    if normalised := _normalise(domain_raw):
        factors["domain"] = normalised
        top_category = max(category_weights.items(), key=lambda item: (item[1], item[0]))[0]
        for kind in CATEGORY_KIND.get(top_category, {}):
            indicators[kind].append(f"domain: {top_category.value}")
        evidence += 1

    feature_raw: dict[EnumNodeKind, float] = {}
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


def _template(
    kind: EnumNodeKind, category: EnumCategory, features: tuple[str, ...]
) -> tuple[str, str]:
    """Template name (kind + category) and variant (the feature set that shapes the code)."""
    name = f"{kind.value}_{'generic' if category is EnumCategory.GENERAL else category.value}"
    feature_set = set(features)
    if kind is EnumNodeKind.EFFECT:
        if "connection_pooling" in feature_set:
            variant = "pooled"
        elif feature_set & {"retry_logic", "circuit_breaker", "rate_limiting"}:
            variant = "resilient"
        elif "caching" in feature_set:
            variant = "cached"
        else:
            variant = "standard"
    elif kind is EnumNodeKind.REDUCER:
        if "state_machine" in feature_set:
            variant = "state_machine"
        elif "windowing" in feature_set:
            variant = "windowed"
        else:
            variant = "standard"
    elif kind is EnumNodeKind.ORCHESTRATOR:
        if "parallel_execution" in feature_set:
            variant = "parallel"
        elif "compensation" in feature_set:
            variant = "saga"
        else:
            variant = "sequential"
    else:
        variant = "cached" if "caching" in feature_set else "standard"
    return name, variant


def category_weights_for(requirements: ModelPRDRequirements) -> dict[EnumCategory, float]:
    """The category factor for requirements that come without their scoring (files, fixtures)."""
    if requirements.category is EnumCategory.GENERAL:
        return {}
    return {requirements.category: 1.0}


class NodeClassifier:
    """Decides the node kind and template for a set of requirements.

    A kind the user stated (or passed with ``--node-type``) always wins; the evidence then only
    sets how confident we are. Otherwise the highest weighted score wins.
    """

    def classify(self, requirements: ModelPRDRequirements) -> ModelClassificationResult:
        """Classify ``requirements`` into a kind, a template and ranked alternatives."""
        text = " ".join(
            part
            for part in (
                requirements.business_description,
                " ".join(split_words(requirements.node_name)),
            )
            if part
        )
        scores = score_kinds(
            text,
            requirements.operations,
            requirements.features,
            category_weights_for(requirements),
        )
        # The analyzer already settled the kind (stated, hinted or inferred from the full
        # prompt); the scores here explain it and set the confidence and the alternatives.
        kind = requirements.node_type
        stated = "node_type" in requirements.explicit_fields
        agreement = scores.scores[kind] if scores.evidence else 0.6
        if stated:
            confidence = round(0.7 + 0.3 * agreement, 4)
            indicators = (f"stated kind: {kind.value}", *scores.indicators.get(kind, ()))
        else:
            inferred = requirements.field_confidence.node_type
            if scores.best is kind:
                inferred = min(inferred, scores.inferred_confidence())
            confidence = round(min(inferred, 0.3 + 0.5 * agreement), 4)
            indicators = scores.indicators.get(kind, ())
        template_name, variant = _template(kind, requirements.category, requirements.features)
        alternatives = tuple(
            ModelClassificationAlternative(
                node_type=other,
                confidence=round(score, 4),
                indicators=scores.indicators.get(other, ())[:5],
            )
            for other, score in scores.ranked()
            if other is not kind and score > 0
        )
        return ModelClassificationResult(
            node_type=kind,
            confidence=confidence,
            template_name=template_name,
            template_variant=variant,
            primary_indicators=tuple(indicators[:8]),
            alternatives=alternatives,
        )
