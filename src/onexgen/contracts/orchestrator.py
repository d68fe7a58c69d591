"""Orchestrator contracts: step workflows with retries and completion events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onexgen.contracts.base import ModelKindProfile, build_from_profile
from onexgen.contracts.workflow import workflow_steps

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

PROFILE = ModelKindProfile(
    default_operation="run_workflow", implied_features=("event_publishing", "timeout")
)


def build_orchestrator_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
) -> ModelNodeContract:
    """Contract of an orchestrator node; its operations name the steps they run, in order."""
    contract = build_from_profile(requirements, classification, intelligence, PROFILE)
    steps = workflow_steps(contract)
    if not steps:
        return contract
    operations = tuple(
        op.model_copy(
            update={"description": f"{op.description} Runs the steps {', '.join(steps)}."}
        )
        for op in contract.operations
    )
    return contract.model_copy(update={"operations": operations})
