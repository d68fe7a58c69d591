"""Context-aware escaping: the only way user text reaches a generated file.

Every filter takes arbitrary text (quotes, backslashes, NUL, line breaks, template syntax, lone
surrogates...) and returns text that is inert in its target context. ``UserText`` marks strings of
user origin; the engine refuses to print one that has not passed through a filter.
"""

from __future__ import annotations

import keyword
import re
import textwrap
import unicodedata

import yaml

from onexgen.invisible_chars import strip_invisible
from onexgen.rendering.formatting import DEFAULT_LINE_LENGTH

__all__ = [
    "UserText",
    "clean_text",
    "filename",
    "fit_docstring",
    "identifier",
    "md_text",
    "pascal",
    "py_comment",
    "py_docstring",
    "py_str",
    "snake",
    "strip_invisible",
    "yaml_scalar",
]

_WS = re.compile(r"\s+")
_NON_IDENT = re.compile(r"[^0-9a-z]+")
_PASCAL_NAME = re.compile(r"[A-Z][A-Za-z0-9]{0,79}")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
DOCSTRING_WIDTH = 72
_QUOTES = 3
DOCSTRING_MAX_CHARS = 600
COMMENT_MAX_CHARS = 72


class UserText(str):
    """A string that came from the user: printable in a template only through a filter."""

    __slots__ = ()


def clean_text(value: str) -> str:
    """One line of printable text: escapes, controls, bidi and zero-width characters removed."""
    kept: list[str] = []
    for char in strip_invisible(value):
        if char.isspace() or unicodedata.category(char) in {"Zl", "Zp"}:
            kept.append(" ")
        else:
            kept.append(char)
    return _WS.sub(" ", "".join(kept)).strip()


def _truncate(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[: limit - 3].rstrip() + "..."


def _python_quote(value: str) -> str:
    """The quote ruff format would choose: double, unless that needs more escapes."""
    return "'" if value.count('"') > value.count("'") else '"'


def py_str(value: str) -> str:
    """A Python string literal equal to ``value`` (round-trips through ``ast.literal_eval``)."""
    text = str(value).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    quote = _python_quote(text)
    out: list[str] = [quote]
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == quote:
            out.append("\\" + quote)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable() or unicodedata.category(char) in {"Zl", "Zp"}:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    out.append(quote)
    return "".join(out)


def _docstring_safe(value: str) -> str:
    return value.replace("\\", "/").replace('"', "'")


def py_docstring(value: str, indent: int = 0) -> str:
    """Docstring body text: one paragraph wrapped at 72 columns, no quotes or backslashes.

    Double quotes become single quotes and backslashes slashes, so neither the closing
    triple quote nor an escape sequence can be formed; continuation lines get ``indent`` spaces.
    """
    text = _truncate(_docstring_safe(clean_text(value)), DOCSTRING_MAX_CHARS)
    if not text:
        return "No description."
    lines = textwrap.wrap(text, width=DOCSTRING_WIDTH, break_long_words=True)
    pad = " " * indent
    return ("\n" + pad).join(lines)


def fit_docstring(value: str, indent: int = 0, line_length: int = DEFAULT_LINE_LENGTH) -> str:
    """A docstring body whose lines all fit ``line_length`` once placed at ``indent``.

    For template prose that embeds names (``Handlers of the <service> node...``): a name-derived
    line can outgrow the line length, which ruff reports as E501. Lines that fit stay as written;
    a longer one is wrapped at word boundaries (names are never split). A wrapped one-line
    docstring gets its closing quotes on their own line. Escaping is not this filter's job: user
    text inside must already have passed ``py_docstring``.
    """
    lines = value.split("\n")
    single = len(lines) == 1
    pad = " " * indent
    out: list[str] = []
    for index, line in enumerate(lines):
        lead = pad + '"' * _QUOTES if index == 0 else line[: len(line) - len(line.lstrip())]
        text = line.strip() if index else line
        tail = _QUOTES if single else 0
        if len(lead) + len(text) + tail <= line_length or not text:
            out.append(line)
            continue
        room = max(line_length - len(lead) - tail, 20)
        pieces = textwrap.wrap(text, width=room, break_long_words=False, break_on_hyphens=False)
        continuation = pad if index == 0 else lead
        out.append(pieces[0] if index == 0 else lead + pieces[0])
        out.extend(continuation + piece for piece in pieces[1:])
    if single and len(out) > 1:
        out.append(pad)
    return "\n".join(out)


def py_comment(value: str) -> str:
    """Text for one ``#`` comment line."""
    return _truncate(clean_text(value), COMMENT_MAX_CHARS) or "-"


def md_text(value: str) -> str:
    """One Markdown paragraph: no raw HTML, no line breaks that start headings or fences."""
    text = clean_text(value)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")
        or "-"
    )


def yaml_scalar(value: str) -> str:
    """A double-quoted YAML scalar equal to ``value`` (PyYAML's own emitter escapes it)."""
    text = str(value).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    dumped = yaml.safe_dump(text, default_style='"', width=1_000_000, allow_unicode=False)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def identifier(value: str) -> str:
    """A snake_case Python identifier from any text; never a keyword, never a leading digit."""
    text = unicodedata.normalize("NFKD", clean_text(str(value)))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = _CAMEL_BOUNDARY.sub("_", text).lower()
    name = _NON_IDENT.sub("_", text).strip("_") or "value"
    if name[0].isdigit():
        name = f"n_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_"
    return name


def snake(value: str, suffix: str = "op") -> str:
    """A snake_case name without trailing underscore; keywords get ``_<suffix>`` appended."""
    name = identifier(value).rstrip("_")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_{suffix}"
    return name


def pascal(value: str) -> str:
    """A PascalCase class-name part from any text; a valid PascalCase name keeps its acronyms."""
    text = str(value)
    if _PASCAL_NAME.fullmatch(text) and not keyword.iskeyword(text):
        return text
    parts = identifier(value).rstrip("_").split("_")
    name = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return name if name and not name[0].isdigit() else f"N{name}"


def filename(value: str) -> str:
    """A single safe file-name component: no separators, no dot segments, ASCII only."""
    return identifier(value).rstrip("_") or "file"
