"""One resilient way to ask an OpenAI-compatible model for a structured (JSON) answer.

Why each piece: the ``openai`` SDK speaks to OpenAI, vLLM, llama.cpp's server and Ollama alike;
tenacity retries 429 and 5xx with exponential backoff, honouring ``Retry-After``; omnibase_core's
``ModelCircuitBreaker`` opens after an endpoint failed (after its retries), so a dead or hanging
endpoint costs one timeout per breaker window instead of one per node. Answers are validated
against a pydantic schema; a wrong answer is :class:`LLMAnswerError` (the caller may ask again),
an unreachable model is :class:`LLMUnavailableError` (the caller degrades to templates).

The API key goes to the SDK only; every message this module produces is passed through
``settings.redact``.
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai
from omnibase_core.models.configuration.model_circuit_breaker import ModelCircuitBreaker
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from onexgen.models.strategy import ModelLLMCall

if TYPE_CHECKING:
    from onexgen.llm.settings import ModelLLMSettings


class LLMError(RuntimeError):
    """Base of model trouble; ``call`` records what the attempt cost."""

    def __init__(self, message: str, call: ModelLLMCall) -> None:
        super().__init__(message)
        self.call = call


class LLMUnavailableError(LLMError):
    """The endpoint could not answer (down, slow, overloaded, circuit open)."""


class LLMAnswerError(LLMError):
    """The model answered, but not with valid JSON of the requested shape."""


@dataclass(frozen=True, slots=True)
class LLMReply[T: BaseModel]:
    """A validated answer and what it cost."""

    value: T
    call: ModelLLMCall


def _retryable(exc: BaseException) -> bool:
    """429 and 5xx are worth another try; timeouts are not (each costs a full timeout)."""
    if isinstance(exc, openai.RateLimitError | openai.InternalServerError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The server's ``Retry-After`` (seconds or an HTTP date), if it sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class LLMClient:
    """Asks models for JSON answers; one instance (one breaker) per CLI invocation or service."""

    def __init__(self, settings: ModelLLMSettings) -> None:
        self.settings = settings
        api_key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._client = openai.AsyncOpenAI(
            base_url=settings.base_url,
            api_key=api_key,
            timeout=settings.timeout_seconds,
            max_retries=0,  # tenacity retries, so Retry-After and the breaker see every attempt
        )
        self.breaker = ModelCircuitBreaker(
            failure_threshold=1,
            minimum_request_threshold=1,
            timeout_seconds=settings.breaker_window_seconds,
        )

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        told = retry_after_seconds(exc)
        backoff = min(0.5 * 2 ** (state.attempt_number - 1), 8.0)
        return min(told if told is not None else backoff, self.settings.max_retry_wait_seconds)

    async def ask[T: BaseModel](
        self, *, model: str, stage: str, system: str, user: str, schema: type[T]
    ) -> LLMReply[T]:
        """One structured answer from ``model``, validated against ``schema``."""
        started = time.perf_counter()
        attempts = 0

        def record(outcome: str, detail: str = "", usage: Any = None) -> ModelLLMCall:
            return ModelLLMCall(
                stage=stage,
                model=model,
                outcome=outcome,
                latency_ms=round((time.perf_counter() - started) * 1000.0, 3),
                attempts=attempts,
                prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                detail=self.settings.redact(detail),
            )

        if not self.breaker.should_allow_request():
            raise LLMUnavailableError(
                f"the model endpoint failed recently; circuit open for up to "
                f"{self.settings.breaker_window_seconds} s",
                record("unavailable", "circuit open"),
            )
        messages: list[Any] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        limit = self.settings.max_output_tokens
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.settings.max_retries + 1),
                wait=self._wait,
                retry=retry_if_exception(_retryable),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    completion = await self._client.chat.completions.create(
                        model=model,
                        messages=messages,
                        temperature=0,
                        response_format={"type": "json_object"},
                        max_tokens=openai.omit if limit is None else limit,
                    )
        except openai.APIError as exc:
            self.breaker.record_failure()
            reason = _describe(exc)
            raise LLMUnavailableError(
                self.settings.redact(f"model {model!r} unavailable: {reason}"),
                record("unavailable", reason),
            ) from None
        self.breaker.record_success()
        usage = completion.usage
        choice = completion.choices[0] if completion.choices else None
        content = choice.message.content if choice is not None else None
        if not content:
            raise LLMAnswerError(
                f"model {model!r} sent an empty answer", record("invalid_answer", "empty", usage)
            )
        try:
            value = schema.model_validate_json(_strip_fence(content))
        except ValidationError as exc:
            reason = _validation_reason(exc)
            raise LLMAnswerError(
                self.settings.redact(f"model {model!r} answered with invalid JSON: {reason}"),
                record("invalid_answer", reason, usage),
            ) from None
        return LLMReply(value, record("ok", "", usage))


def _strip_fence(content: str) -> str:
    """Models often wrap JSON in a Markdown fence despite being asked not to."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.removesuffix("```").rstrip().removesuffix("```")
    return text


def _validation_reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
    return f"{where}: {first.get('msg', '')}"[:300]


def _describe(exc: openai.APIError) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return type(exc).__name__


def as_json_schema(schema: type[BaseModel]) -> str:
    """The compact JSON schema text the prompts show the model."""
    return json.dumps(schema.model_json_schema(), separators=(",", ":"), sort_keys=True)
