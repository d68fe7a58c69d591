"""What a node directory contains: its name, kind, contract and parsed Python files.

Parsed once per validation and shared by the AST-based checkers, so every checker sees the same
view of the node (and a syntax error is reported once, by the compliance checker).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from onexgen.models.enums import EnumNodeKind
from onexgen.validation.import_root import NodeImportPath, declared_module, node_import_path

if TYPE_CHECKING:
    from pathlib import Path

_PACKAGE = re.compile(
    r"^node_(?P<service>[a-z][a-z0-9_]*?)_(?P<kind>effect|compute|reducer|orchestrator)$"
)
_SKIP_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})


@dataclass(frozen=True)
class ParsedFile:
    """One Python file: relative POSIX path, text, and its AST or the syntax error."""

    rel: str
    text: str
    tree: ast.Module | None
    syntax_error: SyntaxError | None

    @property
    def is_test(self) -> bool:
        """Whether the file belongs to the node's tests."""
        return self.rel.startswith("tests/")


@dataclass(frozen=True)
class NodeLayout:
    """The node as the checkers see it."""

    node_dir: Path
    package: str
    kind: EnumNodeKind | None
    service_name: str
    pascal: str
    contract: dict[str, Any] | None
    contract_error: str | None
    files: tuple[ParsedFile, ...]
    import_path: NodeImportPath
    declared: str | None = None

    @property
    def module(self) -> str:
        """The node package's fully qualified module (``node_x_effect``, ``proj.nodes.my_x``)."""
        return self.import_path.module

    def local_parts(self, module: str) -> list[str] | None:
        """``module`` relative to the node package, or None when it lies outside the node.

        The fully qualified form (``proj.nodes.my_x.handlers.h``), the module the contract
        declares for the node (the same, while the node is staged outside its project) and the
        bare package form (``my_x.handlers.h``) all name the node's own modules.
        """
        for prefix in dict.fromkeys((self.module, self.declared or self.module, self.package)):
            if module == prefix:
                return []
            if module.startswith(f"{prefix}."):
                return module[len(prefix) + 1 :].split(".")
        return None

    @property
    def node_file(self) -> ParsedFile | None:
        """``node.py``, else the ``node_<name>_<kind>.py`` module ``onex new node`` writes."""
        found = self.file("node.py")
        if found is not None:
            return found
        candidates = [
            parsed
            for parsed in self.files
            if "/" not in parsed.rel
            and parsed.rel.startswith("node_")
            and parsed.rel.endswith(".py")
        ]
        return candidates[0] if candidates else None

    @property
    def class_names(self) -> tuple[str, ...]:
        """Accepted node class names: ``Node<Pascal><Kind>`` and, as ``onex new node`` names
        it, ``Node<Pascal>`` where the name already says the kind."""
        names = [self.class_name]
        if self.kind is not None:
            names.append(f"Node{self.pascal}")
        return tuple(dict.fromkeys(names))

    def contract_line(self, key: str, value: str | None = None) -> int | None:
        """Line of a top-level ``key:`` in contract.yaml, or of ``- name: value`` under it."""
        path = self.node_dir / "contract.yaml"
        if not path.is_file():
            return None
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        key_line = next(
            (number for number, text in enumerate(lines, 1) if text.startswith(f"{key}:")), None
        )
        if value is None or key_line is None:
            return key_line
        pattern = re.compile(rf"^\s*-?\s*name:\s*['\"]?{re.escape(value)}['\"]?\s*$")
        for number in range(key_line + 1, len(lines) + 1):
            if pattern.match(lines[number - 1]):
                return number
        return key_line

    def file(self, rel: str) -> ParsedFile | None:
        """The parsed file at ``rel``, if present."""
        for parsed in self.files:
            if parsed.rel == rel:
                return parsed
        return None

    @property
    def source_files(self) -> tuple[ParsedFile, ...]:
        """Files of the node itself (not its tests)."""
        return tuple(f for f in self.files if not f.is_test)

    @property
    def test_files(self) -> tuple[ParsedFile, ...]:
        """Files under ``tests/``."""
        return tuple(f for f in self.files if f.is_test)

    @property
    def class_name(self) -> str:
        """The expected node class name, ``Node<Pascal><Kind>``."""
        kind = self.kind.value.capitalize() if self.kind else ""
        return f"Node{self.pascal}{kind}"

    @property
    def handler_class(self) -> str:
        """The expected handler class name, ``Handler<Pascal>``."""
        return f"Handler{self.pascal}"

    @property
    def handler_file(self) -> str:
        """The expected handler module path."""
        return f"handlers/handler_{self.service_name}.py"


def snake_to_pascal(name: str) -> str:
    """``postgres_writer`` -> ``PostgresWriter``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def load_layout(node_dir: Path) -> NodeLayout:
    """Read ``node_dir`` once: names, kind, contract and every Python file's AST."""
    package = node_dir.name
    match = _PACKAGE.match(package)
    service = match.group("service") if match else package.removeprefix("node_")
    contract, contract_error = _load_contract(node_dir / "contract.yaml")
    kind = EnumNodeKind(match.group("kind")) if match else _kind_from_contract(contract)
    pascal = _pascal_from_contract(contract) or snake_to_pascal(service)
    files = tuple(_parse(node_dir, path) for path in _python_files(node_dir))
    return NodeLayout(
        node_dir=node_dir,
        package=package,
        kind=kind,
        service_name=service,
        pascal=pascal,
        contract=contract,
        contract_error=contract_error,
        files=files,
        import_path=node_import_path(node_dir),
        declared=declared_module(node_dir),
    )


def _python_files(node_dir: Path) -> list[Path]:
    found = [
        path
        for path in node_dir.rglob("*.py")
        if not _SKIP_DIRS.intersection(path.relative_to(node_dir).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(node_dir).as_posix())


def _parse(node_dir: Path, path: Path) -> ParsedFile:
    rel = path.relative_to(node_dir).as_posix()
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(text, filename=rel)
    except SyntaxError as exc:
        return ParsedFile(rel=rel, text=text, tree=None, syntax_error=exc)
    return ParsedFile(rel=rel, text=text, tree=tree, syntax_error=None)


def _load_contract(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    if not path.is_file():
        return None, "contract.yaml is missing"
    from onexgen.bounded_input import InputFileError, load_structured_file

    try:  # the bounded loader: a node's contract.yaml may be hostile (alias bomb, 10 MB)
        data = load_structured_file(path, "contract")
    except InputFileError as exc:
        return None, f"contract.yaml is not usable: {str(exc).removeprefix(f'{path}: ')}"
    if not isinstance(data, dict):
        return None, "contract.yaml must be a mapping of fields"
    return data, None


def _kind_from_contract(contract: dict[str, Any] | None) -> EnumNodeKind | None:
    if contract is None:
        return None
    node_type = str(contract.get("node_type", "")).lower().removesuffix("_generic")
    try:
        return EnumNodeKind(node_type)
    except ValueError:
        return None


def _pascal_from_contract(contract: dict[str, Any] | None) -> str | None:
    if contract is None:
        return None
    metadata = contract.get("metadata")
    if isinstance(metadata, dict):
        name = metadata.get("node_name")
        if isinstance(name, str) and re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
            return name
    return None
