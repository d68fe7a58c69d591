"""The framework's own contract sections, in its own field names, built from our contract.

- effect: ``effect_subcontract`` (``ModelEffectSubcontract``): one operation per contract
  operation with its I/O kind, idempotency, timeout; ``default_retry_policy``
  (``ModelEffectRetryPolicy``: ``max_retries``, ``base_delay_ms``, ``jitter_factor``) and
  ``default_circuit_breaker`` (``ModelEffectCircuitBreaker``). A non-idempotent operation gets an
  explicit ``retry_policy`` with retries off: the framework rejects retrying it, and so do we.
- reducer: ``aggregation`` (``ModelAggregationSubcontract``): the functions folded per group,
  ``grouping.grouping_fields`` (the item field it groups by), ``windowing`` (``window_type``
  tumbling or sliding, ``window_size_ms``, ``window_slide_ms``) and ``statistical.percentiles``;
  ``state_machine`` (``ModelFSMSubcontract``): the states and transitions of one reduction.
- orchestrator: ``workflow_coordination.workflow_definition`` (``ModelWorkflowDefinition``): the
  steps as ``execution_graph`` nodes whose ``dependencies`` are the node ids of the steps they
  depend on (ids are deterministic, ``uuid5`` of package and step name); beside it the
  ``ModelWorkflowConfig`` fields ``timeout_ms`` (the deadline) and ``max_parallel_branches`` (a
  stated concurrency limit).
- effect and compute with a stated concurrency limit: ``concurrency``
  (``ModelConcurrencyContractSpec.max_parallel``).
- effect, compute and orchestrator with a stated schedule: ``schedule`` (``every_seconds``
  and, when cron can say it, ``cron`` as the framework's ``ModelScheduleTrigger`` takes it).

Each section is plain data here; tests load it into the framework's pydantic model.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from onexgen.models.enums import EnumCategory, EnumNodeKind

if TYPE_CHECKING:
    from onexgen.models.contract import ModelContractStep, ModelNodeContract

__all__ = [
    "DB_OPERATION_OF_VERB",
    "HTTP_METHOD_OF_VERB",
    "aggregation",
    "concurrency",
    "effect_subcontract",
    "framework_sections",
    "schedule",
    "state_machine",
    "step_node_id",
    "workflow_coordination",
]

_VERSION = {"major": 1, "minor": 0, "patch": 0}

# First word of an operation name -> the SQL statement / HTTP method it performs.
DB_OPERATION_OF_VERB = {
    "add": "insert",
    "create": "insert",
    "insert": "insert",
    "save": "insert",
    "store": "insert",
    "write": "insert",
    "record": "insert",
    "fetch": "select",
    "find": "select",
    "get": "select",
    "list": "select",
    "lookup": "select",
    "query": "select",
    "read": "select",
    "search": "select",
    "update": "update",
    "modify": "update",
    "delete": "delete",
    "remove": "delete",
    "purge": "delete",
    "upsert": "upsert",
    "sync": "upsert",
}
HTTP_METHOD_OF_VERB = {
    "fetch": "GET",
    "presign": "GET",
    "find": "GET",
    "get": "GET",
    "list": "GET",
    "lookup": "GET",
    "query": "GET",
    "read": "GET",
    "search": "GET",
    "update": "PUT",
    "replace": "PUT",
    "delete": "DELETE",
    "remove": "DELETE",
    "patch": "PATCH",
}
_FILESYSTEM_OF_VERB = {
    "download": "read",
    "presign": "read",
    "fetch": "read",
    "get": "read",
    "list": "read",
    "read": "read",
    "delete": "delete",
    "remove": "delete",
    "move": "move",
    "copy": "copy",
}
_SQL = {
    "insert": "INSERT INTO {table} (id, payload) VALUES ($1, $2)",
    "select": "SELECT id, payload FROM {table} WHERE id = $1",
    "update": "UPDATE {table} SET payload = $2 WHERE id = $1",
    "delete": "DELETE FROM {table} WHERE id = $1",
    "upsert": (
        "INSERT INTO {table} (id, payload) VALUES ($1, $2) "
        "ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload"
    ),
}
_SQL_PARAMS = {
    "insert": ["${input.payload.id}", "${input.payload}"],
    "select": ["${input.payload.id}"],
    "update": ["${input.payload.id}", "${input.payload}"],
    "delete": ["${input.payload.id}"],
    "upsert": ["${input.payload.id}", "${input.payload}"],
}


def _verb(operation: str) -> str:
    return operation.split("_", 1)[0]


def _io_config(contract: ModelNodeContract, operation: str, timeout_ms: int) -> dict[str, Any]:
    """The operation's I/O as the framework declares it, chosen by the node's category."""
    verb = _verb(operation)
    timeout = min(max(timeout_ms, 1000), 600_000)
    category = contract.category
    if category is EnumCategory.DATABASE:
        statement = DB_OPERATION_OF_VERB.get(verb, "upsert")
        return {
            "handler_type": "db",
            "operation": statement,
            "connection_name": "primary",
            "query_template": _SQL[statement].format(table=contract.service_name),
            "query_params": _SQL_PARAMS[statement],
            "timeout_ms": timeout,
            "read_only": statement == "select",
        }
    if category is EnumCategory.MESSAGING:
        return {
            "handler_type": "kafka",
            "topic": contract.event_topics.completed,
            "payload_template": "${input.payload}",
            "timeout_ms": timeout,
        }
    if category is EnumCategory.STORAGE:
        operation_kind = _FILESYSTEM_OF_VERB.get(verb, "write")
        return {
            "handler_type": "filesystem",
            "file_path_template": "${input.payload.path}",
            "operation": operation_kind,
            # the framework rejects atomic (temp file, then rename) for anything but a write
            "atomic": operation_kind == "write",
            "timeout_ms": timeout,
        }
    method = HTTP_METHOD_OF_VERB.get(verb, "POST")
    io: dict[str, Any] = {
        "handler_type": "http",
        "url_template": f"${{env.BASE_URL}}/{contract.service_name}/{operation}",
        "method": method,
        "timeout_ms": timeout,
    }
    if method in {"POST", "PUT", "PATCH"}:
        io["body_template"] = "${input.payload}"
    return io


def _retry_policy(contract: ModelNodeContract) -> dict[str, Any]:
    retry = contract.configuration.retry
    if retry is None or retry.max_attempts <= 1:
        return {"enabled": False, "max_retries": 0}
    return {
        "enabled": True,
        "max_retries": min(retry.max_attempts - 1, 10),
        "backoff_strategy": "exponential",
        "base_delay_ms": min(max(retry.base_delay_ms, 100), 60_000),
        "max_delay_ms": min(max(retry.max_delay_ms, 1000), 600_000),
        "jitter_factor": retry.jitter_factor,
    }


def _circuit_breaker(contract: ModelNodeContract) -> dict[str, Any]:
    breaker = contract.configuration.circuit_breaker
    if breaker is None:
        return {"enabled": False}
    return {
        "enabled": True,
        "failure_threshold": min(breaker.failure_threshold, 100),
        "timeout_ms": min(max(round(breaker.recovery_timeout_seconds * 1000), 1000), 600_000),
    }


def effect_subcontract(contract: ModelNodeContract) -> dict[str, Any]:
    """``effect_subcontract`` for an effect node (loads into ``ModelEffectSubcontract``)."""
    operations = []
    for op in contract.operations:
        entry: dict[str, Any] = {
            "operation_name": op.name,
            "description": op.description,
            "idempotent": op.idempotent,
            "io_config": _io_config(contract, op.name, op.timeout_ms),
            "operation_timeout_ms": min(max(op.timeout_ms, 1000), 600_000),
        }
        if not op.idempotent:
            # Never retried: a retry would repeat the side effect (a second insert, message...).
            entry["retry_policy"] = {"enabled": False, "max_retries": 0}
        operations.append(entry)
    return {
        "subcontract_name": f"{contract.name}_effects",
        "description": f"I/O operations of {contract.name}",
        "execution_mode": "sequential_abort",
        "operations": operations,
        "default_retry_policy": _retry_policy(contract),
        "default_circuit_breaker": _circuit_breaker(contract),
    }


def step_node_id(contract: ModelNodeContract, step: str) -> str:
    """Deterministic execution-graph node id of ``step`` (the graph links steps by UUID)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"onex://{contract.name}/steps/{step}"))


def _step_node(contract: ModelNodeContract, step: ModelContractStep) -> dict[str, Any]:
    requirements: dict[str, Any] = {"step_name": step.name}
    if step.description:
        requirements["description"] = step.description
    if step.parallel_group:
        requirements["parallel_group"] = step.parallel_group
    if step.compensation:
        requirements["compensation"] = step.compensation
    return {
        "version": dict(_VERSION),
        "node_id": step_node_id(contract, step.name),
        "node_type": "EFFECT_GENERIC",
        "node_requirements": requirements,
        "dependencies": [step_node_id(contract, name) for name in step.depends_on],
    }


def workflow_coordination(contract: ModelNodeContract) -> dict[str, Any]:
    """``workflow_coordination`` of an orchestrator: its workflow definition and graph."""
    steps = contract.workflow_steps
    parallel = any(step.parallel_group for step in steps)
    timeout_ms = max(1, round(contract.configuration.timeout_seconds * 1000))
    section: dict[str, Any] = {
        # ModelWorkflowConfig: the overall deadline and, when stated, the cap on parallel steps
        "execution_mode": "parallel" if parallel else "sequential",
        "timeout_ms": timeout_ms,
        "rollback_enabled": contract.compensation,
    }
    if contract.configuration.max_concurrency is not None:
        section["max_parallel_branches"] = contract.configuration.max_concurrency
    return section | {
        "workflow_definition": {
            "version": dict(_VERSION),
            "workflow_metadata": {
                "version": dict(_VERSION),
                "workflow_name": contract.name,
                "workflow_version": dict(_VERSION),
                "description": contract.description[:500] or contract.name,
                "execution_mode": "parallel" if parallel else "sequential",
                "timeout_ms": timeout_ms,
            },
            "execution_graph": {
                "version": dict(_VERSION),
                "nodes": [_step_node(contract, step) for step in steps],
            },
            "coordination_rules": {
                "version": dict(_VERSION),
                "parallel_execution_allowed": parallel,
                "failure_recovery_strategy": "COMPENSATE" if contract.compensation else "RETRY",
            },
        }
    }


def _ms(seconds: float) -> int:
    """Milliseconds for a window field; the framework's floor for windows is one second."""
    return max(1000, round(seconds * 1000))


def aggregation(contract: ModelNodeContract) -> dict[str, Any]:
    """``aggregation`` of a reducer: what it computes per group, its windows and percentiles."""
    from onexgen.contracts.reducer import group_key, named_statistics

    statistics = named_statistics(contract.request_facts)
    # the median is its own function; ``percentiles`` are the pNN outputs
    percentiles = sorted({p for name, p in statistics if p is not None and name != "median"})
    functions = ["count", "sum", "min", "max", "avg"]
    if any(name == "median" for name, _ in statistics):
        functions.append("median")
    if any(name != "median" and p is not None for name, p in statistics):
        functions.append("percentile")
    section: dict[str, Any] = {
        "version": dict(_VERSION),
        "aggregation_functions": functions,
        "grouping": {"version": dict(_VERSION), "grouping_fields": [group_key(contract)]},
    }
    windowing = contract.configuration.windowing
    if windowing is not None:
        window: dict[str, Any] = {
            "version": dict(_VERSION),
            "windowing_enabled": True,
            "window_type": windowing.window_kind,
            "window_size_ms": _ms(min(windowing.window_seconds)),
        }
        if windowing.slide_seconds is not None:
            window["window_slide_ms"] = _ms(windowing.slide_seconds)
        section["windowing"] = window
    if percentiles or "median" in functions:
        section["statistical"] = {
            "version": dict(_VERSION),
            "statistical_enabled": True,
            "statistical_functions": [f for f in functions if f in {"median", "percentile"}],
            "percentiles": percentiles,
        }
    return section


def concurrency(contract: ModelNodeContract) -> dict[str, Any]:
    """``concurrency`` (``ModelConcurrencyContractSpec``): the stated cap on parallel calls.

    An orchestrator's cap bounds its parallel steps (``max_parallel_branches``) instead.
    """
    limit = contract.configuration.max_concurrency
    if limit is None or contract.node_kind is EnumNodeKind.ORCHESTRATOR:
        return {}
    return {"concurrency": {"max_parallel": limit}}


def schedule(contract: ModelNodeContract) -> dict[str, Any]:
    """``schedule``: the stated cadence; ``cron`` is the framework's ``ModelScheduleTrigger``
    form. omnibase_core runs nothing on a timer: the node's README says how to trigger it."""
    stated = contract.configuration.schedule
    if stated is None:
        return {}
    return {"schedule": stated.model_dump(mode="json", exclude_none=True)}


def state_machine(contract: ModelNodeContract) -> dict[str, Any]:
    """``state_machine`` of a reducer (loads into ``ModelFSMSubcontract``).

    Persistence is off: the state is the life of one reduction, not state kept between
    requests, so there is nothing to checkpoint or restore.
    """
    machine = contract.state_machine
    if machine is None:
        return {}
    return {
        "version": dict(_VERSION),
        "state_machine_name": machine.name,
        "state_machine_version": dict(_VERSION),
        "description": machine.description,
        "initial_state": machine.initial_state,
        "terminal_states": list(machine.terminal_states),
        "error_states": list(machine.error_states),
        "states": [
            {
                "version": dict(_VERSION),
                "state_name": state.name,
                "state_type": state.state_type,
                "description": state.description,
                "is_terminal": state.is_terminal,
                "is_recoverable": not state.is_terminal,
            }
            for state in machine.states
        ],
        "transitions": [
            {
                "version": dict(_VERSION),
                "transition_name": t.name,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "trigger": t.trigger,
            }
            for t in machine.transitions
        ],
        "persistence_enabled": False,
        "recovery_enabled": False,
        "rollback_enabled": False,
    }


def framework_sections(contract: ModelNodeContract) -> dict[str, Any]:
    """The framework-modelled sections this node's kind has, then concurrency and schedule."""
    sections: dict[str, Any] = {}
    if contract.node_kind is EnumNodeKind.REDUCER:
        sections = {"aggregation": aggregation(contract)}
        if contract.state_machine is not None:
            sections["state_machine"] = state_machine(contract)
    elif contract.node_kind is EnumNodeKind.EFFECT:
        sections = {"effect_subcontract": effect_subcontract(contract)}
    elif contract.node_kind is EnumNodeKind.ORCHESTRATOR and contract.workflow_steps:
        sections = {"workflow_coordination": workflow_coordination(contract)}
    return sections | concurrency(contract) | schedule(contract)
