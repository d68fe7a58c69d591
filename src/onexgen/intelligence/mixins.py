"""Recommend the omnibase_core mixins and subcontract models that fit a request.

The table (``onexgen.intelligence.mixin_table``) says what fits when; this module picks the rows
for one request, explains each (naming the operations a retry or cache may and may not cover)
and lists the conflicts. A row is only ever offered if the installed omnibase_core defines its
class: the package's source is read (never imported, so ``onexgen parse`` stays fast) and rows
whose module or class is missing are dropped. ``recommend_values`` works on plain values for the
pydantic-free parse path; ``recommend_mixins`` is the typed form stage 2 uses.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onexgen.intelligence.mixin_table import (
    IDEMPOTENT_OPERATIONS,
    MIXIN_CONFLICTS,
    MIXIN_ROWS,
    READ_OPERATIONS,
    MixinRow,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from onexgen.models.classification import ModelClassificationResult
    from onexgen.models.intelligence import ModelMixinRecommendation
    from onexgen.models.requirements import ModelPRDRequirements

__all__ = ["exported_rows", "recommend_mixins", "recommend_values"]

_PACKAGE = "omnibase_core"


def _package_dir() -> Path | None:
    """Where the installed omnibase_core lives (found without importing it)."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _defines(source: str, name: str) -> bool:
    """Whether ``source`` defines ``class <name>`` at top level (a plain scan: no regex to
    compile, this runs on the ``onexgen parse`` path)."""
    text = f"\n{source}"
    start = text.find(f"\nclass {name}")
    while start != -1:
        after = text[start + len(name) + 7 : start + len(name) + 8]
        if after in {"(", ":", "["}:
            return True
        start = text.find(f"\nclass {name}", start + 1)
    return False


def exported_rows(rows: Iterable[MixinRow] = MIXIN_ROWS) -> tuple[MixinRow, ...]:
    """The rows whose class the installed omnibase_core defines at top level of its module."""
    package = _package_dir()
    if package is None:
        return ()
    sources: dict[str, str | None] = {}
    kept: list[MixinRow] = []
    for row in rows:
        if row.module not in sources:
            sources[row.module] = _module_source(package, row.module)
        source = sources[row.module]
        if source is not None and _defines(source, row.name):
            kept.append(row)
    return tuple(kept)


def _module_source(package: Path, module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != _PACKAGE:
        return None
    base = package.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return None


def _fits(
    row: MixinRow, kind: str, category: str, features: set[str], operations: set[str]
) -> bool:
    if kind not in row.kinds:
        return False
    if row.needs_reads and not operations & READ_OPERATIONS:
        return False
    triggers = (row.features, row.operations, row.categories)
    if not any(triggers):
        return True
    return bool(
        features.intersection(row.features)
        or operations.intersection(row.operations)
        or category in row.categories
    )


def _reason(row: MixinRow, operations: set[str]) -> str:
    """The row's reason, with the request's operations it may and may not cover."""
    writes = sorted(operations - IDEMPOTENT_OPERATIONS)
    if row.name in {"ModelEffectRetryPolicy", "ModelEffectSubcontract"} and writes:
        safe = sorted(operations & IDEMPOTENT_OPERATIONS)
        retry = f"retry {', '.join(safe)}" if safe else "retry no operation"
        return f"{row.reason}; here: {retry}; never retry {', '.join(writes)} (not idempotent)"
    if row.name == "MixinCaching" and row.needs_reads:
        reads = ", ".join(sorted(operations & READ_OPERATIONS))
        return f"{row.reason}; here: cache {reads} only"
    return row.reason


def recommend_values(
    kind: str, category: str, features: Iterable[str], operations: Iterable[str]
) -> list[dict[str, Any]]:
    """Recommendations as plain JSON-ready dicts (name, import_path, kind, reason, conflicts)."""
    wanted_features, wanted_ops = set(features), set(operations)
    chosen: dict[str, dict[str, Any]] = {}
    for row in exported_rows():
        if row.name in chosen or not _fits(row, kind, category, wanted_features, wanted_ops):
            continue
        chosen[row.name] = {
            "name": row.name,
            "import_path": f"{row.module}.{row.name}",
            "kind": row.kind,
            "reason": _reason(row, wanted_ops),
            "conflicts": _conflicts(row.name),
        }
    return [chosen[name] for name in sorted(chosen, key=_order(chosen))]


def _order(chosen: dict[str, dict[str, Any]]) -> Any:
    """Mixins first, then subcontract models, each alphabetical (deterministic output)."""
    return lambda name: (chosen[name]["kind"] != "mixin", name)


def _conflicts(name: str) -> list[dict[str, str]]:
    found = [
        {"name": b if a == name else a, "reason": why}
        for a, b, why in MIXIN_CONFLICTS
        if name in (a, b)
    ]
    return sorted(found, key=lambda item: item["name"])


def recommend_mixins(
    requirements: ModelPRDRequirements, classification: ModelClassificationResult
) -> tuple[ModelMixinRecommendation, ...]:
    """The typed recommendations for a parsed request (stage 2)."""
    from onexgen.models.intelligence import ModelMixinRecommendation

    values = recommend_values(
        classification.node_type.value,
        requirements.category.value,
        requirements.features,
        requirements.operations,
    )
    return tuple(ModelMixinRecommendation.model_validate(value) for value in values)
