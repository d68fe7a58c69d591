"""Best practices gathered for a node (output of stage 2)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onexgen.models.enums import EnumCategory, EnumNodeKind


class ModelBestPractice(BaseModel):
    """One practice: what to do and why; ``feature`` links it to a contract feature if any."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    rationale: str
    feature: str | None = None


class ModelFeatureDefaults(BaseModel):
    """Sound defaults for a kind and category, used when the prompt states no number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float = Field(default=30.0, gt=0)
    max_latency_ms: float = Field(default=1000.0, gt=0)
    retry_attempts: int = Field(default=3, ge=1)
    initial_backoff_ms: int = Field(default=100, ge=0)
    max_backoff_ms: int = Field(default=10_000, ge=0)
    backoff_multiplier: float = Field(default=2.0, ge=1.0)
    circuit_breaker_threshold: int = Field(default=5, ge=1)
    circuit_breaker_recovery_seconds: float = Field(default=30.0, gt=0)
    pool_min_size: int = Field(default=2, ge=0)
    pool_max_size: int = Field(default=10, ge=1)
    pool_acquire_timeout_seconds: float = Field(default=5.0, gt=0)
    cache_ttl_seconds: float = Field(default=300.0, gt=0)
    cache_max_entries: int = Field(default=1024, ge=1)
    rate_limit_requests: int = Field(default=100, ge=1)
    rate_limit_period_seconds: float = Field(default=1.0, gt=0)
    batch_size: int = Field(default=100, ge=1)
    page_size: int = Field(default=100, ge=1)
    max_pages: int = Field(default=1000, ge=1)
    window_seconds: tuple[float, ...] = (60.0,)


class ModelMixinConflict(BaseModel):
    """A mixin that must not be combined with the recommended one, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    reason: str


class ModelMixinRecommendation(BaseModel):
    """An omnibase_core mixin or subcontract model that fits the request, and why.

    ``import_path`` is ``<module>.<Name>``: ``from <module> import <Name>`` works against the
    installed omnibase_core (the recommender only offers names the package defines).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    import_path: str
    kind: str = Field(description="'mixin' or 'subcontract' (a contract section's model)")
    reason: str
    conflicts: tuple[ModelMixinConflict, ...] = ()

    @property
    def module(self) -> str:
        """The module to import ``name`` from."""
        return self.import_path.rpartition(".")[0]


class ModelIntelligence(BaseModel):
    """What stage 2 knows about building this kind of node well."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node_kind: EnumNodeKind
    category: EnumCategory
    best_practices: tuple[ModelBestPractice, ...] = ()
    recommended_features: tuple[str, ...] = ()
    pitfalls: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()
    defaults: ModelFeatureDefaults = Field(default_factory=ModelFeatureDefaults)
    sources: tuple[str, ...] = ("builtin",)
    recommended_mixins: tuple[ModelMixinRecommendation, ...] = Field(
        default=(),
        description="omnibase_core mixins and subcontract models that fit the request",
    )
