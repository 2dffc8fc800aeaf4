"""Who may reach the API: only under the host names it serves, and changes only from its own pages.

A browser lets any page send a "simple" cross-site request (a form post, a `no-cors`
fetch) without a CORS preflight: the page cannot read the reply, but the request is
carried out. With no API key set, CORS alone would therefore let any site upload or
delete papers. `SameOrigin` refuses such requests by their `Origin` and
`Sec-Fetch-Site` headers, which pages cannot forge; clients that send neither (curl,
SDKs) are not browsers and pass.

DNS rebinding points a site's own name at 127.0.0.1, making its pages "same origin" with
the API; the `Host` header still carries the site's name, so `TrustedHosts` refuses
every host name the API does not serve. Starlette's `TrustedHostMiddleware` would do
that too, but answers in plain text and splits an IPv6 `[::1]:8000` at the wrong colon.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import scope_request_id, send_json

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# `Sec-Fetch-Site` values that mean a page of another origin sent the request.
OTHER_SITES = frozenset({"cross-site", "same-site"})
# A Host header: a DNS name or IPv4 address, or an IPv6 address in brackets; then a port.
HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d{1,5}))?$")
Origin = tuple[str, str, int]


def host_name(name: str) -> str:
    """A host name as compared here: lower case, an IPv6 address without its brackets."""
    return name.strip().lower().removeprefix("[").removesuffix("]")


def parse_host(value: str) -> tuple[str, int | None] | None:
    """The name and port of a `Host` header, or None when it is not a plain host."""
    match = HOST.match(value)
    if match is None:
        return None
    return host_name(match.group(1)), int(match.group(2)) if match.group(2) else None


def parse_origin(value: str) -> Origin | None:
    """`scheme://host[:port]` as (scheme, host, port), the default port filled in.

    None for `null` (sandboxed frames, `file:` pages) and anything else that names no site.
    """
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, host_name(parts.hostname), port or DEFAULT_PORTS[scheme]


class TrustedHosts:
    """ASGI middleware: 421 for a request whose `Host` the API does not serve.

    `allowed` holds names (any port), `*.example.org` for its subdomains, or `*`.
    """

    def __init__(self, app: ASGIApp, allowed: Sequence[str]) -> None:
        self.app = app
        self.any = "*" in allowed
        self.names = {host_name(h) for h in allowed if not h.startswith("*")}
        self.suffixes = tuple(host_name(h)[1:] for h in allowed if h.startswith("*."))

    def serves(self, host: str | None) -> bool:
        """Whether a request with this `Host` header is for this API."""
        parsed = parse_host(host or "")
        if parsed is None:
            return False
        name = parsed[0]
        return self.any or name in self.names or name.endswith(self.suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a request for a served host; answer any other with the JSON error."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host")
        if self.serves(host):
            await self.app(scope, receive, send)
            return
        detail = (
            f"host {host!r} is not served here; a deployment lists its names in RAG_ALLOWED_HOSTS"
        )
        await send_json(send, scope["path"], 421, "unknown_host", detail, scope_request_id(scope))


class SameOrigin:
    """ASGI middleware: 403 for a change (not GET, HEAD, OPTIONS) sent by another site's page.

    A change passes when its `Origin` is the API's own (scheme, host and port, as a page
    on 127.0.0.1:9000 is "same-site" with 127.0.0.1:8000 but not the same origin) or one
    of `allowed`; without `Origin`, when `Sec-Fetch-Site` does not name another site.
    `*` in `allowed` lets every origin through, as it does for CORS.
    """

    def __init__(self, app: ASGIApp, allowed: Sequence[str]) -> None:
        self.app = app
        self.any = "*" in allowed
        self.allowed = {o for o in map(parse_origin, allowed) if o is not None}

    def own_origin(self, scope: Scope, headers: Headers) -> Origin | None:
        """The origin the request was addressed to: its scheme and its `Host`."""
        scheme = str(scope.get("scheme", "http"))
        parsed = parse_host(headers.get("host", ""))
        if parsed is None or scheme not in DEFAULT_PORTS:
            return None
        name, port = parsed
        return scheme, name, port or DEFAULT_PORTS[scheme]

    def permits(self, scope: Scope) -> bool:
        """Whether this change may go ahead (see the class docstring)."""
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            return headers.get("sec-fetch-site", "").lower() not in OTHER_SITES
        if self.any:
            return True
        parsed = parse_origin(origin)
        return parsed is not None and (
            parsed in self.allowed or parsed == self.own_origin(scope, headers)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass reads and permitted changes; refuse the rest with the JSON error."""
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or self.permits(scope):
            await self.app(scope, receive, send)
            return
        detail = (
            "changes are accepted only from this server's own pages; "
            "another site's origin must be listed in RAG_CORS_ORIGINS"
        )
        await send_json(send, scope["path"], 403, "cross_site", detail, scope_request_id(scope))
