"""`racehub serve`: the HTTP API under uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from racehub.cli.common import console, database, fails_cleanly

if TYPE_CHECKING:
    import uvicorn


def uvicorn_config(app: Any, *, host: str, port: int, **options: Any) -> uvicorn.Config:
    """How RaceHub runs under uvicorn. No access log: its request lines hold query strings (a runner's
    name in a search); the app logs each request without them (`racehub.app.RequestLog`). No proxy
    headers: uvicorn would trust X-Forwarded-For from loopback by default, letting any local caller pick
    the address rate limits count; the app reads it only from RACEHUB_TRUSTED_PROXIES."""
    import uvicorn  # imported here: other commands need not load the web stack

    return uvicorn.Config(app, host=host, port=port, access_log=False, proxy_headers=False, **options)


@fails_cleanly
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, min=1, max=65535, help="port to listen on"),
) -> None:
    """Serve the REST API (OpenAPI docs at /docs); migrations are applied first."""
    import uvicorn

    from racehub.app import create_app

    db = database()
    console.print(f"RaceHub API on http://{host}:{port} (docs at /docs)")
    uvicorn.Server(uvicorn_config(create_app(db), host=host, port=port)).run()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
