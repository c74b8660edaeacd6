"""`racehub serve`: the HTTP API under uvicorn."""

from __future__ import annotations

import typer

from racehub.cli.common import console, database, fails_cleanly


@fails_cleanly
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, min=1, max=65535, help="port to listen on"),
) -> None:
    """Serve the REST API (OpenAPI docs at /docs); migrations are applied first."""
    import uvicorn  # imported here: other commands need not load the web stack

    from racehub.app import create_app

    db = database()
    console.print(f"RaceHub API on http://{host}:{port} (docs at /docs)")
    # No access log: its request lines hold query strings (a runner's name in a search); the app logs
    # each request without them (`racehub.app.RequestLog`). No proxy headers either: uvicorn would trust
    # X-Forwarded-For from loopback; the app reads it only from RACEHUB_TRUSTED_PROXIES.
    uvicorn.run(create_app(db), host=host, port=port, access_log=False, proxy_headers=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
