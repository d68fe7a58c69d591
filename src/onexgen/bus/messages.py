"""Typed payloads of the codegen topics and their envelope (omnibase_core's ``ModelEventEnvelope``).

Every message travels as ``ModelEventEnvelope[payload]`` JSON: the envelope carries the
correlation id (one per generation session, also the Kafka key so a session's events stay in one
partition, in order), the causation edge (``parent_envelope_id``: the request a status or
response answers), its timestamp and the payload's schema version. The same facts are repeated
in the Kafka headers so tools can route and inspect without parsing the body.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onexgen.models.generation import ModelGenerationResult, ModelProgressEvent
from onexgen.models.intelligence import ModelMixinRecommendation
from onexgen.models.validation import ModelValidationResult

if TYPE_CHECKING:
    from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders
    from omnibase_core.models.events.model_event_envelope import ModelEventEnvelope

SCHEMA_VERSION = (1, 0, 0)
"""Version of every payload below; a reader refuses a different major version."""

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class ModelRemoteFile(BaseModel):
    """One file of a node in transit: relative POSIX path, text, SHA-256 of its UTF-8 bytes."""

    model_config = _FROZEN

    path: str
    content: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def of(cls, path: str, content: str) -> ModelRemoteFile:
        """A file with its digest computed."""
        return cls(path=path, content=content, sha256=sha256_text(content))

    def verified(self) -> ModelRemoteFile:
        """``self`` when the content matches its digest; raise when it was corrupted on the way."""
        if sha256_text(self.content) != self.sha256:
            raise ValueError(f"file {self.path} does not match its SHA-256; refusing to write it")
        return self


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8 (how the file is written)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ModelRuffConfig(BaseModel):
    """The destination project's ruff settings file, so a remote worker formats like a local run."""

    model_config = _FROZEN

    file_name: Literal["ruff.toml", ".ruff.toml", "pyproject.toml"]
    content: str


class ModelGenerationOptions(BaseModel):
    """The options of ``onexgen generate`` that shape what is generated."""

    model_config = _FROZEN

    node_type: str | None = None
    validation_level: str = "basic"
    run_tests: bool = False
    strict_mode: bool = False
    dry_run: bool = False
    timeout_seconds: float | None = Field(default=None, gt=0)
    # jinja2 | hybrid | llm | auto; the worker resolves it against its own model configuration
    # (ONEXGEN_LLM_*), as the service does for POST /v1/generate.
    strategy: str = "auto"


class ModelAnalyzeRequest(BaseModel):
    """A full generation request: exactly one of prompt, requirements file or contract file."""

    model_config = _FROZEN

    kind: Literal["analyze_request"] = "analyze_request"
    prompt: str | None = None
    requirements_file: ModelRemoteFile | None = None
    contract_file: ModelRemoteFile | None = None
    options: ModelGenerationOptions = Field(default_factory=ModelGenerationOptions)
    ruff_config: ModelRuffConfig | None = None

    def source_count(self) -> int:
        """How many of prompt / requirements / contract were given (1 is valid)."""
        return sum(
            item is not None for item in (self.prompt, self.requirements_file, self.contract_file)
        )


class ModelAnalyzeResponse(BaseModel):
    """The pipeline's result and, on success, every file of the node with its digest."""

    model_config = _FROZEN

    kind: Literal["analyze_response"] = "analyze_response"
    result: ModelGenerationResult
    files: tuple[ModelRemoteFile, ...] = ()
    worker: str = ""
    status_events: int = Field(
        default=0, ge=0, description="Stage events this worker published for the session first."
    )


class ModelValidateRequest(BaseModel):
    """A node's files to validate at ``level`` against ``threshold``."""

    model_config = _FROZEN

    kind: Literal["validate_request"] = "validate_request"
    package_name: str
    files: tuple[ModelRemoteFile, ...]
    level: str = "strict"
    threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    ruff_config: ModelRuffConfig | None = None


class ModelValidateResponse(BaseModel):
    """The validation result, or why none could be produced."""

    model_config = _FROZEN

    kind: Literal["validate_response"] = "validate_response"
    result: ModelValidationResult | None = None
    error: str | None = None
    worker: str = ""


class ModelIntelligenceRequest(BaseModel):
    """A prompt to match patterns or recommend mixins for (``pattern`` and ``mixin`` topics)."""

    model_config = _FROZEN

    kind: Literal["intelligence_request"] = "intelligence_request"
    prompt: str
    node_type: str | None = None


class ModelPatternMatch(BaseModel):
    """One matching pattern (a best practice of the node's kind and category)."""

    model_config = _FROZEN

    title: str
    rationale: str
    feature: str | None = None


class ModelPatternResponse(BaseModel):
    """The node kind and category the prompt was classified as, and the patterns that apply."""

    model_config = _FROZEN

    kind: Literal["pattern_response"] = "pattern_response"
    node_type: str | None = None
    category: str | None = None
    patterns: tuple[ModelPatternMatch, ...] = ()
    error: str | None = None
    worker: str = ""


class ModelMixinResponse(BaseModel):
    """Recommended mixins for the prompt's node."""

    model_config = _FROZEN

    kind: Literal["mixin_response"] = "mixin_response"
    node_type: str | None = None
    mixins: tuple[ModelMixinRecommendation, ...] = ()
    error: str | None = None
    worker: str = ""


class ModelSessionStatus(BaseModel):
    """One stage event of a session, as the in-process pipeline emitted it."""

    model_config = _FROZEN

    kind: Literal["session_status"] = "session_status"
    event: ModelProgressEvent
    worker: str = ""


class ModelTestGenerationEvent(BaseModel):
    """Stage 9 (test generation) started, completed or failed for a session."""

    model_config = _FROZEN

    kind: Literal["test_generation"] = "test_generation"
    status: Literal["started", "completed", "failed"]
    correlation_id: UUID
    detail: str = ""
    worker: str = ""


type RequestPayload = ModelAnalyzeRequest | ModelValidateRequest | ModelIntelligenceRequest
type BusPayload = Annotated[
    ModelAnalyzeRequest
    | ModelAnalyzeResponse
    | ModelValidateRequest
    | ModelValidateResponse
    | ModelIntelligenceRequest
    | ModelPatternResponse
    | ModelMixinResponse
    | ModelSessionStatus
    | ModelTestGenerationEvent,
    Field(discriminator="kind"),
]


class MessageDecodeError(ValueError):
    """A message that is not one of ours (poison): goes to the dead-letter topic, never retried."""


def _envelope_type() -> type[ModelEventEnvelope[BusPayload]]:
    from omnibase_core.models.events.model_event_envelope import ModelEventEnvelope

    return ModelEventEnvelope[BusPayload]


def encode(
    payload: BaseModel,
    *,
    correlation_id: UUID,
    topic: str,
    source: str,
    causation_id: UUID | None = None,
) -> tuple[bytes, ModelEventHeaders, UUID]:
    """The envelope bytes, bus headers and envelope id of ``payload`` for ``topic``."""
    from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders
    from omnibase_core.models.primitives.model_semver import ModelSemVer

    major, minor, patch = SCHEMA_VERSION
    version = ModelSemVer(major=major, minor=minor, patch=patch)
    envelope = _envelope_type()(
        payload=payload,
        envelope_id=uuid4(),
        correlation_id=correlation_id,
        parent_envelope_id=causation_id,
        source_tool=source,
        event_type=topic,
        payload_type=type(payload).__name__,
        payload_schema_version=version,
    )
    headers = ModelEventHeaders(
        correlation_id=correlation_id,
        message_id=envelope.envelope_id,
        timestamp=envelope.envelope_timestamp,
        source=source,
        event_type=topic,
        schema_version=version,
        partition_key=str(correlation_id),
        parent_span_id=str(causation_id) if causation_id is not None else None,
    )
    return envelope.model_dump_json().encode("utf-8"), headers, envelope.envelope_id


def decode(value: bytes) -> ModelEventEnvelope[BusPayload]:
    """Parse an envelope; :class:`MessageDecodeError` with one line when it is not one of ours."""
    try:
        envelope = _envelope_type().model_validate_json(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "message"
        raise MessageDecodeError(
            f"not a codegen envelope ({where}: {first.get('msg', 'invalid')})"
        ) from None
    version = envelope.payload_schema_version
    if version is not None and version.major != SCHEMA_VERSION[0]:
        raise MessageDecodeError(
            f"payload schema version {version} is not readable by this onexgen "
            f"(reads {SCHEMA_VERSION[0]}.x)"
        )
    if envelope.correlation_id is None:
        raise MessageDecodeError("envelope has no correlation_id")
    return envelope


def now_utc() -> datetime:
    """The current UTC time (one place, so tests and records agree on the clock)."""
    return datetime.now(UTC)
