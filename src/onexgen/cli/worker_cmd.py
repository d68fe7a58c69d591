"""``onexgen worker --kafka-servers HOST:PORT``: answer codegen requests as a consumer-group member.

Runs until SIGTERM or Ctrl-C, then finishes the requests in flight (or, after ``--grace``,
hands them back uncommitted so another member redoes them) and leaves the group. Exit codes:
0 clean shutdown, 1 the broker could not be reached, 2 usage error.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from onexgen.cli.options import DatabaseUrlOption, NoHistoryOption  # noqa: TC001 - Typer reads them at run time

DEFAULT_GRACE_SECONDS = 30.0


def worker(
    *,
    kafka_servers: Annotated[
        str,
        typer.Option(
            "--kafka-servers",
            help="Kafka/Redpanda bootstrap servers, HOST:PORT[,HOST:PORT].",
            show_default=False,
        ),
    ],
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            help="Consumer group (default: omnibase_core's canonical id, "
            "'<ONEX_ENVIRONMENT or local>.onexgen.codegen_worker.consume.v1').",
        ),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency", min=1, max=64, help="Requests this process works on at the same time."
        ),
    ] = 1,
    topic_prefix: Annotated[
        str,
        typer.Option(
            "--topic-prefix", help="Prefix of every topic name (the reference's default)."
        ),
    ] = "omninode_",
    grace: Annotated[
        float,
        typer.Option("--grace", min=0.0, help="Seconds to finish in-flight work on shutdown."),
    ] = DEFAULT_GRACE_SECONDS,
    max_attempts: Annotated[
        int,
        typer.Option(
            "--max-attempts", min=1, help="Tries per request before its dead-letter topic."
        ),
    ] = 3,
    session_timeout_ms: Annotated[
        int,
        typer.Option(
            "--session-timeout-ms", min=100, help="Group session timeout (failure detection)."
        ),
    ] = 10_000,
    heartbeat_interval_ms: Annotated[
        int, typer.Option("--heartbeat-interval-ms", min=10, help="Group heartbeat interval.")
    ] = 3000,
    replication_factor: Annotated[
        int,
        typer.Option("--replication-factor", min=1, help="Replication of topics it creates."),
    ] = 1,
    no_history: NoHistoryOption = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Answer generation, validation, pattern and mixin requests from a Kafka cluster."""
    import asyncio
    import logging

    from onexgen.bus.port import BusError
    from onexgen.pipeline.service import one_line

    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="onexgen worker: %(levelname)s %(name)s: %(message)s",
    )

    try:
        asyncio.run(
            _serve(
                kafka_servers,
                group=group,
                concurrency=concurrency,
                topic_prefix=topic_prefix,
                grace=grace,
                max_attempts=max_attempts,
                history=not no_history,
                database_url=database_url,
                timing={
                    "session_timeout_ms": session_timeout_ms,
                    "heartbeat_interval_ms": heartbeat_interval_ms,
                    "replication_factor": replication_factor,
                },
            )
        )
    except BusError as exc:
        sys.stderr.write(f"onexgen worker: error: {exc}\n")
        raise typer.Exit(1) from None
    except ValueError as exc:
        sys.stderr.write(f"onexgen worker: error: {one_line(exc)}\n")
        raise typer.Exit(2) from None


async def _serve(
    servers: str,
    *,
    group: str | None,
    concurrency: int,
    topic_prefix: str,
    grace: float,
    max_attempts: int,
    history: bool,
    database_url: str | None,
    timing: dict[str, int],
) -> None:
    import asyncio
    import signal

    from onexgen.bus.port import ModelRetryPolicy
    from onexgen.bus.topics import ModelCodegenTopics
    from onexgen.remote.operations import kafka_bus
    from onexgen.worker.service import CodegenWorker

    topics = ModelCodegenTopics(prefix=topic_prefix)
    bus = kafka_bus(servers, client_id="onexgen-worker", **timing)
    await bus.start()
    codegen = CodegenWorker(
        bus,
        topics=topics,
        group=group,
        concurrency=concurrency,
        retry=ModelRetryPolicy(max_attempts=max_attempts),
        history=history,
        database_url=database_url,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await codegen.start()
        sys.stderr.write(
            f"onexgen worker {codegen.name}: group {codegen.group} on {servers}, "
            f"concurrency {concurrency}; SIGTERM or Ctrl-C to stop\n"
        )
        sys.stderr.flush()
        await stop.wait()
        sys.stderr.write(f"onexgen worker {codegen.name}: stopping (grace {grace:g} s)\n")
    finally:
        await codegen.stop(grace)
    sys.stderr.write(
        f"onexgen worker {codegen.name}: stopped after {codegen.handled} answered, "
        f"{codegen.skipped} skipped as already answered\n"
    )
