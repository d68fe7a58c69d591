"""Snapshots of a node's text files, per-file diff summaries, and restoring a snapshot."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from onexgen.models.validation import ModelFileChange

if TYPE_CHECKING:
    from pathlib import Path

_SKIP_PARTS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})

Snapshot = dict[str, str]


def snapshot(node_dir: Path) -> Snapshot:
    """Relative path -> text of every Python file of the node (what the fixes may touch)."""
    files: Snapshot = {}
    for path in sorted(node_dir.rglob("*.py")):
        rel = path.relative_to(node_dir)
        if _SKIP_PARTS.intersection(rel.parts):
            continue
        files[rel.as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    return files


def diff_summary(before: Snapshot, after: Snapshot) -> tuple[ModelFileChange, ...]:
    """Lines added and removed per changed file, sorted by path."""
    changes: list[ModelFileChange] = []
    for rel in sorted(set(before) | set(after)):
        old, new = before.get(rel, ""), after.get(rel, "")
        if old == new:
            continue
        added = removed = 0
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
        changes.append(ModelFileChange(file=rel, lines_added=added, lines_removed=removed))
    return tuple(changes)


def restore(node_dir: Path, before: Snapshot, after: Snapshot) -> None:
    """Put back the files of ``before`` that differ in ``after`` (and drop files it added)."""
    for rel, text in before.items():
        if after.get(rel) != text:
            (node_dir / rel).write_text(text, encoding="utf-8")
    for rel in set(after) - set(before):
        (node_dir / rel).unlink(missing_ok=True)
