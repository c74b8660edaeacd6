"""Follows in plain English, and the messages they send, once each, through the local push services."""

from __future__ import annotations

from sqlalchemy import text

from racehub.db import Scope
from tests.push.conftest import PushWorld

TOKEN = "ExponentPushToken[staffPhone0000001]"


def _bib(push: PushWorld, entry_id: int) -> str:
    return push.sql(push.world.a.org_id, "SELECT bib FROM entries WHERE id = :e", e=entry_id)[0][0]


def _split(push: PushWorld, org_id: int, entry_id: int, name: str, meters: float, ms: int) -> None:
    with push.db.session(Scope.tenant(org_id)) as session:
        session.execute(
            text(
                "INSERT INTO splits (entry_id, org_id, name, distance_m, chip_ms) "
                "VALUES (:e, :o, :n, :d, :ms)"
            ),
            {"e": entry_id, "o": org_id, "n": name, "d": meters, "ms": ms},
        )


def _devices(push: PushWorld, key: str) -> tuple[int, int]:
    expo = push.call("POST", "/v1/devices", key, json={"kind": "expo", "token": TOKEN, "label": "Jo's phone"})
    assert expo.status_code == 201, expo.text
    web = push.call(
        "POST",
        "/v1/devices",
        key,
        json={"kind": "webpush", "subscription": push.subscription(), "label": "this browser"},
    )
    assert web.status_code == 201, web.text
    return expo.json()["id"], web.json()["id"]


class TestFollowInPlainEnglish:
    def test_the_reply_says_exactly_what_was_set_up(self, push: PushWorld) -> None:
        a = push.world.a
        ana = a.entry_ids["Ana Pérez"]
        bib = _bib(push, ana)
        _devices(push, a.staff_key)
        response = push.call(
            "POST",
            "/v1/follows",
            a.staff_key,
            json={"text": f"Tell me when bib {bib} passes 1 mile", "today": "2025-05-04"},
        )
        assert response.status_code == 201, response.text
        reply = response.json()
        assert reply["kind"] == "followed"
        assert reply["reply"].startswith(
            f"I'll notify you when bib {bib} Ana Pérez (Harbor Run 2025 · 5K) passes 1 mile."
        )
        assert "On your 2 devices." in reply["reply"]
        assert f'"stop notifying me about bib {bib}"' in reply["reply"]
        listed = push.call("POST", "/v1/follows", a.staff_key, json={"text": "What am I following?"}).json()
        assert listed["kind"] == "list"
        assert f"When bib {bib} Ana Pérez (Harbor Run 2025 · 5K) passes 1 mile" in listed["reply"]

    def test_an_unknown_runner_or_event_is_asked_about(self, push: PushWorld) -> None:
        a = push.world.a
        unknown = push.call(
            "POST", "/v1/follows", a.staff_key, json={"text": "Tell me when bib 99999 finishes"}
        )
        assert unknown.json()["kind"] == "question"
        assert "no runner with bib 99999" in unknown.json()["reply"]
        event = push.call(
            "POST",
            "/v1/follows",
            a.staff_key,
            json={"text": "Notify me when the Moon Marathon results are final"},
        ).json()
        assert event["kind"] == "question"
        assert "don't know an event called 'moon marathon'" in event["reply"]
        nonsense = push.call("POST", "/v1/follows", a.staff_key, json={"text": "How many finishers?"})
        assert nonsense.status_code == 422

    def test_another_tenants_runner_cannot_be_followed(self, push: PushWorld) -> None:
        b_only = push.sql(push.world.b.org_id, "SELECT bib FROM entries WHERE first_name = 'Yara'")[0][0]
        reply = push.call(
            "POST", "/v1/follows", push.world.a.staff_key, json={"text": "Follow Yara Bright"}
        ).json()
        assert reply["kind"] == "question"
        assert b_only  # tenant B has her; tenant A finds nobody

    def test_at_most_the_limit_of_runners(self, push: PushWorld) -> None:
        a = push.world.a
        settings_limit = 2
        with push.db.session(Scope.tenant(a.org_id)) as session:
            user_id = session.execute(
                text("SELECT id FROM users WHERE email = :e"), {"e": f"staff@{a.slug}.example"}
            ).scalar_one()
            for entry_id in list(a.entry_ids.values())[:settings_limit]:
                session.execute(
                    text(
                        "INSERT INTO follows (org_id, user_id, target, edition_id, race_id, entry_id, "
                        "trigger, once) "
                        "VALUES (:o, :u, 'runner', :ed, :r, :e, 'every_split', false)"
                    ),
                    {"o": a.org_id, "u": user_id, "ed": a.edition_id, "r": a.race_id, "e": entry_id},
                )
        stop = push.call("POST", "/v1/follows", a.staff_key, json={"text": "stop all notifications"}).json()
        assert stop["kind"] == "unfollowed"
        assert stop["reply"].startswith("Stopped 2 follows")


class TestMessages:
    def test_a_split_reaches_both_devices_once_with_the_right_text(self, push: PushWorld) -> None:
        a = push.world.a
        ana = a.entry_ids["Ana Pérez"]
        bib = _bib(push, ana)
        _devices(push, a.staff_key)
        push.call(
            "POST", "/v1/follows", a.staff_key, json={"text": f"follow bib {bib}", "today": "2025-05-04"}
        )
        push.work(a.org_id)  # the world's own changes: nothing to tell
        assert push.expo_messages() == []
        _split(push, a.org_id, ana, "3K", 3000, 660_000)
        push.work(a.org_id)
        push.work(a.org_id)  # a second run (a retried job) sends nothing again
        expo = push.expo_messages()
        web = push.webpush_messages()
        expected = f"Bib {bib} Ana Pérez passed 3K at 0:11:00 — 3:40/km, 1st F"
        assert [m["body"] for m in expo] == [expected]
        assert expo[0]["to"] == TOKEN
        assert expo[0]["title"] == "Harbor Run 2025 · 5K"
        assert [m["payload"]["body"] for m in web] == [expected]

    def test_a_dead_token_is_disabled_after_its_receipt(self, push: PushWorld) -> None:
        a = push.world.a
        expo_id, _ = _devices(push, a.staff_key)
        import httpx

        httpx.post(f"{push.expo.url}/__control/tokens/{TOKEN}/unregister", json={"at": "receipt"})
        push.call("POST", f"/v1/devices/{expo_id}/test", a.staff_key)
        push.work(a.org_id)
        assert push.sql(a.org_id, "SELECT disabled_at FROM push_devices WHERE id = :d", d=expo_id) == [
            (None,)
        ]
        push.receipts(a.org_id)
        ((disabled, reason),) = push.sql(
            a.org_id, "SELECT disabled_at, disabled_reason FROM push_devices WHERE id = :d", d=expo_id
        )
        assert disabled is not None
        assert reason == "DeviceNotRegistered (Expo receipt)"
        listed = push.call("GET", "/v1/devices", a.staff_key).json()["devices"]
        assert [d["disabled_reason"] for d in listed if d["id"] == expo_id] == [
            "DeviceNotRegistered (Expo receipt)"
        ]

    def test_a_gone_web_subscription_is_disabled(self, push: PushWorld) -> None:
        a = push.world.a
        _, web_id = _devices(push, a.staff_key)
        endpoint = push.sql(a.org_id, "SELECT address FROM push_devices WHERE id = :d", d=web_id)[0][0]
        import httpx

        httpx.post(f"{push.webpush.url}/__control/subscriptions/{endpoint.rsplit('/', 1)[1]}/expire")
        push.call("POST", f"/v1/devices/{web_id}/test", a.staff_key)
        push.work(a.org_id)
        (reason,) = push.sql(a.org_id, "SELECT disabled_reason FROM push_devices WHERE id = :d", d=web_id)[0]
        assert reason == "HTTP 410 from the push service"


class TestPersonalData:
    def test_forgetting_removes_devices_follows_and_messages(self, push: PushWorld) -> None:
        a = push.world.a
        _devices(push, a.staff_key)
        said = {"text": "follow Ana Pérez in the Harbor Run 5K", "today": "2025-05-04"}
        assert push.call("POST", "/v1/follows", a.staff_key, json=said).status_code == 201
        report = push.call("DELETE", "/v1/me/push", a.staff_key).json()
        assert (report["devices"], report["follows"]) == (2, 1)
        assert push.call("GET", "/v1/devices", a.staff_key).json()["devices"] == []
        assert push.call("GET", "/v1/follows", a.staff_key).json()["follows"] == []

    def test_staff_see_only_their_devices_and_owners_may_see_all(self, push: PushWorld) -> None:
        a = push.world.a
        expo_id, _ = _devices(push, a.staff_key)
        assert push.call("GET", "/v1/devices", a.owner_key).json()["devices"] == []
        assert len(push.call("GET", "/v1/devices?all=true", a.owner_key).json()["devices"]) == 2
        assert push.call("GET", "/v1/devices?all=true", a.staff_key).status_code == 403
        assert push.call("DELETE", f"/v1/devices/{expo_id}", a.viewer_key).status_code == 404
        assert push.call("DELETE", f"/v1/devices/{expo_id}", push.world.b.owner_key).status_code == 404
        assert push.call("DELETE", f"/v1/devices/{expo_id}", a.owner_key).status_code == 204


class TestRunnerErasure:
    def test_erasing_a_runner_removes_their_follows_and_the_messages_naming_them(
        self, push: PushWorld
    ) -> None:
        a = push.world.a
        ana = a.entry_ids["Ana Pérez"]
        _devices(push, a.staff_key)
        said = {"text": f"follow bib {_bib(push, ana)}", "today": "2025-05-04"}
        assert push.call("POST", "/v1/follows", a.staff_key, json=said).status_code == 201
        _split(push, a.org_id, ana, "3K", 3000, 660_000)
        push.work(a.org_id)
        assert push.sql(a.org_id, "SELECT count(*) FROM push_messages WHERE body LIKE '%Ana Pérez%'") == [
            (2,)
        ]
        erased = push.call("DELETE", f"/v1/entries/{ana}", a.owner_key)
        assert erased.status_code == 200, erased.text
        assert erased.json()["removed"]["follows"] == 1
        assert erased.json()["removed"]["push_messages"] == 2
        assert push.sql(a.org_id, "SELECT count(*) FROM push_messages WHERE body LIKE '%Pérez%'") == [(0,)]
        assert push.sql(a.org_id, "SELECT count(*) FROM follows") == [(0,)]
