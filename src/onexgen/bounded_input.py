"""The one loader for every YAML or JSON file a user gives us (contracts, requirements, specs).

Why: these files come from outside, and a 500-byte YAML alias bomb or a 756k-entry list must be
refused before any work is spent on it, not after gigabytes of expansion. So the loader checks,
in this order and each against a budget: the file size (before reading), the parser's event
stream (depth and event count, before anything is built), the composed node graph (the size it
would have with every alias expanded, and every collection's length), and only then builds the
Python values. A non-finite number is refused wherever it is, and every error names the file and
the field (``spec.yaml: nodes[3].timeout_ms: ...``). Invisible characters (terminal escapes,
bidi overrides, zero-width) are dropped from every string.
"""

from __future__ import annotations

import json
import math
import os
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from onexgen.invisible_chars import strip_invisible

if TYPE_CHECKING:
    from pathlib import Path


class ModelInputLimits(BaseModel):
    """How big a user's input file may be; generous for a node description, tiny for a bomb."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: int = 1_000_000
    max_depth: int = 32
    max_items: int = 5_000
    """Entries of one list or mapping."""
    max_nodes: int = 100_000
    """Values in the whole document with every alias expanded."""


DEFAULT_LIMITS = ModelInputLimits()


class InputFileError(ValueError):
    """The file cannot be used; the message is one line naming the file (and field)."""


def read_bounded_text(path: Path, what: str, limits: ModelInputLimits = DEFAULT_LIMITS) -> str:
    """The text of ``path``, refused before reading when it is larger than the limit."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limits.max_bytes:
                raise InputFileError(_too_big(path, what, size, limits))
            data = handle.read(limits.max_bytes + 1)  # a file that grows meanwhile
    except FileNotFoundError:
        raise InputFileError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, expected a {what}") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if len(data) > limits.max_bytes:
        raise InputFileError(_too_big(path, what, len(data), limits))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the {what} as UTF-8"
        ) from None


def load_structured_file(path: Path, what: str, limits: ModelInputLimits = DEFAULT_LIMITS) -> Any:
    """Parse ``path`` (JSON for ``.json``, YAML otherwise) within ``limits``; see the module."""
    text = read_bounded_text(path, what, limits)
    if path.suffix.lower() == ".json":
        return load_json_text(text, str(path), limits)
    return load_yaml_text(text, str(path), limits)


def load_json_text(text: str, source: str, limits: ModelInputLimits = DEFAULT_LIMITS) -> Any:
    """Parse JSON text within ``limits``; errors start with ``source``."""
    if len(text) > limits.max_bytes:
        raise InputFileError(_too_big(source, "file", len(text), limits))
    _check_json_depth(text, source, limits)
    try:
        data = json.loads(text, parse_constant=_refuse_constant(source))
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    _check_values(data, source, limits)
    return _visible(data)


def load_yaml_text(text: str, source: str, limits: ModelInputLimits = DEFAULT_LIMITS) -> Any:
    """Parse YAML text within ``limits`` (safe tags only); errors start with ``source``."""
    import yaml

    if len(text) > limits.max_bytes:
        raise InputFileError(_too_big(source, "file", len(text), limits))
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        _check_yaml_events(yaml.parse(text, Loader=loader_class), source, limits)
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_graph(node, source, limits)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise InputFileError(f"{source}: invalid YAML: {where}{problem}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        if isinstance(exc, InputFileError):
            raise
        raise InputFileError(f"{source}: invalid YAML value: {_short(str(exc))}") from None
    _check_values(data, source, limits)
    return _visible(data)


# -- budgets -----------------------------------------------------------------------------------


def _too_big(source: object, what: str, size: int, limits: ModelInputLimits) -> str:
    return (
        f"{source}: {size} bytes is larger than the {limits.max_bytes} bytes a {what} may have; "
        "split it or remove what is not needed"
    )


def _check_json_depth(text: str, source: str, limits: ModelInputLimits) -> None:
    """Refuse nesting deeper than the limit before ``json`` recurses into it."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limits.max_depth:
                raise InputFileError(_too_deep(source, limits))
        elif char in "]}":
            depth -= 1


def _too_deep(source: str, limits: ModelInputLimits) -> str:
    return f"{source}: nested deeper than {limits.max_depth} levels; flatten the structure"


def _check_yaml_events(events: Any, source: str, limits: ModelInputLimits) -> None:
    import yaml

    depth = documents = 0
    budget = limits.max_nodes
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limits.max_depth:
                raise InputFileError(_too_deep(source, limits))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise InputFileError(f"{source}: holds several YAML documents; keep one")
        budget -= 1
        if budget < 0:
            raise InputFileError(_too_many(source, limits))


def _too_many(source: str, limits: ModelInputLimits) -> str:
    return (
        f"{source}: more than {limits.max_nodes} values (aliases expanded); "
        "this is not a node description"
    )


def _check_graph(root: Any, source: str, limits: ModelInputLimits) -> None:
    """Size of the document with every alias expanded, without expanding anything.

    Each distinct node is visited once (aliases share nodes), so a bomb costs what its text does.
    """
    import yaml

    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            total = 1 + sum(sizes[id(child)] for child in children)
            if total > limits.max_nodes:
                raise InputFileError(_too_many(source, limits))
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise InputFileError(f"{source}: an alias refers to itself; remove the cycle")
        if isinstance(node, yaml.CollectionNode) and len(node.value) > limits.max_items:
            raise InputFileError(_too_long(source, _mark(node), len(node.value), limits))
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _mark(node: Any) -> str:
    mark = getattr(node, "start_mark", None)
    return f"line {mark.line + 1}" if mark is not None else "a collection"


def _too_long(source: str, where: str, count: int, limits: ModelInputLimits) -> str:
    return (
        f"{source}: {where}: {count} entries, more than the {limits.max_items} one list or "
        "mapping may have"
    )


def _refuse_constant(source: str) -> Any:
    def refuse(name: str) -> Any:
        raise InputFileError(f"{source}: {name} is not a number a node can use")

    return refuse


def _check_values(data: Any, source: str, limits: ModelInputLimits) -> None:
    """Walk the built values once: lengths, non-finite numbers, key types; name the field."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    seen: set[int] = set()
    count = 0
    while stack:
        value, where, depth = stack.pop()
        count += 1
        if count > limits.max_nodes:
            raise InputFileError(_too_many(source, limits))
        if depth > limits.max_depth:
            raise InputFileError(_too_deep(source, limits))
        if isinstance(value, float) and not math.isfinite(value):
            raise InputFileError(
                f"{source}: {where or '(top level)'}: {value} is not a finite number"
            )
        if isinstance(value, dict | list) and id(value) in seen:
            continue  # an alias to a value already checked
        if isinstance(value, dict):
            seen.add(id(value))
            if len(value) > limits.max_items:
                raise InputFileError(_too_long(source, where or "(top level)", len(value), limits))
            for key, item in value.items():
                if not isinstance(key, str | int) or isinstance(key, bool):
                    raise InputFileError(
                        f"{source}: {where or '(top level)'}: key {_short(repr(key))} must be "
                        "a string"
                    )
                stack.append((item, f"{where}.{key}" if where else str(key), depth + 1))
        elif isinstance(value, list):
            seen.add(id(value))
            if len(value) > limits.max_items:
                raise InputFileError(_too_long(source, where or "(top level)", len(value), limits))
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))


def _visible(data: Any) -> Any:
    """``data`` with terminal escapes, bidi-override and zero-width characters dropped from
    every string (keys too), so none of them reaches a generated file; sizes are checked."""
    if isinstance(data, str):
        return strip_invisible(data)
    if isinstance(data, dict):
        return {_visible(key): _visible(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_visible(item) for item in data]
    return data


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
