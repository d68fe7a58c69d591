"""Stage 2: select the best practices and defaults that apply to one node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onexgen.intelligence.library import (
    CATEGORY_DEFAULTS,
    CATEGORY_FEATURES,
    CATEGORY_LIBRARIES,
    CATEGORY_PITFALLS,
    CATEGORY_PRACTICES,
    KIND_FEATURES,
    KIND_PRACTICES,
)
from onexgen.intelligence.mixins import recommend_mixins
from onexgen.models.intelligence import ModelFeatureDefaults, ModelIntelligence

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.requirements import ModelPRDRequirements

__all__ = ["gather_intelligence"]


def gather_intelligence(
    requirements: ModelPRDRequirements, classification: ModelClassificationResult
) -> ModelIntelligence:
    """Best practices for the classified kind and the requirements' category, and the
    omnibase_core mixins and subcontract models that fit the request (offline)."""
    kind = classification.node_type
    category = requirements.category
    practices = (*KIND_PRACTICES[kind], *CATEGORY_PRACTICES[category])
    seen: set[str] = set()
    unique = []
    for practice in practices:
        if practice.title not in seen:
            seen.add(practice.title)
            unique.append(practice)
    recommended = tuple(sorted({*KIND_FEATURES[kind], *CATEGORY_FEATURES[category]}))
    defaults = ModelFeatureDefaults.model_validate(dict(CATEGORY_DEFAULTS.get(category, {})))
    return ModelIntelligence(
        node_kind=kind,
        category=category,
        best_practices=tuple(unique),
        recommended_features=recommended,
        pitfalls=CATEGORY_PITFALLS[category],
        libraries=CATEGORY_LIBRARIES.get(category, ()),
        defaults=defaults,
        recommended_mixins=recommend_mixins(requirements, classification),
    )
