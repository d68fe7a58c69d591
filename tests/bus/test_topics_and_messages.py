"""Topic names and partitions of the reference, and the envelope every message travels in."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from onexgen.bus.messages import (
    MessageDecodeError,
    ModelAnalyzeRequest,
    ModelRemoteFile,
    decode,
    encode,
)
from onexgen.bus.topics import EnumCodegenOperation, EnumTopicRole, ModelCodegenTopics


def test_default_topics_are_the_reference_names_with_their_partitions() -> None:
    specs = {spec.name: spec for spec in ModelCodegenTopics().all_topics()}
    for op in ("analyze", "validate", "pattern", "mixin"):
        assert specs[f"omninode_codegen_request_{op}_v1"].role is EnumTopicRole.REQUEST
        assert specs[f"omninode_codegen_response_{op}_v1"].role is EnumTopicRole.RESPONSE
        assert specs[f"omninode_codegen_request_{op}_v1_dlq"].role is EnumTopicRole.DLQ
    assert specs["omninode_codegen_status_session_v1"].partitions == 6
    for event in ("started", "completed", "failed"):
        assert specs[f"omninode_test_generation_{event}_v1"].partitions == 3
    assert len(specs) == 16


def test_prefix_is_configurable_and_checked() -> None:
    topics = ModelCodegenTopics(prefix="acme.")
    assert topics.request(EnumCodegenOperation.MIXIN) == "acme.codegen_request_mixin_v1"
    assert topics.resolve_request_topic("acme.codegen_request_mixin_v1_dlq") is (
        EnumCodegenOperation.MIXIN
    )
    assert topics.resolve_request_topic("validate") is EnumCodegenOperation.VALIDATE
    with pytest.raises(ValueError, match="not a codegen request"):
        topics.resolve_request_topic("omninode_codegen_request_mixin_v1")
    with pytest.raises(ValidationError, match="may only hold"):
        ModelCodegenTopics(prefix="bad prefix ")


def test_envelope_carries_correlation_causation_time_and_schema_version() -> None:
    session, cause = uuid4(), uuid4()
    value, headers, envelope_id = encode(
        ModelAnalyzeRequest(prompt="Create EFFECT node for PostgreSQL writes"),
        correlation_id=session,
        topic="omninode_codegen_request_analyze_v1",
        source="test",
        causation_id=cause,
    )
    envelope = decode(value)
    assert envelope.correlation_id == session
    assert envelope.parent_envelope_id == cause
    assert envelope.envelope_id == envelope_id
    assert envelope.payload_type == "ModelAnalyzeRequest"
    assert str(envelope.payload_schema_version) == "1.0.0"
    assert headers.correlation_id == session
    assert headers.partition_key == str(session)
    assert headers.timestamp == envelope.envelope_timestamp
    assert isinstance(envelope.payload, ModelAnalyzeRequest)


@pytest.mark.parametrize(
    "value",
    [b"not json", b"{}", b'{"payload": {"kind": "unknown"}, "correlation_id": null}'],
)
def test_foreign_bytes_are_poison(value: bytes) -> None:
    with pytest.raises(MessageDecodeError, match="not a codegen envelope"):
        decode(value)


def test_a_file_whose_content_does_not_match_its_digest_is_refused() -> None:
    good = ModelRemoteFile.of("node.py", "print('x')\n")
    assert good.verified() is good
    bad = good.model_copy(update={"content": "print('y')\n"})
    with pytest.raises(ValueError, match="does not match its SHA-256"):
        bad.verified()
