"""``node.manifest.yaml``: what generated a node, from what, and the SHA-256 of every file.

Why: the manifest is the baseline for later regeneration. Comparing the recorded digests with the
files on disk tells which files a team edited by hand (keep them) and which are still exactly as
generated (safe to regenerate). It is the only generated file allowed to hold a timestamp and the
run's correlation id; everything else is byte-identical for the same input.

``onex validate --strict`` checks *every* YAML file of a node as a contract (``contract_version``
and ``node_type`` required), so the manifest opens with the node's identity in contract form.
"""

from __future__ import annotations

import functools
import hashlib
import os
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import yaml
from pydantic import BaseModel, ConfigDict, Field

from onexgen.models.classification import ModelClassificationResult
from onexgen.models.contract import ModelNodeContract, ModelSemVer
from onexgen.models.requirements import ModelPRDRequirements
from onexgen.models.strategy import ModelStrategyManifest
from onexgen.writing.atomic_writer import TOOL_ARTIFACT_FILES, TOOL_ARTIFACTS

if TYPE_CHECKING:
    from collections.abc import Mapping

MANIFEST_FILE_NAME = "node.manifest.yaml"
MANIFEST_VERSION = "1.0.0"


class ModelFileDigest(BaseModel):
    """One generated file as it was written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class ModelGeneratorInfo(BaseModel):
    """Which generator wrote the node."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "onexgen"
    version: str


class ModelNodeManifest(BaseModel):
    """Contents of ``node.manifest.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    contract_version: ModelSemVer
    node_version: ModelSemVer
    node_type: str
    description: str
    manifest_version: str = MANIFEST_VERSION
    generator: ModelGeneratorInfo
    template_versions: dict[str, str]
    strategy: str
    strategy_details: ModelStrategyManifest | None = None
    template_name: str
    template_variant: str
    correlation_id: UUID
    generated_at: datetime
    prompt: str
    requirements: ModelPRDRequirements
    classification: ModelClassificationResult
    files: tuple[ModelFileDigest, ...]


@functools.cache
def generator_version() -> str:
    """The installed onexgen version (what wrote the node)."""
    try:
        return metadata.version("onexgen")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def digest_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size of a file."""
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def digest_directory(root: Path) -> tuple[ModelFileDigest, ...]:
    """Digests of every regular file under ``root`` except the manifest and tool caches, sorted."""
    digests: list[ModelFileDigest] = []
    top = os.fspath(root)
    for current, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in TOOL_ARTIFACTS)
        prefix = os.path.relpath(current, top).replace(os.sep, "/")
        for name in names:
            rel = name if prefix == "." else f"{prefix}/{name}"
            path = os.path.join(current, name)
            if rel == MANIFEST_FILE_NAME or name in TOOL_ARTIFACT_FILES or os.path.islink(path):
                continue
            sha, size = digest_file(Path(path))
            digests.append(ModelFileDigest(path=rel, sha256=sha, size=size))
    return tuple(sorted(digests, key=lambda d: d.path))


def build_manifest(
    *,
    node_dir: Path,
    contract: ModelNodeContract,
    requirements: ModelPRDRequirements,
    classification: ModelClassificationResult,
    template_versions: Mapping[str, str],
    correlation_id: UUID,
    prompt: str | None = None,
    strategy: str = "jinja2",
    strategy_details: ModelStrategyManifest | None = None,
    generated_at: datetime | None = None,
) -> ModelNodeManifest:
    """Describe the node in ``node_dir`` as it is now (call after validation and refinement)."""
    return ModelNodeManifest(
        name=contract.name,
        contract_version=contract.contract_version,
        node_version=contract.node_version,
        node_type=contract.node_type,
        description=f"Generation manifest of {contract.name} (SHA-256 of every generated file)",
        generator=ModelGeneratorInfo(version=generator_version()),
        template_versions=dict(sorted(template_versions.items())),
        strategy=strategy,
        strategy_details=strategy_details,
        template_name=classification.template_name,
        template_variant=classification.template_variant,
        correlation_id=correlation_id,
        generated_at=(generated_at or datetime.now(UTC)).replace(microsecond=0),
        prompt=prompt if prompt is not None else requirements.original_prompt,
        requirements=requirements,
        classification=classification,
        files=digest_directory(node_dir),
    )


def render_manifest(manifest: ModelNodeManifest) -> str:
    """YAML text of the manifest; safe for any prompt text (PyYAML quotes and escapes it)."""
    data: dict[str, Any] = manifest.model_dump(mode="json")
    header = (
        "# Written by onexgen. The SHA-256 digests are the baseline for regeneration:\n"
        "# files whose digest still matches were not edited by hand.\n"
    )
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: 4x faster, same output
    body = yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return header + body


def load_manifest(path: Path) -> ModelNodeManifest:
    """Read a manifest file (``path`` may be the node directory)."""
    if path.is_dir():
        path = path / MANIFEST_FILE_NAME
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # a safe loader
    return ModelNodeManifest.model_validate(raw)


def verify_manifest(node_dir: Path) -> dict[str, tuple[str, ...]]:
    """Compare a node directory with its manifest: ``modified``, ``missing`` and ``added`` files."""
    manifest = load_manifest(node_dir)
    recorded = {d.path: d.sha256 for d in manifest.files}
    present = {d.path: d.sha256 for d in digest_directory(node_dir)}
    changed = (p for p in recorded if p in present and present[p] != recorded[p])
    return {
        "modified": tuple(sorted(changed)),
        "missing": tuple(sorted(p for p in recorded if p not in present)),
        "added": tuple(sorted(p for p in present if p not in recorded)),
    }


def user_edits(node_dir: Path) -> tuple[str, ...] | None:
    """Files of ``node_dir`` changed or added by hand since onexgen wrote it, sorted.

    ``None`` when the node has no readable manifest (then nothing can be told apart). Missing
    files are not listed: replacing the node brings them back, it loses nothing.
    """
    if not (node_dir / MANIFEST_FILE_NAME).is_file():
        return None
    try:
        found = verify_manifest(node_dir)
    except Exception:
        return None
    return tuple(sorted({*found["modified"], *found["added"]}))
