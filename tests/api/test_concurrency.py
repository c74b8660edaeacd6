"""Security case 13: a burst of requests alternating tenants over a small pool never crosses tenants."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from racehub.app import create_app
from racehub.db import Database
from tests.api.world import Tenant, World, another_handle, auth

REQUESTS = 200


def _paths(t: Tenant) -> list[str]:
    return [
        "/v1/events?name=harbor",
        f"/v1/races/{t.race_id}/results?limit=500",
        f"/v1/races/{t.race_id}/awards",
        "/v1/participants?name=nunez",
        f"/v1/persons/{t.person_ids['José Núñez']}",
        f"/v1/events/{t.edition_id}",
    ]


def _belongs_to(tenant: Tenant, path: str, body: Any) -> bool:
    """True when the tenant-specific ids in `body` are all `tenant`'s own."""
    if path.startswith("/v1/events?"):
        return tenant.edition_id in {e["id"] for e in body["items"]} and body["total"] in (1, 3)
    if path.startswith("/v1/events/"):
        return bool(body["id"] == tenant.edition_id)
    if "/results" in path:
        return {r["entry_id"] for r in body["items"]} == set(tenant.entry_ids.values())
    if "/awards" in path:
        return {a["entry_id"] for a in body["awards"]} <= set(tenant.entry_ids.values())
    jose = tenant.person_ids["José Núñez"]
    if path.startswith("/v1/participants"):
        return [p["person_id"] for p in body["items"]] == [jose]
    return bool(body["person_id"] == jose)


async def _burst(database: Database, plan: list[tuple[Tenant, str]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=create_app(database))
    async with httpx.AsyncClient(transport=transport, base_url="http://racehub.test") as http:
        return await asyncio.gather(*(http.get(path, headers=auth(t.viewer_key)) for t, path in plan))


class TestConcurrentTenants:
    def test_200_concurrent_requests_on_a_pool_of_two_stay_in_their_tenant(
        self, world_database: Database, world: World
    ) -> None:
        small = another_handle(world_database, pool_size=2)
        tenants = [world.a, world.b]
        plan = [(tenants[i % 2], _paths(tenants[i % 2])[(i // 2) % 6]) for i in range(REQUESTS)]
        try:
            # What each request must return: the same request made on its own.
            alone = asyncio.run(_burst(small, plan[:12]))
            expected = {(t.slug, path): r.json() for (t, path), r in zip(plan[:12], alone, strict=True)}
            responses = asyncio.run(_burst(small, plan))
            assert small.engine.pool.checkedout() == 0
        finally:
            small.dispose()
        for (tenant, path), response in zip(plan, responses, strict=True):
            assert response.status_code == 200, (path, response.text)
            body = response.json()
            assert body == expected[(tenant.slug, path)], path
            assert _belongs_to(tenant, path, body), path
            other = world.b if tenant is world.a else world.a
            assert not {n for n in other.names - tenant.names if n in response.text}, path
