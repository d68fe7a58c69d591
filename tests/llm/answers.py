"""Scripted model answers built from a node the templates rendered (what a good model returns).

A good answer re-writes every target with working code (the template's own behaviour, which the
template's tests pin) and ships the handler tests as its behaviour tests. The type-error variant
plants one mypy error, so the repair loop has something to fix.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

from onexgen.llm.targets import CodeTarget, find_all_targets
from onexgen.pipeline import CodeGenerationService, stages

if TYPE_CHECKING:
    from pathlib import Path


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
    """The answer for ``files``; ``type_error`` plants one mypy error in the first body."""
    targets = find_all_targets(files)
    assert targets, "the templates left nothing for a model to write"
    methods = [{"target": t.key, "body": _template_body(files, t)} for t in targets]
    if type_error:
        methods[0]["body"] = 'count: int = "several"\n' + methods[0]["body"]
    example = next(p for p in sorted(files) if p.startswith("tests/test_") and "_handler" in p)
    return {"methods": methods, "imports": [], "tests": files[example]}


def content(answer: dict[str, Any]) -> str:
    """The answer as the JSON text a model sends."""
    return json.dumps(answer)
