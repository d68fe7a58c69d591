"""Orchestrator contracts: a step graph (``depends_on``, parallel groups, compensation).

Steps come from the request's facts (``requirements.facts.steps``, filled by stage 1) when it
states them; otherwise from the older derivation (dependencies, a list in the description) as a
sequential chain; otherwise three generic steps. They land in the contract as
``workflow_steps`` and, in ``contract.yaml``, in the framework's
``workflow_coordination.workflow_definition.execution_graph``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onexgen.contracts.base import ModelKindProfile, build_from_profile
from onexgen.contracts.workflow import DEFAULT_STEPS, derived_steps
from onexgen.models.contract import ModelContractStep
from onexgen.rendering.escaping import clean_text

if TYPE_CHECKING:
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.facts import ModelRequestFacts
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

PROFILE = ModelKindProfile(
    default_operation="run_workflow", implied_features=("event_publishing", "timeout")
)
COMPENSATION_FEATURES = frozenset({"compensation", "rollback", "saga"})
MAX_TEXT = 400


def _from_facts(facts: ModelRequestFacts) -> tuple[ModelContractStep, ...]:
    known: set[str] = set()
    steps: list[ModelContractStep] = []
    for fact in facts.steps:
        if fact.name in known:
            continue
        steps.append(
            ModelContractStep(
                name=fact.name,
                description=clean_text(fact.description)[:MAX_TEXT],
                # only earlier steps: the graph stays acyclic and in the user's order
                depends_on=tuple(d for d in dict.fromkeys(fact.depends_on) if d in known),
                parallel_group=fact.parallel_group,
                compensation=clean_text(fact.compensation)[:MAX_TEXT]
                if fact.compensation
                else None,
            )
        )
        known.add(fact.name)
    return tuple(steps)


def _chain(names: tuple[str, ...]) -> tuple[ModelContractStep, ...]:
    return tuple(
        ModelContractStep(name=name, depends_on=(names[i - 1],) if i else ())
        for i, name in enumerate(names)
    )


def build_orchestrator_contract(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
) -> ModelNodeContract:
    """Contract of an orchestrator node with its step graph."""
    contract = build_from_profile(requirements, classification, intelligence, PROFILE)
    steps = _from_facts(requirements.facts) or _chain(derived_steps(contract) or DEFAULT_STEPS)
    compensation = (
        requirements.facts.compensation
        or any(step.compensation for step in steps)
        or bool(COMPENSATION_FEATURES & set(contract.features))
    )
    return contract.model_copy(update={"workflow_steps": steps, "compensation": compensation})
