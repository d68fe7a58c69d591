"""Stage 3 entry point: dispatch to the per-kind contract builder."""

from __future__ import annotations

from collections.abc import Callable

from onexgen.contracts.compute import build_compute_contract
from onexgen.contracts.effect import build_effect_contract
from onexgen.contracts.orchestrator import build_orchestrator_contract
from onexgen.contracts.reducer import build_reducer_contract
from onexgen.models.classification import ModelClassificationResult
from onexgen.models.contract import ModelNodeContract
from onexgen.models.enums import EnumNodeKind
from onexgen.models.intelligence import ModelIntelligence
from onexgen.models.requirements import ModelPRDRequirements

__all__ = ["build_contract"]

Builder = Callable[
    [ModelPRDRequirements, ModelClassificationResult, ModelIntelligence], ModelNodeContract
]

_BUILDERS: dict[EnumNodeKind, Builder] = {
    EnumNodeKind.EFFECT: build_effect_contract,
    EnumNodeKind.COMPUTE: build_compute_contract,
    EnumNodeKind.REDUCER: build_reducer_contract,
    EnumNodeKind.ORCHESTRATOR: build_orchestrator_contract,
}


def build_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
) -> ModelNodeContract:
    """The typed contract for a node of the classified kind."""
    return _BUILDERS[classification.node_type](requirements, classification, intelligence)
