"""Manual corrections and official races: both reach the live stream, places follow, provisional ends."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from racehub.db import Scope
from tests.live.conftest import LiveWorld
from tests.live.sse import LiveClient


def _api(live: LiveWorld, method: str, path: str, key: str, **kwargs: object) -> httpx.Response:
    return httpx.request(method, f"{live.url}{path}", headers={"Authorization": f"Bearer {key}"}, **kwargs)  # type: ignore[arg-type]


class TestManualEdit:
    def test_a_corrected_time_replaces_the_runner_and_reaches_live_clients(self, live: LiveWorld) -> None:
        a = live.world.a
        ana = a.entry_ids["Ana Pérez"]
        client = LiveClient(live.url, a.staff_key, params={"race_id": str(a.race_id)}).start()
        try:
            response = _api(
                live,
                "PATCH",
                f"/v1/races/{a.race_id}/results/{ana}",
                a.staff_key,
                json={"gun_time": "0:17:00.0", "chip_time": "0:16:55.0"},
            )
            assert response.status_code == 200, response.text
            assert response.json()["overall_place"] == 1
            events = client.take(2)
        finally:
            client.stop()
        assert events[0].event == "result"
        assert events[0].data["result"]["gun_time"] == "0:17:00.0"
        assert events[0].data["result"]["overall_place"] == 1
        assert {e.event for e in events[1:]} == {"places"}
        with live.db.session(Scope.tenant(a.org_id)) as session:
            audited = session.execute(
                text("SELECT detail FROM audit_log WHERE kind = 'edit' ORDER BY id DESC LIMIT 1")
            ).scalar_one()
        assert audited == {"race_id": a.race_id, "entry_id": ana, "fields": ["chip_time", "gun_time"]}

    def test_bad_input_is_named_and_changes_nothing(self, live: LiveWorld) -> None:
        a = live.world.a
        ana = a.entry_ids["Ana Pérez"]
        path = f"/v1/races/{a.race_id}/results/{ana}"
        bad = _api(live, "PATCH", path, a.staff_key, json={"gun_time": "nine minutes"})
        assert bad.status_code == 422
        assert "gun_time" in bad.json()["detail"]
        untimed = _api(live, "PATCH", path, a.staff_key, json={"gun_time": None, "chip_time": None})
        assert untimed.status_code == 422
        assert "finisher needs" in untimed.json()["detail"]
        assert _api(live, "GET", path, a.staff_key).json()["gun_time"] == "0:19:00.0"

    def test_viewers_and_other_tenants_cannot_edit(self, live: LiveWorld) -> None:
        a, b = live.world.a, live.world.b
        path = f"/v1/races/{a.race_id}/results/{a.entry_ids['Ana Pérez']}"
        assert _api(live, "PATCH", path, a.viewer_key, json={"status": "DQ"}).status_code == 403
        assert _api(live, "PATCH", path, b.owner_key, json={"status": "DQ"}).status_code == 404


class TestOfficial:
    def test_places_are_provisional_until_every_race_is_official(self, live: LiveWorld) -> None:
        a = live.world.a
        with live.db.session(Scope.tenant(a.org_id)) as session:
            session.execute(
                text("UPDATE editions SET status = 'upcoming' WHERE id = :e"), {"e": a.edition_id}
            )
        client = LiveClient(live.url, a.staff_key, params={"kinds": "race,split"}).start()
        try:
            with live.db.session(Scope.tenant(a.org_id)) as session:
                session.execute(
                    text(
                        "INSERT INTO splits (entry_id, org_id, name, chip_ms) "
                        "VALUES (:e, :o, 'Mile 2', 600000)"
                    ),
                    {"e": a.entry_ids["Ana Pérez"], "o": a.org_id},
                )
            (split,) = client.take(1)
            assert split.data["provisional"] is True
            first = _api(live, "PUT", f"/v1/races/{a.race_id}/official", a.staff_key)
            assert first.json() == {
                "race_id": a.race_id,
                "edition_id": a.edition_id,
                "official": True,
                "edition_final": False,
            }
            second = _api(live, "PUT", f"/v1/races/{a.other_race_id}/official", a.staff_key)
            assert second.json()["edition_final"] is True
            events = client.take(3)
        finally:
            client.stop()
        assert [(e.event, e.data["race_id"], e.data["race"]["official"]) for e in events][:2] == [
            ("race", a.race_id, True),
            ("race", a.other_race_id, True),
        ]
        with live.db.session(Scope.tenant(a.org_id)) as session:
            status = session.execute(text("SELECT status FROM editions WHERE id = :e"), {"e": a.edition_id})
            assert status.scalar_one() == "completed"
        reopened = _api(live, "DELETE", f"/v1/races/{a.race_id}/official", a.staff_key)
        assert reopened.json()["official"] is False
        with live.db.session(Scope.tenant(a.org_id)) as session:
            rows = session.execute(
                text(
                    "SELECT r.id, r.official_at IS NOT NULL, e.status FROM races r JOIN editions e "
                    "ON e.id = r.edition_id WHERE e.id = :e ORDER BY r.id"
                ),
                {"e": a.edition_id},
            ).all()
        assert [tuple(r) for r in rows] == [
            (a.race_id, False, "upcoming"),
            (a.other_race_id, True, "upcoming"),
        ]
