"""Scripted model answers for a node the templates rendered (what a good model returns).

A good answer writes each target's body as real code that does what the request says (the p95 of
request durations, user profiles kept as JSON files, order totals per customer, a second
workflow's steps), and a behaviour test module that pins it. Class, module and operation names
come from the rendered files, never from a hard-coded node name. The type-error variant plants
one mypy error, so the repair loop has something real to fix.
"""

from __future__ import annotations

import ast
import json
import textwrap
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml

from onexgen.llm.targets import CodeTarget, find_all_targets
from onexgen.pipeline import CodeGenerationService, stages

if TYPE_CHECKING:
    from pathlib import Path

TYPE_ERROR = 'count: int = "several"\n'


def render_files(prompt: str, output_dir: Path) -> tuple[str, dict[str, str]]:
    """The package name and files the templates render for ``prompt`` (nothing written)."""
    service = CodeGenerationService()
    parsed = stages.parse_request(prompt=prompt, requirements=None, contract=None, node_type=None)
    req, cls = parsed.requirements, parsed.classification
    intelligence = stages.gather(req, cls)
    contract = stages.build_node_contract(req, cls, intelligence, None)
    manager = service.template_manager(None)
    rendered = stages.generate_code(
        req, cls, intelligence, contract, manager, output_directory=output_dir
    )
    rendered = stages.integrate_event_bus(
        rendered, req, contract, manager, output_directory=output_dir
    )
    return rendered.package_name, {f.path: f.content for f in rendered.files}


@dataclass(frozen=True, slots=True)
class _Names:
    """What a body and its test need to name, read from the rendered files."""

    handler: str
    handler_module: str
    operation: str
    inputs: str
    inputs_module: str
    output: str


def _module(path: str) -> str:
    """``handlers/handler_x.py`` -> ``..handlers.handler_x`` (a test module's relative import)."""
    return ".." + ".".join(PurePosixPath(path).with_suffix("").parts)


def _defining(files: dict[str, str], class_name: str) -> str:
    """The module (relative import) that defines ``class_name``."""
    path = next(p for p, text in sorted(files.items()) if f"\nclass {class_name}(" in text)
    return _module(path)


def _names(files: dict[str, str], target: CodeTarget, input_annotation: str) -> _Names:
    """Names for ``target``: the input class is the model that holds ``input_annotation``."""
    func = ast.parse(target.header + "\n    ...\n").body[0]
    assert isinstance(func, ast.AsyncFunctionDef | ast.FunctionDef), target.header
    assert isinstance(func.returns, ast.Name), target.header
    output = func.returns.id
    inputs = output.removesuffix("Output") + "Input"
    assert f"\nclass {inputs}(" in "".join(files.values()), inputs
    if input_annotation:
        assert input_annotation in target.header, target.header
    return _Names(
        handler=target.class_name,
        handler_module=_module(target.file),
        operation=target.method.removeprefix("handle_"),
        inputs=inputs,
        inputs_module=_defining(files, inputs),
        output=output,
    )


def _kind(files: dict[str, str]) -> str:
    """The node kind from contract.yaml (``COMPUTE_GENERIC`` -> ``compute``)."""
    contract = yaml.safe_load(files["contract.yaml"])
    return str(contract["node_type"]).split("_", 1)[0].lower()


# -- compute: the p95 of request durations ---------------------------------------------------

_COMPUTE_BODY = """\
durations = request.payload.get("durations_ms")
if not isinstance(durations, list) or not durations:
    raise ModelOnexError(
        "payload 'durations_ms' must be a non-empty list of numbers",
        error_code=EnumCoreErrorCode.VALIDATION_ERROR,
    )
values: list[float] = []
for value in durations:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelOnexError(
            f"duration {{value!r}} is not a number of milliseconds",
            error_code=EnumCoreErrorCode.VALIDATION_ERROR,
        )
    values.append(float(value))
values.sort()
rank = math.ceil(0.95 * len(values))  # nearest-rank percentile
return {output}(
    operation=request.operation,
    success=True,
    data={{"p95_ms": values[rank - 1], "count": len(values)}},
    correlation_id=request.correlation_id,
)
"""

_COMPUTE_TESTS = '''\
"""Behaviour of {operation}: the nearest-rank p95 of the durations."""

import asyncio

import pytest
from omnibase_core.enums import EnumCoreErrorCode
from omnibase_core.errors import ModelOnexError
from pydantic import JsonValue

from {handler_module} import {handler}
from {inputs_module} import {inputs}

pytestmark = pytest.mark.unit


def _data(payload: dict[str, JsonValue]) -> dict[str, JsonValue]:
    request = {inputs}.model_validate({{"operation": "{operation}", "payload": payload}})
    output = asyncio.run({handler}().handle(request))
    assert output.success
    assert output.correlation_id == request.correlation_id
    return output.data


def test_p95_of_one_to_a_hundred_is_95() -> None:
    durations: list[JsonValue] = [float(n) for n in range(100, 0, -1)]
    assert _data({{"durations_ms": durations}}) == {{"p95_ms": 95.0, "count": 100}}


def test_p95_of_a_small_sample_is_its_largest_value() -> None:
    assert _data({{"durations_ms": [12, 3.5, 7]}}) == {{"p95_ms": 12.0, "count": 3}}


@pytest.mark.parametrize("payload", [{{}}, {{"durations_ms": []}}, {{"durations_ms": ["slow"]}}])
def test_rejects_missing_empty_or_non_numeric_durations(payload: dict[str, JsonValue]) -> None:
    request = {inputs}.model_validate({{"operation": "{operation}", "payload": payload}})
    with pytest.raises(ModelOnexError) as info:
        asyncio.run({handler}().handle(request))
    assert info.value.error_code == EnumCoreErrorCode.VALIDATION_ERROR
'''

# -- effect: user profiles stored as JSON files (create, and an idempotent update) ------------

_EFFECT_PROFILE = """\
directory = request.payload.get("directory")
user_id = request.payload.get("user_id")
profile = request.payload.get("profile")
if not isinstance(directory, str) or not directory.strip():
    raise ModelOnexError(
        "payload 'directory' must name the folder of the profile files",
        error_code=EnumCoreErrorCode.VALIDATION_ERROR,
    )
if not isinstance(user_id, str) or not user_id.isidentifier():
    raise ModelOnexError(
        "payload 'user_id' must be a plain identifier (it names the file)",
        error_code=EnumCoreErrorCode.VALIDATION_ERROR,
    )
if not isinstance(profile, dict):
    raise ModelOnexError(
        "payload 'profile' must be a JSON object",
        error_code=EnumCoreErrorCode.VALIDATION_ERROR,
    )
path = Path(directory) / f"{{user_id}}.json"
text = json.dumps(profile, sort_keys=True, indent=2) + "\\n"
"""

_EFFECT_CREATE = """\


def write() -> bool:
    '''Write a new profile file; False if one exists already.'''
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        return False
    return True


if not await asyncio.to_thread(write):
    raise ModelOnexError(
        f"a profile for {{user_id!r}} exists already; use update",
        error_code=EnumCoreErrorCode.VALIDATION_ERROR,
    )
return {output}(
    operation=request.operation,
    success=True,
    data={{"path": str(path), "created": True}},
    correlation_id=request.correlation_id,
)
"""

_EFFECT_UPDATE = """\


def replace() -> bool:
    '''Replace the profile file atomically; False if there is none to update.'''
    if not path.is_file():
        return False
    partial = path.with_suffix(".json.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return True


if not await asyncio.to_thread(replace):
    raise ModelOnexError(
        f"no profile for {{user_id!r}} to update; use create",
        error_code=EnumCoreErrorCode.RESOURCE_NOT_FOUND,
    )
return {output}(
    operation=request.operation,
    success=True,
    data={{"path": str(path), "updated": True}},
    correlation_id=request.correlation_id,
)
"""

_EFFECT_TESTS = '''\
"""Behaviour of create and update: one JSON file per user profile."""

import asyncio
import json
from pathlib import Path

import pytest
from omnibase_core.enums import EnumCoreErrorCode
from omnibase_core.errors import ModelOnexError
from pydantic import JsonValue

from {handler_module} import {handler}
from {inputs_module} import {inputs}

pytestmark = pytest.mark.unit


def _run(operation: str, payload: dict[str, JsonValue]) -> dict[str, JsonValue]:
    request = {inputs}.model_validate({{"operation": operation, "payload": payload}})
    output = asyncio.run({handler}().handle(request))
    assert output.success
    assert output.correlation_id == request.correlation_id
    return output.data


def _fails(operation: str, payload: dict[str, JsonValue]) -> object:
    request = {inputs}.model_validate({{"operation": operation, "payload": payload}})
    with pytest.raises(ModelOnexError) as info:
        asyncio.run({handler}().handle(request))
    return info.value.error_code


def test_create_then_update_rewrites_the_users_file(tmp_path: Path) -> None:
    first: dict[str, JsonValue] = {{"name": "Ann", "plan": "free"}}
    created = _run("create", {{"directory": str(tmp_path), "user_id": "ann", "profile": first}})
    path = tmp_path / "ann.json"
    assert created == {{"path": str(path), "created": True}}
    assert json.loads(path.read_text(encoding="utf-8")) == first
    second: dict[str, JsonValue] = {{"name": "Ann", "plan": "pro"}}
    updated = _run("update", {{"directory": str(tmp_path), "user_id": "ann", "profile": second}})
    assert updated == {{"path": str(path), "updated": True}}
    assert json.loads(path.read_text(encoding="utf-8")) == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ann.json"]


def test_create_never_overwrites_and_update_needs_a_profile(tmp_path: Path) -> None:
    payload: dict[str, JsonValue] = {{
        "directory": str(tmp_path),
        "user_id": "bob",
        "profile": {{}},
    }}
    assert _fails("update", payload) == EnumCoreErrorCode.RESOURCE_NOT_FOUND
    _run("create", payload)
    assert _fails("create", payload) == EnumCoreErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize("operation", ["create", "update"])
@pytest.mark.parametrize(
    "payload",
    [
        {{"user_id": "ann", "profile": {{}}}},
        {{"directory": "profiles", "user_id": "../ann", "profile": {{}}}},
        {{"directory": "profiles", "user_id": "ann", "profile": "Ann"}},
    ],
)
def test_rejects_a_bad_directory_user_or_profile(
    operation: str, payload: dict[str, JsonValue]
) -> None:
    assert _fails(operation, payload) == EnumCoreErrorCode.VALIDATION_ERROR
'''


# -- reducer: order totals per customer ------------------------------------------------------

_REDUCER_CHECK = """\
negative = [item.value for item in items if item.value < 0]
if negative:
    raise ModelOnexError(
        f"order totals must not be negative: {negative}",
        error_code=EnumCoreErrorCode.VALIDATION_ERROR,
    )
"""

_REDUCER_TESTS = '''\
"""Behaviour of {operation}: order totals summed per {key}."""

import asyncio

import pytest
from omnibase_core.enums import EnumCoreErrorCode
from omnibase_core.errors import ModelOnexError
from pydantic import JsonValue

from {handler_module} import {handler}
from {inputs_module} import {inputs}

pytestmark = pytest.mark.unit


def _request(items: list[JsonValue]) -> {inputs}:
    return {inputs}.model_validate({{"operation": "{operation}", "items": items}})


def test_totals_per_{key}() -> None:
    items: list[JsonValue] = [
        {{"{key}": "bob", "value": 5.0}},
        {{"{key}": "ann", "value": 10.0}},
        {{"{key}": "bob", "value": 2.5}},
    ]
    output = asyncio.run({handler}().handle(_request(items)))
    assert output.success
    assert output.items_processed == 3
    assert list(output.groups) == ["ann", "bob"]
    assert output.groups["bob"].total == 7.5
    assert output.groups["bob"].count == 2
    assert output.groups["ann"].total == 10.0


def test_rejects_a_negative_order_total() -> None:
    request = _request([{{"{key}": "ann", "value": -1.0}}])
    with pytest.raises(ModelOnexError) as info:
        asyncio.run({handler}().handle(request))
    assert info.value.error_code == EnumCoreErrorCode.VALIDATION_ERROR
'''


# -- orchestrator: a second workflow (its own steps, after the steps they depend on) ----------

_ORCHESTRATOR_BODY = """\
if request.steps:  # the caller chose the steps
    return await self.run_workflow(request)
wanted = {{step for step in STEPS if step.split("_", 1)[0] == request.operation.value}}
pending = list(wanted)
while pending:
    for dependency in STEP_GRAPH[pending.pop()]:
        if dependency not in wanted:
            wanted.add(dependency)
            pending.append(dependency)
# An operation that owns no step of its own runs the whole workflow (steps=()).
selected = tuple(step for step in STEPS if step in wanted)
return await self.run_workflow(request.model_copy(update={{"steps": selected}}))
"""

_ORCHESTRATOR_TESTS = '''\
"""Behaviour of {operation}: its own steps run, after the steps they depend on."""

import asyncio

import pytest
from omnibase_core.enums import EnumCoreErrorCode
from omnibase_core.errors import ModelOnexError
from pydantic import JsonValue

from {handler_module} import STEP_GRAPH, STEPS, {handler}
from {inputs_module} import {inputs}

pytestmark = pytest.mark.unit

OWN = tuple(step for step in STEPS if step.split("_", 1)[0] == "{operation}")


def test_runs_its_steps_after_their_dependencies() -> None:
    assert OWN
    request = {inputs}.model_validate({{"operation": "{operation}"}})
    output = asyncio.run({handler}().handle(request))
    assert output.success
    done = output.completed_steps
    assert done[-len(OWN) :] == OWN
    for step in done:
        assert all(done.index(before) < done.index(step) for before in STEP_GRAPH[step])


def test_runs_only_the_steps_the_caller_selected() -> None:
    request = {inputs}.model_validate(
        {{"operation": "{operation}", "steps": [OWN[0]]}}
    )
    output = asyncio.run({handler}().handle(request))
    assert output.success
    assert output.completed_steps == (OWN[0],)


def test_a_failed_step_is_reported() -> None:
    async def broken(request: {inputs}) -> JsonValue:
        raise ModelOnexError("carrier down", error_code=EnumCoreErrorCode.OPERATION_FAILED)

    handler = {handler}(steps={{OWN[0]: broken}})
    request = {inputs}.model_validate({{"operation": "{operation}"}})
    output = asyncio.run(handler.handle(request))
    assert not output.success
    assert output.failed_steps == (OWN[0],)
    assert OWN[0] not in output.completed_steps
'''


def _reducer_key(files: dict[str, str]) -> str:
    """The grouping field of the reducer's item model (its ``str`` field)."""
    path = next(p for p in sorted(files) if p.startswith("models/") and p.endswith("_item.py"))
    tree = ast.parse(files[path])
    return next(
        node.target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(node.annotation, ast.Name)
        and node.annotation.id == "str"
    )


def _template_return(files: dict[str, str], target: CodeTarget) -> str:
    """The reducer template's own fold-and-return (real code, the contract's aggregation)."""
    lines = files[target.file].splitlines()[target.body_start - 1 : target.body_end]
    kept = [line for line in lines if not line.strip().startswith("#")]
    return textwrap.dedent("\n".join(kept)).strip("\n") + "\n"


def _bodies_and_tests(
    files: dict[str, str], targets: tuple[CodeTarget, ...]
) -> tuple[dict[str, str], str, list[str]]:
    """Each target's body (by key), the behaviour tests and the imports the bodies need."""
    kind = _kind(files)
    names = [_names(files, t, "items:" if kind == "reducer" else "request:") for t in targets]
    fields = _fields(names[0])
    if kind == "compute":
        (target,) = targets
        body = _COMPUTE_BODY.format(output=names[0].output)
        return {target.key: body}, _COMPUTE_TESTS.format(**fields), ["import math"]
    if kind == "effect":
        bodies = {}
        for target, named in zip(targets, names, strict=True):
            action = {"create": _EFFECT_CREATE, "update": _EFFECT_UPDATE}[named.operation]
            bodies[target.key] = (_EFFECT_PROFILE + action).format(output=named.output)
        imports = ["import asyncio", "import json", "from pathlib import Path"]
        return bodies, _EFFECT_TESTS.format(**fields), imports
    if kind == "reducer":
        (target,) = targets
        body = _REDUCER_CHECK + _template_return(files, target)
        tests = _REDUCER_TESTS.format(**fields, key=_reducer_key(files))
        return {target.key: body}, tests, []
    if kind == "orchestrator":
        (target,) = targets
        body = _ORCHESTRATOR_BODY.format()
        return {target.key: body}, _ORCHESTRATOR_TESTS.format(**fields), []
    raise AssertionError(f"no scripted answer for a {kind} node ({[t.key for t in targets]})")


def _fields(names: _Names) -> dict[str, str]:
    return {
        "handler": names.handler,
        "handler_module": names.handler_module,
        "operation": names.operation,
        "inputs": names.inputs,
        "inputs_module": names.inputs_module,
    }


def good_answer(files: dict[str, str], *, type_error: bool = False) -> dict[str, Any]:
    """The answer for ``files``; ``type_error`` plants one mypy error in the first body."""
    targets = find_all_targets(files)
    assert targets, "the templates left nothing for a model to write"
    bodies, tests, imports = _bodies_and_tests(files, targets)
    methods = [{"target": key, "body": body} for key, body in bodies.items()]
    if type_error:
        methods[0]["body"] = TYPE_ERROR + methods[0]["body"]
    return {"methods": methods, "imports": imports, "tests": tests}


def content(answer: dict[str, Any]) -> str:
    """The answer as the JSON text a model sends."""
    return json.dumps(answer)
