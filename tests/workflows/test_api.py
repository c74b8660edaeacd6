"""`/v1/workflows`: plan → confirm → status, for owners and staff of the edition's own timing company."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from racehub.auth.service import add_user, create_api_key
from racehub.db import Scope
from racehub.integrations.simulators import SIMULATOR_CREDENTIALS
from tests.workflows.conftest import Harness


def _app(harness: Harness) -> FastAPI:
    from racehub.app import create_app

    return create_app(harness.db, harness.settings)


@dataclass
class Keys:
    acme_owner: str
    acme_staff: str
    acme_other_staff: str
    acme_viewer: str
    tidewater_owner: str
    acme_edition: int
    tidewater_edition: int


@pytest.fixture
def keys(harness: Harness) -> Keys:
    harness.simulator("raceroster")
    acme, acme_edition = harness.edition("61248")  # Acme: Jingle Bell Run 2026 (RaceRoster)
    tidewater, tidewater_edition = harness.edition("61357")  # Tidewater: Lakeside 10K 2023
    harness.store_credentials(acme, "raceroster")
    harness.store_credentials(tidewater, "raceroster")
    made: dict[str, str] = {}
    with harness.db.session(Scope.operator()) as session:
        for name, org, role in (
            ("acme_owner", "acme-racing", "owner"),
            ("acme_staff", "acme-racing", "staff"),
            ("acme_other_staff", "acme-racing", "staff"),
            ("acme_viewer", "acme-racing", "viewer"),
            ("tidewater_owner", "tidewater-timing", "owner"),
        ):
            email = f"{name}@example.com"
            add_user(session, email=email, name=name, org_slug=org, role=role)
            made[name] = create_api_key(session, email=email, org_slug=org)
    return Keys(**made, acme_edition=acme_edition, tidewater_edition=tidewater_edition)


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    with TestClient(_app(harness)) as test_client:
        yield test_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class TestPlanConfirmStatus:
    def test_a_staff_member_plans_confirms_and_follows_a_sync(
        self, harness: Harness, client: TestClient, keys: Keys
    ) -> None:
        planned = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_staff),
            json={"kind": "sync_registrations", "event": "Jingle Bell Run", "year": 2026},
        )
        assert planned.status_code == 201, planned.text
        body = planned.json()
        assert (body["state"], body["edition_id"], body["kind"]) == (
            "planned",
            keys.acme_edition,
            "sync_registrations",
        )
        assert "from RaceRoster" in body["plan"]
        assert body["trigger"] == "api"
        assert harness.run(body["id"]).job_id is None  # nothing queued before confirmation

        confirmed = client.post(f"/v1/workflows/{body['id']}/confirm", headers=auth(keys.acme_staff))
        assert confirmed.status_code == 202, confirmed.text
        assert confirmed.json()["state"] == "queued"
        harness.work(harness.finished(body["id"]))

        done = client.get(f"/v1/workflows/{body['id']}", headers=auth(keys.acme_viewer))
        assert done.status_code == 200
        assert done.json()["state"] == "succeeded"
        assert done.json()["counts"] == {"fetched": 255, "inserted": 255, "updated": 0, "removed": 0}
        assert "finished at" in done.json()["status_text"]
        listed = client.get(
            "/v1/workflows",
            headers=auth(keys.acme_viewer),
            params={"edition_id": keys.acme_edition, "state": "succeeded"},
        )
        assert [run["id"] for run in listed.json()["items"]] == [body["id"]]
        for response in (planned, confirmed, done, listed):
            for secret in SIMULATOR_CREDENTIALS["raceroster"].values():
                assert secret not in response.text

    def test_confirming_twice_conflicts_and_only_the_asker_confirms(
        self, client: TestClient, keys: Keys
    ) -> None:
        planned = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_staff),
            json={"kind": "sync_registrations", "edition_id": keys.acme_edition},
        ).json()
        other = client.post(f"/v1/workflows/{planned['id']}/confirm", headers=auth(keys.acme_other_staff))
        assert other.status_code == 403
        assert (
            client.post(f"/v1/workflows/{planned['id']}/confirm", headers=auth(keys.acme_staff)).status_code
            == 202
        )
        again = client.post(f"/v1/workflows/{planned['id']}/confirm", headers=auth(keys.acme_staff))
        assert again.status_code == 409
        assert again.json()["error"] == "Conflict"

    def test_a_second_request_joins_the_queued_run(self, client: TestClient, keys: Keys) -> None:
        ids = []
        for key in (keys.acme_staff, keys.acme_owner):
            run = client.post(
                "/v1/workflows",
                headers=auth(key),
                json={"kind": "sync_registrations", "edition_id": keys.acme_edition},
            ).json()
            ids.append(client.post(f"/v1/workflows/{run['id']}/confirm", headers=auth(key)).json())
        assert ids[0]["state"] == "queued"
        assert (ids[1]["state"], ids[1]["duplicate_of"]) == ("cancelled", ids[0]["id"])
        assert f"joined run #{ids[0]['id']}" in ids[1]["status_text"]

    def test_a_planned_run_can_be_cancelled(self, client: TestClient, keys: Keys) -> None:
        run = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_staff),
            json={"kind": "sync_registrations", "edition_id": keys.acme_edition},
        ).json()
        client.post(f"/v1/workflows/{run['id']}/confirm", headers=auth(keys.acme_staff))
        cancelled = client.post(f"/v1/workflows/{run['id']}/cancel", headers=auth(keys.acme_staff))
        assert cancelled.status_code == 200
        assert cancelled.json()["state"] == "cancelled"


class TestWhoMay:
    def test_a_viewer_may_not_plan_or_confirm(self, client: TestClient, keys: Keys) -> None:
        denied = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_viewer),
            json={"kind": "sync_registrations", "edition_id": keys.acme_edition},
        )
        assert denied.status_code == 403
        assert denied.json()["error"] == "Forbidden"
        planned = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_staff),
            json={"kind": "sync_registrations", "edition_id": keys.acme_edition},
        ).json()
        assert (
            client.post(f"/v1/workflows/{planned['id']}/confirm", headers=auth(keys.acme_viewer)).status_code
            == 403
        )

    def test_another_tenants_edition_and_runs_are_not_found(self, client: TestClient, keys: Keys) -> None:
        by_id = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_owner),
            json={"kind": "sync_registrations", "edition_id": keys.tidewater_edition},
        )
        by_name = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_owner),
            json={"kind": "sync_registrations", "event": "Lakeside 10K", "year": 2023},
        )
        assert by_id.status_code == 404
        assert by_id.json()["error"] == "EventNotFound"
        assert by_name.status_code == 404
        theirs = client.post(
            "/v1/workflows",
            headers=auth(keys.tidewater_owner),
            json={"kind": "sync_registrations", "edition_id": keys.tidewater_edition},
        ).json()
        assert client.get(f"/v1/workflows/{theirs['id']}", headers=auth(keys.acme_owner)).status_code == 404
        assert (
            client.post(f"/v1/workflows/{theirs['id']}/confirm", headers=auth(keys.acme_owner)).status_code
            == 404
        )
        assert client.get("/v1/workflows", headers=auth(keys.acme_owner)).json()["items"] == []

    def test_a_body_naming_a_tenant_or_state_is_refused(self, client: TestClient, keys: Keys) -> None:
        response = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_owner),
            json={
                "kind": "sync_registrations",
                "edition_id": keys.acme_edition,
                "org_id": 2,
                "state": "queued",
            },
        )
        assert response.status_code == 422
        assert response.json()["error"] == "InvalidInput"


class TestWhatCannotRun:
    def test_missing_credentials_or_vendor(self, harness: Harness, client: TestClient, keys: Keys) -> None:
        no_results_credentials = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_owner),
            json={"kind": "sync_results", "edition_id": keys.acme_edition},
        )
        not_copernico = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_owner),
            json={"kind": "score_copernico", "edition_id": keys.acme_edition},
        )
        unknown = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_owner),
            json={"kind": "sync_results", "event": "Moon Marathon"},
        )
        no_edition = client.post(
            "/v1/workflows",
            headers=auth(keys.acme_owner),
            json={"kind": "sync_registrations", "event": "Jingle Bell Run", "year": 2019},
        )
        assert no_results_credentials.status_code == 409
        assert "ChronoTrack Live credentials" in no_results_credentials.json()["detail"]
        assert not_copernico.status_code == 422
        assert "not timed in Copernico" in not_copernico.json()["detail"]
        assert unknown.status_code == 404
        assert no_edition.status_code == 409
        assert "2026" in no_edition.json()["detail"]
