"""Request and response bodies of the HTTP API (the OpenAPI schema at ``/docs`` comes from here)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from onexgen.models.enums import EnumNodeKind
from onexgen.models.strategy import EnumGenerationStrategy
from onexgen.models.validation import EnumValidationLevel
from onexgen.parsing.errors import MAX_PROMPT_CHARS

MAX_CONTRACT_CHARS = 256 * 1024


class ModelGenerateRequest(BaseModel):
    """``POST /v1/generate``: exactly one of prompt, requirements, contract; CLI options."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(
        default=None,
        max_length=MAX_PROMPT_CHARS,
        description="What to build, e.g. 'Create EFFECT node for PostgreSQL writes'.",
    )
    requirements: dict[str, Any] | None = Field(
        default=None, description="A requirements document (what --requirements FILE holds)."
    )
    contract: str | None = Field(
        default=None, max_length=MAX_CONTRACT_CHARS, description="The text of a contract.yaml."
    )
    node_type: EnumNodeKind | None = None
    validation: EnumValidationLevel = EnumValidationLevel.BASIC
    run_tests: bool | None = Field(
        default=None, description="Run the node's tests (default: only at strict validation)."
    )
    timeout: float | None = Field(default=None, gt=0, le=3600)
    strategy: EnumGenerationStrategy = Field(
        default=EnumGenerationStrategy.AUTO,
        description="Who writes the code (as --strategy): jinja2, hybrid, llm, or auto (hybrid "
        "when the service has a model configured, else jinja2).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [
            name
            for name, value in (
                ("prompt", self.prompt),
                ("requirements", self.requirements),
                ("contract", self.contract),
            )
            if value is not None
        ]
        if len(given) != 1:
            got = " and ".join(given) or "none"
            raise ValueError(f"give exactly one of prompt, requirements or contract (got {got})")
        if self.prompt is not None and not self.prompt.strip():
            raise ValueError("prompt is empty; describe the node to generate")
        return self


class ModelGenerateAccepted(BaseModel):
    """The 202 answer: where to follow the session."""

    session_id: str
    status: str
    session_url: str
    events_url: str
    archive_url: str
