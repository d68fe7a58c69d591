"""The service's front door (pure ASGI middleware): bearer token and request size limits.

Why middleware and not a FastAPI dependency: it also covers ``/docs``, ``/openapi.json`` and
404s, it refuses an oversized body before any handler buffers it, and it answers with the same
clear JSON body everywhere. Only ``/health`` is open.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping
    from pathlib import Path

    type Scope = MutableMapping[str, Any]
    type Message = MutableMapping[str, Any]
    type Receive = Callable[[], Awaitable[Message]]
    type Send = Callable[[Message], Awaitable[None]]
    type ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_ENV = "ONEXGEN_API_TOKEN"
OPEN_PATHS = frozenset({"/health"})
UPLOAD_PATHS = frozenset({"/v1/validate"})


class TokenError(ValueError):
    """No usable token (an empty token file, say)."""


def load_token(token_file: Path | None, data_dir: Path) -> tuple[str, str]:
    """The API token and where it came from: the environment, ``token_file``, or a new file.

    Without either, a random token is created once in ``data_dir/api-token`` (mode 0600), so the
    service is never open by accident.
    """
    from_env = os.environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env, f"${TOKEN_ENV}"
    path = token_file or data_dir / "api-token"
    if token_file is None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise TokenError(f"cannot read the token file {path}: {exc.strerror or exc}") from exc
    if len(token) < 16:
        raise TokenError(f"the token in {path} is shorter than 16 characters; use a longer one")
    return token, str(path)


class GuardMiddleware:
    """Refuses unauthenticated and oversized requests before the app sees them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str,
        max_body_bytes: int,
        max_upload_bytes: int,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self._app = app
        self._token = token.encode("utf-8")
        self._max_body = max_body_bytes
        self._max_upload = max_upload_bytes
        self._on_refused = on_refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        if path not in OPEN_PATHS and not self._authorized(scope):
            await self._refuse(
                send,
                401,
                "unauthorized",
                "missing or wrong bearer token: send 'Authorization: Bearer <token>' with the "
                f"token of ${TOKEN_ENV} or the service's token file",
                extra=[(b"www-authenticate", b'Bearer realm="onexgen"')],
            )
            return
        limit = self._max_upload if path in UPLOAD_PATHS else self._max_body
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(send, limit)
            return
        if scope.get("method") in {"POST", "PUT", "PATCH"}:
            body = await _read_body(receive, limit)
            if body is None:
                await self._too_large(send, limit)
                return
            await self._app(scope, _replay(body, receive), send)
            return
        await self._app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, given = bytes(value).partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(
                    given.strip(), self._token
                )
        return False

    async def _too_large(self, send: Send, limit: int) -> None:
        await self._refuse(
            send, 413, "too_large", f"request body is larger than the {limit} bytes allowed"
        )

    async def _refuse(
        self,
        send: Send,
        status: int,
        reason: str,
        detail: str,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        if self._on_refused is not None:
            self._on_refused(reason)
        body = json.dumps({"error": reason, "detail": detail}).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            *(extra or []),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
