"""Every name derived from a node's identity, computed once so contract and code agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from onexgen.models.enums import EnumNodeKind
from onexgen.rendering.escaping import identifier, pascal

if TYPE_CHECKING:
    from onexgen.models.contract import ModelNodeContract

__all__ = [
    "ModelNodeNames",
    "names_from_contract",
    "node_names",
    "operation_member",
    "operation_method",
]


class ModelNodeNames(BaseModel):
    """Module and class names of one generated package."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: EnumNodeKind
    pascal: str
    service: str
    domain: str
    package: str
    node_class: str
    handler_class: str
    handler_module: str
    input_class: str
    input_module: str
    item_class: str
    item_module: str
    output_class: str
    output_module: str
    config_class: str
    config_module: str
    enum_class: str
    enum_module: str
    aggregate_class: str
    aggregate_module: str
    window_class: str
    window_module: str
    requested_event_class: str
    completed_event_class: str
    failed_event_class: str

    @property
    def kebab_service(self) -> str:
        """``user_events`` -> ``user-events`` for topic names."""
        return self.service.replace("_", "-")

    @property
    def kebab_domain(self) -> str:
        """Domain in kebab case for topic names."""
        return self.domain.replace("_", "-")


def node_names(
    kind: EnumNodeKind, node_name: str, service_name: str, domain: str
) -> ModelNodeNames:
    """Names for ``node_<service>_<kind>``; inputs are re-sanitised so any text is safe."""
    service = identifier(service_name).rstrip("_")
    if service[0].isdigit():
        service = f"n_{service}"
    cls = pascal(node_name)
    # A name that already ends in its kind ("OrderHistoryOrchestrator") gets no second one.
    kind_word = kind.value.capitalize()
    package = service if service.endswith(f"_{kind.value}") else f"{service}_{kind.value}"
    node_class = cls if cls.endswith(kind_word) else f"{cls}{kind_word}"
    return ModelNodeNames(
        kind=kind,
        pascal=cls,
        service=service,
        domain=identifier(domain).rstrip("_"),
        package=f"node_{package}",
        node_class=f"Node{node_class}",
        handler_class=f"Handler{cls}",
        handler_module=f"handler_{service}",
        input_class=f"Model{cls}Input",
        input_module=f"model_{service}_input",
        item_class=f"Model{cls}Item",
        item_module=f"model_{service}_item",
        output_class=f"Model{cls}Output",
        output_module=f"model_{service}_output",
        config_class=f"Model{cls}Config",
        config_module=f"model_{service}_config",
        enum_class=f"Enum{cls}Operation",
        enum_module=f"enum_{service}_operation",
        aggregate_class=f"Model{cls}Aggregate",
        aggregate_module=f"model_{service}_aggregate",
        window_class=f"Model{cls}WindowAggregate",
        window_module=f"model_{service}_window_aggregate",
        requested_event_class=f"Model{cls}RequestedEvent",
        completed_event_class=f"Model{cls}CompletedEvent",
        failed_event_class=f"Model{cls}FailedEvent",
    )


def operation_member(operation: str) -> str:
    """Enum member name for an operation (``create`` -> ``CREATE``)."""
    return identifier(operation).rstrip("_").upper()


def operation_method(operation: str) -> str:
    """Handler method for an operation: ``handle_<op>`` never collides with handler internals."""
    return f"handle_{identifier(operation).rstrip('_')}"


def names_from_contract(contract: ModelNodeContract) -> ModelNodeNames:
    """Names of the package a contract describes."""
    return node_names(
        contract.node_kind, contract.node_name, contract.service_name, contract.domain
    )
