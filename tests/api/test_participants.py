"""GET /v1/participants (name search) and GET /v1/persons/{id} (race history)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.world import World, auth


class TestParticipantSearch:
    @pytest.mark.parametrize("query", ["Núñez", "nunez", "NUÑEZ", "jose nun", "Núñez José", "josé", "nú"])
    def test_case_and_accents_are_ignored(self, client: TestClient, world: World, query: str) -> None:
        body = client.get("/v1/participants", params={"name": query}, headers=auth(world.a.viewer_key)).json()
        assert [p["person_id"] for p in body["items"]] == [world.a.person_ids["José Núñez"]]

    def test_a_person_comes_with_every_entry_newest_first(self, client: TestClient, world: World) -> None:
        body = client.get("/v1/participants?name=nunez", headers=auth(world.a.viewer_key)).json()
        jose = body["items"][0]
        assert (jose["name"], jose["sex"], jose["age"], jose["city"]) == ("José Núñez", "M", 31, "Norfolk")
        assert [(e["year"], e["race_name"], e["status"]) for e in jose["entries"]] == [
            (2026, "5K", None),
            (2025, "5K", "FIN"),
            (2024, "5K", "FIN"),
        ]
        won = jose["entries"][1]
        assert (won["event_name"], won["overall_place"], won["sex_place"], won["time"]) == (
            "Harbor Run",
            1,
            1,
            "0:17:30.0",
        )
        assert "email" not in won
        assert "dob" not in jose

    def test_entries_without_a_person_are_found_too(self, client: TestClient, world: World) -> None:
        body = client.get("/v1/participants?name=mark stone", headers=auth(world.a.viewer_key)).json()
        assert body["total"] == 1
        mark = body["items"][0]
        assert mark["person_id"] is None
        assert [e["entry_id"] for e in mark["entries"]] == [world.a.entry_ids["Mark Stone"]]

    def test_results_are_paginated_by_last_name(self, client: TestClient, world: World) -> None:
        key = auth(world.a.viewer_key)
        everyone = client.get("/v1/participants?name=pa", headers=key).json()
        assert [p["name"] for p in everyone["items"]] == [
            "Eve Park",
            "Pat Parker",
            "Pam Parks",
            "Pia Paxton",
            "Paul Young",
        ]
        page = client.get("/v1/participants?name=pa&limit=2&offset=1", headers=key).json()
        assert page["total"] == everyone["total"]
        assert page["items"] == everyone["items"][1:3]

    def test_wildcards_are_literal(self, client: TestClient, world: World) -> None:
        response = client.get("/v1/participants?name=%25%25", headers=auth(world.a.viewer_key))
        assert response.json()["total"] == 0

    @pytest.mark.parametrize("query", ["a", " ", "  b  "])
    def test_too_short_a_name_is_422(self, client: TestClient, world: World, query: str) -> None:
        response = client.get("/v1/participants", params={"name": query}, headers=auth(world.a.viewer_key))
        assert response.status_code == 422
        assert response.json()["error"] == "InvalidInput"
        assert "name" in response.json()["detail"]


class TestPersonHistory:
    def test_a_persons_races(self, client: TestClient, world: World) -> None:
        person_id = world.a.person_ids["Ana Pérez"]
        body = client.get(f"/v1/persons/{person_id}", headers=auth(world.a.viewer_key)).json()
        assert body["person_id"] == person_id
        assert body["name"] == "Ana Pérez"
        assert sorted(e["race_name"] for e in body["entries"]) == ["10K", "5K"]
        five_k = next(e for e in body["entries"] if e["race_name"] == "5K")
        assert (five_k["overall_place"], five_k["sex_place"], five_k["age_group"]) == (3, 1, "25-29")

    def test_unknown_person_is_404(self, client: TestClient, world: World) -> None:
        response = client.get("/v1/persons/777777", headers=auth(world.a.viewer_key))
        assert response.status_code == 404
        assert response.json() == {"error": "PersonNotFound", "detail": "person 777777 not found"}
