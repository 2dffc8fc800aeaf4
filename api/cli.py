"""`rag serve` (the API and chat UI under uvicorn) and `rag mcp` (the MCP server)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes, each with its own pipeline.")
    ] = 1,
) -> None:
    """Serve the HTTP API and the chat UI (http://HOST:PORT/).

    `X-Forwarded-For` and `X-Forwarded-Proto` are believed only from RAG_TRUSTED_PROXIES:
    uvicorn would otherwise trust them from 127.0.0.1, so any local client could claim
    to be many clients and slip past the rate limit.
    """
    import uvicorn

    from rag.settings import get_settings

    proxies = get_settings().trusted_proxies
    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        log_level="info",
        # The API logs each request itself, with its request id; uvicorn's access log
        # would only repeat that line, at a cost on every request.
        access_log=False,
    )


class Transport(StrEnum):
    """How an MCP client reaches the server."""

    stdio = "stdio"
    streamable_http = "streamable-http"


def mcp(
    transport: Annotated[
        Transport,
        typer.Option(help="stdio when the client starts the server; streamable-http to serve."),
    ] = Transport.stdio,
    host: Annotated[str, typer.Option(help="Address for streamable-http.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port for streamable-http (path /mcp).")] = 8002,
) -> None:
    """Serve the papers to MCP clients: tools ask, search_passages, list_papers."""
    from api.mcp_server import create_server

    server = create_server()
    if transport is Transport.stdio:
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=port)


def register(app: typer.Typer) -> None:
    """Add `serve` to the `rag` command."""
    app.command("serve")(serve)


def register_mcp(app: typer.Typer) -> None:
    """Add `mcp` to the `rag` command."""
    app.command("mcp")(mcp)
