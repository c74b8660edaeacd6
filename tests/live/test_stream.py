"""GET /v1/live: a tenant's changes as Server-Sent Events, in order, resumable, filtered, its tenant only."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from racehub.auth.login import create_session
from racehub.db import Scope
from tests.live.conftest import LiveWorld
from tests.live.sse import LiveClient


def _bump(live: LiveWorld, org_id: int, entry_id: int, ms: int = 100) -> None:
    """A manual edit of one result's times (one `result` change, then places if they moved)."""
    with live.db.session(Scope.tenant(org_id)) as session:
        session.execute(
            text("UPDATE results SET gun_ms = gun_ms + :ms, chip_ms = chip_ms + :ms WHERE entry_id = :e"),
            {"e": entry_id, "ms": ms},
        )


def _split(live: LiveWorld, org_id: int, entry_id: int, name: str, ms: int) -> None:
    with live.db.session(Scope.tenant(org_id)) as session:
        session.execute(
            text(
                "INSERT INTO splits (entry_id, org_id, name, distance_m, chip_ms) "
                "VALUES (:e, :o, :n, 3000, :ms)"
            ),
            {"e": entry_id, "o": org_id, "n": name, "ms": ms},
        )


class TestStream:
    def test_a_change_arrives_with_its_id_kind_and_the_result_as_staff_see_it(self, live: LiveWorld) -> None:
        a = live.world.a
        client = LiveClient(live.url, a.staff_key).start()
        try:
            assert client.status == 200
            ana = a.entry_ids["Ana Pérez"]
            _split(live, a.org_id, ana, "3K", 700_000)
            (event,) = client.take(1)
        finally:
            client.stop()
        assert event.event == "split"
        assert event.id == event.data["seq"]
        assert event.data["entry_id"] == ana
        assert event.data["split"]["name"] == "3K"
        assert event.data["split"]["chip_time"] == "0:11:40.0"
        assert event.data["split"]["pace_per_km"] == "3:53"
        result = event.data["result"]
        assert (result["name"], result["overall_place"], result["sex_place"]) == ("Ana Pérez", 3, 1)
        assert result["provisional"] is False  # the edition is completed: its places are official
        assert event.data["event_name"] == "Harbor Run"

    def test_heartbeats_keep_a_quiet_stream_open(self, live: LiveWorld) -> None:
        client = LiveClient(live.url, live.world.a.viewer_key).start()
        try:
            client.quiet(1.0)
        finally:
            client.stop()
        assert client.comments.count("heartbeat") >= 2

    def test_a_reconnect_with_last_event_id_gets_exactly_what_it_missed(self, live: LiveWorld) -> None:
        a = live.world.a
        entries = list(a.entry_ids.values())
        first = LiveClient(live.url, a.staff_key, params={"kinds": "split"}).start()
        _split(live, a.org_id, entries[0], "2K", 500_000)
        _split(live, a.org_id, entries[1], "2K", 510_000)
        seen = first.take(2)
        first.stop()
        for entry in entries[2:5]:
            _split(live, a.org_id, entry, "2K", 520_000)
        again = LiveClient(
            live.url, a.staff_key, params={"kinds": "split"}, last_event_id=seen[-1].id
        ).start()
        try:
            missed = again.take(3)
            _split(live, a.org_id, entries[5], "2K", 530_000)
            (after,) = again.take(1)
            assert again.quiet(0.5) == []
        finally:
            again.stop()
        ids = [e.id for e in [*seen, *missed, after]]
        assert ids == sorted(ids)
        assert len(set(ids)) == len(ids)
        assert [e.data["entry_id"] for e in [*missed, after]] == entries[2:6]

    def test_a_client_too_far_behind_is_told_to_reload(self, live: LiveWorld) -> None:
        client = LiveClient(live.url, live.world.a.staff_key, last_event_id=10**9).start()
        try:
            (event,) = client.take(1)
        finally:
            client.stop()
        assert event.event == "reset"

    def test_filters_by_race_and_bib(self, live: LiveWorld) -> None:
        a = live.world.a
        ana, jose = a.entry_ids["Ana Pérez"], a.entry_ids["José Núñez"]
        with live.db.session(Scope.tenant(a.org_id)) as session:
            jose_bib = session.execute(
                text("SELECT bib FROM entries WHERE id = :e"), {"e": jose}
            ).scalar_one()
        by_race = LiveClient(live.url, a.staff_key, params={"race_id": str(a.other_race_id)}).start()
        by_bib = LiveClient(live.url, a.staff_key, params={"bib": jose_bib}).start()
        try:
            _split(live, a.org_id, ana, "4K", 900_000)
            _split(live, a.org_id, jose, "4K", 800_000)
            (bib_event,) = by_bib.take(1)
            assert by_bib.quiet(0.5) == []
            assert by_race.quiet(0.5) == []
        finally:
            by_race.stop()
            by_bib.stop()
        assert bib_event.data["entry_id"] == jose


class TestTenants:
    def test_a_client_never_sees_another_tenants_changes(self, live: LiveWorld) -> None:
        a, b = live.world.a, live.world.b
        watching_b = LiveClient(live.url, b.staff_key).start()
        watching_a = LiveClient(live.url, a.staff_key).start()
        try:
            _bump(live, a.org_id, a.entry_ids["Ana Pérez"])
            got_a = watching_a.take(1)
            assert watching_b.quiet(1.0) == []
        finally:
            watching_a.stop()
            watching_b.stop()
        assert got_a[0].data["entry_id"] == a.entry_ids["Ana Pérez"]

    def test_another_tenants_race_is_not_found(self, live: LiveWorld) -> None:
        response = httpx.get(
            f"{live.url}/v1/live",
            params={"race_id": live.world.b.race_id},
            headers={"Authorization": f"Bearer {live.world.a.staff_key}"},
        )
        assert response.status_code == 404
        assert response.json()["error"] == "RaceNotFound"


class TestRequests:
    def test_needs_a_key(self, live: LiveWorld) -> None:
        response = httpx.get(f"{live.url}/v1/live")
        assert response.status_code == 401

    def test_bad_last_event_id_and_kinds_are_named(self, live: LiveWorld) -> None:
        headers = {"Authorization": f"Bearer {live.world.a.staff_key}", "Last-Event-ID": "abc"}
        response = httpx.get(f"{live.url}/v1/live", headers=headers)
        assert response.status_code == 422
        assert "Last-Event-ID" in response.json()["detail"]
        headers.pop("Last-Event-ID")
        response = httpx.get(f"{live.url}/v1/live", params={"kinds": "split,nope"}, headers=headers)
        assert response.status_code == 422
        assert "nope" in response.json()["detail"]

    def test_a_web_session_works_like_a_key(self, live: LiveWorld) -> None:
        a = live.world.a
        with live.db.session(Scope.operator()) as session:
            user_id = session.execute(
                text("SELECT id FROM users WHERE email = :e"), {"e": f"staff@{a.slug}.example"}
            ).scalar_one()
            token, _ = create_session(session, user_id=user_id, org_id=a.org_id, via="password", ttl_s=600)
        client = LiveClient(live.url, token).start()
        try:
            _bump(live, a.org_id, a.entry_ids["Ana Pérez"])
            (event,) = client.take(1)
        finally:
            client.stop()
        assert event.event == "result"
