"""Compute contracts: pure transformations; no retries (nothing transient to retry)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onexgen.contracts.base import ModelKindProfile, build_from_profile

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

PROFILE = ModelKindProfile(
    default_operation="transform", implied_features=("validation",), supports_retry=False
)


def build_compute_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
) -> ModelNodeContract:
    """Contract of a compute node."""
    return build_from_profile(requirements, classification, intelligence, PROFILE)
