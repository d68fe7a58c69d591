"""Scripted model answers built from a node the templates rendered (what a good model returns).

The good answer keeps the template's working bodies, except for a compute node's operation,
which gets a real p95 over the payload's numeric values; its tests pin that behaviour and
re-run the template's handler tests.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

from onexgen.llm.targets import CodeTarget, find_all_targets
from onexgen.pipeline import CodeGenerationService, stages

if TYPE_CHECKING:
    from pathlib import Path

P95_BODY = """\
values = list(request.payload.values())
numbers = sorted(float(v) for v in values if isinstance(v, int | float))
if len(numbers) != len(values) or not numbers:
    raise ModelOnexError(
        "every payload value must be a number",
        error_code=EnumCoreErrorCode.VALIDATION_ERROR,
    )
rank = max(0, math.ceil(0.95 * len(numbers)) - 1)
return {output}(
    operation=request.operation,
    success=True,
    data={{"p95": numbers[rank], "count": len(numbers)}},
    correlation_id=request.correlation_id,
)
"""


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


def _template_body(files: dict[str, str], target: CodeTarget) -> str:
    lines = files[target.file].splitlines()[target.body_start - 1 : target.body_end]
    kept = [line for line in lines if not line.strip().startswith("#")]
    return textwrap.dedent("\n".join(kept))


def good_answer(files: dict[str, str], *, type_error: bool = False) -> dict[str, Any]:
    """The answer JSON for ``files``; ``type_error`` plants one mypy error in the first body."""
    targets = find_all_targets(files)
    assert targets, "the templates left nothing for a model to write"
    methods = []
    imports: list[str] = []
    p95 = False
    for target in targets:
        body = _template_body(files, target)
        if target.method.startswith("handle_") and "compute" in target.hint:
            output = target.header.rsplit("->", 1)[1].strip().rstrip(":").strip()
            body = P95_BODY.format(output=output)
            imports.append("import math")
            p95 = True
        methods.append({"target": target.key, "body": body})
    if type_error:
        methods[0]["body"] = 'count: int = "several"\n' + methods[0]["body"]
    example = next(p for p in sorted(files) if p.startswith("tests/test_") and "_handler" in p)
    tests = files[example]
    if p95:
        tests += P95_TEST.format(**_names(files, targets[0]))
    return {"methods": methods, "imports": imports, "tests": tests}


P95_TEST = """

def test_model_p95_of_payload_values() -> None:
    handler = {handler}()
    values = {{f"k{{i:02d}}": i for i in range(1, 21)}}
    request = {input}(operation=list({enum})[0], payload=dict(values))
    output = asyncio.run(handler.{method}(request))
    assert output.data == {{"p95": 19.0, "count": 20}}
"""


def _names(files: dict[str, str], target: CodeTarget) -> dict[str, str]:
    input_name = target.header.split("request:", 1)[1].split(")", 1)[0].strip().rstrip(",")
    enum_file = next(
        p for p in files if p.startswith("enums/enum_") and p.endswith("_operation.py")
    )
    enum_name = next(
        line.split()[1].split("(")[0]
        for line in files[enum_file].splitlines()
        if line.startswith("class ")
    )
    return {
        "handler": target.class_name,
        "method": target.method,
        "input": input_name,
        "enum": enum_name,
    }


def as_content(answer: dict[str, Any]) -> str:
    return json.dumps(answer)
