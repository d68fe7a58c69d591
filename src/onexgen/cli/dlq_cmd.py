"""``onexgen dlq list|replay TOPIC``: inspect and re-submit dead-lettered requests.

TOPIC is an operation (``analyze``), its request topic or its ``_dlq`` topic. ``replay``
publishes each dead letter's original body and headers to its original topic, so a worker
treats it as a new delivery (a request that was answered meanwhile is skipped by idempotency).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from onexgen.cli.remote_mode import with_kafka_bus

if TYPE_CHECKING:
    from onexgen.bus.delivery import ModelDeadLetter
    from onexgen.bus.port import EventBusPort

app = typer.Typer(
    name="dlq",
    help="Inspect and replay dead-lettered codegen requests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ServersOption = Annotated[
    str,
    typer.Option("--kafka-servers", help="Kafka bootstrap servers, HOST:PORT.", show_default=False),
]
PrefixOption = Annotated[str, typer.Option("--topic-prefix", help="Prefix of the topic names.")]
TopicArgument = Annotated[
    str, typer.Argument(help="analyze|validate|pattern|mixin, or a request or _dlq topic name.")
]


def _letters(servers: str, topic: str, prefix: str) -> tuple[str, list[ModelDeadLetter]]:
    import asyncio

    from onexgen.bus.topics import ModelCodegenTopics

    topics = ModelCodegenTopics(prefix=prefix)
    dlq = topics.dlq(topics.resolve_request_topic(topic))

    async def read(bus: EventBusPort) -> list[ModelDeadLetter]:
        from pydantic import ValidationError

        from onexgen.bus.delivery import ModelDeadLetter

        found = []
        for message in await bus.read_all(dlq):
            try:
                found.append(ModelDeadLetter.model_validate_json(message.value))
            except ValidationError:
                continue
        return found

    return dlq, asyncio.run(with_kafka_bus(servers, read, client_id="onexgen-dlq"))


def _fail(exc: Exception) -> typer.Exit:
    from onexgen.pipeline.service import one_line

    sys.stderr.write(f"onexgen dlq: error: {one_line(exc)}\n")
    return typer.Exit(1)


@app.command("list")
def list_letters(
    topic: TopicArgument,
    kafka_servers: ServersOption,
    topic_prefix: PrefixOption = "omninode_",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON record per line.")] = False,
) -> None:
    """Show every dead letter of TOPIC: when, why, and which session."""
    try:
        dlq, letters = _letters(kafka_servers, topic, topic_prefix)
    except (ValueError, ConnectionError) as exc:
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write("".join(letter.model_dump_json() + "\n" for letter in letters))
        return
    sys.stdout.write(f"{dlq}: {len(letters)} dead letter(s)\n")
    for letter in letters:
        where = f"{letter.original_topic}[{letter.original_partition}]@{letter.original_offset}"
        sys.stdout.write(
            f"  {letter.failed_at:%Y-%m-%d %H:%M:%S} {letter.correlation_id} {where} "
            f"after {letter.retry_count} attempt(s): {letter.error_type}: {letter.error_message}\n"
        )


@app.command("replay")
def replay(
    topic: TopicArgument,
    kafka_servers: ServersOption,
    topic_prefix: PrefixOption = "omninode_",
    correlation_id: Annotated[
        str | None, typer.Option("--correlation-id", help="Replay only this session.")
    ] = None,
) -> None:
    """Publish the dead letters of TOPIC to their original topic again."""
    import asyncio

    try:
        dlq, letters = _letters(kafka_servers, topic, topic_prefix)
    except (ValueError, ConnectionError) as exc:
        raise _fail(exc) from None
    chosen = [
        letter
        for letter in letters
        if correlation_id is None or str(letter.correlation_id) == correlation_id
    ]

    async def send(bus: EventBusPort) -> None:
        from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders

        for letter in chosen:
            headers = ModelEventHeaders.model_validate(letter.original_headers)
            await bus.publish(
                letter.original_topic, letter.key_bytes(), letter.value_bytes(), headers
            )

    try:
        asyncio.run(with_kafka_bus(kafka_servers, send, client_id="onexgen-dlq"))
    except (ValueError, ConnectionError) as exc:
        raise _fail(exc) from None
    sys.stdout.write(f"replayed {len(chosen)} of {len(letters)} dead letter(s) from {dlq}\n")
