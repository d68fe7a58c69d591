"""Which model endpoint to use, and which strategy a run gets (``auto`` resolved here).

Read from the environment (``ONEXGEN_LLM_BASE_URL``, ``ONEXGEN_LLM_API_KEY``,
``ONEXGEN_LLM_MODEL``) and the command line. Importing this module imports no model SDK: a run
without configuration must cost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from onexgen.models.strategy import EnumGenerationStrategy

if TYPE_CHECKING:
    from collections.abc import Mapping

BASE_URL_ENV = "ONEXGEN_LLM_BASE_URL"
API_KEY_ENV = "ONEXGEN_LLM_API_KEY"
MODEL_ENV = "ONEXGEN_LLM_MODEL"
TIMEOUT_ENV = "ONEXGEN_LLM_TIMEOUT"
MAX_TOKENS_ENV = "ONEXGEN_LLM_MAX_TOKENS"


class LLMConfigurationError(ValueError):
    """The model options contradict each other (e.g. ``--strategy hybrid`` without a model)."""


class ModelLLMSettings(BaseModel):
    """Endpoint, model and the knobs of the strategy machinery, for one CLI invocation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    model: str | None = None
    timeout_seconds: float = Field(default=60.0, gt=0)
    max_output_tokens: int | None = Field(
        default=None, gt=0, description="cap on each answer's tokens (small local models ramble)"
    )
    max_retries: int = Field(default=3, ge=0, le=10)
    max_retry_wait_seconds: float = Field(default=30.0, ge=0)
    breaker_window_seconds: int = Field(default=30, ge=10, le=3600)
    max_repair_rounds: int = Field(default=3, ge=1, le=3)
    confidence_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    quorum_models: tuple[str, ...] = ()
    enable_quorum: bool = False
    quorum_agreement: float = Field(default=0.6, gt=0.0, le=1.0)
    strict: bool = Field(default=False, description="--strict-llm: model trouble fails the run")

    @property
    def configured(self) -> bool:
        """Whether a model can be asked at all (an endpoint and a model name)."""
        return bool(self.base_url) and bool(self.code_models)

    @property
    def code_models(self) -> tuple[str, ...]:
        """The models that write code: the quorum's, or the one model."""
        if self.enable_quorum and self.quorum_models:
            return self.quorum_models
        return (self.model,) if self.model else ()

    def redact(self, text: str) -> str:
        """``text`` with the API key (if any) replaced: for every message that leaves us."""
        if self.api_key is not None:
            secret = self.api_key.get_secret_value()
            if secret:
                text = text.replace(secret, "***")
        return text


def settings_from_env(
    environ: Mapping[str, str],
    *,
    model: str | None = None,
    strict: bool = False,
    enable_quorum: bool = False,
    quorum_models: str | None = None,
    timeout_seconds: float | None = None,
) -> ModelLLMSettings:
    """Settings from ``environ`` and the command line (which wins)."""
    models = tuple(m.strip() for m in (quorum_models or "").split(",") if m.strip())
    if enable_quorum and models and len(models) < 2:
        raise LLMConfigurationError(
            "--quorum-models needs at least two models separated by commas, e.g. m1,m2,m3"
        )
    timeout = timeout_seconds
    if timeout is None and environ.get(TIMEOUT_ENV):
        try:
            timeout = float(environ[TIMEOUT_ENV])
        except ValueError:
            raise LLMConfigurationError(
                f"{TIMEOUT_ENV}={environ[TIMEOUT_ENV]!r} is not a number of seconds"
            ) from None
    max_tokens = _positive_int(environ, MAX_TOKENS_ENV)
    key = environ.get(API_KEY_ENV)
    return ModelLLMSettings(
        base_url=environ.get(BASE_URL_ENV) or None,
        api_key=SecretStr(key) if key else None,
        model=model or environ.get(MODEL_ENV) or None,
        strict=strict,
        enable_quorum=enable_quorum,
        quorum_models=models,
        max_output_tokens=max_tokens,
        **({"timeout_seconds": timeout} if timeout is not None else {}),
    )


def _positive_int(environ: Mapping[str, str], name: str) -> int | None:
    """``environ[name]`` as a positive integer (None when unset); a clear error otherwise."""
    text = environ.get(name)
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise LLMConfigurationError(f"{name}={text!r} is not a positive whole number")
    return value


class ModelStrategyChoice(BaseModel):
    """The strategy a run will use and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requested: EnumGenerationStrategy
    used: EnumGenerationStrategy
    reason: str


def resolve_strategy(
    requested: EnumGenerationStrategy | str, settings: ModelLLMSettings
) -> ModelStrategyChoice:
    """Resolve ``auto``; refuse ``hybrid``/``llm`` without a model (a usage error)."""
    requested = EnumGenerationStrategy(requested)
    if requested is EnumGenerationStrategy.JINJA2:
        return ModelStrategyChoice(requested=requested, used=requested, reason="requested")
    if requested is EnumGenerationStrategy.AUTO:
        if settings.configured:
            return ModelStrategyChoice(
                requested=requested,
                used=EnumGenerationStrategy.HYBRID,
                reason=f"auto: a model is configured ({', '.join(settings.code_models)}), "
                "so hybrid",
            )
        return ModelStrategyChoice(
            requested=requested,
            used=EnumGenerationStrategy.JINJA2,
            reason=f"auto: no model configured ({BASE_URL_ENV} and {MODEL_ENV} or --llm-model), "
            "so jinja2",
        )
    if not settings.base_url:
        raise LLMConfigurationError(
            f"--strategy {requested.value} needs a model endpoint: set {BASE_URL_ENV} "
            "(any OpenAI-compatible server)"
        )
    if not settings.code_models:
        raise LLMConfigurationError(
            f"--strategy {requested.value} needs a model: pass --llm-model NAME or set {MODEL_ENV}"
        )
    return ModelStrategyChoice(requested=requested, used=requested, reason="requested")
