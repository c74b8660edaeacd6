"""API keys, roles, the error shape and the health check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from racehub.app import create_app
from racehub.auth.repository import revoke_keys, user_by_email
from racehub.db import Database, Scope
from tests.api.world import World, auth

pytestmark = pytest.mark.usefixtures("world")


def _every_route(world: World) -> list[tuple[str, str]]:
    a = world.a
    entry = a.entry_ids["Ana Pérez"]
    return [
        ("GET", "/v1/events"),
        ("GET", f"/v1/events/{a.edition_id}"),
        ("GET", f"/v1/events/{a.edition_id}/races"),
        ("GET", f"/v1/races/{a.race_id}"),
        ("GET", f"/v1/races/{a.race_id}/results"),
        ("GET", f"/v1/races/{a.race_id}/results/{entry}"),
        ("GET", f"/v1/races/{a.race_id}/awards"),
        ("POST", f"/v1/races/{a.race_id}/score"),
        ("GET", "/v1/participants?name=Ana"),
        ("GET", f"/v1/persons/{a.person_ids['Ana Pérez']}"),
    ]


class TestApiKeyRequired:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer rh_not-a-real-key"},
            {"Authorization": "Bearer not-even-our-format"},
            {"Authorization": "Bearer "},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "rh_missing-scheme"},
        ],
    )
    def test_every_route_refuses_a_missing_or_bad_key(
        self, client: TestClient, world: World, headers: dict[str, str]
    ) -> None:
        for method, path in _every_route(world):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["WWW-Authenticate"] == "Bearer"
            body = response.json()
            assert body["error"] == "Unauthorized"
            assert body["detail"]

    def test_a_valid_key_opens_every_read_route(self, client: TestClient, world: World) -> None:
        for method, path in _every_route(world):
            if method == "GET":
                response = client.get(path, headers=auth(world.a.viewer_key))
                assert response.status_code == 200, (path, response.text)

    def test_a_revoked_key_is_refused(
        self, fresh_client: TestClient, fresh_world: World, db: Database
    ) -> None:
        key = fresh_world.a.staff_key
        assert fresh_client.get("/v1/events", headers=auth(key)).status_code == 200
        with db.session(Scope.operator()) as session:
            user = user_by_email(session, f"staff@{fresh_world.a.slug}.example")
            assert user is not None
            revoke_keys(session, user.id)
        response = fresh_client.get("/v1/events", headers=auth(key))
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"


class TestWriterRole:
    def test_viewer_cannot_score(self, client: TestClient, world: World) -> None:
        response = client.post(f"/v1/races/{world.a.race_id}/score", headers=auth(world.a.viewer_key))
        assert response.status_code == 403
        assert response.json()["error"] == "Forbidden"

    def test_viewer_cannot_score_even_claiming_a_role_in_the_body(
        self, client: TestClient, world: World
    ) -> None:
        response = client.post(
            f"/v1/races/{world.a.race_id}/score",
            headers=auth(world.a.viewer_key),
            json={"role": "admin", "org_id": world.a.org_id},
        )
        assert response.status_code == 403

    @pytest.mark.parametrize("role", ["owner", "staff"])
    def test_owner_and_staff_can_score(self, fresh_client: TestClient, fresh_world: World, role: str) -> None:
        key = getattr(fresh_world.a, f"{role}_key")
        response = fresh_client.post(f"/v1/races/{fresh_world.a.race_id}/score", headers=auth(key))
        assert response.status_code == 200, response.text
        assert response.json()["finishers"] == 11


class TestErrorShape:
    def test_unknown_route_is_404_in_the_house_shape(self, client: TestClient) -> None:
        response = client.get("/v1/no-such-thing")
        assert response.status_code == 404
        assert set(response.json()) == {"error", "detail"}

    def test_missing_record_is_404_naming_the_error(self, client: TestClient, world: World) -> None:
        response = client.get("/v1/events/987654321", headers=auth(world.a.viewer_key))
        assert response.status_code == 404
        assert response.json() == {"error": "EventNotFound", "detail": "event edition 987654321 not found"}

    @pytest.mark.parametrize(
        ("path", "parameter"),
        [
            ("/v1/races/{race}/results?limit=-1", "limit"),
            ("/v1/races/{race}/results?limit=501", "limit"),
            ("/v1/races/{race}/results?offset=-5", "offset"),
            ("/v1/races/{race}/results?sex=Q", "sex"),
            ("/v1/races/{race}/results?status=XYZ", "status"),
            ("/v1/races/{race}/results?sort=fastest", "sort"),
            ("/v1/races/{race}/results?limit=ten", "limit"),
            ("/v1/races/0/results", "race_id"),
            ("/v1/races/99999999999999999999/results", "race_id"),
            ("/v1/events?status=finished", "status"),
            ("/v1/events?year=abc", "year"),
            ("/v1/events?limit=0", "limit"),
            ("/v1/participants?name=a", "name"),
            ("/v1/participants", "name"),
            ("/v1/participants?name=%20%20x", "name"),
        ],
    )
    def test_bad_parameters_are_422_naming_the_parameter(
        self, client: TestClient, world: World, path: str, parameter: str
    ) -> None:
        response = client.get(path.format(race=world.a.race_id), headers=auth(world.a.viewer_key))
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error"] == "InvalidInput"
        assert parameter in body["detail"]
        assert set(body) == {"error", "detail"}

    def test_unexpected_errors_are_500_without_internals(self, world_database: Database) -> None:
        app = create_app(world_database)

        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("secret connection string postgres://x:y@z")

        with TestClient(app, raise_server_exceptions=False) as test_client:
            response = test_client.get("/boom")
        assert response.status_code == 500
        assert response.json()["error"] == "InternalError"
        assert "secret" not in response.text
        assert "Traceback" not in response.text


class TestHealth:
    def test_health_needs_no_key_and_checks_the_database(self, client: TestClient) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_health_reports_an_unreachable_database(self, test_settings) -> None:  # type: ignore[no-untyped-def]
        down = Database(test_settings, owner_url="postgresql://nobody@127.0.0.1:1/none")
        with TestClient(create_app(down), raise_server_exceptions=False) as test_client:
            response = test_client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"error": "DatabaseUnavailable", "detail": "database unavailable"}

    def test_openapi_lists_the_versioned_routes(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        assert spec["info"]["title"] == "RaceHub"
        assert "/v1/races/{race_id}/results" in spec["paths"]
        assert client.get("/docs").status_code == 200
