"""``onexgen serve``: the HTTP generation service (FastAPI + uvicorn)."""

from __future__ import annotations

import os
import sys
from pathlib import Path  # noqa: TC003 - Typer resolves the annotations at run time
from typing import Annotated

import typer

from onexgen.cli.options import (  # noqa: TC001 - Typer reads them at run time
    DatabaseUrlOption,
    KafkaServersOption,
)


def serve(
    *,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8060,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Everything the service writes goes below here (default: the user data dir).",
        ),
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            help="File holding the API bearer token (ONEXGEN_API_TOKEN wins; default: "
            "DATA_DIR/api-token, created on first start).",
            dir_okay=False,
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Generations run at the same time.")
    ] = 2,
    queue_limit: Annotated[
        int,
        typer.Option("--queue-limit", min=1, help="Sessions waiting for a worker before 503."),
    ] = 1000,
    database_url: DatabaseUrlOption = None,
    kafka_servers: KafkaServersOption = None,
) -> None:
    """Serve generation over HTTP: POST /v1/generate, sessions, live events, archives, /metrics."""
    from onexgen.history.config import data_dir as default_data_dir
    from onexgen.service.guard import TokenError, load_token

    root = (data_dir or default_data_dir()).absolute()
    try:
        root.mkdir(parents=True, exist_ok=True)
        token, token_source = load_token(token_file, root)
    except (TokenError, OSError) as exc:
        typer.echo(f"onexgen: error: {exc}", err=True)
        raise typer.Exit(2) from None
    # Tool caches (mypy, templates) live in the data dir too: the service writes nowhere else.
    os.environ["ONEXGEN_CACHE_DIR"] = str(root / "cache")

    import uvicorn

    from onexgen.service.app import ServiceSettings, create_app

    settings = ServiceSettings(
        data_dir=root,
        token=token,
        database_url=database_url,
        workers=workers,
        queue_limit=queue_limit,
        broker=kafka_servers,
    )
    sys.stderr.write(
        f"onexgen serve: http://{host}:{port} (docs at /docs), data in {root}, "
        f"bearer token from {token_source}"
        + (f", generations on the workers of {kafka_servers}" if kafka_servers else "")
        + "\n"
    )
    sys.stderr.flush()
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise typer.Exit(1)
