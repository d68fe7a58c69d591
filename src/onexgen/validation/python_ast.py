"""Small AST helpers shared by the checkers: module resolution and top-level names."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


def module_parts(rel: str) -> list[str]:
    """``handlers/handler_x.py`` -> ``["handlers", "handler_x"]``; ``__init__`` drops out."""
    parts = rel.removesuffix(".py").split("/")
    return parts[:-1] if parts[-1] == "__init__" else parts


def package_parts(rel: str) -> list[str]:
    """The package a file's relative imports start from."""
    parts = rel.removesuffix(".py").split("/")
    return parts[:-1]


def module_files(parts: list[str]) -> tuple[str, str]:
    """The two files that can hold a module: ``a/b.py`` or ``a/b/__init__.py``."""
    if not parts:
        return ("__init__.py", "__init__.py")
    joined = "/".join(parts)
    return (f"{joined}.py", f"{joined}/__init__.py")


def top_level_names(tree: ast.Module) -> set[str]:
    """Names a module defines or imports at top level (what ``from m import x`` can take)."""
    names: set[str] = set()
    for node in _top_level_statements(tree.body):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(_target_names(target))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            names.update(_target_names(node.target))
        elif isinstance(node, ast.TypeAlias) and isinstance(node.name, ast.Name):
            names.add(node.name.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
    return names


def _top_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try):
            yield from _top_level_statements(node.body)
            yield from _top_level_statements(node.orelse)
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    yield from _top_level_statements(handler.body)


def _target_names(target: ast.expr) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Tuple | ast.List):
        return {name for element in target.elts for name in _target_names(element)}
    return set()


def guarded_imports(tree: ast.Module) -> set[int]:
    """ids-free marker: line numbers of imports inside ``try: ... except ImportError``."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            _catches_import_error(handler) for handler in node.handlers
        ):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        lines.add(sub.lineno)
    return lines


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = {node.id for node in ast.walk(handler.type) if isinstance(node, ast.Name)}
    return bool(names & {"ImportError", "ModuleNotFoundError", "Exception"})


def annotation_root(annotation: ast.expr | None) -> str:
    """``ModelComputeInput[int]`` -> ``ModelComputeInput``; ``a.b.C`` -> ``C``; else ``''``."""
    if annotation is None:
        return ""
    if isinstance(annotation, ast.Subscript):
        return annotation_root(annotation.value)
    if isinstance(annotation, ast.Attribute):
        return annotation.attr
    if isinstance(annotation, ast.Name):
        return annotation.id
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            parsed = ast.parse(annotation.value, mode="eval")
        except SyntaxError:
            return ""
        return annotation_root(parsed.body)
    return ""


def find_class(tree: ast.Module, name: str) -> ast.ClassDef | None:
    """The top-level class called ``name``."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    return None


def methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Methods defined directly in ``cls`` by name."""
    return {
        node.name: node
        for node in cls.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
