"""Strategy resolution and settings: auto's choice, usage errors, the key kept secret."""

from __future__ import annotations

import pytest

from onexgen.llm.settings import (
    LLMConfigurationError,
    ModelLLMSettings,
    resolve_strategy,
    settings_from_env,
)
from onexgen.models.strategy import EnumGenerationStrategy as S
from onexgen.models.strategy import ModelLLMCall, summarise_usage

ENV = {
    "ONEXGEN_LLM_BASE_URL": "http://127.0.0.1:1/v1",
    "ONEXGEN_LLM_API_KEY": "sk-hidden-777",
    "ONEXGEN_LLM_MODEL": "env-model",
}


def test_auto_is_hybrid_with_a_model_and_jinja2_without() -> None:
    configured = settings_from_env(ENV)
    choice = resolve_strategy("auto", configured)
    assert choice.used is S.HYBRID
    assert "env-model" in choice.reason
    bare = resolve_strategy("auto", settings_from_env({}))
    assert bare.used is S.JINJA2
    assert bare.reason.startswith("auto: no model configured")


def test_the_command_line_model_wins_and_quorum_models_write_code() -> None:
    assert settings_from_env(ENV, model="cli-model").code_models == ("cli-model",)
    quorum = settings_from_env(ENV, enable_quorum=True, quorum_models="a, b,c")
    assert quorum.code_models == ("a", "b", "c")
    with pytest.raises(LLMConfigurationError, match="at least two models"):
        settings_from_env(ENV, enable_quorum=True, quorum_models="solo")


@pytest.mark.parametrize(
    ("env", "message"),
    [({}, "ONEXGEN_LLM_BASE_URL"), ({"ONEXGEN_LLM_BASE_URL": "http://x/v1"}, "--llm-model")],
)
def test_hybrid_and_llm_need_an_endpoint_and_a_model(env: dict[str, str], message: str) -> None:
    for strategy in ("hybrid", "llm"):
        with pytest.raises(LLMConfigurationError, match=message):
            resolve_strategy(strategy, settings_from_env(env))


def test_the_key_never_shows_in_dumps_reprs_or_redacted_text() -> None:
    settings = settings_from_env(ENV)
    assert "sk-hidden-777" not in settings.model_dump_json()
    assert "sk-hidden-777" not in repr(settings)
    assert settings.redact("auth failed for sk-hidden-777") == "auth failed for ***"
    assert ModelLLMSettings().redact("nothing to hide") == "nothing to hide"


def test_a_bad_timeout_is_one_clear_line() -> None:
    with pytest.raises(LLMConfigurationError, match="ONEXGEN_LLM_TIMEOUT='soon'"):
        settings_from_env({"ONEXGEN_LLM_TIMEOUT": "soon"})
    assert settings_from_env({"ONEXGEN_LLM_TIMEOUT": "2.5"}).timeout_seconds == 2.5


@pytest.mark.parametrize("text", ["many", "0", "-5"])
def test_a_bad_answer_cap_is_one_clear_line(text: str) -> None:
    with pytest.raises(LLMConfigurationError, match="not a positive whole number"):
        settings_from_env({"ONEXGEN_LLM_MAX_TOKENS": text})


def test_the_answer_cap_comes_from_the_environment() -> None:
    assert settings_from_env({}).max_output_tokens is None
    assert settings_from_env({"ONEXGEN_LLM_MAX_TOKENS": "768"}).max_output_tokens == 768


def test_usage_is_summed_per_stage_in_order() -> None:
    calls = (
        ModelLLMCall(stage="code", model="m", outcome="ok", latency_ms=10, prompt_tokens=5),
        ModelLLMCall(stage="repair_2", model="m", outcome="ok", latency_ms=4, completion_tokens=2),
        ModelLLMCall(stage="code", model="n", outcome="ok", latency_ms=1, prompt_tokens=1),
    )
    usage = summarise_usage(calls)
    assert [(u.stage, u.calls, u.prompt_tokens, u.latency_ms) for u in usage] == [
        ("code", 2, 6, 11.0),
        ("repair_2", 1, 0, 4.0),
    ]
