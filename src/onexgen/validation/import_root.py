"""Where a node is imported from: its import root and its fully qualified module name.

The framework's runtime imports a node by absolute module path (``RuntimeLocal`` reads
``handler.module`` and ``handler_routing.default_handler``), so the validator must type-check,
test and resolve the node under the same name. A standalone node (``node_x_effect/`` in an output
directory) is imported as ``node_x_effect`` from its parent; a node inside an ONEX project
(``src/proj/nodes/my_x/``, as ``onex new node`` places it) as ``proj.nodes.my_x`` from ``src``.
Which of the enclosing packages the node belongs to is read from the node's own references, not
guessed from the directory alone: a standalone node kept in some package's folder (a test
fixture directory) still imports itself by its bare name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_SCANNED_SUFFIXES = (".py", ".yaml", ".yml")
_SKIP_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})


@dataclass(frozen=True)
class NodeImportPath:
    """The directory to put on ``sys.path`` and the dotted module of the node package."""

    root: Path
    module: str

    @property
    def rel(self) -> str:
        """The node's directory relative to the import root (POSIX)."""
        return self.module.replace(".", "/")


def enclosing_modules(node_dir: Path) -> list[str]:
    """Dotted names the node could have: its bare name, then one more enclosing package each."""
    node_dir = Path(node_dir).absolute()
    names = [node_dir.name]
    parent = node_dir.parent
    while (parent / "__init__.py").is_file() and parent.parent != parent:
        names.append(f"{parent.name}.{names[-1]}")
        parent = parent.parent
    return names


def node_import_path(node_dir: Path) -> NodeImportPath:
    """The longest enclosing module name the node's own files refer to, else its bare name."""
    node_dir = Path(node_dir).absolute()
    candidates = enclosing_modules(node_dir)
    if len(candidates) > 1:
        text = _node_text(node_dir)
        for module in reversed(candidates[1:]):
            if f"{module}." in text:
                depth = module.count(".")
                root = node_dir
                for _ in range(depth + 1):
                    root = root.parent
                return NodeImportPath(root=root, module=module)
    return NodeImportPath(root=node_dir.parent, module=node_dir.name)


def declared_module(node_dir: Path) -> str | None:
    """The fully qualified module ``contract.yaml`` gives the node, when it is longer than the
    bare name (``shop.nodes.node_x`` for ``node_x``), whether or not the enclosing packages exist
    on disk yet.

    A node generated into an ONEX project is checked in a staging directory before it is moved
    to ``src/shop/nodes/``: its contract already names it by the module it will have there.
    """
    node_dir = Path(node_dir).absolute()
    try:
        text = (node_dir / "contract.yaml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    name = re.escape(node_dir.name)
    found = Counter(
        match.group(1) + node_dir.name
        for match in re.finditer(rf"(?<![\w.])((?:[A-Za-z_]\w*\.)+){name}\.", text)
    )
    if not found:
        return None
    return max(sorted(found), key=lambda module: (found[module], len(module)))


def _node_text(node_dir: Path) -> str:
    """The text of the node's contract and Python files (where its own references are)."""
    chunks: list[str] = []
    for path in sorted(node_dir.rglob("*")):
        rel = path.relative_to(node_dir).parts
        if path.suffix in _SCANNED_SUFFIXES and not _SKIP_DIRS.intersection(rel):
            try:
                chunks.append(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
    return "\n".join(chunks)
