"""GET /v1/events and an edition's races: filters, pagination, counts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.world import World, auth


class TestEventList:
    def test_lists_own_editions_newest_first_with_counts(self, client: TestClient, world: World) -> None:
        body = client.get("/v1/events", headers=auth(world.a.viewer_key)).json()
        assert body["total"] == 4
        assert [(e["event_name"], e["year"]) for e in body["items"]] == [
            ("Harbor Run", 2026),
            ("Autumn Classic", 2025),
            ("Harbor Run", 2025),
            ("Harbor Run", 2024),
        ]
        harbor = next(e for e in body["items"] if e["id"] == world.a.edition_id)
        assert harbor["race_count"] == 2
        assert harbor["entry_count"] == 16  # 14 in the 5K, 2 in the 10K
        assert harbor["status"] == "completed"
        assert (harbor["city"], harbor["state"], harbor["start_date"]) == ("Richmond", "VA", "2025-05-04")

    def test_name_filter_is_a_case_insensitive_substring(self, client: TestClient, world: World) -> None:
        body = client.get("/v1/events?name=UTUMN", headers=auth(world.a.viewer_key)).json()
        assert [e["event_name"] for e in body["items"]] == ["Autumn Classic"]

    def test_like_wildcards_in_the_name_are_taken_literally(self, client: TestClient, world: World) -> None:
        assert client.get("/v1/events?name=%25", headers=auth(world.a.viewer_key)).json()["total"] == 0
        assert client.get("/v1/events?name=_", headers=auth(world.a.viewer_key)).json()["total"] == 0

    def test_year_and_status_filters(self, client: TestClient, world: World) -> None:
        body = client.get("/v1/events?year=2025&name=harbor", headers=auth(world.a.viewer_key)).json()
        assert [e["id"] for e in body["items"]] == [world.a.edition_id]
        upcoming = client.get("/v1/events?status=upcoming", headers=auth(world.a.viewer_key)).json()
        assert [(e["year"], e["status"]) for e in upcoming["items"]] == [(2026, "upcoming")]

    def test_pagination_reports_the_total(self, client: TestClient, world: World) -> None:
        key = auth(world.a.viewer_key)
        everything = client.get("/v1/events", headers=key).json()["items"]
        page = client.get("/v1/events?limit=2&offset=1", headers=key).json()
        assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
        assert page["items"] == everything[1:3]
        beyond = client.get("/v1/events?offset=10", headers=key).json()
        assert (beyond["total"], beyond["items"]) == (4, [])


class TestEventDetail:
    def test_edition_with_its_races(self, client: TestClient, world: World) -> None:
        body = client.get(f"/v1/events/{world.a.edition_id}", headers=auth(world.a.viewer_key)).json()
        assert body["event_name"] == "Harbor Run"
        assert body["timezone"] == "America/New_York"
        races = {r["name"]: r for r in body["races"]}
        assert set(races) == {"5K", "10K"}
        assert races["5K"]["id"] == world.a.race_id
        assert (races["5K"]["entry_count"], races["5K"]["finisher_count"]) == (14, 11)
        assert races["10K"]["placement_basis"] == "chip"
        assert races["5K"]["scored_at"] is not None

    def test_races_of_an_edition(self, client: TestClient, world: World) -> None:
        races = client.get(f"/v1/events/{world.a.edition_id}/races", headers=auth(world.a.viewer_key)).json()
        assert [r["name"] for r in races] == ["10K", "5K"]  # longest first

    def test_unknown_edition_is_404(self, client: TestClient, world: World) -> None:
        response = client.get("/v1/events/424242/races", headers=auth(world.a.viewer_key))
        assert response.status_code == 404
        assert response.json()["error"] == "EventNotFound"
