"""``node.manifest.yaml``: valid YAML for any prompt, digests that match the files on disk."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

import pytest
import yaml

from onexgen.contracts import build_contract
from onexgen.intelligence import gather_intelligence
from onexgen.models import (
    EnumCategory,
    EnumNodeKind,
    ModelClassificationResult,
    ModelPRDRequirements,
)
from onexgen.writing import (
    MANIFEST_FILE_NAME,
    build_manifest,
    load_manifest,
    render_manifest,
    verify_manifest,
)

if TYPE_CHECKING:
    from pathlib import Path

    from onexgen.models.contract import ModelNodeContract

HOSTILE = (
    "Create EFFECT node: '''\"\"\" {{ 7*7 }} {% if x %} \\n\\\\ \t\r\n"
    "key: value\n- item\n--- \n... # not a comment \u2603 \U0001f600 &anchor *alias !!python/object"
)
CORRELATION = UUID("12345678-1234-5678-1234-567812345678")


def requirements(prompt: str) -> ModelPRDRequirements:
    return ModelPRDRequirements(
        node_type=EnumNodeKind.EFFECT,
        node_name="PostgresWriter",
        service_name="postgres_writer",
        domain="database",
        category=EnumCategory.DATABASE,
        business_description=prompt,
        operations=("create",),
        original_prompt=prompt,
    )


def classification() -> ModelClassificationResult:
    return ModelClassificationResult(
        node_type=EnumNodeKind.EFFECT,
        confidence=0.9,
        template_name="effect",
        template_variant="database",
    )


def contract(prompt: str) -> ModelNodeContract:
    req, cls = requirements(prompt), classification()
    return build_contract(req, cls, gather_intelligence(req, cls))


def write_node(root: Path) -> Path:
    node = root / "node_postgres_writer_effect"
    (node / "models").mkdir(parents=True)
    (node / "node.py").write_text("A = 1\n")
    (node / "models" / "m.py").write_text("B = 2\n")
    (node / "__pycache__").mkdir()
    (node / "__pycache__" / "x.pyc").write_bytes(b"\0")
    return node


@pytest.mark.parametrize("prompt", [HOSTILE, "plain", "x" * 3000])
def test_manifest_round_trips_any_prompt(tmp_path: Path, prompt: str) -> None:
    node = write_node(tmp_path)
    manifest = build_manifest(
        node_dir=node,
        contract=contract(prompt),
        requirements=requirements(prompt),
        classification=classification(),
        template_versions={"effect/node.py.j2": "1.0.0", "shared/readme.md.j2": "1.0.0"},
        correlation_id=CORRELATION,
        generated_at=datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC),
    )
    text = render_manifest(manifest)
    raw = yaml.safe_load(text)  # safe_load: tags in the prompt must stay plain text
    assert raw["prompt"] == prompt
    assert raw["generated_at"] == "2026-01-02T03:04:05Z"
    assert raw["node_type"] == "EFFECT_GENERIC"  # onex validate reads every YAML as a contract
    assert raw["contract_version"] == {"major": 1, "minor": 0, "patch": 0}
    (node / MANIFEST_FILE_NAME).write_text(text, encoding="utf-8")
    loaded = load_manifest(node)
    assert loaded == manifest
    assert [f.path for f in loaded.files] == ["models/m.py", "node.py"]
    assert loaded.files[1].sha256 == hashlib.sha256(b"A = 1\n").hexdigest()


def test_manifest_is_deterministic_apart_from_run_facts(tmp_path: Path) -> None:
    node = write_node(tmp_path)
    kwargs = {
        "node_dir": node,
        "contract": contract("p"),
        "requirements": requirements("p"),
        "classification": classification(),
        "template_versions": {"b": "2", "a": "1"},
        "correlation_id": CORRELATION,
        "generated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    first = render_manifest(build_manifest(**kwargs))  # type: ignore[arg-type]
    second = render_manifest(build_manifest(**kwargs))  # type: ignore[arg-type]
    assert first == second
    assert list(yaml.safe_load(first)["template_versions"]) == ["a", "b"]


def test_verify_manifest_reports_hand_edits(tmp_path: Path) -> None:
    node = write_node(tmp_path)
    manifest = build_manifest(
        node_dir=node,
        contract=contract("p"),
        requirements=requirements("p"),
        classification=classification(),
        template_versions={},
        correlation_id=CORRELATION,
    )
    (node / MANIFEST_FILE_NAME).write_text(render_manifest(manifest))
    assert verify_manifest(node) == {"modified": (), "missing": (), "added": ()}
    (node / "node.py").write_text("A = 2  # edited by hand\n")
    (node / "models" / "m.py").unlink()
    (node / "extra.py").write_text("")
    assert verify_manifest(node) == {
        "modified": ("node.py",),
        "missing": ("models/m.py",),
        "added": ("extra.py",),
    }
