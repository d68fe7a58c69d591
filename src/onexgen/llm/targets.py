"""Find the methods a user must implement, and replace their bodies by position (``ast``).

Two conventions mark such a method:

* the current one: after its docstring the body is a single
  ``raise ModelOnexError("not implemented: <what goes here>", error_code=...)``;
* the older one: the first thing after the docstring is a ``# BUSINESS LOGIC: <hint>`` comment
  followed by a placeholder.

Bodies are replaced between line numbers the parser reports (docstring end to the method's end),
never by pattern matching on text, and every result is parsed again before anyone writes it.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

NOT_IMPLEMENTED_PREFIX = "not implemented"
LEGACY_MARKER = "# BUSINESS LOGIC:"


class CodeAnswerError(ValueError):
    """The model's code cannot be used as it is (does not parse, names no target, ...)."""


@dataclass(frozen=True, slots=True)
class CodeTarget:
    """One method whose body the model writes."""

    file: str
    class_name: str
    method: str
    header: str
    docstring: str
    hint: str
    body_start: int
    body_end: int
    indent: str
    not_implemented: bool = False

    @property
    def key(self) -> str:
        """``Class.method``: how prompts and answers name the target."""
        return f"{self.class_name}.{self.method}"


def _not_implemented_hint(body: Sequence[ast.stmt]) -> str | None:
    """The ``<what goes here>`` of the current convention, if ``body`` is exactly that raise."""
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        return None
    call = body[0].exc
    if not isinstance(call, ast.Call) or not call.args:
        return None
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    first = call.args[0]
    if name != "ModelOnexError" or not isinstance(first, ast.Constant):
        return None
    if not isinstance(first.value, str) or not first.value.startswith(NOT_IMPLEMENTED_PREFIX):
        return None
    return first.value.removeprefix(NOT_IMPLEMENTED_PREFIX).lstrip(": ").strip()


def _legacy_hint(lines: Sequence[str], after_line: int, first_statement_line: int) -> str | None:
    """The ``# BUSINESS LOGIC:`` comment block right after the docstring, if there is one."""
    comment: list[str] = []
    for number in range(after_line + 1, first_statement_line):
        text = lines[number - 1].strip()
        if not text:
            continue
        if not text.startswith("#"):
            break
        comment.append(text.lstrip("#").strip())
    if not comment or not lines[after_line].strip().startswith(LEGACY_MARKER):
        return None
    return " ".join(comment).removeprefix(LEGACY_MARKER.lstrip("# ")).strip()


def find_targets(path: str, source: str) -> tuple[CodeTarget, ...]:
    """The marked methods of every class in ``source`` (a module of the package at ``path``)."""
    if NOT_IMPLEMENTED_PREFIX not in source and LEGACY_MARKER not in source:
        return ()  # most files have none; skip the parse
    tree = ast.parse(source, filename=path)
    lines = source.splitlines()
    found: list[CodeTarget] = []
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for func in cls.body:
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or not func.body:
                continue
            body = list(func.body)
            docstring = ast.get_docstring(func, clean=True) or ""
            header_end = body[0].lineno - 1
            if docstring:
                header_end = body[0].end_lineno or body[0].lineno
                body = body[1:]
            if not body:
                continue
            hint = _not_implemented_hint(body)
            not_implemented = hint is not None
            if hint is None:
                hint = _legacy_hint(lines, header_end, body[0].lineno)
            if hint is None:
                continue
            header_last = (func.body[0].lineno - 1) if func.body else func.lineno
            header = "\n".join(lines[func.lineno - 1 : header_last]).strip("\n")
            decorators = [lines[d.lineno - 1].strip() for d in func.decorator_list]
            found.append(
                CodeTarget(
                    file=path,
                    class_name=cls.name,
                    method=func.name,
                    header="\n".join([*decorators, textwrap.dedent(header)]),
                    docstring=docstring,
                    hint=hint or f"implement {func.name}",
                    body_start=header_end + 1,
                    body_end=func.end_lineno or body[-1].lineno,
                    indent=" " * (body[0].col_offset),
                    not_implemented=not_implemented,
                )
            )
    return tuple(found)


def find_all_targets(files: Mapping[str, str]) -> tuple[CodeTarget, ...]:
    """Targets of every non-test Python module of a node (path -> source)."""
    targets: list[CodeTarget] = []
    for path in sorted(files):
        posix = PurePosixPath(path)
        if posix.suffix != ".py" or posix.parts[0] == "tests":
            continue
        targets.extend(find_targets(path, files[path]))
    return tuple(targets)


def check_body(target: CodeTarget, body: str) -> str:
    """``body`` dedented, checked to parse as the body of ``target``; CodeAnswerError if not."""
    text = textwrap.dedent(body).strip("\n")
    if not text.strip():
        raise CodeAnswerError(f"{target.key}: the body is empty")
    wrapped = "async def _candidate():\n" + textwrap.indent(text, "    ") + "\n"
    try:
        tree = ast.parse(wrapped)
    except SyntaxError as exc:
        line = (exc.lineno or 2) - 1
        raise CodeAnswerError(
            f"{target.key}: the body does not parse (line {line}: {exc.msg})"
        ) from None
    func = tree.body[0]
    assert isinstance(func, ast.AsyncFunctionDef)
    if _not_implemented_hint(func.body) is not None:
        raise CodeAnswerError(f"{target.key}: the body still raises 'not implemented'")
    return text


def check_import(statement: str) -> str:
    """One ``import``/``from ... import`` line, or CodeAnswerError."""
    text = statement.strip()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        raise CodeAnswerError(f"import {text!r} does not parse") from None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Import | ast.ImportFrom):
        raise CodeAnswerError(f"{text!r} is not a single import statement")
    return text


def apply_bodies(
    source: str,
    targets: Sequence[CodeTarget],
    bodies: Mapping[str, str],
    imports: Sequence[str] = (),
) -> str:
    """``source`` with each target's body (by key) replaced and ``imports`` added; parsed again."""
    lines = source.splitlines()
    for target in sorted(targets, key=lambda t: t.body_start, reverse=True):
        body = bodies.get(target.key)
        if body is None:
            continue
        new = textwrap.indent(body, target.indent).splitlines()
        lines[target.body_start - 1 : target.body_end] = new
    wanted = [i for i in dict.fromkeys(imports) if i not in lines]
    if wanted:
        tree = ast.parse(source)
        last_import = max(
            (
                node.end_lineno or node.lineno
                for node in tree.body
                if isinstance(node, ast.Import | ast.ImportFrom)
            ),
            default=0,
        )
        if last_import == 0 and ast.get_docstring(tree) is not None:
            last_import = tree.body[0].end_lineno or 1
        lines[last_import:last_import] = wanted
    result = "\n".join(lines) + "\n"
    try:
        ast.parse(result)
    except SyntaxError as exc:
        raise CodeAnswerError(f"the module does not parse after the change: {exc.msg}") from None
    return result
