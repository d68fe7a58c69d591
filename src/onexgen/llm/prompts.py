"""The text sent to models: fixed instructions (data) and builders that fill in one request.

User text goes into prompts as JSON strings, so a prompt with quotes or line breaks cannot
change the instructions' structure.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from onexgen.llm.client import as_json_schema
from onexgen.llm.schemas import ModelCodeAnswer, ModelRequirementsAnswer

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from onexgen.llm.targets import CodeTarget
    from onexgen.models.requirements import ModelPRDRequirements
    from onexgen.models.strategy import ModelDiagnostic

CODE_SYSTEM = """You write the business logic of one ONEX node (Python 3.12, omnibase_core).
The package around it is generated and fixed; you only write the bodies of the target methods and
one pytest module that pins their behaviour. Rules:
- Keep each method's signature; return its declared type; raise
  ModelOnexError(message, error_code=EnumCoreErrorCode.<CODE>) for invalid input.
- The code must pass ruff, mypy --strict, pytest and `onex validate --strict`: full type
  annotations, no Any, no print, no network or file access in tests.
- Tests use relative imports exactly like the example test and call the handler directly.
Answer with one JSON object matching this JSON schema, and nothing else:
"""

REQUIREMENTS_SYSTEM = """You classify a request for an ONEX node. Kinds: effect (talks to external
systems: databases, APIs, queues, files), compute (pure transformation or calculation), reducer
(aggregates many items into state), orchestrator (coordinates a workflow of steps).
Answer with one JSON object matching this JSON schema, and nothing else:
"""


def code_system() -> str:
    """System message of code requests (instructions and the answer's schema)."""
    return CODE_SYSTEM + as_json_schema(ModelCodeAnswer)


def requirements_system() -> str:
    """System message of understanding and proposal requests."""
    return REQUIREMENTS_SYSTEM + as_json_schema(ModelRequirementsAnswer)


def requirements_prompt(prompt: str) -> str:
    """User message asking what ``prompt`` requests."""
    return "Request (JSON string): " + json.dumps(prompt)


def _request_section(requirements: ModelPRDRequirements) -> str:
    data = {
        "request": requirements.original_prompt or requirements.business_description,
        "description": requirements.business_description,
        "node_type": requirements.node_type.value,
        "operations": list(requirements.operations),
        "external_systems": list(requirements.external_systems),
        "facts": requirements.facts.model_dump(mode="json", exclude_defaults=True),
    }
    return json.dumps(data, indent=1, sort_keys=True)


def _context_files(files: Mapping[str, str], targets: Sequence[CodeTarget]) -> list[str]:
    """The files the model needs to see: the contract, the target modules, the models and
    enums, and one example test."""
    wanted = {t.file for t in targets} | ({"contract.yaml"} & set(files))
    wanted.update(p for p in files if PurePosixPath(p).parts[0] in {"models", "enums"})
    examples = sorted(p for p in files if p.startswith("tests/test_") and p.endswith("_handler.py"))
    wanted.update(examples[:1])
    return sorted(
        p for p in wanted if p.endswith((".py", ".yaml")) and not p.endswith("__init__.py")
    )


def code_prompt(
    requirements: ModelPRDRequirements,
    files: Mapping[str, str],
    targets: Sequence[CodeTarget],
    test_path: str,
) -> str:
    """User message asking for the target bodies and their tests."""
    parts = ["# The request", _request_section(requirements), "# Target methods"]
    for target in targets:
        parts.append(
            f"## {target.key} (in {target.file})\n{target.header}\n"
            f'    """{target.docstring}"""\n    # to do: {target.hint}'
        )
    parts.append(f"# Your test module will be saved as {test_path}")
    for path in _context_files(files, targets):
        parts.append(f"# File {path}\n{files[path]}")
    return "\n\n".join(parts)


def repair_prompt(previous: str, diagnostics: Sequence[ModelDiagnostic]) -> str:
    """User message of the next round: the last answer and what the checks found in it
    (one JSON object per finding: tool, code, file, line, message, fix)."""
    listed = "\n".join(d.model_dump_json(exclude_defaults=True) for d in diagnostics)
    return (
        "Your previous answer (JSON) failed the checks. Fix every finding below and answer with "
        "the complete corrected JSON object.\n# Findings\n"
        f"{listed}\n# Previous answer\n{previous}"
    )
