"""Every error leaves the API as `{error, detail, retryable, request_id}`; never a stack trace.

`retryable` says whether the same request may succeed later: a project error's own flag
(`rag.errors`), else its status's (`RETRYABLE_STATUSES`).

Under `/v1/` (the OpenAI-compatible routes) the same errors take OpenAI's shape,
`{"error": {"message", "type", "param", "code"}}`, because OpenAI clients read that
shape to tell the user what went wrong; the status and the stable code are the same.

The request id is made (or taken from `X-Request-ID`) per request, returned in the
`X-Request-ID` header and logged with the request's line, so a user's error report
leads to the log entry. That holds for a 500 too: `RequestContext` itself turns an
unexpected exception into the 500 body, since Starlette's own last-resort handler sits
outside every middleware and so answers without the id and resets the connection.

A failure after a stream opened goes through the same table (`classify`,
`streamed_error`): the stream's error event has the status, code and detail the plain
response would have had, and an unexpected error's text stays in the log there too.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import (
    BackendError,
    DocumentError,
    DuplicatePaperError,
    IndexBrokenError,
    InvalidInputError,
    NoIndexError,
    PaperNotFoundError,
    RagError,
    ReadOnlyPipelineError,
    StoreUnavailableError,
)

log = logging.getLogger("api")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    421: "unknown_host",
    429: "rate_limited",
    503: "not_ready",
    504: "timeout",
}
OPENAI_PREFIX = "/v1/"
# OpenAI's error `type` by status; other 4xx are `invalid_request_error`, 5xx `server_error`.
OPENAI_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}
# What a 500 says: the cause stays in the server log, found by the request id.
INTERNAL_DETAIL = "internal error; the server log has this request id"
# The methods a 405's `Allow` may name.
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# Statuses that say "try again later", for an error that carries no flag of its own.
RETRYABLE_STATUSES = frozenset({429, 503, 504})
# Paths a scraper or a load balancer polls: never rate limited, so they never lock out.
UNLIMITED_PATHS = frozenset({"/metrics", "/health"})


# Project errors by class (the most specific class that matches wins), with their
# status and stable error code.
PROJECT_ERRORS: dict[type[RagError], tuple[int, str]] = {
    InvalidInputError: (422, "invalid_input"),
    DocumentError: (422, "bad_document"),
    NoIndexError: (503, "no_index"),
    IndexBrokenError: (503, "index_broken"),
    BackendError: (503, "backend_unavailable"),
    StoreUnavailableError: (503, "store_unavailable"),
    PaperNotFoundError: (404, "not_found"),
    DuplicatePaperError: (409, "duplicate"),
    ReadOnlyPipelineError: (405, "read_only"),
    RagError: (400, "bad_request"),
}


class ApiError(Exception):
    """An error with its HTTP status, stable code and readable detail."""

    def __init__(self, status: int, error: str, detail: str, param: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.param = status, error, detail, param
        self.retryable = status in RETRYABLE_STATUSES


@dataclass(frozen=True)
class ErrorInfo:
    """How one failure leaves the API: status, stable code, a detail safe to show."""

    status: int
    error: str
    detail: str
    param: str | None = None
    retryable: bool | None = None  # None: as the status says (RETRYABLE_STATUSES)


def classify(exc: Exception) -> ErrorInfo:
    """Any exception's row of the error table: the one place a failure gets its status.

    An `ApiError` carries its own; a project error takes the row of its most specific
    class in `PROJECT_ERRORS`, its message written to be shown; anything else is an
    internal error whose text (paths, queries) stays in the server log.
    """
    if isinstance(exc, ApiError):
        return ErrorInfo(exc.status, exc.error, exc.detail, exc.param, exc.retryable)
    for cls in type(exc).__mro__:
        if cls in PROJECT_ERRORS and isinstance(exc, RagError):
            status, error = PROJECT_ERRORS[cls]
            return ErrorInfo(status, error, str(exc), getattr(exc, "field", None), exc.retryable)
    return ErrorInfo(500, "internal", INTERNAL_DETAIL, retryable=False)


def streamed_error(exc: Exception, path: str, rid: str) -> dict[str, Any]:
    """The error body for a failure after a stream opened; call it in the `except` block.

    An internal one is logged with its traceback and the request id, as `RequestContext`
    logs a 500.
    """
    info = classify(exc)
    if info.error == "internal":
        log.exception("%s %s failed after its stream opened", rid, path)
    return error_body(path, info, rid)


def request_id(request: Request) -> str:
    """This request's id (set by `RequestContext`)."""
    return str(getattr(request.state, "request_id", "-"))


def scope_request_id(scope: Scope) -> str:
    """The request id, for middleware that sees only the ASGI scope."""
    return str(scope.get("state", {}).get("request_id", "-"))


def printable(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate echoed from the request is escaped.

    Otherwise rendering the error body itself would fail, turning a 4xx into a 500.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def openai_error(status: int, error: str, detail: str, param: str | None = None) -> dict[str, Any]:
    """An error in OpenAI's shape; `code` is the API's stable error code."""
    kind = OPENAI_TYPES.get(status, "invalid_request_error" if status < 500 else "server_error")
    return {"error": {"message": detail, "type": kind, "param": param, "code": error}}


def error_body(path: str, info: ErrorInfo, rid: str) -> dict[str, Any]:
    """The error body for a request to `path`: OpenAI's shape (no `retryable`) under /v1/."""
    detail, param = printable(info.detail), info.param and printable(info.param)
    if path.startswith(OPENAI_PREFIX):
        return openai_error(info.status, info.error, detail, param)
    retryable = info.status in RETRYABLE_STATUSES if info.retryable is None else info.retryable
    return {"error": info.error, "detail": detail, "retryable": retryable, "request_id": rid}


def error_response(request: Request, info: ErrorInfo) -> JSONResponse:
    """The JSON error body every failure uses."""
    body = error_body(request.url.path, info, request_id(request))
    return JSONResponse(body, status_code=info.status)


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
    if first.get("type") == "string_unicode":  # a lone surrogate, even in a key
        field = _field(tuple(first.get("loc", ())))
        return field, f"{field}: not Unicode text (a lone surrogate)"
    if first.get("type") == "model_attributes_type" or first.get("loc") == ("body",):
        return "body", "body: expected a JSON object (Content-Type: application/json)"
    field = _field(tuple(first.get("loc", ())))
    return field, f"{field}: {first.get('msg', 'invalid')}"


def install_error_handlers(app: FastAPI) -> None:
    """Map project errors and framework errors to statuses in one place."""

    async def _classified(request: Request, exc: Exception) -> JSONResponse:
        info = classify(exc)
        response = error_response(request, info)
        if info.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    # Starlette picks the handler of the exception's most specific registered class;
    # each is `_classified`, which looks the class up in the same table.
    classified: list[type[Exception]] = [ApiError, *PROJECT_ERRORS]
    for exc_class in classified:
        app.add_exception_handler(exc_class, _classified)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        field, detail = describe_validation(exc)
        return error_response(request, ErrorInfo(422, "invalid_input", detail, field, False))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        response = error_response(request, ErrorInfo(exc.status_code, code, str(exc.detail)))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path, found by asking the routes.

    Starlette's 405 names only the first route that matched the path, so `DELETE` would
    be missing from the `Allow` of `/papers/{id}`, whose `GET` is another route.
    """
    routes = request.app.router.routes
    return [
        method
        for method in HTTP_METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]


class RateLimit:
    """ASGI middleware: a moving-window limit per client address (the `limits` library).

    `/metrics` and `/health` are exempt so a scraper or load balancer never locks itself
    out. A 429 says in `Retry-After` when the oldest request leaves the window. The
    client address is the connection's peer unless `rag serve` trusts a proxy
    (RAG_TRUSTED_PROXIES), so a forged `X-Forwarded-For` cannot pose as many clients.
    """

    def __init__(self, app: ASGIApp, limit: str) -> None:
        self.app = app
        self.rate = parse(limit)
        self.window = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let a request through, or answer 429 when its client is over the limit."""
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.window.hit(self.rate, client):
            await self.app(scope, receive, send)
            return
        reset = self.window.get_window_stats(self.rate, client).reset_time
        retry = str(max(1, math.ceil(reset - time.time())))
        detail = f"rate limit {self.rate} exceeded; retry in {retry} s"
        await send_json(
            send,
            scope["path"],
            429,
            "rate_limited",
            detail,
            scope_request_id(scope),
            {"retry-after": retry},
        )


async def send_json(
    send: Send,
    path: str,
    status: int,
    error: str,
    detail: str,
    rid: str,
    headers: dict[str, str] | None = None,
) -> None:
    """An error body sent from middleware, below the exception handlers."""
    body = json.dumps(error_body(path, ErrorInfo(status, error, detail), rid)).encode()
    extra = [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *extra],
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass
class Exchange:
    """What `RequestContext` knows of one request's response so far."""

    status: int = 0  # set once the response has started
    refused: bool = False  # answered by the middleware itself; the app's reply is dropped


class RequestContext:
    """ASGI middleware: request id, worker pid, body size limit, the last-resort 500, a log line.

    The `X-Worker-PID` header names the process that answered, so with `--workers N` a
    slow or wrong answer can be traced to one worker's log.

    The size limit reads `Content-Length` and also counts a streamed body, so neither a
    lying header nor a chunked upload gets past it; uploads to /papers get their own,
    larger limit. An over-limit body is answered 413 here, as it arrives: raised inside
    the app, the framework would report it as a body it could not parse (400). Both
    that 413 and a 500 say `Connection: close`, since the rest of the request may
    still be on the connection, so a pooled client opens a fresh one.
    """

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Tag, limit and log one HTTP request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        rid = given if REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        path = scope["path"]
        limit = self.max_upload if path.startswith("/papers") else self.max_body
        began = time.perf_counter()
        exchange = Exchange()

        async def send_with_id(message: Message) -> None:
            if exchange.refused:
                return
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                headers = message.setdefault("headers", [])
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", rid.encode()))
                headers.append((b"x-worker-pid", str(os.getpid()).encode()))
            await send(message)

        async def answer(status: int, error: str, detail: str) -> None:
            close = {"connection": "close"}
            await send_json(send_with_id, path, status, error, detail, rid, close)
            exchange.refused = True

        seen = {"bytes": 0}

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > limit:
                    if not exchange.status:
                        await answer(413, "too_large", f"request body over {limit} bytes")
                    exchange.refused = True
                    return {"type": "http.disconnect"}
            return message

        declared = headers.get("content-length", "")
        try:
            if declared.isdigit() and int(declared) > limit:
                await answer(413, "too_large", f"request body over {limit} bytes")
            else:
                await self.app(scope, counted, send_with_id)
        except Exception:
            log.exception("%s %s %s failed", rid, scope["method"], path)
            if not exchange.status:
                await answer(500, "internal", INTERNAL_DETAIL)
            elif not exchange.refused:
                raise  # mid-response: only breaking the connection tells the client
        finally:
            log.info(
                "%s %s %s %d %.1fms",
                rid,
                scope["method"],
                path,
                exchange.status,
                (time.perf_counter() - began) * 1000,
            )
