"""The OpenAPI tool server at /tools: its own spec, the five operations, tenant isolation, 401."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from racehub.app import create_app
from racehub.db import Database
from tests.tools.bundle_tenants import BundleTenants, bundle_tenants

OPERATIONS = {
    ("post", "/ask"): "ask",
    ("get", "/events"): "list_events",
    ("get", "/races/{race_id}/results"): "get_results",
    ("get", "/races/{race_id}/awards"): "get_awards",
    ("post", "/follows"): "follow",
}
REQUESTS = [
    ("post", "/tools/ask"),
    ("get", "/tools/events"),
    ("get", "/tools/races/1/results"),
    ("get", "/tools/races/1/awards"),
    ("post", "/tools/follows"),
]
WOMEN_WINNER_BOSTON = "Who won the women's race at the 2025 Boston Marathon?"


@pytest.fixture(scope="module")
def tenants(bundle_db: Database) -> BundleTenants:
    return bundle_tenants(bundle_db, "tools")


@pytest.fixture(scope="module")
def client(bundle_db: Database, tenants: BundleTenants) -> Iterator[TestClient]:
    with TestClient(create_app(bundle_db), raise_server_exceptions=False) as test_client:
        yield test_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def mentioned(names: set[str], text: str) -> set[str]:
    return {name for name in names if name in text}


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/tools/openapi.json")  # no key: Open WebUI may fetch it before it has one
    assert response.status_code == 200
    return response.json()


class TestSpec:
    def test_lists_exactly_the_five_operations(self, spec: dict[str, Any]) -> None:
        found = {
            (method, path): op["operationId"]
            for path, ops in spec["paths"].items()
            for method, op in ops.items()
        }
        assert found == OPERATIONS
        assert spec["servers"] == [{"url": "/tools"}]

    def test_each_operation_has_a_summary_a_description_and_bearer_security(
        self, spec: dict[str, Any]
    ) -> None:
        assert spec["components"]["securitySchemes"]["HTTPBearer"] == {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: `Authorization: Bearer rh_...`",
        }
        for (method, path), operation_id in OPERATIONS.items():
            operation = spec["paths"][path][method]
            assert operation["summary"], operation_id
            assert len(operation["description"]) > 80, operation_id
            assert operation["security"] == [{"HTTPBearer": []}], operation_id
            assert "401" in operation["responses"], operation_id

    def test_optional_inputs_have_plain_types_for_simple_tool_converters(self, spec: dict[str, Any]) -> None:
        events = {p["name"]: p["schema"] for p in spec["paths"]["/events"]["get"]["parameters"]}
        assert events["year"]["type"] == "integer"
        assert events["status"]["enum"] == ["upcoming", "completed", "cancelled"]
        results = {p["name"]: p for p in spec["paths"]["/races/{race_id}/results"]["get"]["parameters"]}
        assert results["race_id"]["required"]
        assert results["race_id"]["in"] == "path"
        assert results["sex"]["schema"]["enum"] == ["M", "F", "X"]
        question = spec["components"]["schemas"]["Question"]
        assert question["required"] == ["question"]
        assert question["properties"]["today"]["format"] == "date"
        # Response schemas keep their nulls.
        assert {"type": "null"} in spec["components"]["schemas"]["ResultRow"]["properties"]["bib"]["anyOf"]

    def test_the_api_spec_does_not_repeat_them(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert not [path for path in paths if path.startswith(("/tools", "/mcp"))]

    def test_docs_page(self, client: TestClient) -> None:
        response = client.get("/tools/docs")
        assert response.status_code == 200
        assert "/tools/openapi.json" in response.text


class TestOperations:
    def test_list_events_with_their_races(self, client: TestClient, tenants: BundleTenants) -> None:
        response = client.get(
            "/tools/events", params={"name": "shamrock", "year": 2025}, headers=auth(tenants.acme.key)
        )
        assert response.status_code == 200, response.text
        [edition] = response.json()["items"]
        assert tenants.acme.race_id in {race["id"] for race in edition["races"]}

    def test_get_results(self, client: TestClient, tenants: BundleTenants) -> None:
        response = client.get(
            f"/tools/races/{tenants.acme.race_id}/results",
            params={"sex": "M", "limit": 3},
            headers=auth(tenants.acme.key),
        )
        assert response.status_code == 200, response.text
        rows = response.json()["items"]
        assert [row["sex_place"] for row in rows] == [1, 2, 3]
        assert {row["name"] for row in rows} <= tenants.acme.runner_names

    def test_get_awards(self, client: TestClient, tenants: BundleTenants) -> None:
        response = client.get(f"/tools/races/{tenants.acme.race_id}/awards", headers=auth(tenants.acme.key))
        assert response.status_code == 200, response.text
        assert response.json()["total"] > 0

    def test_ask(self, client: TestClient, tenants: BundleTenants) -> None:
        body = {"question": "How many runners finished the Shamrock Marathon in 2025?", "today": "2026-11-25"}
        response = client.post("/tools/ask", json=body, headers=auth(tenants.acme.key))
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["status"] == "answered"
        assert answer["rows"]
        assert answer["sql"]

    def test_follow_answers_in_plain_english(self, client: TestClient, tenants: BundleTenants) -> None:
        # Read-only sentences: this database is shared by the module's tests.
        said = {"text": "What am I following?"}
        listed = client.post("/tools/follows", json=said, headers=auth(tenants.acme.key))
        assert listed.status_code == 200, listed.text
        assert listed.json()["kind"] == "list"
        unknown = client.post(
            "/tools/follows", json={"text": "tell me when bib 99999 finishes"}, headers=auth(tenants.acme.key)
        )
        assert unknown.json()["kind"] == "question"
        assert "no runner with bib 99999" in unknown.json()["reply"]

    @pytest.mark.parametrize("query", [{"limit": 101}, {"limit": 0}, {"sex": "Q"}])
    def test_bad_parameters_are_422(
        self, client: TestClient, tenants: BundleTenants, query: dict[str, Any]
    ) -> None:
        response = client.get(
            f"/tools/races/{tenants.acme.race_id}/results", params=query, headers=auth(tenants.acme.key)
        )
        assert response.status_code == 422
        assert response.json()["error"] == "InvalidInput"


class TestTenantIsolation:
    @pytest.mark.parametrize("operation", ["results", "awards"])
    def test_another_tenants_race_is_404(
        self, client: TestClient, tenants: BundleTenants, operation: str
    ) -> None:
        response = client.get(
            f"/tools/races/{tenants.summit.race_id}/{operation}", headers=auth(tenants.acme.key)
        )
        assert response.status_code == 404
        assert response.json()["error"] == "RaceNotFound"
        assert not mentioned(tenants.only_summit_names(), response.text)

    def test_their_events_are_not_listed(self, client: TestClient, tenants: BundleTenants) -> None:
        response = client.get("/tools/events", params={"name": "boston"}, headers=auth(tenants.acme.key))
        assert response.json()["total"] == 0

    def test_asking_about_their_event_shows_nothing_of_theirs(
        self, client: TestClient, tenants: BundleTenants
    ) -> None:
        body = {"question": WOMEN_WINNER_BOSTON, "today": "2026-11-25"}
        theirs = client.post("/tools/ask", json=body, headers=auth(tenants.summit.key))
        assert theirs.json()["status"] == "answered"
        assert mentioned(tenants.only_summit_names(), theirs.text)
        mine = client.post("/tools/ask", json=body, headers=auth(tenants.acme.key))
        assert mine.status_code == 200
        assert mine.json()["status"] != "answered"
        assert not mentioned(tenants.only_summit_names(), mine.text)


class TestAuthentication:
    @pytest.mark.parametrize(("method", "path"), REQUESTS)
    @pytest.mark.parametrize("authorization", [None, "Bearer rh_not-a-key", "Basic dXNlcjpwYXNz"])
    def test_without_a_valid_key_401(
        self, client: TestClient, method: str, path: str, authorization: str | None
    ) -> None:
        headers = {"Authorization": authorization} if authorization else {}
        body = {"question": "How many runners finished?"} if method == "post" else None
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"

    @pytest.mark.parametrize("which", ["revoked_key", "connector_key"])
    def test_revoked_and_connector_keys_are_401(
        self, client: TestClient, tenants: BundleTenants, which: str
    ) -> None:
        response = client.get("/tools/events", headers=auth(getattr(tenants, which)))
        assert response.status_code == 401
