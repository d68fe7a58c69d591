"""The reference system's codegen topics: names, roles and partition counts.

The names are the reference's (``omninode_codegen_request_analyze_v1`` ...), with the leading
``omninode_`` replaceable so several installations can share one cluster. They are not canonical
ONEX names (``onex.cmd.<service>.<event>.v1``), so omnibase_core's ``build_topic`` would refuse
them; each name is checked with omnibase_core's Kafka topic validator instead.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_PREFIX = "omninode_"
KAFKA_TOPIC_MAX_LENGTH = 249
_PREFIX = re.compile(r"^[A-Za-z0-9._-]*$")


class EnumCodegenOperation(StrEnum):
    """The four request kinds; each has a request, a response and a dead-letter topic."""

    ANALYZE = "analyze"
    VALIDATE = "validate"
    PATTERN = "pattern"
    MIXIN = "mixin"


class EnumTopicRole(StrEnum):
    """What a topic carries."""

    REQUEST = "request"
    RESPONSE = "response"
    STATUS = "status"
    DLQ = "dlq"


class ModelTopicSpec(BaseModel):
    """One topic to create when missing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    partitions: int = Field(ge=1)
    role: EnumTopicRole
    operation: EnumCodegenOperation | None = None


# Partition counts: the reference fixes status (6) and test generation (3); requests and
# responses get 6 so up to six workers of one group share the load; dead letters are rare.
PARTITIONS: dict[EnumTopicRole, int] = {
    EnumTopicRole.REQUEST: 6,
    EnumTopicRole.RESPONSE: 6,
    EnumTopicRole.STATUS: 6,
    EnumTopicRole.DLQ: 1,
}
TEST_GENERATION_PARTITIONS = 3
TEST_GENERATION_EVENTS = ("started", "completed", "failed")


def validate_topic_name(name: str) -> str:
    """``name`` if Kafka accepts it as a topic (omnibase_core's producer-message rule + length)."""
    from omnibase_core.models.event_bus.model_producer_message import ModelProducerMessage

    checked: str = ModelProducerMessage.validate_topic(name)
    if checked != name or len(name) > KAFKA_TOPIC_MAX_LENGTH or name in {".", ".."}:
        raise ValueError(
            f"topic {name!r} is not a valid Kafka topic name (letters, digits, '.', '_', '-', "
            f"at most {KAFKA_TOPIC_MAX_LENGTH} characters)"
        )
    return name


class ModelCodegenTopics(BaseModel):
    """Every topic name of one installation, derived from ``prefix``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str = DEFAULT_PREFIX

    @field_validator("prefix")
    @classmethod
    def _check_prefix(cls, value: str) -> str:
        if not _PREFIX.match(value):
            raise ValueError(
                f"topic prefix {value!r} may only hold letters, digits, '.', '_' and '-'"
            )
        return value

    def request(self, operation: EnumCodegenOperation) -> str:
        """``<prefix>codegen_request_<operation>_v1``."""
        return validate_topic_name(f"{self.prefix}codegen_request_{operation.value}_v1")

    def response(self, operation: EnumCodegenOperation) -> str:
        """``<prefix>codegen_response_<operation>_v1``."""
        return validate_topic_name(f"{self.prefix}codegen_response_{operation.value}_v1")

    def dlq(self, operation: EnumCodegenOperation) -> str:
        """The dead-letter topic of a request topic: its name plus ``_dlq``."""
        return validate_topic_name(self.request(operation) + "_dlq")

    @property
    def status(self) -> str:
        """Per-stage status of every session."""
        return validate_topic_name(f"{self.prefix}codegen_status_session_v1")

    def test_generation(self, event: str) -> str:
        """``<prefix>test_generation_{started,completed,failed}_v1``."""
        if event not in TEST_GENERATION_EVENTS:
            raise ValueError(f"unknown test generation event {event!r}")
        return validate_topic_name(f"{self.prefix}test_generation_{event}_v1")

    def operation_of_request(self, topic: str) -> EnumCodegenOperation | None:
        """The operation whose request (or dead-letter) topic is ``topic``, if any."""
        for operation in EnumCodegenOperation:
            if topic in {self.request(operation), self.dlq(operation)}:
                return operation
        return None

    def resolve_request_topic(self, name: str) -> EnumCodegenOperation:
        """Accept ``analyze``, a request topic or its ``_dlq`` topic; the operation it names."""
        try:
            return EnumCodegenOperation(name)
        except ValueError:
            pass
        operation = self.operation_of_request(name)
        if operation is None:
            known = ", ".join(op.value for op in EnumCodegenOperation)
            raise ValueError(
                f"{name!r} is not a codegen request or dead-letter topic; give one of {known} "
                f"or a topic such as {self.dlq(EnumCodegenOperation.ANALYZE)}"
            )
        return operation

    def all_topics(self) -> tuple[ModelTopicSpec, ...]:
        """The full set: 4 requests, 4 responses, status, 3 test-generation events, 4 DLQs."""
        specs: list[ModelTopicSpec] = []
        for operation in EnumCodegenOperation:
            specs.append(
                ModelTopicSpec(
                    name=self.request(operation),
                    partitions=PARTITIONS[EnumTopicRole.REQUEST],
                    role=EnumTopicRole.REQUEST,
                    operation=operation,
                )
            )
            specs.append(
                ModelTopicSpec(
                    name=self.response(operation),
                    partitions=PARTITIONS[EnumTopicRole.RESPONSE],
                    role=EnumTopicRole.RESPONSE,
                    operation=operation,
                )
            )
        specs.append(
            ModelTopicSpec(
                name=self.status,
                partitions=PARTITIONS[EnumTopicRole.STATUS],
                role=EnumTopicRole.STATUS,
            )
        )
        specs.extend(
            ModelTopicSpec(
                name=self.test_generation(event),
                partitions=TEST_GENERATION_PARTITIONS,
                role=EnumTopicRole.STATUS,
            )
            for event in TEST_GENERATION_EVENTS
        )
        specs.extend(
            ModelTopicSpec(
                name=self.dlq(operation),
                partitions=PARTITIONS[EnumTopicRole.DLQ],
                role=EnumTopicRole.DLQ,
                operation=operation,
            )
            for operation in EnumCodegenOperation
        )
        return tuple(specs)
