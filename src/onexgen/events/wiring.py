"""Stage 5: typed event models for the node's topics, wrapped in ``ModelEventEnvelope``.

Events are added as separate files in ``events/`` plus their own test module; no generated
file is edited, so nothing can land in the middle of a class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onexgen.contracts.naming import ModelNodeNames, names_from_contract
from onexgen.rendering.render import build_context, render_files
from onexgen.rendering.template_manager import TemplateManager

if TYPE_CHECKING:
    from pathlib import Path

    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.rendered import ModelRenderedNode
    from onexgen.models.requirements import ModelPRDRequirements

__all__ = ["event_names", "wire_event_bus"]


def event_names(names: ModelNodeNames) -> dict[str, Any]:
    """Module and class names of the event files."""
    s, p = names.service, names.pascal
    names_map: dict[str, Any] = {
        "topic_enum": f"Enum{p}Topic",
        "topic_module": f"enum_{s}_topic",
        "command_class": f"Model{p}RequestCommand",
        "command_module": f"model_{s}_request_command",
        "completed_class": f"Model{p}CompletedEvent",
        "completed_module": f"model_{s}_completed_event",
        "failed_class": f"Model{p}FailedEvent",
        "failed_module": f"model_{s}_failed_event",
    }
    names_map["exports"] = sorted(
        [
            names_map["topic_enum"],
            names_map["command_class"],
            names_map["completed_class"],
            names_map["failed_class"],
            "wrap_completed",
            "wrap_failed",
            "wrap_request",
        ]
    )
    return names_map


def wire_event_bus(
    rendered: ModelRenderedNode,
    requirements: ModelPRDRequirements,
    contract: ModelNodeContract,
    *,
    templates_dir: Path | None = None,
    template_manager: TemplateManager | None = None,
    ruff_format: bool = True,
    ruff_config: Path | None = None,
) -> ModelRenderedNode:
    """``rendered`` plus ``events/`` (command, completed, failed, topics, envelopes) and tests.

    With ``ruff_format`` every Python file of the package goes through one ``ruff format`` run,
    so ``render_node(..., ruff_format=False)`` followed by this call formats everything once.
    """
    from onexgen.intelligence import gather_intelligence
    from onexgen.models.classification import ModelClassificationResult
    from onexgen.rendering.formatting import format_with_ruff, ruff_line_length

    manager = template_manager or TemplateManager(templates_dir)
    names = names_from_contract(contract)
    classification = ModelClassificationResult(
        node_type=contract.node_kind,
        confidence=1.0,
        template_name=contract.node_kind.value,
        template_variant=contract.category.value,
    )
    context = build_context(
        requirements,
        gather_intelligence(requirements, classification),
        contract,
        line_length=ruff_line_length(ruff_config),
    )
    events = event_names(names)
    context["e"] = events
    plan = [
        ("events/__init__.py", "events/events_init.py.j2"),
        (f"events/{events['topic_module']}.py", "events/enum_topic.py.j2"),
        (f"events/{events['command_module']}.py", "events/model_command.py.j2"),
        (f"events/{events['completed_module']}.py", "events/model_completed.py.j2"),
        (f"events/{events['failed_module']}.py", "events/model_failed.py.j2"),
        ("events/envelopes.py", "events/envelopes.py.j2"),
        (f"tests/test_{names.service}_events.py", "events/test_events.py.j2"),
    ]
    files, versions = render_files(plan, context, contract.node_kind.value, manager)
    combined = rendered.with_files(tuple(files), versions)
    if not ruff_format:
        return combined
    # One ruff pass over the whole package: formatting is idempotent, so files render_node
    # already formatted stay as they are, and a pipeline that calls render_node with
    # ruff_format=False pays for a single ruff process per node.
    return combined.model_copy(
        update={"files": format_with_ruff(combined.files, config=ruff_config)}
    )
