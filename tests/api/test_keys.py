"""API keys over the API: an owner lists and revokes their company's keys, and nobody else's; keys
can expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from racehub.auth.service import create_api_key
from racehub.db import Database, Scope
from tests.api.world import World, auth


def _key_id(client: TestClient, owner_key: str, prefix: str) -> int:
    listed = client.get("/v1/keys", headers=auth(owner_key)).json()["items"]
    return next(k["id"] for k in listed if k["prefix"] == prefix)


class TestOwnersKeys:
    def test_an_owner_lists_the_company_keys_without_their_values(
        self, fresh_client: TestClient, fresh_world: World
    ) -> None:
        response = fresh_client.get("/v1/keys", headers=auth(fresh_world.a.owner_key))

        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == 3
        assert {k["user_email"] for k in page["items"]} == {
            f"{role}@{fresh_world.a.slug}.example" for role in ("owner", "staff", "viewer")
        }
        assert {k["organization"] for k in page["items"]} == {fresh_world.a.slug}
        mine = (fresh_world.a.owner_key, fresh_world.a.staff_key, fresh_world.a.viewer_key)
        assert {k["prefix"] for k in page["items"]} == {key[:10] for key in mine}
        for key in (fresh_world.a.owner_key, fresh_world.a.staff_key, fresh_world.b.owner_key):
            assert key not in response.text

    def test_a_revoked_key_is_refused_at_once(self, fresh_client: TestClient, fresh_world: World) -> None:
        staff = _key_id(fresh_client, fresh_world.a.owner_key, fresh_world.a.staff_key[:10])
        assert fresh_client.get("/v1/events", headers=auth(fresh_world.a.staff_key)).status_code == 200

        revoked = fresh_client.delete(f"/v1/keys/{staff}", headers=auth(fresh_world.a.owner_key))

        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_at"] is not None
        assert fresh_client.get("/v1/events", headers=auth(fresh_world.a.staff_key)).status_code == 401
        listed = fresh_client.get("/v1/keys", headers=auth(fresh_world.a.owner_key)).json()
        assert listed["total"] == 2
        with_revoked = fresh_client.get("/v1/keys?revoked=true", headers=auth(fresh_world.a.owner_key)).json()
        assert with_revoked["total"] == 3

    def test_another_company_key_is_not_found_and_stays_live(
        self, fresh_client: TestClient, fresh_world: World
    ) -> None:
        theirs = _key_id(fresh_client, fresh_world.b.owner_key, fresh_world.b.staff_key[:10])

        response = fresh_client.delete(f"/v1/keys/{theirs}", headers=auth(fresh_world.a.owner_key))

        assert response.status_code == 404
        assert response.json()["error"] == "KeyNotFound"
        assert fresh_client.get("/v1/events", headers=auth(fresh_world.b.staff_key)).status_code == 200

    def test_staff_and_viewers_may_not_list_or_revoke(
        self, fresh_client: TestClient, fresh_world: World
    ) -> None:
        for key in (fresh_world.a.staff_key, fresh_world.a.viewer_key):
            assert fresh_client.get("/v1/keys", headers=auth(key)).status_code == 403
            assert fresh_client.delete("/v1/keys/1", headers=auth(key)).status_code == 403


class TestExpiry:
    def test_an_expired_key_is_refused_like_a_revoked_one(
        self, db: Database, fresh_client: TestClient, fresh_world: World
    ) -> None:
        with db.session(Scope.operator()) as session:
            key = create_api_key(
                session, email=f"staff@{fresh_world.a.slug}.example", label="ci", expires_in_days=30
            )
        assert fresh_client.get("/v1/events", headers=auth(key)).status_code == 200
        listed = fresh_client.get("/v1/keys", headers=auth(fresh_world.a.owner_key)).json()["items"]
        expires = next(k["expires_at"] for k in listed if k["label"] == "ci")
        assert datetime.fromisoformat(expires) - datetime.now(UTC) > timedelta(days=29)
        with db.session(Scope.operator()) as session:
            session.execute(
                text("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE label = 'ci'")
            )

        assert fresh_client.get("/v1/events", headers=auth(key)).status_code == 401


class TestBrowsersOfAllowedOrigins:
    def test_cors_only_for_configured_origins(self, db: Database, fresh_world: World) -> None:
        from racehub.app import create_app

        settings = db.settings.model_copy(update={"cors_origins": ["https://chat.example.com"]})
        with TestClient(create_app(db, settings)) as client:
            allowed = client.options(
                "/tools/events",
                headers={
                    "Origin": "https://chat.example.com",
                    "Access-Control-Request-Method": "GET",
                    "Access-Control-Request-Headers": "authorization",
                },
            )
            other = client.get(
                "/v1/events", headers={"Origin": "https://evil.example", **auth(fresh_world.a.owner_key)}
            )
            listed = client.get(
                "/v1/events", headers={"Origin": "https://chat.example.com", **auth(fresh_world.a.owner_key)}
            )

        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://chat.example.com"
        assert "access-control-allow-origin" not in other.headers
        assert listed.headers["access-control-allow-origin"] == "https://chat.example.com"
