"""The typed node contract (output of stage 3), written to the package as ``contract.yaml``.

The YAML keeps to the fields every omnibase_core validator accepts (see ``ONEX_FACTS.md``) and adds
the generator's own sections (operations, configuration, event topics, performance) as plain
mappings, so the same model drives both the file and the templates.
"""

from __future__ import annotations

from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.models.facts import ModelRequestFacts

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_MODULE_PATH = r"^([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?$"


class ModelSemVer(BaseModel):
    """``{major, minor, patch}`` as omnibase_core's contract loader expects it."""

    model_config = _FROZEN

    major: int = Field(default=1, ge=0)
    minor: int = Field(default=0, ge=0)
    patch: int = Field(default=0, ge=0)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


class ModelHandlerRouting(BaseModel):
    """Which handler class serves the node (``<module>:<Class>``)."""

    model_config = _FROZEN

    version: ModelSemVer = Field(default_factory=ModelSemVer)
    default_handler: str


class ModelContractOperation(BaseModel):
    """One operation the handler dispatches on."""

    model_config = _FROZEN

    name: str
    description: str
    timeout_ms: int = Field(gt=0)
    idempotent: bool = False


class ModelContractStep(BaseModel):
    """One orchestrated step: what it waits for, what it runs beside, how it is undone."""

    model_config = _FROZEN

    name: str = Field(pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
    description: str = ""
    depends_on: tuple[str, ...] = ()
    parallel_group: str | None = None
    compensation: str | None = None


class ModelRetryConfig(BaseModel):
    """Retry with exponential backoff and jitter, in the field names of omnibase_core's
    ``ModelEffectRetryPolicy`` (``max_retries`` after the first attempt, ``jitter_factor``)."""

    model_config = _FROZEN

    max_retries: int = Field(ge=0, le=99)
    base_delay_ms: int = Field(ge=0)
    max_delay_ms: int = Field(ge=0)
    backoff_multiplier: float = Field(ge=1.0)
    jitter_factor: float = Field(default=0.1, ge=0.0, le=0.5)

    @property
    def max_attempts(self) -> int:
        """The first attempt plus the retries."""
        return self.max_retries + 1

    @property
    def jitter(self) -> bool:
        """Whether delays are randomised."""
        return self.jitter_factor > 0


class ModelCircuitBreakerConfig(BaseModel):
    """Open after ``failure_threshold`` consecutive failures, half-open after recovery."""

    model_config = _FROZEN

    failure_threshold: int = Field(ge=1)
    recovery_timeout_seconds: float = Field(gt=0)


class ModelConnectionPoolConfig(BaseModel):
    """Connection pool bounds."""

    model_config = _FROZEN

    min_size: int = Field(ge=0)
    max_size: int = Field(ge=1)
    acquire_timeout_seconds: float = Field(gt=0)


class ModelCacheConfig(BaseModel):
    """Result cache with a TTL and a bounded size."""

    model_config = _FROZEN

    ttl_seconds: float = Field(gt=0)
    max_entries: int = Field(ge=1)


class ModelRateLimitConfig(BaseModel):
    """Token bucket: ``requests`` per ``period_seconds``, with a burst allowance."""

    model_config = _FROZEN

    requests: int = Field(ge=1)
    period_seconds: float = Field(gt=0)
    burst: int = Field(ge=1)


class ModelWindowConfig(BaseModel):
    """Time windows a reducer aggregates over: tumbling (one window per ``size``, back to
    back) or sliding (windows of each size starting every ``slide_seconds``)."""

    model_config = _FROZEN

    window_seconds: tuple[float, ...] = Field(min_length=1)
    window_kind: Literal["tumbling", "sliding"] = "tumbling"
    slide_seconds: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _slide_only_when_sliding(self) -> ModelWindowConfig:
        if (self.window_kind == "sliding") != (self.slide_seconds is not None):
            raise ValueError("slide_seconds is required for sliding windows and only for them")
        return self


class ModelRetentionConfig(BaseModel):
    """How far back a reducer folds: items older than ``lookback_seconds`` before the newest
    item (or the request's reference time) are dropped ("keeping the last 24 hours")."""

    model_config = _FROZEN

    lookback_seconds: float = Field(gt=0)


class ModelRankingConfig(BaseModel):
    """Top-N: the ``top_n`` groups with the highest ``order_by`` measure ("top 100 URLs by
    views" -> 100 by ``count``)."""

    model_config = _FROZEN

    top_n: int = Field(ge=1)
    order_by: str = Field(default="count", pattern=r"^[a-z][a-z0-9_]*$")


_STATE_NAME = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"


class ModelStateDefinition(BaseModel):
    """One state of a reducer's state machine (``ModelFSMStateDefinition`` in the framework)."""

    model_config = _FROZEN

    name: str = Field(pattern=_STATE_NAME)
    description: str = Field(min_length=1, max_length=400)
    state_type: Literal["operational", "snapshot", "terminal", "error"] = "operational"

    @property
    def is_terminal(self) -> bool:
        """Terminal and error states end the run: nothing leaves them."""
        return self.state_type in {"terminal", "error"}


class ModelStateTransition(BaseModel):
    """A legal move between states, taken when ``trigger`` happens; ``from_state`` ``*`` is
    any non-terminal state (``ModelFSMStateTransition``)."""

    model_config = _FROZEN

    name: str = Field(pattern=_STATE_NAME)
    from_state: str = Field(pattern=r"^(\*|[a-z][a-z0-9]*(?:_[a-z0-9]+)*)$")
    to_state: str = Field(pattern=_STATE_NAME)
    trigger: str = Field(pattern=_STATE_NAME)


class ModelStateMachine(BaseModel):
    """A reducer's state machine, written as the contract's ``state_machine`` section
    (``ModelFSMSubcontract``); the generated handler takes its transitions from there."""

    model_config = _FROZEN

    name: str = Field(pattern=_STATE_NAME)
    description: str = Field(min_length=1, max_length=400)
    initial_state: str
    states: tuple[ModelStateDefinition, ...] = Field(min_length=1)
    transitions: tuple[ModelStateTransition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ModelStateMachine:
        states = {state.name: state for state in self.states}
        if len(states) != len(self.states):
            raise ValueError("state names must be unique")
        if self.initial_state not in states:
            raise ValueError(f"initial_state {self.initial_state!r} is not one of the states")
        names = [t.name for t in self.transitions]
        if len(set(names)) != len(names):
            raise ValueError("transition names must be unique")
        for t in self.transitions:
            if t.from_state != "*" and t.from_state not in states:
                raise ValueError(f"transition {t.name!r}: unknown from_state {t.from_state!r}")
            if t.to_state not in states:
                raise ValueError(f"transition {t.name!r}: unknown to_state {t.to_state!r}")
            if t.from_state != "*" and states[t.from_state].is_terminal:
                raise ValueError(f"transition {t.name!r} leaves terminal state {t.from_state!r}")
        return self

    @property
    def terminal_states(self) -> tuple[str, ...]:
        """States that end a run (terminal and error states)."""
        return tuple(s.name for s in self.states if s.is_terminal)

    @property
    def error_states(self) -> tuple[str, ...]:
        """States a failed run ends in."""
        return tuple(s.name for s in self.states if s.state_type == "error")


class ModelBatchConfig(BaseModel):
    """How many items are processed per batch."""

    model_config = _FROZEN

    batch_size: int = Field(ge=1)


class ModelPaginationConfig(BaseModel):
    """Page size for paginated reads."""

    model_config = _FROZEN

    page_size: int = Field(ge=1)
    max_pages: int = Field(ge=1)


class ModelScheduleConfig(BaseModel):
    """When the node should be triggered on its own ("every five minutes", "nightly").

    omnibase_core has no node scheduler: the contract declares the cadence (``cron`` in the
    form of the framework's ``ModelScheduleTrigger``) and the README says how to trigger it.
    """

    model_config = _FROZEN

    every_seconds: float | None = Field(default=None, gt=0)
    cron: str | None = Field(default=None, max_length=100)


class ModelThresholdConfig(BaseModel):
    """A threshold a compute applies to its scored results ("above 0.8")."""

    model_config = _FROZEN

    metric: str = Field(pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
    value: float
    comparison: Literal["above", "below", "at_least", "at_most"] = "above"


class ModelFeatureConfiguration(BaseModel):
    """Feature settings with the prompt's numbers or sound defaults; ``None`` = feature off."""

    model_config = _FROZEN

    timeout_seconds: float = Field(gt=0)
    retry: ModelRetryConfig | None = None
    circuit_breaker: ModelCircuitBreakerConfig | None = None
    connection_pool: ModelConnectionPoolConfig | None = None
    cache: ModelCacheConfig | None = None
    rate_limit: ModelRateLimitConfig | None = None
    windowing: ModelWindowConfig | None = None
    retention: ModelRetentionConfig | None = None
    ranking: ModelRankingConfig | None = None
    batching: ModelBatchConfig | None = None
    pagination: ModelPaginationConfig | None = None
    validation_enabled: bool = True
    metrics_enabled: bool = False
    authentication_required: bool = False
    event_publishing_enabled: bool = True
    # what the request stated, acted on by the code (contracts/fact_settings.py)
    max_concurrency: int | None = Field(default=None, ge=1)
    schedule: ModelScheduleConfig | None = None
    output_variants: int | None = Field(default=None, ge=1)
    top_n: int | None = Field(default=None, ge=1)
    threshold: ModelThresholdConfig | None = None
    presign_expiry_seconds: int | None = Field(default=None, ge=1)
    lookback_seconds: float | None = Field(default=None, gt=0)


class ModelEventTopics(BaseModel):
    """Kebab-case topics: ``onex.cmd.<domain>.<name>-requested.v1`` and the matching events."""

    model_config = _FROZEN

    requested: str
    completed: str
    failed: str


class ModelPerformanceTargets(BaseModel):
    """What the node should meet; tests and README quote these numbers."""

    model_config = _FROZEN

    max_latency_ms: float = Field(gt=0)
    throughput_per_second: float | None = Field(default=None, gt=0)


class ModelNodeContract(BaseModel):
    """Everything stage 4 needs to render a node, and the content of ``contract.yaml``."""

    model_config = _FROZEN

    name: str
    contract_version: ModelSemVer = Field(default_factory=ModelSemVer)
    node_version: ModelSemVer = Field(default_factory=ModelSemVer)
    node_kind: EnumNodeKind
    description: str
    node_name: str
    service_name: str
    domain: str
    category: EnumCategory
    module_root: str = Field(default="", pattern=_MODULE_PATH)
    operations: tuple[ModelContractOperation, ...] = Field(min_length=1)
    features: tuple[str, ...] = ()
    configuration: ModelFeatureConfiguration
    event_topics: ModelEventTopics
    performance: ModelPerformanceTargets
    dependencies: tuple[str, ...] = ()
    external_systems: tuple[str, ...] = ()
    workflow_steps: tuple[ModelContractStep, ...] = ()
    compensation: bool = False
    group_by: tuple[str, ...] = ()
    state_machine: ModelStateMachine | None = None
    request_facts: ModelRequestFacts = Field(
        default_factory=ModelRequestFacts,
        description="every structured fact of the request (schedules, durations, limits, "
        "thresholds, named outputs...), each with the words it came from",
    )

    @property
    def node_type(self) -> str:
        """``EFFECT_GENERIC`` and so on, as the contract's ``node_type`` field."""
        return self.node_kind.contract_node_type

    @property
    def package_name(self) -> str:
        """``node_<service_name>_<kind>``: the folder and import name."""
        return self.name

    @property
    def import_path(self) -> str:
        """Absolute module path of the package: ``module_root``, else the package name.

        Inside an ONEX project it is ``<pkg>.nodes.<name>``; standalone, the output directory
        is the import root and the package name is the path.
        """
        return self.module_root or self.name

    @property
    def input_model(self) -> str:
        """Fully qualified input model (``<import path>.models.<module>.<Class>``)."""
        from onexgen.contracts.naming import names_from_contract

        n = names_from_contract(self)
        return f"{self.import_path}.models.{n.input_module}.{n.input_class}"

    @property
    def output_model(self) -> str:
        """Fully qualified output model."""
        from onexgen.contracts.naming import names_from_contract

        n = names_from_contract(self)
        return f"{self.import_path}.models.{n.output_module}.{n.output_class}"

    @property
    def handler_module(self) -> str:
        """Fully qualified handler module."""
        from onexgen.contracts.naming import names_from_contract

        return f"{self.import_path}.handlers.{names_from_contract(self).handler_module}"

    @property
    def handler_class(self) -> str:
        """The handler class RuntimeLocal instantiates."""
        from onexgen.contracts.naming import names_from_contract

        return names_from_contract(self).handler_class

    @property
    def handler_routing(self) -> ModelHandlerRouting:
        """``default_handler: "<module>:<Class>"``, fully qualified as RuntimeLocal imports it."""
        return ModelHandlerRouting(default_handler=f"{self.handler_module}:{self.handler_class}")

    @property
    def terminal_event(self) -> str:
        """The topic RuntimeLocal waits for: the completed event."""
        return self.event_topics.completed

    def to_yaml_dict(self) -> dict[str, Any]:
        """The mapping written to ``contract.yaml`` (stable key order, no ``None`` values)."""
        from onexgen.contracts.sections import framework_sections

        config = self.configuration.model_dump(mode="json", exclude_none=True)
        return {
            "name": self.name,
            "contract_version": self.contract_version.model_dump(),
            "node_version": self.node_version.model_dump(),
            "node_type": self.node_type,
            "description": self.description,
            "input_model": self.input_model,
            "output_model": self.output_model,
            "handler": {
                "module": self.handler_module,
                "class": self.handler_class,
                "input_model": self.input_model,
            },
            "handler_routing": self.handler_routing.model_dump(mode="json"),
            "terminal_event": self.terminal_event,
            "descriptor": self._descriptor(),
            "event_bus": {
                "subscribe_topics": [self.event_topics.requested],
                "publish_topics": [self.event_topics.completed, self.event_topics.failed],
            },
            **framework_sections(self),
            "metadata": {
                "node_name": self.node_name,
                "service_name": self.service_name,
                "domain": self.domain,
                "category": self.category.value,
                "features": list(self.features),
                "dependencies": list(self.dependencies),
                "external_systems": list(self.external_systems),
            },
            "operations": [op.model_dump(mode="json") for op in self.operations],
            "configuration": config,
            "event_topics": self.event_topics.model_dump(mode="json"),
            "performance": self.performance.model_dump(mode="json", exclude_none=True),
            **self._request_facts_section(),
        }

    def _request_facts_section(self) -> dict[str, Any]:
        """``request_facts``: what the request stated, when it stated anything structured."""
        if self.request_facts.is_empty:
            return {}
        return {"request_facts": self.request_facts.model_dump(mode="json", exclude_defaults=True)}

    def _descriptor(self) -> dict[str, Any]:
        """The runtime descriptor as ``onex new node`` writes it (archetype, purity, timeout)."""
        pure = self.node_kind in {EnumNodeKind.COMPUTE, EnumNodeKind.REDUCER}
        profiles = {
            EnumNodeKind.EFFECT: "effects",
            EnumNodeKind.COMPUTE: "compute",
            EnumNodeKind.REDUCER: "reducers",
            EnumNodeKind.ORCHESTRATOR: "effects",
        }
        return {
            "node_archetype": self.node_kind.value,
            "purity": "pure" if pure else "impure",
            "runtime_profiles": [profiles[self.node_kind]],
            "idempotent": pure or all(op.idempotent for op in self.operations),
            "timeout_ms": max(1, round(self.configuration.timeout_seconds * 1000)),
        }

    def to_yaml(self) -> str:
        """``contract.yaml`` text: safe-dumped, so user text is always a quoted, escaped scalar."""
        body = yaml.safe_dump(
            self.to_yaml_dict(),
            sort_keys=False,
            allow_unicode=False,
            default_flow_style=False,
            width=100,
        )
        return f"---\n{body}"
