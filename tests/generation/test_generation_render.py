"""Stages 4 and 5: the package layout, byte-identical output, and hostile input."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pytest
import yaml

from onexgen.models import EnumCategory, EnumNodeKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from onexgen.models.rendered import ModelRenderedNode

    Generate = Callable[..., ModelRenderedNode]

    from onexgen.models import ModelPRDRequirements
    from onexgen.models.rendered import ModelRenderedNode

COMMON_FILES = {
    "__init__.py",
    "README.md",
    "contract.yaml",
    "node.py",
    "enums/__init__.py",
    "events/__init__.py",
    "events/envelopes.py",
    "handlers/__init__.py",
    "models/__init__.py",
    "tests/__init__.py",
    "tests/conftest.py",
}


def _digest(rendered: ModelRenderedNode) -> str:
    h = hashlib.sha256()
    for item in rendered.files:
        h.update(item.path.encode() + b"\0" + item.content.encode() + b"\0")
    return h.hexdigest()


def _check_parses(rendered: ModelRenderedNode) -> None:
    for item in rendered.files:
        assert PurePosixPath(item.path).parts[0] not in {"..", "/"}
        assert ".." not in PurePosixPath(item.path).parts
        if item.path.endswith(".py"):
            ast.parse(item.content, filename=item.path)
        elif item.path.endswith(".yaml"):
            assert isinstance(yaml.safe_load(item.content), dict)


@pytest.mark.parametrize("index", range(6))
def test_package_layout(
    index: int, samples: tuple[ModelPRDRequirements, ...], generate_node: Generate
) -> None:
    requirements = samples[index]
    rendered = generate_node(requirements)
    s = requirements.service_name
    paths = {f.path for f in rendered.files}
    assert paths >= COMMON_FILES
    assert {
        f"handlers/handler_{s}.py",
        f"models/model_{s}_input.py",
        f"models/model_{s}_output.py",
        f"models/model_{s}_config.py",
        f"enums/enum_{s}_operation.py",
        f"tests/test_{s}_handler.py",
        f"tests/test_{s}_node.py",
        f"tests/test_{s}_contract.py",
        f"tests/test_{s}_performance.py",
        f"tests/test_{s}_events.py",
    } <= paths
    assert [f.path for f in rendered.files] == sorted(paths)
    assert rendered.package_name == f"node_{s}_{requirements.node_type.value}"
    kind_value = requirements.node_type.value
    assert set(rendered.template_versions) >= {"shared/README.md.j2", "shared/node.py.j2"}
    assert f"{kind_value}/handler.py.j2" in rendered.template_versions
    kind = requirements.node_type.value.capitalize()
    classes = [
        n for n in ast.parse(rendered.file("node.py").content).body if isinstance(n, ast.ClassDef)
    ]
    assert [c.name for c in classes] == [f"Node{requirements.node_name}{kind}"]
    assert ast.unparse(classes[0].bases[0]).startswith(f"Node{kind}")
    _check_parses(rendered)


def test_generated_code_has_no_known_defects(
    samples: tuple[ModelPRDRequirements, ...], generate_node: Generate
) -> None:
    for requirements in samples:
        for item in generate_node(requirements).files:
            if not item.path.endswith(".py"):
                continue
            tree = ast.parse(item.content)
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    assert all(alias.name != "*" for alias in node.names), item.path
                    assert "Mixin" not in " ".join(a.name for a in node.names), item.path
                if isinstance(node, ast.Name):
                    assert node.id not in {"true", "false", "null"}, item.path
            assert "execute_reduction" not in item.content
            assert "execute_orchestration" not in item.content


def test_contract_yaml_uses_yaml_booleans(
    samples: tuple[ModelPRDRequirements, ...], generate_node: Generate
) -> None:
    text = generate_node(samples[0]).file("contract.yaml").content
    assert "validation_enabled: true" in text
    assert "idempotent: false" in text
    assert "True" not in text


def test_business_logic_places_are_marked(
    samples: tuple[ModelPRDRequirements, ...], generate_node: Generate
) -> None:
    for requirements in samples:
        rendered = generate_node(requirements)
        handler = rendered.file(f"handlers/handler_{requirements.service_name}.py").content
        kind = requirements.node_type
        if kind in {EnumNodeKind.EFFECT, EnumNodeKind.COMPUTE}:
            # what the user must still write fails loudly, one distinct message per operation
            marks = re.findall(r'"not implemented: ([a-z0-9_]+)', handler)
            assert marks == [op.name for op in rendered.contract.operations]
            assert handler.count("EnumCoreErrorCode.METHOD_NOT_IMPLEMENTED") == len(marks)
        elif kind is EnumNodeKind.ORCHESTRATOR:
            # the first operation runs the workflow; others are workflows still to write,
            # never a copy of it
            marks = re.findall(r'"not implemented: ([a-z0-9_]+)', handler)
            assert marks == [op.name for op in rendered.contract.operations[1:]]
            assert handler.count("return await self.run_workflow(request)") == 1
        else:
            assert "not implemented" not in handler  # reducers fold
            assert handler.count("# BUSINESS LOGIC:") >= 1


def test_same_input_same_bytes(
    samples: tuple[ModelPRDRequirements, ...], generate_node: Generate
) -> None:
    for requirements in samples:
        assert _digest(generate_node(requirements)) == _digest(generate_node(requirements))


_SUBPROCESS = """
import hashlib, json, sys
sys.path.insert(0, {tests!r})
from conftest import SAMPLES, generate
from onexgen.rendering.template_manager import TemplateManager
manager = TemplateManager()
out = {{}}
for req in SAMPLES:
    node = generate(req, template_manager=manager)
    h = hashlib.sha256()
    for f in node.files:
        h.update(f.path.encode() + b"\\0" + f.content.encode() + b"\\0")
    out[node.package_name] = h.hexdigest()
print(json.dumps(out, sort_keys=True))
"""


def test_output_does_not_depend_on_hash_seed(
    samples: tuple[ModelPRDRequirements, ...], generate_node: Generate
) -> None:
    code = _SUBPROCESS.format(tests=str(Path(__file__).parent))
    results = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        results.append(json.loads(proc.stdout))
    assert results[0] == results[1]
    assert results[0] == {generate_node(r).package_name: _digest(generate_node(r)) for r in samples}


@pytest.mark.parametrize("kind", list(EnumNodeKind))
def test_hostile_text_cannot_break_or_inject(
    kind: EnumNodeKind,
    hostile_text: str,
    make_requirements: Callable[..., ModelPRDRequirements],
    generate_node: Generate,
) -> None:
    description = (hostile_text * 30)[:4000]
    requirements = make_requirements(
        kind,
        "Class",
        "matches",
        EnumCategory.API,
        operations=("case", "type", "self", "mro", "name", "handle"),
        features=("retry_logic", "circuit_breaker", "caching", "rate_limiting", "windowing"),
        description=description,
    ).model_copy(
        update={
            "original_prompt": hostile_text * 300,
            "external_systems": (hostile_text,),
        }
    )
    rendered = generate_node(requirements)
    _check_parses(rendered)
    contract = yaml.safe_load(rendered.file("contract.yaml").content)
    expected = description.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert contract["description"] == expected
    for item in rendered.files:
        assert "49" not in item.content.replace(rendered.package_name, ""), item.path
        assert "\x00" not in item.content
    readme = rendered.file("README.md").content
    assert "<" not in readme.split("\n", 3)[2]


def test_long_names_still_render(
    make_requirements: Callable[..., ModelPRDRequirements], generate_node: Generate
) -> None:
    requirements = make_requirements(
        EnumNodeKind.REDUCER,
        "A" + "b" * 79,
        "s" + "_x" * 39,
        EnumCategory.MONITORING,
        operations=("aggregate",),
        features=("windowing",),
    )
    _check_parses(generate_node(requirements))


def test_handlers_log_through_the_framework_logger(
    samples: tuple[ModelPRDRequirements, ...], generate_node: Generate
) -> None:
    """Issue 8: every kind logs through omnibase_core's structured logger, not its own."""
    kinds: set[EnumNodeKind] = set()
    for requirements in samples:
        rendered = generate_node(requirements)
        handler = rendered.file(f"handlers/handler_{requirements.service_name}.py").content
        assert "from omnibase_core.logging.logging_structured import emit_log_event_sync" in (
            handler
        )
        assert "EnumLogLevel.ERROR" in handler
        assert "EnumLogLevel.DEBUG" in handler
        assert "import logging" not in handler  # no logger of its own
        assert "omnibase_core's structured logger" in rendered.file("README.md").content
        kinds.add(requirements.node_type)
    assert kinds == set(EnumNodeKind)
