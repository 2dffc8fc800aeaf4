"""Every error leaves the API as `{error, detail, request_id}`; never a stack trace.

Under `/v1/` (the OpenAI-compatible routes) the same errors take OpenAI's shape,
`{"error": {"message", "type", "param", "code"}}`, because OpenAI clients read that
shape to tell the user what went wrong; the status and the stable code are the same.

The request id is made (or taken from `X-Request-ID`) per request, returned in the
`X-Request-ID` header and logged with the request's line, so a user's error report
leads to the log entry.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.library import PaperNotFoundError
from rag.errors import BackendError, DocumentError, InvalidInputError, NoIndexError, RagError

log = logging.getLogger("api")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "not_ready",
    504: "timeout",
}
OPENAI_PREFIX = "/v1/"
# OpenAI's error `type` by status; other 4xx are `invalid_request_error`, 5xx `server_error`.
OPENAI_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


# Project errors by class (the most specific class that matches wins), with their
# status and stable error code.
PROJECT_ERRORS: dict[type[RagError], tuple[int, str]] = {
    InvalidInputError: (422, "invalid_input"),
    DocumentError: (422, "bad_document"),
    NoIndexError: (503, "no_index"),
    BackendError: (503, "backend_unavailable"),
    PaperNotFoundError: (404, "not_found"),
    RagError: (400, "bad_request"),
}


class ApiError(Exception):
    """An error with its HTTP status, stable code and readable detail."""

    def __init__(self, status: int, error: str, detail: str, param: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.param = status, error, detail, param


def request_id(request: Request) -> str:
    """This request's id (set by `RequestContext`)."""
    return str(getattr(request.state, "request_id", "-"))


def openai_error(status: int, error: str, detail: str, param: str | None = None) -> dict[str, Any]:
    """An error in OpenAI's shape; `code` is the API's stable error code."""
    kind = OPENAI_TYPES.get(status, "invalid_request_error" if status < 500 else "server_error")
    return {"error": {"message": detail, "type": kind, "param": param, "code": error}}


def error_body(
    path: str, status: int, error: str, detail: str, rid: str, param: str | None = None
) -> dict[str, Any]:
    """The error body for a request to `path`: OpenAI's shape under /v1/, ours elsewhere."""
    if path.startswith(OPENAI_PREFIX):
        return openai_error(status, error, detail, param)
    return {"error": error, "detail": detail, "request_id": rid}


def error_response(
    request: Request, status: int, error: str, detail: str, param: str | None = None
) -> JSONResponse:
    """The JSON error body every failure uses."""
    body = error_body(request.url.path, status, error, detail, request_id(request), param)
    return JSONResponse(body, status_code=status)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def describe_validation(exc: RequestValidationError) -> tuple[str, str]:
    """The field of the first problem and `field: message`, e.g. `top_k: Input should be ...`."""
    errors = exc.errors()
    if not errors:
        return "body", "invalid request"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return "body", "body: malformed JSON"
    if first.get("type") == "model_attributes_type" or first.get("loc") == ("body",):
        return "body", "body: expected a JSON object (Content-Type: application/json)"
    field = _field(tuple(first.get("loc", ())))
    return field, f"{field}: {first.get('msg', 'invalid')}"


def install_error_handlers(app: FastAPI) -> None:
    """Map project errors and framework errors to statuses in one place."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        response = error_response(request, exc.status, exc.error, exc.detail, exc.param)
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        field, detail = describe_validation(exc)
        return error_response(request, 422, "invalid_input", detail, field)

    def project_handler(
        status: int, error: str
    ) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
        async def handle(request: Request, exc: Exception) -> JSONResponse:
            return error_response(request, status, error, str(exc), getattr(exc, "field", None))

        return handle

    for exc_class, (status, error) in PROJECT_ERRORS.items():
        app.add_exception_handler(exc_class, project_handler(status, error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(request, exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request %s failed", request_id(request))
        return error_response(
            request, 500, "internal", "internal error; the server log has this request id"
        )


class RateLimit:
    """ASGI middleware: a moving-window limit per client address (the `limits` library).

    `/metrics` is exempt so a scraper never locks itself out.
    """

    def __init__(self, app: ASGIApp, limit: str) -> None:
        self.app = app
        self.rate = parse(limit)
        self.window = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let a request through, or answer 429 when its client is over the limit."""
        if scope["type"] != "http" or scope["path"] == "/metrics":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.window.hit(self.rate, client):
            await self.app(scope, receive, send)
            return
        rid = scope.get("state", {}).get("request_id", "-")
        detail = f"rate limit {self.rate} exceeded"
        await send_json(send, scope["path"], 429, "rate_limited", detail, rid)


async def send_json(send: Send, path: str, status: int, error: str, detail: str, rid: str) -> None:
    """An error body sent from middleware, below the exception handlers."""
    body = json.dumps(error_body(path, status, error, detail, rid)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """ASGI middleware: request id, worker pid, body size limit, and one log line per request.

    The `X-Worker-PID` header names the process that answered, so with `--workers N` a
    slow or wrong answer can be traced to one worker's log.

    The size limit reads `Content-Length` and also counts a streamed body, so neither a
    lying header nor a chunked upload gets past it; uploads to /papers get their own,
    larger limit.
    """

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Tag, limit and log one HTTP request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        rid = given if REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        limit = self.max_upload if scope["path"].startswith("/papers") else self.max_body
        began = time.perf_counter()
        status = {"code": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = message.setdefault("headers", [])
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", rid.encode()))
                headers.append((b"x-worker-pid", str(os.getpid()).encode()))
            await send(message)

        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            detail = f"request body over {limit} bytes"
            await send_json(send_with_id, scope["path"], 413, "too_large", detail, rid)
        else:
            seen = {"bytes": 0}

            async def counted() -> Message:
                message = await receive()
                if message["type"] == "http.request":
                    seen["bytes"] += len(message.get("body", b""))
                    if seen["bytes"] > limit:
                        raise ApiError(413, "too_large", f"request body over {limit} bytes")
                return message

            await self.app(scope, counted, send_with_id)
        log.info(
            "%s %s %s %d %.1fms",
            rid,
            scope["method"],
            scope["path"],
            status["code"],
            (time.perf_counter() - began) * 1000,
        )
