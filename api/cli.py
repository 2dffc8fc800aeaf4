"""`rag serve`: the API and chat UI under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes, each with its own pipeline.")
    ] = 1,
) -> None:
    """Serve the HTTP API and the chat UI (http://HOST:PORT/)."""
    import uvicorn

    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # The API logs each request itself, with its request id; uvicorn's access log
        # would only repeat that line, at a cost on every request.
        access_log=False,
    )


def register(app: typer.Typer) -> None:
    """Add `serve` to the `rag` command."""
    app.command("serve")(serve)
