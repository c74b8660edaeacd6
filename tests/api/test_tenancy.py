"""Security cases 1, 15 and 16: one tenant's key never reads nor changes another tenant's rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from racehub.db import Database, Scope
from racehub.models import Award, Race, Result
from tests.api.world import Tenant, World, auth


def _foreign_paths(a: Tenant, b: Tenant) -> list[tuple[str, str]]:
    """Every route that takes an id, given tenant B's ids (and mixes of A's and B's)."""
    b_entry = b.entry_ids["José Núñez"]
    return [
        (f"/v1/events/{b.edition_id}", "EventNotFound"),
        (f"/v1/events/{b.edition_id}/races", "EventNotFound"),
        (f"/v1/races/{b.race_id}", "RaceNotFound"),
        (f"/v1/races/{b.race_id}/results", "RaceNotFound"),
        (f"/v1/races/{b.race_id}/results?sort=name&sex=M", "RaceNotFound"),
        (f"/v1/races/{b.race_id}/results/{b_entry}", "RaceNotFound"),
        (f"/v1/races/{a.race_id}/results/{b_entry}", "ResultNotFound"),
        (f"/v1/races/{b.race_id}/awards", "RaceNotFound"),
        (f"/v1/persons/{b.person_ids['José Núñez']}", "PersonNotFound"),
    ]


def _mentions_tenant(text: str, tenant: Tenant, other: Tenant) -> set[str]:
    """Runner names of `tenant` found in `text` that `other` does not also have."""
    return {name for name in tenant.names - other.names if name in text}


class TestReadingAnotherTenantsIds:
    @pytest.mark.parametrize("role", ["owner", "viewer"])
    def test_foreign_ids_are_404_and_show_nothing(self, client: TestClient, world: World, role: str) -> None:
        a, b = world.a, world.b
        for path, error in _foreign_paths(a, b):
            response = client.get(path, headers=auth(getattr(a, f"{role}_key")))
            assert response.status_code == 404, (path, response.text)
            assert response.json()["error"] == error
            assert not _mentions_tenant(response.text, b, a), path

    def test_the_other_way_round_too(self, client: TestClient, world: World) -> None:
        for path, _ in _foreign_paths(world.b, world.a):
            response = client.get(path, headers=auth(world.b.viewer_key))
            assert response.status_code == 404, path
            assert not _mentions_tenant(response.text, world.a, world.b), path

    def test_own_ids_answer(self, client: TestClient, world: World) -> None:
        for path, _ in _foreign_paths(world.b, world.b)[:-1]:
            assert client.get(path, headers=auth(world.b.viewer_key)).status_code == 200, path


class TestListsExcludeOtherTenants:
    def test_events_list_only_own_editions_even_with_the_same_event_name(
        self, client: TestClient, world: World
    ) -> None:
        body = client.get("/v1/events?name=harbor", headers=auth(world.a.viewer_key)).json()
        ids = {e["id"] for e in body["items"]}
        assert world.a.edition_id in ids
        assert world.b.edition_id not in ids
        assert body["total"] == 3  # Harbor Run 2024, 2025, 2026 of tenant A
        other = client.get("/v1/events?name=harbor", headers=auth(world.b.viewer_key)).json()
        assert [e["id"] for e in other["items"]] == [world.b.edition_id]

    def test_participant_search_finds_only_own_people_with_a_shared_name(
        self, client: TestClient, world: World
    ) -> None:
        body = client.get("/v1/participants?name=Núñez", headers=auth(world.a.viewer_key)).json()
        assert [p["person_id"] for p in body["items"]] == [world.a.person_ids["José Núñez"]]
        races = {e["race_id"] for p in body["items"] for e in p["entries"]}
        assert world.b.race_id not in races
        assert client.get("/v1/participants?name=Zed", headers=auth(world.a.viewer_key)).json()["total"] == 0

    @pytest.mark.parametrize(
        "path",
        [
            "/v1/events?org_id={b}",
            "/v1/events?name=harbor&org_id={b}",
            "/v1/participants?name=jos&org_id={b}",
            "/v1/races/{race}/results?org_id={b}",
            "/v1/races/{race}/awards?org_id={b}",
        ],
    )
    def test_query_string_org_id_is_ignored(self, client: TestClient, world: World, path: str) -> None:
        url = path.format(b=world.b.org_id, race=world.a.race_id)
        response = client.get(url, headers=auth(world.a.viewer_key))
        plain = client.get(url.split("org_id")[0].rstrip("?&"), headers=auth(world.a.viewer_key))
        assert response.status_code == 200
        assert response.json() == plain.json()
        assert not _mentions_tenant(response.text, world.b, world.a)

    def test_query_string_org_id_does_not_unlock_a_foreign_id(self, client: TestClient, world: World) -> None:
        response = client.get(
            f"/v1/races/{world.b.race_id}/results?org_id={world.b.org_id}", headers=auth(world.a.owner_key)
        )
        assert response.status_code == 404


def _b_state(database: Database, b: Tenant) -> tuple[object, ...]:
    with database.session(Scope.operator()) as session:
        scored_at = session.scalar(select(Race.scored_at).where(Race.id == b.race_id))
        places = session.execute(
            select(Result.entry_id, Result.overall_place, Result.sex_place)
            .where(Result.race_id == b.race_id)
            .order_by(Result.entry_id)
        ).all()
        awards = session.execute(
            select(Award.entry_id, Award.category, Award.award_place)
            .where(Award.race_id == b.race_id)
            .order_by(Award.id)
        ).all()
    return scored_at, tuple(places), tuple(awards)


class TestChangingAnotherTenantsRows:
    def test_scoring_a_foreign_race_is_404_and_changes_nothing(
        self, fresh_client: TestClient, fresh_world: World, db: Database
    ) -> None:
        a, b = fresh_world.a, fresh_world.b
        # Damage B's places as the operator so a re-score would visibly change them.
        with db.session(Scope.operator()) as session:
            for result in session.scalars(select(Result).where(Result.race_id == b.race_id)):
                result.overall_place = None
        before = _b_state(db, b)
        for body in (None, {"org_id": b.org_id}, {"org_id": b.org_id, "role": "admin"}):
            response = fresh_client.post(
                f"/v1/races/{b.race_id}/score?org_id={b.org_id}", headers=auth(a.owner_key), json=body
            )
            assert response.status_code == 404, response.text
            assert response.json()["error"] == "RaceNotFound"
        assert _b_state(db, b) == before

    def test_a_body_claiming_another_org_scores_only_the_callers_own_race(
        self, fresh_client: TestClient, fresh_world: World, db: Database
    ) -> None:
        a, b = fresh_world.a, fresh_world.b
        before = _b_state(db, b)
        response = fresh_client.post(
            f"/v1/races/{a.race_id}/score",
            headers=auth(a.staff_key),
            json={"org_id": b.org_id, "role": "admin"},
        )
        assert response.status_code == 200
        assert response.json()["race_id"] == a.race_id
        assert _b_state(db, b) == before
