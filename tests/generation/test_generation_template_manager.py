"""TemplateManager: LRU cache of compiled templates, preload, stats, per-template overrides."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pytest

from onexgen.rendering.engine import PACKAGED_TEMPLATES
from onexgen.rendering.template_manager import ModelTemplateCacheStats, TemplateManager

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from onexgen.models.rendered import ModelRenderedNode

    Generate = Callable[..., ModelRenderedNode]

    from onexgen.models import ModelPRDRequirements


def test_hits_and_misses_are_counted() -> None:
    manager = TemplateManager(cache_size=8)
    manager.get("shared/README.md.j2")
    manager.get("shared/README.md.j2")
    manager.get("effect/handler.py.j2")
    stats = manager.stats()
    assert stats == ModelTemplateCacheStats(hits=1, misses=2, hit_rate=1 / 3, size=2, capacity=8)


def test_least_recently_used_template_is_evicted() -> None:
    manager = TemplateManager(cache_size=2)
    manager.get("shared/README.md.j2")
    manager.get("effect/handler.py.j2")
    manager.get("shared/README.md.j2")  # refresh: effect/handler.py is now least recent
    manager.get("compute/handler.py.j2")  # evicts effect/handler.py
    assert manager.stats().size == 2
    manager.get("shared/README.md.j2")
    assert manager.stats().hits == 2
    manager.get("effect/handler.py.j2")
    assert manager.stats().misses == 4


def test_preload_compiles_kind_and_shared_templates() -> None:
    manager = TemplateManager()
    count = manager.preload("reducer")
    names = manager.list_templates("reducer")
    assert count == len(names)
    assert all(n.startswith(("reducer/", "shared/")) for n in names)
    assert "reducer/handler.py.j2" in names
    assert manager.stats().misses == count
    manager.preload("reducer")
    assert manager.stats().hits == count


def test_preload_all_and_clear() -> None:
    manager = TemplateManager(cache_size=500)
    total = manager.preload()
    assert total == len(list(PACKAGED_TEMPLATES.rglob("*.j2")))
    manager.clear()
    assert manager.stats().size == 0
    assert manager.stats().hit_rate == 0.0


def test_cache_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="cache_size"):
        TemplateManager(cache_size=0)


def test_versions_are_sha256_of_sources() -> None:
    manager = TemplateManager()
    source = (PACKAGED_TEMPLATES / "shared" / "README.md.j2").read_bytes()
    assert manager.version("shared/README.md.j2") == hashlib.sha256(source).hexdigest()


def test_kind_template_wins_over_shared() -> None:
    manager = TemplateManager()
    assert manager.resolve("reducer", "handler.py.j2") == "reducer/handler.py.j2"
    assert manager.resolve("effect", "model_config.py.j2") == "shared/model_config.py.j2"


def test_templates_dir_overrides_a_single_template(
    tmp_path: Path,
    generate_node: Generate,
    samples: tuple[ModelPRDRequirements, ...],
) -> None:
    override = tmp_path / "templates" / "shared"
    override.mkdir(parents=True)
    (override / "README.md.j2").write_text(
        "# {{ n.package }}\n\nCustom: {{ description | md_text }}\n", encoding="utf-8"
    )
    rendered = generate_node(samples[0], templates_dir=tmp_path / "templates")
    readme = rendered.file("README.md").content
    assert readme.startswith("# node_postgres_writer_effect\n\nCustom: Write user records")
    default = generate_node(samples[0])
    assert rendered.file("node.py").content == default.file("node.py").content
    assert (
        rendered.template_versions["shared/README.md.j2"]
        != default.template_versions["shared/README.md.j2"]
    )


def test_shared_manager_serves_many_nodes(
    generate_node: Generate, samples: tuple[ModelPRDRequirements, ...]
) -> None:
    manager = TemplateManager()
    for requirements in samples:
        generate_node(requirements, template_manager=manager)
    stats = manager.stats()
    assert stats.hits > stats.misses
    assert stats.size == stats.misses


def test_bytecode_cache_is_reused_across_managers(tmp_path: Path) -> None:
    cache = tmp_path / "jinja"
    first = TemplateManager(bytecode_cache_dir=cache)
    count = first.preload("effect")
    stored = list(cache.iterdir())
    assert len(stored) >= count
    second = TemplateManager(bytecode_cache_dir=cache)
    second.preload("effect")
    assert sorted(cache.iterdir()) == sorted(stored)
    name = "shared/node.py.j2"
    assert second.get(name).render(**_node_context()) == first.get(name).render(**_node_context())


def _node_context() -> dict[str, object]:
    from onexgen.contracts.naming import node_names
    from onexgen.models import EnumNodeKind
    from onexgen.rendering.escaping import UserText

    return {
        "n": node_names(EnumNodeKind.EFFECT, "Store", "store", "infra"),
        "description": UserText("Stores things"),
        "kind": "effect",
        "Kind": "Effect",
    }


def test_dependencies_list_parent_templates() -> None:
    manager = TemplateManager()
    assert manager.dependencies("effect/handler.py.j2") == ("shared/handler_base.py.j2",)
    assert manager.dependencies("shared/README.md.j2") == ()
