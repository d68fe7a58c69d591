"""Which omnibase_core model checks which section of a node's ``contract.yaml`` (data only).

Behaviour a contract declares (effect operations with retry and circuit breaker, the
orchestrator's workflow graph, the reducer's state machine and aggregation, caching) is loaded
into the framework's own pydantic model for that section, so a section the framework would
reject (e.g. retrying an operation declared ``idempotent: false``) is reported with the
framework's own error. The model per section is the one the framework's contract model for that
kind declares (``ModelContractReducer.state_machine`` is a ``ModelFSMSubcontract``, ...), or for
``effect_subcontract`` the one ``NodeEffect`` loads.

Left out on purpose: ``handler_routing``, ``event_bus`` and ``descriptor``. The framework's strict
models for them (``ModelHandlerRoutingSubcontract``, ``ModelEventBusSubcontract``,
``ModelHandlerBehavior``) reject what its own ``onex new node`` scaffold writes (no ``version``,
``purity: impure``, snake_case topic names), so they cannot be the judge of a valid node; the
handler binding is checked the way ``RuntimeLocal`` resolves it instead.
"""

from __future__ import annotations

from typing import Final

_SUB = "omnibase_core.models.contracts.subcontracts"


# (contract key, node kinds it applies to, "module:Class" of the framework model)
SECTION_MODELS: Final[tuple[tuple[str, tuple[str, ...], str], ...]] = (
    (
        "effect_subcontract",
        ("effect",),
        f"{_SUB}.model_effect_subcontract:ModelEffectSubcontract",
    ),
    (
        "workflow_coordination",
        ("orchestrator",),
        "omnibase_core.models.contracts.model_workflow_config:ModelWorkflowConfig",
    ),
    (
        "workflow_coordination",
        ("reducer",),
        f"{_SUB}.model_workflow_coordination_subcontract:ModelWorkflowCoordinationSubcontract",
    ),
    ("state_machine", ("reducer",), f"{_SUB}.model_fsm_subcontract:ModelFSMSubcontract"),
    (
        "aggregation",
        ("reducer",),
        f"{_SUB}.model_aggregation_subcontract:ModelAggregationSubcontract",
    ),
    (
        "concurrency",
        ("effect", "compute"),
        "omnibase_core.models.contracts.model_concurrency_contract_spec:"
        "ModelConcurrencyContractSpec",
    ),
    (
        "caching",
        ("effect", "compute", "reducer"),
        f"{_SUB}.model_caching_subcontract:ModelCachingSubcontract",
    ),
)


def section_models(kind: str | None) -> tuple[tuple[str, str], ...]:
    """(contract key, "module:Class") of the sections checked for a node of ``kind``."""
    if kind is None:
        return ()
    return tuple((key, model) for key, kinds, model in SECTION_MODELS if kind in kinds)
