"""Stage 4: render a node package from the contract with the packaged (or overridden) templates."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from onexgen.contracts.fact_settings import PRESIGN_OPERATIONS
from onexgen.contracts.naming import (
    ModelNodeNames,
    names_from_contract,
    operation_member,
    operation_method,
)
from onexgen.contracts.reducer import group_key, named_statistics
from onexgen.contracts.sections import DB_OPERATION_OF_VERB
from onexgen.contracts.workflow import workflow_steps
from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.models.rendered import ModelRenderedFile, ModelRenderedNode
from onexgen.rendering.escaping import UserText
from onexgen.rendering.formatting import DEFAULT_LINE_LENGTH, format_with_ruff, ruff_line_length
from onexgen.rendering.template_manager import TemplateManager

if TYPE_CHECKING:
    from pathlib import Path

    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.intelligence import ModelIntelligence
    from onexgen.models.requirements import ModelPRDRequirements

__all__ = ["EXAMPLE_REQUEST", "build_context", "example_request", "render_files", "render_node"]

EXAMPLE_REQUEST = "examples/request.json"

MAX_ITEMS = {EnumNodeKind.REDUCER: 10_000}
DEFAULT_MAX_ITEMS = 100

_EFFECT_TYPES = {
    EnumCategory.DATABASE: ("DATABASE_OPERATION", "use a pooled connection; parameterised queries"),
    EnumCategory.API: ("API_CALL", "honour the rate limit; retry idempotent calls only"),
    EnumCategory.STORAGE: ("FILE_OPERATION", "write atomically: temporary object, then rename"),
    EnumCategory.MESSAGING: ("EVENT_EMISSION", "publish with at-least-once delivery"),
    EnumCategory.MONITORING: ("METRICS_COLLECTION", "never block on the metrics backend"),
    EnumCategory.CACHE: ("API_CALL", "set a TTL on every entry"),
}


# What a read must take care of, where it differs from the category's hint for writes.
_READ_HINTS = {
    EnumCategory.STORAGE: "stream the object; a missing object is an error, not empty data",
    EnumCategory.MESSAGING: "commit the offset only after the message is handled",
    EnumCategory.CACHE: "a miss is a normal answer, not an error",
}


def _hint(contract: ModelNodeContract, operation: str) -> str:
    """The operation's hint: a read gets the read hint of its category, never a write's."""
    _, write_hint = _EFFECT_TYPES.get(
        contract.category, ("API_CALL", "bound the call with the contract's timeout")
    )
    verb = operation.split("_", 1)[0]
    reads = DB_OPERATION_OF_VERB.get(verb) == "select" or verb in PRESIGN_OPERATIONS
    return _READ_HINTS.get(contract.category, write_hint) if reads else write_hint


def _operations(contract: ModelNodeContract) -> list[dict[str, Any]]:
    return [
        {
            "name": op.name,
            "member": operation_member(op.name),
            "method": operation_method(op.name),
            "summary": f"{op.name.replace('_', ' ').capitalize()} operation.",
            "description": UserText(op.description),
            "timeout_ms": op.timeout_ms,
            "idempotent": op.idempotent,
            "cached": _cacheable(op.name, op.idempotent),
            "hint": _hint(contract, op.name),
        }
        for op in contract.operations
    ]


def _cacheable(operation: str, idempotent: bool) -> bool:
    """Whether a result may be served from the cache: idempotent reads only. An idempotent
    write (update, delete) must still do its work, and a presigned URL must be fresh."""
    verb = operation.split("_", 1)[0]
    writes = DB_OPERATION_OF_VERB.get(verb, "select") != "select"
    return idempotent and not writes and verb not in PRESIGN_OPERATIONS


def _resilience_imports(contract: ModelNodeContract) -> list[str]:
    cfg = contract.configuration
    if contract.node_kind is EnumNodeKind.REDUCER:
        return []
    wanted = [
        ("ConnectionSlots", cfg.connection_pool),
        ("RetryPolicy", cfg.retry),
        ("TTLCache", cfg.cache),
        ("TokenBucket", cfg.rate_limit),
    ]
    return sorted((name for name, section in wanted if section is not None), key=str.lower)


def _test_resilience_imports(contract: ModelNodeContract) -> list[str]:
    """Helpers the generated handler tests exercise directly."""
    cfg = contract.configuration
    names = [n for n in _resilience_imports(contract) if n != "ConnectionSlots"]
    if cfg.pagination is not None and contract.node_kind is not EnumNodeKind.REDUCER:
        names.append("collect_pages")
    return sorted(names, key=lambda n: (n[0].islower(), n.lower()))


def _steps(contract: ModelNodeContract) -> list[dict[str, Any]]:
    """An orchestrator's steps from its contract graph, for templates.

    Names are snake_case identifiers (the contract model enforces it), so they are safe as
    method-name parts and inside string literals; descriptions stay user text.
    """
    return [
        {
            "name": step.name,
            "method": f"step_{step.name}",
            "title": step.name.replace("_", " "),
            "depends_on": step.depends_on,
            "parallel_group": step.parallel_group,
            "compensation": UserText(step.compensation) if step.compensation else None,
            "description": UserText(step.description),
        }
        for step in contract.workflow_steps
    ]


def _statistics(contract: ModelNodeContract) -> list[dict[str, Any]]:
    """A reducer's named statistics (``p95``, ``median``, ``average``) as aggregate fields."""
    if contract.node_kind is not EnumNodeKind.REDUCER:
        return []
    # ``expected``: the value on the sample 1..100 the generated test folds (nearest rank)
    return [
        {
            "name": name,
            "percentile": percentile,
            "expected": 50.5 if percentile is None else float(math.ceil(percentile * 100 / 100.0)),
        }
        for name, percentile in named_statistics(contract.request_facts)
    ]


def _compensated(contract: ModelNodeContract) -> tuple[str, ...]:
    """Steps undone (in reverse) when a later step fails: those with a stated compensation, or
    every step when the request asked for compensation without saying how per step."""
    if not contract.compensation:
        return ()
    stated = tuple(s.name for s in contract.workflow_steps if s.compensation)
    return stated or tuple(s.name for s in contract.workflow_steps)


def _fact_tests(contract: ModelNodeContract) -> bool:
    """Whether the node has stated facts its code acts on (they get their own test module)."""
    if contract.node_kind is EnumNodeKind.REDUCER:
        return False
    cfg = contract.configuration
    acted_on = (
        cfg.max_concurrency,
        cfg.schedule,
        cfg.output_variants,
        cfg.top_n,
        cfg.threshold,
        cfg.presign_expiry_seconds,
        cfg.lookback_seconds,
    )
    facts = contract.request_facts
    stated = any(d.role == "timeout" for d in facts.durations) or any(
        x.role in {"retries", "page_size"} for x in facts.limits
    )
    return stated or any(value is not None for value in acted_on)


def example_request(contract: ModelNodeContract) -> dict[str, Any]:
    """A valid request for the node's input model: what ``examples/request.json`` holds.

    RuntimeLocal builds the handler's typed input from it, so it must complete there.
    """
    operation = contract.operations[0].name
    if contract.node_kind is EnumNodeKind.REDUCER:
        key = group_key(contract)
        return {
            "operation": operation,
            "items": [
                {key: "a", "value": 1.0, "timestamp_seconds": 0.0},
                {key: "b", "value": 5.0, "timestamp_seconds": 10.0},
                {key: "a", "value": 3.0, "timestamp_seconds": 70.0},
            ],
        }
    if contract.node_kind in {EnumNodeKind.EFFECT, EnumNodeKind.COMPUTE}:
        # the operations raise "not implemented" until their logic is written; a dry run
        # validates the request and reports the policy that would apply, and says so
        return {"operation": operation, "payload": {"id": 1}, "dry_run": True}
    return {"operation": operation, "payload": {"id": 1}}


def build_context(
    requirements: ModelPRDRequirements,
    intelligence: ModelIntelligence,
    contract: ModelNodeContract,
    *,
    line_length: int = DEFAULT_LINE_LENGTH,
) -> dict[str, Any]:
    """Template variables: trusted names as ``str``, user text as ``UserText``.

    ``line_length`` is the one ruff will format with; ``fit_docstring`` wraps prose to it.
    """
    names = names_from_contract(contract)
    kind = contract.node_kind
    operations = _operations(contract)
    steps = _steps(contract)
    effect_type, effect_hint = _EFFECT_TYPES.get(
        contract.category, ("API_CALL", "bound the call with the contract's timeout")
    )
    external = ", ".join(requirements.external_systems) or "the external system"
    cfg = contract.configuration
    transient = (
        "ConnectionError, TimeoutError" if kind is not EnumNodeKind.COMPUTE else "TimeoutError,"
    )
    return {
        "n": names,
        "kind": kind.value,
        "Kind": kind.value.capitalize(),
        "contract": contract,
        "cfg": contract.configuration,
        "perf": contract.performance,
        "topics": contract.event_topics,
        "operations": operations,
        "default_operation": operations[0],
        "features": list(contract.features),
        "description": UserText(contract.description),
        "prompt": UserText(requirements.original_prompt),
        "external_systems": [UserText(s) for s in requirements.external_systems],
        "external_target": "the external system"
        if not requirements.external_systems
        else "the configured system",
        "dependencies": list(requirements.dependencies),
        "intelligence": intelligence,
        "effect_type": effect_type,
        "effect_hint": effect_hint,
        "transient_errors": transient,
        "resilience_imports": _resilience_imports(contract),
        "test_resilience_imports": _test_resilience_imports(contract),
        "max_items": MAX_ITEMS.get(kind, DEFAULT_MAX_ITEMS),
        "default_steps": tuple(step["name"] for step in steps),
        "steps": steps,
        "named_steps": bool(workflow_steps(contract)),
        "compensation": contract.compensation,
        "group_key": group_key(contract),
        "statistics": _statistics(contract),
        "percentile_statistics": [
            s
            for s in _statistics(contract)
            if s["percentile"] is not None and s["name"] != "median"
        ],
        "state_machine": contract.state_machine,
        "compensated_steps": _compensated(contract),
        "dry_run": kind in {EnumNodeKind.EFFECT, EnumNodeKind.COMPUTE},
        "op_retry": contract.configuration.retry is not None and kind is EnumNodeKind.EFFECT,
        "retried_operation": next((op for op in operations if op.get("idempotent")), None),
        "cached_operation": next((op for op in operations if op["cached"]), None),
        "uncached_operation": next((op for op in operations if not op["cached"]), None),
        "unretried_operation": next((op for op in operations if not op.get("idempotent")), None),
        "external": UserText(external),
        "op_slots": cfg.max_concurrency is not None and kind is not EnumNodeKind.ORCHESTRATOR,
        "step_slots": cfg.max_concurrency is not None and kind is EnumNodeKind.ORCHESTRATOR,
        "variants": kind is EnumNodeKind.COMPUTE and cfg.output_variants is not None,
        "ranking": kind is EnumNodeKind.COMPUTE
        and (cfg.top_n is not None or cfg.threshold is not None),
        "presign_operation": next(
            (op for op in operations if op["name"] in PRESIGN_OPERATIONS), None
        )
        if cfg.presign_expiry_seconds is not None
        else None,
        "fact_tests": _fact_tests(contract),
        "line_length": line_length,
        "import_path": contract.import_path,
        "in_project": bool(contract.module_root) and contract.module_root != contract.name,
        "example_request": EXAMPLE_REQUEST,
    }


def _file_plan(names: ModelNodeNames, contract: ModelNodeContract) -> list[tuple[str, str]]:
    """(package-relative path, template name without kind prefix) for every templated file."""
    s = names.service
    plan = [
        ("__init__.py", "package_init.py.j2"),
        ("node.py", "node.py.j2"),
        ("handlers/__init__.py", "handlers_init.py.j2"),
        (f"handlers/{names.handler_module}.py", "handler.py.j2"),
        ("models/__init__.py", "models_init.py.j2"),
        (f"models/{names.input_module}.py", "model_input.py.j2"),
        (f"models/{names.output_module}.py", "model_output.py.j2"),
        (f"models/{names.config_module}.py", "model_config.py.j2"),
        ("enums/__init__.py", "enums_init.py.j2"),
        (f"enums/{names.enum_module}.py", "enum_operation.py.j2"),
        ("tests/__init__.py", "tests_init.py.j2"),
        ("tests/conftest.py", "conftest.py.j2"),
        (f"tests/test_{s}_handler.py", "test_handler.py.j2"),
        (f"tests/test_{s}_node.py", "test_node.py.j2"),
        (f"tests/test_{s}_contract.py", "test_contract.py.j2"),
        (f"tests/test_{s}_performance.py", "test_performance.py.j2"),
        *([(f"tests/test_{s}_facts.py", "test_facts.py.j2")] if _fact_tests(contract) else []),
        ("README.md", "README.md.j2"),
    ]
    if contract.node_kind is EnumNodeKind.REDUCER:
        plan.append((f"models/{names.item_module}.py", "model_item.py.j2"))
        plan.append((f"models/{names.aggregate_module}.py", "model_aggregate.py.j2"))
        if contract.configuration.windowing is not None:
            plan.append((f"models/{names.window_module}.py", "model_window_aggregate.py.j2"))
    if contract.configuration.metrics_enabled:
        plan.append(("handlers/metrics.py", "metrics.py.j2"))
    if _resilience_imports(contract) or _test_resilience_imports(contract):
        plan.append(("handlers/resilience.py", "resilience.py.j2"))
    return plan


def render_files(
    plan: list[tuple[str, str]],
    context: dict[str, Any],
    kind: str,
    manager: TemplateManager,
) -> tuple[list[ModelRenderedFile], dict[str, str]]:
    """Render each planned file with the kind's template, falling back to the shared one."""
    files: list[ModelRenderedFile] = []
    versions: dict[str, str] = {}
    for path, base in plan:
        name = manager.resolve(kind, base)
        files.append(ModelRenderedFile(path=path, content=manager.get(name).render(context)))
        versions[name] = manager.version(name)
        for parent in manager.dependencies(name):
            versions[parent] = manager.version(parent)
    return files, versions


def render_node(
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    intelligence: ModelIntelligence,
    contract: ModelNodeContract,
    *,
    templates_dir: Path | None = None,
    template_manager: TemplateManager | None = None,
    ruff_format: bool = True,
    ruff_config: Path | None = None,
) -> ModelRenderedNode:
    """All files of the node package except event models (stage 5 adds those).

    ``ruff_config`` is the project's ruff settings file: its line length shapes docstrings
    and, with ``ruff_format``, the formatting.
    """
    from onexgen.events.wiring import event_names  # the README documents the event models

    del classification  # the contract already carries the classified kind
    manager = template_manager or TemplateManager(templates_dir)
    names = names_from_contract(contract)
    context = build_context(
        requirements, intelligence, contract, line_length=ruff_line_length(ruff_config)
    )
    context["e"] = event_names(names)
    context["model_exports"], context["model_export_names"] = _model_exports(names, contract)
    context["package_exports"] = sorted(
        [
            names.config_class,
            names.handler_class,
            names.input_class,
            names.output_class,
            names.node_class,
        ]
    )
    files, versions = render_files(
        _file_plan(names, contract), context, contract.node_kind.value, manager
    )
    files.append(ModelRenderedFile(path="contract.yaml", content=contract.to_yaml()))
    files.append(
        ModelRenderedFile(
            path=EXAMPLE_REQUEST,
            content=json.dumps(example_request(contract), indent=2) + "\n",
        )
    )
    formatted = format_with_ruff(tuple(files), config=ruff_config) if ruff_format else tuple(files)
    return ModelRenderedNode(
        package_name=names.package,
        files=formatted,
        contract=contract,
        template_versions=dict(sorted(versions.items())),
    )


def _model_exports(
    names: ModelNodeNames, contract: ModelNodeContract
) -> tuple[list[dict[str, str]], list[str]]:
    entries = [
        (names.config_module, names.config_class),
        (names.input_module, names.input_class),
        (names.output_module, names.output_class),
    ]
    if contract.node_kind is EnumNodeKind.REDUCER:
        entries.append((names.aggregate_module, names.aggregate_class))
        if contract.configuration.windowing is not None:
            entries.append((names.window_module, names.window_class))
    entries.sort()
    exports = [{"module": module, "cls": cls} for module, cls in entries]
    flat = sorted(cls for _, cls in entries)
    return exports, flat
