"""Names keep their casing and acronyms and always become valid, non-keyword identifiers."""

from __future__ import annotations

import keyword

import pytest

from onexgen.parsing.names import split_words, to_pascal_case, to_snake_case


@pytest.mark.parametrize(
    ("pascal", "snake"),
    [
        ("PostgresCRUD", "postgres_crud"),
        ("RestAPI", "rest_api"),
        ("APIClient", "api_client"),
        ("HttpClient", "http_client"),
        ("SQLConnector", "sql_connector"),
        ("PostgreSQLWriter", "postgresql_writer"),
        ("User2ServiceV3", "user2_service_v3"),
        ("S3Uploader", "s3_uploader"),
        ("GitHubClient", "github_client"),
    ],
)
def test_pascal_to_snake(pascal: str, snake: str) -> None:
    assert to_snake_case(pascal) == snake


@pytest.mark.parametrize(
    ("snake", "pascal"),
    [
        ("postgres_crud", "PostgresCRUD"),
        ("rest_api", "RestAPI"),
        ("api_client", "APIClient"),
        ("postgresql_writer", "PostgreSQLWriter"),
        ("order_events", "OrderEvents"),
    ],
)
def test_snake_to_pascal_restores_acronyms_and_brands(snake: str, pascal: str) -> None:
    assert to_pascal_case(snake) == pascal


@pytest.mark.parametrize("name", ["PostgresCRUD", "RestAPI", "APIClient", "PostgreSQLWriter"])
def test_round_trip(name: str) -> None:
    assert to_pascal_case(to_snake_case(name)) == name


def test_stated_pascal_name_is_kept_exactly() -> None:
    assert to_pascal_case("HttpClient") == "HttpClient"
    assert to_pascal_case("CRUDOperationHandler") == "CRUDOperationHandler"


@pytest.mark.parametrize("raw", ["class", "None", "match", "2fa handler", "import", "True"])
def test_results_are_valid_identifiers_never_keywords(raw: str) -> None:
    pascal, snake = to_pascal_case(raw), to_snake_case(raw)
    for value in (pascal, snake):
        assert value.isidentifier()
        assert not keyword.iskeyword(value)
        assert not keyword.issoftkeyword(value)
    assert pascal[0].isupper()
    assert snake == snake.lower()


def test_non_ascii_and_punctuation_are_dropped() -> None:
    assert to_pascal_case("café order-writer") == "CafeOrderWriter"
    assert split_words("Test@Node#") == ["Test", "Node"]
