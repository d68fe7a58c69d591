"""Effect contracts: I/O with retries, timeouts and (per category) pools, limits, breakers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onexgen.contracts.base import ModelKindProfile, build_from_profile

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

PROFILE = ModelKindProfile(default_operation="execute", implied_features=("timeout",))


def build_effect_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
) -> ModelNodeContract:
    """Contract of an effect node."""
    return build_from_profile(requirements, classification, intelligence, PROFILE)
