"""The model client against a real scripted HTTP server, through the real openai SDK."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from onexgen.llm.client import LLMAnswerError, LLMClient, LLMUnavailableError
from onexgen.llm.schemas import ModelRequirementsAnswer
from onexgen.llm.settings import ModelLLMSettings

from .conftest import ok

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .conftest import ScriptedServer

    type Start = Callable[[dict[str, list[dict[str, Any]]]], ScriptedServer]

KEY = "sk-test-do-not-leak-0123456789"
GOOD = {"node_type": "compute", "operations": ["calculate"], "reason": "pure maths"}


def _ask(url: str, **settings: Any) -> tuple[LLMClient, ModelRequirementsAnswer | Exception]:
    client = LLMClient(
        ModelLLMSettings(base_url=url, api_key=SecretStr(KEY), model="m1", **settings)
    )

    async def call() -> ModelRequirementsAnswer | Exception:
        try:
            reply = await client.ask(
                model="m1",
                stage="understanding",
                system="s",
                user="u",
                schema=ModelRequirementsAnswer,
            )
        except (LLMAnswerError, LLMUnavailableError) as exc:
            return exc
        finally:
            await client.close()
        return reply.value

    return client, asyncio.run(call())


def test_a_good_answer_is_validated_and_costed(llm_server: Start) -> None:
    server = llm_server({"*": [ok(GOOD)]})
    _, answer = _ask(server.base_url)
    assert answer == ModelRequirementsAnswer.model_validate(GOOD)
    (request,) = server.requests()
    assert request["model"] == "m1"
    assert request["authorization"]
    assert request["max_tokens"] is None  # no cap unless one is configured


def test_the_answer_cap_reaches_the_server(llm_server: Start) -> None:
    server = llm_server({"*": [ok(GOOD)]})
    _, answer = _ask(server.base_url, max_output_tokens=512)
    assert isinstance(answer, ModelRequirementsAnswer)
    assert [r["max_tokens"] for r in server.requests()] == [512]


def test_invalid_json_is_an_answer_error_not_an_outage(llm_server: Start) -> None:
    server = llm_server({"*": [ok("{'node_type': compute")]})
    client, error = _ask(server.base_url)
    assert isinstance(error, LLMAnswerError)
    assert "invalid JSON" in str(error)
    assert error.call.outcome == "invalid_answer"
    assert client.breaker.should_allow_request()


def test_500s_are_retried_then_reported_unavailable(llm_server: Start) -> None:
    server = llm_server({"*": [{"status": 500}]})
    _, error = _ask(server.base_url, max_retries=2, max_retry_wait_seconds=0.05)
    assert isinstance(error, LLMUnavailableError)
    assert "HTTP 500" in str(error)
    assert error.call.attempts == 3
    assert len(server.requests()) == 3


def test_429_waits_as_long_as_retry_after_says(llm_server: Start) -> None:
    server = llm_server({"*": [{"status": 429, "retry_after": "1"}, ok(GOOD)]})
    started = time.perf_counter()
    _, answer = _ask(server.base_url)
    assert isinstance(answer, ModelRequirementsAnswer)
    assert time.perf_counter() - started >= 1.0
    assert len(server.requests()) == 2


def test_a_slow_model_times_out_once_then_the_breaker_answers(llm_server: Start) -> None:
    server = llm_server({"*": [ok(GOOD, delay=3.0)]})
    client = LLMClient(ModelLLMSettings(base_url=server.base_url, model="m1", timeout_seconds=0.5))

    async def twice() -> list[BaseException | None]:
        outcomes: list[BaseException | None] = []
        for _ in range(2):
            try:
                await client.ask(
                    model="m1", stage="code", system="s", user="u", schema=ModelRequirementsAnswer
                )
                outcomes.append(None)
            except LLMUnavailableError as exc:
                outcomes.append(exc)
        await client.close()
        return outcomes

    started = time.perf_counter()
    first, second = asyncio.run(twice())
    assert isinstance(first, LLMUnavailableError)
    assert "timed out" in str(first)
    assert isinstance(second, LLMUnavailableError)
    assert "circuit open" in str(second)
    assert time.perf_counter() - started < 2.5  # one timeout, not two
    assert len(server.requests()) == 1


def test_connection_refused_is_unavailable_and_never_shows_the_key(refused_url: str) -> None:
    _, error = _ask(refused_url)
    assert isinstance(error, LLMUnavailableError)
    assert "connection failed" in str(error)
    assert KEY not in str(error)
    assert KEY not in error.call.model_dump_json()


@pytest.mark.parametrize("fenced", ["```json\n{}\n```", "```\n{}\n```"])
def test_markdown_fences_around_json_are_tolerated(llm_server: Start, fenced: str) -> None:
    import json

    server = llm_server({"*": [ok(fenced.replace("{}", json.dumps(GOOD)))]})
    _, answer = _ask(server.base_url)
    assert isinstance(answer, ModelRequirementsAnswer)


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    import email.utils

    import httpx2 as httpx
    import openai

    from onexgen.llm.client import retry_after_seconds

    def error(value: str | None) -> openai.RateLimitError:
        headers = {"retry-after": value} if value is not None else {}
        request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
        response = httpx.Response(429, headers=headers, request=request)
        return openai.RateLimitError("slow down", response=response, body=None)

    assert retry_after_seconds(error("2.5")) == 2.5
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after_seconds(error(later)) or 0) <= 31
    assert retry_after_seconds(error(None)) is None
    assert retry_after_seconds(error("whenever")) is None
    assert retry_after_seconds(ValueError("no response")) is None
