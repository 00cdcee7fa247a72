"""Error responses: clear messages for bad input, never a stack trace to a client.

A request that fails validation (422) gets each error's field, message and a short excerpt of
the offending value, never the request body itself (which may be megabytes, or sensitive).

Two pure-ASGI middlewares (cheaper per request than Starlette's ``BaseHTTPMiddleware``):
:class:`RequestGuardMiddleware` gives every request an id, turns unexpected exceptions into a
generic 500 naming that id (details go to the server log), and refuses bodies over the size
limit with 413 — by ``Content-Length`` up front, or while streaming when the length is unknown.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from clearance.errors import ClearanceError, InputError

log = logging.getLogger("clearance.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Characters of an invalid value quoted back in a 422 answer.
EXCERPT_CHARS = 80
#: Validation errors listed in one 422 answer (the rest are counted).
MAX_ERRORS = 20


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a streamed body passes the limit."""


class RequestGuardMiddleware:
    """Request ids, body size limits and the last-resort 500 handler."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        max_upload_bytes: int,
        upload_paths: tuple[str, ...],
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = upload_paths

    def limit_for(self, path: str) -> int:
        if any(path == p or path.startswith(p + "/") for p in self.upload_paths):
            return self.max_upload_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        limit = self.limit_for(scope["path"])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, _too_large(limit), request_id)
            return

        received = 0
        started = False
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                # The app caught the BodyTooLarge (FastAPI turns body errors into a 400):
                # answer with the 413 instead of whatever it produced.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _send_json(send, 413, _too_large(limit), request_id)
                return
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_json(send, 413, _too_large(limit), request_id)
        except Exception:
            log.exception(
                "unhandled error in %s %s (request %s)", scope["method"], scope["path"], request_id
            )
            if not started:
                await _send_json(
                    send,
                    500,
                    {
                        "detail": "Internal server error. The server log has the details under "
                        f"request id {request_id}.",
                        "request_id": request_id,
                    },
                    request_id,
                )


def _too_large(limit: int) -> dict[str, Any]:
    return {
        "detail": f"Request body too large: the limit for this endpoint is {limit:,} bytes "
        f"({limit / 1024 / 1024:.1f} MiB)."
    }


async def _send_json(send: Send, status: int, body: dict[str, Any], request_id: str) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def excerpt(value: Any) -> str:
    """At most :data:`EXCERPT_CHARS` characters of ``value`` (as JSON), saying how long it was."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= EXCERPT_CHARS:
        return text
    return f"{text[:EXCERPT_CHARS]}... ({len(text):,} characters)"


def validation_errors(errors: Sequence[Any]) -> dict[str, Any]:
    """The 422 body: field (``loc``), message, type and an excerpt of the value, per error."""
    detail = []
    for error in errors[:MAX_ERRORS]:
        item: dict[str, Any] = {
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        if "input" in error:
            item["input"] = excerpt(error["input"])
        if error.get("ctx"):
            item["ctx"] = {key: excerpt(value) for key, value in error["ctx"].items()}
        detail.append(item)
    body: dict[str, Any] = {"detail": detail}
    if len(errors) > MAX_ERRORS:
        body["more_errors"] = len(errors) - MAX_ERRORS
    return body


def install_error_handlers(app: FastAPI) -> None:
    """Clearance's own errors carry user-facing messages: return them as 400s; validation
    errors as 422s that name the field without echoing the body."""

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_errors(exc.errors()), status_code=422)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": str(exc),
                "location": {
                    "file": exc.location.file,
                    "line": exc.location.line,
                    "field": exc.location.field,
                },
            },
            status_code=400,
        )

    @app.exception_handler(ClearanceError)
    async def clearance_error(request: Request, exc: ClearanceError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)
