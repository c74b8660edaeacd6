"""The API over the imported racedata-v1 bundle (read only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from racehub.app import create_app
from racehub.auth.callers import Caller
from racehub.auth.dependencies import current_caller
from racehub.db import Database, Scope


@pytest.fixture(scope="module")
def org_ids(bundle_db: Database) -> dict[str, int]:
    with bundle_db.session(Scope.operator()) as session:
        return {slug: org_id for slug, org_id in session.execute(text("SELECT slug, id FROM organizations"))}


def _client_for(database: Database, org_id: int) -> TestClient:
    """A client acting as a viewer of `org_id`. The bundle must not be written, so no API key is
    created: the key lookup (covered by the other API tests) is replaced by a fixed caller."""
    app = create_app(database)
    scope = Scope.tenant(org_id, None, "viewer")
    viewer = Caller(
        scope=scope,
        user_id=0,
        email="viewer@bundle.example",
        name="Bundle Viewer",
        org_id=org_id,
        role="viewer",
    )
    app.dependency_overrides[current_caller] = lambda: viewer
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def summit(bundle_db: Database, org_ids: dict[str, int]) -> Iterator[TestClient]:
    with _client_for(bundle_db, org_ids["summit-sports-timing"]) as client:
        yield client


@pytest.fixture(scope="module")
def tidewater(bundle_db: Database, org_ids: dict[str, int]) -> Iterator[TestClient]:
    with _client_for(bundle_db, org_ids["tidewater-timing"]) as client:
        yield client


def _race_id(client: TestClient, event: str, year: int, race: str) -> int:
    editions = client.get("/v1/events", params={"name": event, "year": year}).json()["items"]
    assert len(editions) == 1, editions
    races = client.get(f"/v1/events/{editions[0]['id']}/races").json()
    return int(next(r["id"] for r in races if r["name"] == race))


class TestBundleAnswers:
    def test_boston_2025_womens_winner(self, summit: TestClient) -> None:
        race_id = _race_id(summit, "Boston Marathon", 2025, "Marathon")
        params: dict[str, Any] = {"sex": "F", "sort": "sex_place", "limit": 2}
        body = summit.get(f"/v1/races/{race_id}/results", params=params).json()
        winner = body["items"][0]
        assert (winner["name"], winner["sex_place"]) == ("Christina Murray", 1)
        assert winner["gun_time"] == "2:36:57.7"
        assert body["items"][1]["gun_time"] == "2:37:47.6"
        by_place = summit.get(f"/v1/races/{race_id}/results", params={"sex": "F", "limit": 1}).json()
        assert by_place["items"][0]["name"] == "Christina Murray"

    def test_richmond_turkey_trot_2025_5k_has_56_awards(self, tidewater: TestClient) -> None:
        race_id = _race_id(tidewater, "Richmond Turkey Trot", 2025, "5K")
        body = tidewater.get(f"/v1/races/{race_id}/awards").json()
        assert body["total"] == 56
        assert len(body["awards"]) == 56
        sexes = [a["sex"] for a in body["awards"]]
        assert sexes == sorted(sexes, key="FMX".index)

    def test_another_timing_company_sees_none_of_it(self, summit: TestClient, tidewater: TestClient) -> None:
        race_id = _race_id(tidewater, "Richmond Turkey Trot", 2025, "5K")
        for path in (f"/v1/races/{race_id}", f"/v1/races/{race_id}/results", f"/v1/races/{race_id}/awards"):
            assert summit.get(path).status_code == 404
        assert summit.get("/v1/events", params={"name": "Richmond"}).json()["total"] == 0
