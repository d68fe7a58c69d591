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


LONG_NAME = "workflow_step_coordinator_with_a_very_long_service_name"


@pytest.mark.parametrize("indent", [0, 4, 8])
@pytest.mark.parametrize("line_length", [79, 88, 100])
def test_fit_docstring_keeps_every_line_within_the_line_length(
    indent: int, line_length: int
) -> None:
    text = f"Typed events of the {LONG_NAME} node, carried in omnibase_core's ModelEventEnvelope."
    body = escaping.fit_docstring(text, indent, line_length)
    pad = " " * indent
    source = f'def f():\n{pad}"""{body}"""\n' if indent else f'"""{body}"""\n'
    lines = source.splitlines()
    assert all(len(line) <= line_length for line in lines), lines
    assert LONG_NAME in body  # names are never split
    assert lines[-1].strip() == '"""'  # a wrapped one-liner closes on its own line
    if indent:
        tree = ast.parse(source)
        assert isinstance(tree.body[0], ast.FunctionDef)
        assert " ".join((ast.get_docstring(tree.body[0]) or "").split()) == text
    else:
        assert " ".join((ast.get_docstring(ast.parse(source)) or "").split()) == text


def test_fit_docstring_leaves_fitting_lines_alone() -> None:
    text = "Short summary.\n\n    An indented line that fits.\n"
    assert escaping.fit_docstring(text, 4) == text
    assert escaping.fit_docstring("One line.") == "One line."


def test_fit_docstring_wraps_a_long_body_line_at_its_own_indent() -> None:
    long_line = "    " + " ".join(["word"] * 30)
    body = escaping.fit_docstring(f"Summary.\n\n{long_line}\n    ", 4, 88)
    lines = body.split("\n")
    assert all(len(line) <= 88 for line in lines)
    assert all(line.startswith("    word") for line in lines[2:-1])


def test_fit_docstring_filter_follows_the_render_line_length() -> None:
    env = create_environment()
    template = env.from_string('"""{% filter fit_docstring %}{{ words }}{% endfilter %}"""')
    words = " ".join(["word"] * 20)  # 99 characters
    assert "\n" in template.render(words=words)
    assert "\n" not in template.render(words=words, line_length=120)


def test_fit_docstring_refuses_unescaped_user_text() -> None:
    env = create_environment()
    with pytest.raises(UnescapedUserTextError):
        env.from_string("{{ text | fit_docstring }}").render(text=escaping.UserText("x"))


def test_a_name_ending_in_its_kind_gets_no_second_kind_suffix() -> None:
    from onexgen.contracts.naming import node_names
    from onexgen.models.enums import EnumNodeKind

    names = node_names(
        EnumNodeKind.ORCHESTRATOR, "OrderHistoryOrchestrator", "order_history_orchestrator", "x"
    )
    assert names.package == "node_order_history_orchestrator"
    assert names.node_class == "NodeOrderHistoryOrchestrator"
    plain = node_names(EnumNodeKind.EFFECT, "RedisSessionStore", "redis_session_store", "x")
    assert plain.package == "node_redis_session_store_effect"
    assert plain.node_class == "NodeRedisSessionStoreEffect"
