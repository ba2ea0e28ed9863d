"""Request bodies are limited before Django reads them: an ASGI wrapper around the Django application.

The limit of a request is that of the longest prefix of its path in REQUEST_BODY_LIMITS, else
REQUEST_BODY_MAX_BYTES. A declared Content-Length over it is refused at once; a body streamed without
one (or longer than declared) is counted as it arrives and refused once it passes the limit. Either way
the answer is a JSON 413 and Django never sees the request: the application is told the client went
away (`http.disconnect`), which makes it stop reading and answer nothing.

The reverse proxy should refuse far larger bodies still (nginx `client_max_body_size`): an ASGI server
may have spooled a body before the application sees the request.
"""

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from django.conf import settings

# As Django's ASGIHandler takes them
Scope = dict[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def body_limit(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    prefixes = [prefix for prefix in settings.REQUEST_BODY_LIMITS if path.startswith(prefix)]
    if not prefixes:
        return settings.REQUEST_BODY_MAX_BYTES
    return settings.REQUEST_BODY_LIMITS[max(prefixes, key=len)]


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope.get("path", ""))
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Mapping[str, Any]) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the 413 below is the answer
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
        if exceeded and not started:
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {"detail": f"The request body is too large: at most {limit} bytes here.", "code": "request_too_large"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
