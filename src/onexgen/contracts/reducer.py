"""Reducer contracts: bounded batches, optional time windows; folds are not retried."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onexgen.contracts.base import ModelKindProfile, build_from_profile

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

PROFILE = ModelKindProfile(
    default_operation="aggregate", implied_features=("batching",), supports_retry=False
)


def build_reducer_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
) -> ModelNodeContract:
    """Contract of a reducer node."""
    return build_from_profile(requirements, classification, intelligence, PROFILE)
