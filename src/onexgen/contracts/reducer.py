"""Reducer contracts: bounded batches folded per grouping key, optionally in time windows.

The grouping key and the windows come from the request's facts (``group_by``, ``windows``)
when it states them; the contract carries them in the framework's ``aggregation`` section
(``ModelAggregationSubcontract``: ``grouping.grouping_fields``, ``windowing``). Folds are pure
and never retried.
"""

from __future__ import annotations

import keyword
from typing import TYPE_CHECKING

from onexgen.contracts.base import ModelKindProfile, build_from_profile
from onexgen.models.contract import ModelWindowConfig

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

PROFILE = ModelKindProfile(
    default_operation="aggregate", implied_features=("batching",), supports_retry=False
)
DEFAULT_GROUP_KEY = "key"
# fields the item model already has, or names Python refuses as attributes
RESERVED_KEYS = frozenset({"value", "timestamp_seconds", "model_config", "model_fields"})


def group_key(contract: ModelNodeContract) -> str:
    """The item field the reducer groups by: the request's first grouping key, else ``key``."""
    for name in contract.group_by:
        if not keyword.iskeyword(name) and name not in RESERVED_KEYS:
            return name
    return DEFAULT_GROUP_KEY


def build_reducer_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
) -> ModelNodeContract:
    """Contract of a reducer node, grouped and windowed as the request's facts say."""
    contract = build_from_profile(requirements, classification, intelligence, PROFILE)
    facts = requirements.facts
    update: dict[str, object] = {"group_by": tuple(dict.fromkeys(g.name for g in facts.group_by))}
    if facts.windows:
        sizes = tuple(sorted({w.size_seconds for w in facts.windows}))
        config = contract.configuration.model_copy(
            update={"windowing": ModelWindowConfig(window_seconds=sizes)}
        )
        update["configuration"] = config
    return contract.model_copy(update=update)
