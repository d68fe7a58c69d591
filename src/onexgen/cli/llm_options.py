"""The strategy and model options of ``generate`` and ``batch``, declared once.

Nothing here imports a model SDK: ``engine_for`` builds an engine (which imports ``openai`` on its
first request) only when a model is configured.
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from onexgen.llm.engine import StrategyEngine


class StrategyOption(StrEnum):
    """Choices of ``--strategy``."""

    AUTO = "auto"
    JINJA2 = "jinja2"
    HYBRID = "hybrid"
    LLM = "llm"


StrategyOpt = Annotated[
    StrategyOption,
    typer.Option(
        "--strategy",
        case_sensitive=False,
        help="Who writes the code: jinja2 (templates), hybrid (templates + model-written "
        "operation bodies and tests), llm (hybrid + model-proposed operations), auto (hybrid "
        "when ONEXGEN_LLM_BASE_URL and a model are set, else jinja2).",
    ),
]
LLMModelOpt = Annotated[
    str | None,
    typer.Option("--llm-model", help="Model name at the endpoint (default: ONEXGEN_LLM_MODEL)."),
]
StrictLLMOpt = Annotated[
    bool,
    typer.Option(
        "--strict-llm",
        help="Fail (exit 1) instead of falling back to templates when the model is down or its "
        "code does not pass.",
    ),
]
EnableQuorumOpt = Annotated[
    bool, typer.Option("--enable-quorum", help="Let several models vote (see --quorum-models).")
]
QuorumModelsOpt = Annotated[
    str | None,
    typer.Option("--quorum-models", help="Comma-separated models that vote, e.g. m1,m2,m3."),
]


def strategy_label(
    strategy: StrategyOption, engine: StrategyEngine | None, *, remote: bool = False
) -> str:
    """The strategy the run will use, as ``engine_for`` resolved it (for headers)."""
    if remote:
        return f"{strategy.value}, resolved by the workers"
    if strategy is not StrategyOption.AUTO:
        return strategy.value
    return "auto: hybrid" if engine is not None else "auto: jinja2, no model configured"


def remote_only_llm_options(
    kafka_servers: str | None,
    *,
    llm_model: str | None,
    strict_llm: bool,
    enable_quorum: bool,
    quorum_models: str | None,
) -> None:
    """With ``--kafka-servers`` the workers' own model configuration answers ``--strategy``;
    the options that configure a local model would be silently ignored, so refuse them."""
    if kafka_servers is None:
        return
    given = [
        name
        for name, value in (
            ("--llm-model", llm_model),
            ("--strict-llm", strict_llm),
            ("--enable-quorum", enable_quorum),
            ("--quorum-models", quorum_models),
        )
        if value
    ]
    if given:
        raise typer.BadParameter(
            f"{', '.join(given)} configure a local model and cannot be used with "
            "--kafka-servers: the workers use their own ONEXGEN_LLM_* settings"
        )


def engine_for(
    strategy: StrategyOption,
    *,
    llm_model: str | None,
    strict_llm: bool,
    enable_quorum: bool,
    quorum_models: str | None,
) -> StrategyEngine | None:
    """The engine for these options (None: templates only); a usage error as BadParameter."""
    from onexgen.llm.settings import LLMConfigurationError, resolve_strategy, settings_from_env
    from onexgen.models.strategy import EnumGenerationStrategy

    try:
        settings = settings_from_env(
            os.environ,
            model=llm_model,
            strict=strict_llm,
            enable_quorum=enable_quorum,
            quorum_models=quorum_models,
        )
        choice = resolve_strategy(strategy.value, settings)
    except LLMConfigurationError as exc:
        raise typer.BadParameter(str(exc)) from None
    if choice.used is EnumGenerationStrategy.JINJA2:
        return None
    from onexgen.llm.engine import StrategyEngine

    return StrategyEngine(settings)
