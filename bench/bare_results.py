#!/usr/bin/env python3
"""The baseline of the results API benchmark: a bare ASGI app serving the same page of results.

    RACEHUB_DATABASE_URL=... python bench/bare_results.py --port P --org ORG_ID --race RACE_ID

No routing, no authentication, no validation, no pydantic: one ASGI callable that, per request, runs the
results endpoint's SQL (race, count, page of 50, in one tenant transaction from the same pool that
`racehub serve` uses) in a worker thread and writes the rows with json.dumps.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio.to_thread
import uvicorn

from racehub.db import Scope, get_database
from racehub.results import repository
from racehub.results.repository import ResultFilters

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def make_app(
    org_id: int, race_id: int, limit: int = 50
) -> Callable[[Message, Receive, Send], Awaitable[None]]:
    database = get_database()
    filters = ResultFilters()

    def page() -> bytes:
        with database.session(Scope.tenant(org_id)) as session:
            race = repository.race_for_results(session, race_id)
            assert race is not None
            total = repository.count_results(session, race, filters)
            rows = repository.results_page(session, race, filters, "place", limit, 0)
            items = [dict(row) for row in rows]
        return json.dumps({"race_id": race_id, "total": total, "items": items}, default=str).encode()

    async def app(scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b'{"status": "ok"}' if scope["path"] == "/healthz" else await anyio.to_thread.run_sync(page)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--org", type=int, required=True)
    ap.add_argument("--race", type=int, required=True)
    args = ap.parse_args()
    uvicorn.run(make_app(args.org, args.race), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
