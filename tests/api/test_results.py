"""Races, result pages, one result with splits, award lists and scoring over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from racehub.app import create_app
from racehub.db import Database, Scope
from racehub.models import Result
from racehub.scoring.service import score_race
from tests.api.world import World, another_handle, auth

BY_PLACE = [
    "José Núñez",
    "Mark Stone",
    "Ana Pérez",
    "Nick Cole",
    "Beth Long",
    "Cara Diaz",
    "Dana Fox",
    "Sam Quinn",
    "Omar Reed",
    "Eve Park",
    "Paul Young",
    "Vic Wolf",
    "Tom Ward",
    "Uma Vance",
]


def _get(client: TestClient, world: World, path: str) -> Any:
    """GET a path under /v1/races as tenant A's viewer; the JSON body."""
    response = client.get(f"/v1/races/{path}", headers=auth(world.a.viewer_key))
    assert response.status_code == 200, response.text
    return response.json()


def _names(client: TestClient, world: World, query: str = "") -> list[str]:
    response = client.get(f"/v1/races/{world.a.race_id}/results{query}", headers=auth(world.a.viewer_key))
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()["items"]]


class TestRace:
    def test_race_with_rules_and_counts(self, client: TestClient, world: World) -> None:
        body = _get(client, world, f"{world.a.race_id}")
        assert (body["name"], body["event_name"], body["year"], body["edition_id"]) == (
            "5K",
            "Harbor Run",
            2025,
            world.a.edition_id,
        )
        assert (body["entry_count"], body["finisher_count"], body["edition_status"]) == (14, 11, "completed")
        assert body["rules"] == {
            "placement_basis": "gun",
            "overall_award_depth": 3,
            "masters_award_depth": 1,
            "masters_min_age": 40,
            "ag_award_depth": 3,
            "age_group_width": 5,
            "exclude_award_winners_from_ag": True,
        }

    def test_unknown_race_is_404(self, client: TestClient, world: World) -> None:
        response = client.get("/v1/races/31337", headers=auth(world.a.viewer_key))
        assert response.status_code == 404
        assert response.json() == {"error": "RaceNotFound", "detail": "race 31337 not found"}


class TestResultSorting:
    def test_by_overall_place_with_non_finishers_last(self, client: TestClient, world: World) -> None:
        assert _names(client, world) == BY_PLACE

    def test_by_sex_place(self, client: TestClient, world: World) -> None:
        assert _names(client, world, "?sort=sex_place") == [
            "Ana Pérez",
            "José Núñez",
            "Sam Quinn",
            "Beth Long",
            "Mark Stone",
            "Cara Diaz",
            "Dana Fox",
            "Nick Cole",
            "Omar Reed",
            "Eve Park",
            "Paul Young",
            "Vic Wolf",
            "Tom Ward",
            "Uma Vance",
        ]

    def test_by_last_name(self, client: TestClient, world: World) -> None:
        names = _names(client, world, "?sort=name")
        assert names[:3] == ["Nick Cole", "Cara Diaz", "Dana Fox"]
        assert names[-1] == "Paul Young"

    def test_by_bib_in_number_order(self, client: TestClient, world: World) -> None:
        body = _get(client, world, f"{world.a.race_id}/results?sort=bib")
        assert [r["bib"] for r in body["items"]] == [
            "1",
            "2",
            "4",
            "5",
            "7",
            "8",
            "10",
            "11",
            "13",
            "14",
            "30",
            "60",
            "90",
            "120",
        ]

    def test_shared_places_for_equal_times(self, client: TestClient, world: World) -> None:
        rows = _get(client, world, f"{world.a.race_id}/results?sex=F")
        places = {r["name"]: (r["overall_place"], r["sex_place"]) for r in rows["items"]}
        assert places["Cara Diaz"] == places["Dana Fox"] == (6, 3)
        assert places["Eve Park"] == (10, 5)


class TestResultFilters:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("?sex=F", ["Ana Pérez", "Beth Long", "Cara Diaz", "Dana Fox", "Eve Park", "Uma Vance"]),
            ("?sex=X", ["Sam Quinn"]),
            ("?status=DNF", ["Tom Ward"]),
            ("?status=DQ", ["Vic Wolf"]),
            # Non-finishers are listed in the age group their age puts them in.
            ("?age_group=40-44", ["Mark Stone", "Beth Long", "Tom Ward"]),
            ("?age_group=40-44&sex=M", ["Mark Stone", "Tom Ward"]),
            ("?age_group=14%20%26%20under", ["Paul Young"]),
            ("?age_group=99-104", []),
        ],
    )
    def test_filters(self, client: TestClient, world: World, query: str, expected: list[str]) -> None:
        body = _get(client, world, f"{world.a.race_id}/results{query}")
        assert [r["name"] for r in body["items"]] == expected
        assert body["total"] == len(expected)

    def test_pages_follow_the_sort_and_report_the_total(self, client: TestClient, world: World) -> None:
        body = _get(client, world, f"{world.a.race_id}/results?limit=5&offset=5")
        assert (body["total"], body["limit"], body["offset"]) == (14, 5, 5)
        assert [r["name"] for r in body["items"]] == BY_PLACE[5:10]
        assert _names(client, world, "?limit=5&offset=14") == []

    def test_the_default_page_is_50(self, client: TestClient, world: World) -> None:
        body = _get(client, world, f"{world.a.race_id}/results")
        assert (body["limit"], body["offset"]) == (50, 0)


class TestResultRows:
    def _row(self, client: TestClient, world: World, name: str) -> dict[str, object]:
        body = _get(client, world, f"{world.a.race_id}/results")
        row: dict[str, object] = next(r for r in body["items"] if r["name"] == name)
        return row

    def test_a_finisher_row(self, client: TestClient, world: World) -> None:
        row = self._row(client, world, "José Núñez")
        assert row == {
            "entry_id": world.a.entry_ids["José Núñez"],
            "bib": "60",
            "name": "José Núñez",
            "first_name": "José",
            "last_name": "Núñez",
            "sex": "M",
            "age": 30,
            "age_group": "30-34",
            "city": "Norfolk",
            "state": "VA",
            "team": None,
            "status": "FIN",
            "gun_ms": 1_050_000,
            "gun_time": "0:17:30.0",
            "chip_ms": 1_045_000,
            "chip_time": "0:17:25.0",
            "pace_per_mile": "5:36",
            "overall_place": 1,
            "sex_place": 1,
            "age_group_place": 1,
        }

    def test_non_finishers_have_no_place_or_pace(self, client: TestClient, world: World) -> None:
        dnf = self._row(client, world, "Tom Ward")
        assert (dnf["status"], dnf["gun_time"], dnf["pace_per_mile"]) == ("DNF", None, None)
        assert (dnf["overall_place"], dnf["sex_place"], dnf["age_group_place"]) == (None, None, None)
        dq = self._row(client, world, "Vic Wolf")
        assert (dq["status"], dq["gun_time"], dq["pace_per_mile"]) == ("DQ", "0:16:00.0", None)
        assert (dq["overall_place"], dq["sex_place"]) == (None, None)

    def test_one_result_with_its_splits(self, client: TestClient, world: World) -> None:
        entry_id = world.a.entry_ids["Ana Pérez"]
        body = _get(client, world, f"{world.a.race_id}/results/{entry_id}")
        assert (body["name"], body["race_name"], body["event_name"], body["year"]) == (
            "Ana Pérez",
            "5K",
            "Harbor Run",
            2025,
        )
        assert (body["overall_place"], body["team"], body["placement_basis"]) == (3, "Harbor Harriers", "gun")
        assert body["splits"] == [
            {
                "name": "1 mile",
                "distance_m": None,
                "chip_ms": 367_742,
                "chip_time": "0:06:07.7",
                "pace_per_mile": None,
            },
        ]

    def test_an_entry_of_another_race_is_not_a_result_of_this_one(
        self, client: TestClient, world: World
    ) -> None:
        ten_k = _get(client, world, f"{world.a.other_race_id}/results")
        other_entry = ten_k["items"][0]["entry_id"]
        response = client.get(
            f"/v1/races/{world.a.race_id}/results/{other_entry}", headers=auth(world.a.viewer_key)
        )
        assert response.status_code == 404
        assert response.json()["error"] == "ResultNotFound"


class TestAwards:
    def test_award_list_order_per_sex_then_category_then_age(self, client: TestClient, world: World) -> None:
        body = _get(client, world, f"{world.a.race_id}/awards")
        assert body["total"] == 11
        listed = [
            (a["sex"], a["category"], a["age_group"], a["award_place"], a["name"]) for a in body["awards"]
        ]
        assert listed == [
            ("F", "overall", None, 1, "Ana Pérez"),
            ("F", "overall", None, 2, "Beth Long"),
            ("F", "overall", None, 3, "Cara Diaz"),
            ("F", "overall", None, 3, "Dana Fox"),
            ("F", "age_group", "15-19", 1, "Eve Park"),
            ("M", "overall", None, 1, "José Núñez"),
            ("M", "overall", None, 2, "Mark Stone"),
            ("M", "overall", None, 3, "Nick Cole"),
            ("M", "masters", None, 1, "Omar Reed"),
            ("M", "age_group", "14 & under", 1, "Paul Young"),
            ("X", "overall", None, 1, "Sam Quinn"),
        ]
        first = body["awards"][0]
        assert (first["bib"], first["age"]) == ("1", 25)
        assert (first["time"], first["time_ms"]) == ("0:19:00.0", 1_140_000)

    def test_chip_timed_races_award_by_chip_time(self, client: TestClient, world: World) -> None:
        body = _get(client, world, f"{world.a.other_race_id}/awards")
        ana = next(a for a in body["awards"] if a["name"] == "Ana Pérez")
        assert ana["time"] == "0:39:55.0"


class TestScoring:
    def test_scoring_restores_places_and_awards(
        self, fresh_client: TestClient, fresh_world: World, db: Database
    ) -> None:
        a = fresh_world.a
        before = fresh_client.get(f"/v1/races/{a.race_id}/results", headers=auth(a.viewer_key)).json()
        with db.session(Scope.operator()) as session:
            session.execute(update(Result).where(Result.race_id == a.race_id).values(overall_place=None))
        response = fresh_client.post(f"/v1/races/{a.race_id}/score", headers=auth(a.owner_key))
        assert response.status_code == 200
        assert response.json() == {"race_id": a.race_id, "finishers": 11, "awards": 11, "changed_rows": 11}
        after = fresh_client.get(f"/v1/races/{a.race_id}/results", headers=auth(a.viewer_key)).json()
        assert after == before

    def test_scoring_twice_changes_nothing_the_second_time(
        self, fresh_client: TestClient, fresh_world: World
    ) -> None:
        response = fresh_client.post(
            f"/v1/races/{fresh_world.a.race_id}/score", headers=auth(fresh_world.a.staff_key)
        )
        assert response.json()["changed_rows"] == 0

    def test_scoring_an_unknown_race_is_404(self, fresh_client: TestClient, fresh_world: World) -> None:
        response = fresh_client.post("/v1/races/999999/score", headers=auth(fresh_world.a.owner_key))
        assert response.status_code == 404
        assert response.json()["error"] == "RaceNotFound"

    def test_scoring_after_the_operator_scored_on_the_same_connection(
        self, db: Database, fresh_world: World
    ) -> None:
        # One pooled connection: the operator (a job, the CLI in-process) scores first, then a tenant.
        one = another_handle(db, pool_size=1)
        try:
            with one.session(Scope.operator()) as session:
                score_race(session, fresh_world.a.other_race_id)
            with TestClient(create_app(one), raise_server_exceptions=False) as client:
                response = client.post(
                    f"/v1/races/{fresh_world.a.race_id}/score", headers=auth(fresh_world.a.owner_key)
                )
        finally:
            one.dispose()
        assert response.status_code == 200, response.text
