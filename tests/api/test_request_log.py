"""Request logging: one line per request, and never the query string (it can hold a runner's name)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from racehub.app import RequestLog, create_app
from racehub.db import Database
from tests.api.world import World, auth


def test_a_search_is_logged_without_the_name_searched_for(world_database: Database, world: World) -> None:
    app = create_app(world_database)
    assert app.user_middleware[0].cls is RequestLog  # outermost: it sees every request
    lines: list[tuple[str, dict[str, Any]]] = []
    logged = RequestLog(app, record=lambda event, **fields: lines.append((event, fields)))
    with TestClient(logged) as client:
        found = client.get("/v1/participants?name=nunez", headers=auth(world.a.viewer_key))
        missing = client.get("/v1/persons/999999999?name=Jose", headers=auth(world.a.viewer_key))

    assert (found.status_code, missing.status_code) == (200, 404)
    assert [(event, f["method"], f["path"], f["status"]) for event, f in lines] == [
        ("request", "GET", "/v1/participants", 200),
        ("request", "GET", "/v1/persons/999999999", 404),
    ]
    assert all(isinstance(f["ms"], float) for _, f in lines)
    assert "nunez" not in repr(lines).lower()
    assert "jose" not in repr(lines).lower()
