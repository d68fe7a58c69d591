"""The escaping filters: whatever the text, the output is inert in its context."""

from __future__ import annotations

import ast
import keyword

import jinja2
import pytest
import yaml

from onexgen.rendering import escaping
from onexgen.rendering.engine import UnescapedUserTextError, create_environment

NASTY = [
    "",
    "plain",
    'double "quotes"',
    "single 'quotes'",
    "both ' and \"",
    'triple """ quotes """',
    "triple ''' quotes",
    "back\\slash\\",
    "\\N{BULLET} \\x41 \\u1234",
    "{{ 7*7 }} {% if True %}x{% endif %} {# c #}",
    "line\nbreak\r\nand\ttab",
    "nul \x00 bell \x07 esc \x1b",
    "unicode \u00e9t\u00e9 \U0001f600 \u2028 \u2029 \u200b",
    "lone surrogate \ud800 end",
    "ends with backslash \\",
    "x" * 10_000,
]


@pytest.mark.parametrize("text", NASTY)
def test_py_str_round_trips(text: str) -> None:
    literal = escaping.py_str(text)
    expected = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert ast.literal_eval(literal) == expected
    assert "\n" not in literal
    ast.parse(f"x = {literal}\n")


def test_py_str_prefers_the_quote_ruff_prefers() -> None:
    assert escaping.py_str("a") == '"a"'
    assert escaping.py_str('say "hi"') == "'say \"hi\"'"


@pytest.mark.parametrize("text", NASTY)
def test_py_docstring_is_safe_inside_triple_quotes(text: str) -> None:
    body = escaping.py_docstring(text, indent=4)
    source = f'def f() -> None:\n    """{body}"""\n'
    tree = ast.parse(source)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    doc = ast.get_docstring(function)
    assert doc is not None
    assert '"' not in doc
    assert "\\" not in doc
    assert "\x00" not in doc
    assert len(escaping.py_docstring(text)) <= escaping.DOCSTRING_MAX_CHARS + 100


@pytest.mark.parametrize("text", NASTY)
def test_py_comment_is_one_line(text: str) -> None:
    comment = escaping.py_comment(text)
    assert "\n" not in comment
    assert "\r" not in comment
    assert len(comment) <= escaping.COMMENT_MAX_CHARS
    tree = ast.parse(f"x = 1  # {comment}\ny = 2\n")
    assert len(tree.body) == 2


@pytest.mark.parametrize("text", NASTY)
def test_yaml_scalar_round_trips(text: str) -> None:
    scalar = escaping.yaml_scalar(text)
    assert "\n" not in scalar
    loaded = yaml.safe_load(f"key: {scalar}\nother: 1\n")
    expected = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert loaded == {"key": expected, "other": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("User Events", "user_events"),
        ("PostgresWriter", "postgres_writer"),
        ("class", "class_"),
        ("match", "match_"),
        ("3d printer", "n_3d_printer"),
        ("../../etc/passwd", "etc_passwd"),
        ("", "value"),
        ("\u00e9t\u00e9", "ete"),
    ],
)
def test_identifier(text: str, expected: str) -> None:
    assert escaping.identifier(text) == expected


@pytest.mark.parametrize("text", NASTY)
def test_identifier_and_filename_are_always_valid(text: str) -> None:
    name = escaping.identifier(text)
    assert name.isidentifier()
    assert not keyword.iskeyword(name)
    file = escaping.filename(text)
    assert "/" not in file
    assert "\\" not in file
    assert file not in {"", ".", ".."}
    assert escaping.pascal(text).isidentifier()


@pytest.mark.parametrize("text", NASTY)
def test_md_text_has_no_markup_breakers(text: str) -> None:
    out = escaping.md_text(text)
    assert "\n" not in out
    assert "<" not in out
    assert "`" not in out


def test_user_text_must_be_filtered() -> None:
    env = create_environment()
    data = escaping.UserText("{{ 7*7 }}")
    with pytest.raises(UnescapedUserTextError):
        env.from_string("{{ value }}").render(value=data)
    assert env.from_string("{{ value | py_str }}").render(value=data) == '"{{ 7*7 }}"'


def test_user_text_is_never_evaluated_as_template() -> None:
    env = create_environment()
    out = env.from_string("{{ value | py_comment }}").render(
        value=escaping.UserText("{{ 7*7 }} {% raw %}")
    )
    assert "49" not in out
    assert out == "{{ 7*7 }} {% raw %}"


def test_undefined_variables_fail_loudly() -> None:
    env = create_environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
