"""Race day, end to end: past races of racedata-v1 replayed through the ChronoTrack Live simulator at speed.

Two timing companies sync a marathon each, every 15 minutes of race time, through the real results sync,
scoring, change log, live stream, follows, push job and the local Expo and Web Push services:
- live clients (one of which disconnects and resumes with Last-Event-ID) receive every change of their
  company exactly once and in order, and nothing of the other company's;
- a follower's phone and browser each get one message, with the right text, when the bib passes 30K;
- a phone whose app was uninstalled is disabled after its receipt;
- a mat that goes silent and a bib swap raise alarms (pushed to staff); the clean replay raises none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from racehub.app import create_app
from racehub.auth.service import add_user, create_api_key
from racehub.db import Database, Scope
from racehub.integrations.simulators.bundle import load_bundle
from racehub.integrations.simulators.expo import build_app as expo_app
from racehub.integrations.simulators.kit import RunningServer, start_server_thread
from racehub.integrations.simulators.webpush import build_app as webpush_app
from racehub.live import tasks
from racehub.push.service import Senders
from racehub.timefmt import format_ms, format_pace
from racehub.workflows.context import WorkflowEnvironment
from tests.conftest import BUNDLE
from tests.factories import create_org
from tests.live.sse import LiveClient, SseEvent
from tests.workflows.conftest import Harness

pytestmark = pytest.mark.slow

MIN = 60_000
ACME_EVENT, OTHER_EVENT = "61007", "61033"  # Shamrock Marathon Weekend 2023 (faults) and 2024 (clean)
MARATHON = "248020"
STEP = 15 * MIN
END = 6 * 60 * MIN
SILENT_FROM = 150 * MIN
PHONE = "ExponentPushToken[jo-phone-0000000001]"
DEAD_PHONE = "ExponentPushToken[sam-phone-uninstalled]"


@dataclass
class Company:
    org_id: int
    edition_id: int
    key: str
    races: dict[str, int]  # bundle race id -> minutes after the edition's first start


@dataclass
class RaceDay:
    harness: Harness
    api: RunningServer
    expo: RunningServer
    webpush: RunningServer
    ctlive_url: str
    env: WorkflowEnvironment

    def call(self, method: str, path: str, key: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method, f"{self.api.url}{path}", headers={"Authorization": f"Bearer {key}"}, **kwargs
        )

    def set_clock(self, company: Company, clock_ms: int, faults: dict[str, Any] | None = None) -> None:
        for race_id, offset in company.races.items():
            body: dict[str, Any] = {"race_id": race_id, "elapsed_ms": max(clock_ms - offset * MIN, 0)}
            if race_id == MARATHON and faults:
                body.update(faults)
            httpx.post(f"{self.ctlive_url}/__control/replay", json=body).raise_for_status()

    def process(self, company: Company) -> None:
        senders = Senders(self.env.settings, sleep=lambda _s: None)
        tasks.process(self.env, company.org_id)
        tasks.deliver(self.env, senders, company.org_id)


def _company(harness: Harness, event_id: str, org_id: int, email: str) -> Company:
    _, edition_id = harness.edition(event_id, status="upcoming", org_id=org_id)
    harness.store_credentials(org_id, "ctlive")
    harness.store_credentials(org_id, "runsignup")
    with harness.db.session(Scope.operator()) as session:
        slug = session.execute(
            text("SELECT slug FROM organizations WHERE id = :o"), {"o": org_id}
        ).scalar_one()
        add_user(session, email=email, name=email.split("@")[0].title(), org_slug=slug, role="owner")
        key = create_api_key(session, email=email, org_slug=slug)
    bundle = load_bundle(BUNDLE)
    races = bundle.races_by_event[event_id]
    first = min(race.start_time for race in races)
    offsets = {race.race_id: int((race.start_time - first).total_seconds() // 60) for race in races}
    return Company(org_id, edition_id, key, offsets)


@pytest.fixture
def race_day(harness: Harness, db: Database) -> Iterator[RaceDay]:
    harness.simulator("runsignup")
    ctlive = harness.simulator("ctlive")
    expo = start_server_thread(expo_app())
    webpush = start_server_thread(webpush_app())
    harness.settings = harness.settings.model_copy(
        update={
            "simulator_urls": {**harness.settings.simulator_urls, "expo": expo.url},
            "webpush_allowed_hosts": ["127.0.0.1"],
            "expo_receipt_delay_s": 0,
            "vendor_page_size": 1000,
            "live_heartbeat_s": 0.5,
            "live_check_s": 0.5,
        }
    )
    served = Database(harness.settings, owner_url=db.owner_url.render_as_string(hide_password=False))
    api = start_server_thread(create_app(served, harness.settings))
    try:
        yield RaceDay(harness, api, expo, webpush, ctlive.url, harness.env())
    finally:
        for server in (api, expo, webpush):
            server.stop()
        served.dispose()


def _runners(event_id: str) -> dict[str, Any]:
    """The Marathon's finishers from the bundle, with their start delay, by participant id."""
    bundle = load_bundle(BUNDLE)
    found = {}
    for participant in bundle.participants_by_race[MARATHON if event_id == ACME_EVENT else "248080"]:
        result = bundle.results[participant.participant_id]
        if result.status == "FIN" and len(result.splits) == 3:
            found[participant.participant_id] = (participant, result)
    return found


def _place_at_30k(runner_id: str, clock_ms: int) -> int:
    """The runner's provisional place among their sex at 30K with what the feed showed at `clock_ms`."""
    runners = _runners(ACME_EVENT)
    me, mine = runners[runner_id]
    chip = next(s.chip_ms for s in mine.splits if s.name == "30K")
    bundle = load_bundle(BUNDLE)
    place = 1
    for participant in bundle.participants_by_race[MARATHON]:
        result = bundle.results.get(participant.participant_id)
        if result is None or participant.sex != me.sex:
            continue
        delay = result.gun_ms - result.chip_ms if result.gun_ms and result.chip_ms else 0
        for split in result.splits:
            if split.name == "30K" and split.chip_ms < chip and delay + split.chip_ms <= clock_ms:
                place += 1
    return place


def _seqs(db: Database, org_id: int, after: int) -> list[int]:
    with db.session(Scope.tenant(org_id)) as session:
        rows = session.execute(text("SELECT seq FROM change_log WHERE seq > :a ORDER BY seq"), {"a": after})
        return [int(r[0]) for r in rows]


def _drain(client: LiveClient) -> list[SseEvent]:
    found = []
    while not client.events.empty():
        found.append(client.events.get_nowait())
    return found


class TestRaceDayReplay:
    def test_two_companies_replay_their_marathons(self, race_day: RaceDay) -> None:
        harness, db = race_day.harness, race_day.harness.db
        acme = _company(harness, ACME_EVENT, harness.org("1"), "jo@acmeracing.example")
        with db.session(Scope.operator()) as session:
            other_org = create_org(session, slug="bayside-timing", name="Bayside Timing").id
        bayside = _company(harness, OTHER_EVENT, other_org, "bo@baysidetiming.example")

        for company in (acme, bayside):  # the registrations are in before race day
            run = harness.run_to_end("sync_registrations", company.edition_id, timeout=120)
            assert run.state == "succeeded", run.error

        # Who to follow and which two runners swap bibs: from the bundle, as a spectator would pick them.
        runners = sorted(_runners(ACME_EVENT).values(), key=lambda pr: pr[1].gun_ms or 0)
        followed, followed_result = runners[10]  # passes 30K well before the mat goes silent
        fast = runners[3][0]
        slow = next(p for p, _ in reversed(runners[:-2]) if p.sex == fast.sex)
        thirty_k = next(s.chip_ms for s in followed_result.splits if s.name == "30K")
        delay = (followed_result.gun_ms or 0) - (followed_result.chip_ms or 0)
        assert delay + thirty_k < SILENT_FROM

        # Staff's phone and browser; a second staff member whose app is gone (Expo says so at receipt).
        assert (
            race_day.call("POST", "/v1/devices", acme.key, json={"kind": "expo", "token": PHONE}).status_code
            == 201
        )
        subscription = httpx.post(f"{race_day.webpush.url}/__control/subscriptions").json()
        web = race_day.call(
            "POST", "/v1/devices", acme.key, json={"kind": "webpush", "subscription": subscription}
        )
        assert web.status_code == 201
        with db.session(Scope.operator()) as session:
            add_user(
                session, email="sam@acmeracing.example", name="Sam", org_slug="acme-racing", role="staff"
            )
            sam_key = create_api_key(session, email="sam@acmeracing.example", org_slug="acme-racing")
        dead = race_day.call("POST", "/v1/devices", sam_key, json={"kind": "expo", "token": DEAD_PHONE})
        httpx.post(f"{race_day.expo.url}/__control/tokens/{DEAD_PHONE}/unregister", json={"at": "receipt"})
        said = race_day.call(
            "POST",
            "/v1/follows",
            acme.key,
            json={
                "text": f"Tell me when bib {followed.bib} passes 30K in the Shamrock Marathon",
                "today": "2023-03-19",
            },
        )
        assert said.status_code == 201, said.text
        assert said.json()["reply"].startswith(
            f"I'll notify you when bib {followed.bib} {followed.first_name} {followed.last_name} "
            "(Shamrock Marathon Weekend 2023 · Marathon) passes 30K. On your 2 devices."
        )
        for company in (acme, bayside):
            race_day.process(company)

        acme_start, other_start = (max(_seqs(db, c.org_id, 0), default=0) for c in (acme, bayside))
        watching = LiveClient(race_day.api.url, acme.key).start()  # stays connected throughout
        leaving = LiveClient(race_day.api.url, acme.key).start()  # disconnects and comes back
        other = LiveClient(race_day.api.url, bayside.key).start()
        faults = {
            "silent_mat": {"name": "30K", "from_ms": SILENT_FROM},
            "bib_swap": {"entries": [fast.participant_id, slow.participant_id], "mat": "30K"},
        }
        seen_before: list[SseEvent] = []
        followed_seen_at: int | None = None
        for step, clock in enumerate(range(0, END + STEP, STEP)):
            race_day.set_clock(acme, clock, faults)
            race_day.set_clock(bayside, clock)
            for company in (acme, bayside):
                run = harness.run_to_end("sync_results", company.edition_id, timeout=120)
                assert run.state == "succeeded", run.error
                race_day.process(company)
            if followed_seen_at is None and delay + thirty_k <= clock:
                followed_seen_at = clock
            if step == 8:  # mid-race, 2 hours in: one client drops
                leaving.stop()
                seen_before = _drain(leaving)
            if step == 10:
                leaving = LiveClient(race_day.api.url, acme.key, last_event_id=seen_before[-1].id).start()
        tasks.receipts(race_day.env, Senders(race_day.env.settings, sleep=lambda _s: None), acme.org_id)

        expected_acme = _seqs(db, acme.org_id, acme_start)
        expected_other = _seqs(db, bayside.org_id, other_start)
        try:
            stayed = watching.take(len(expected_acme), timeout=60)
            resumed = leaving.take(len(expected_acme) - len(seen_before), timeout=60)
            theirs = other.take(len(expected_other), timeout=60)
            assert watching.quiet(1.0) == []
            assert leaving.quiet(0.2) == []
        finally:
            for client in (watching, leaving, other):
                client.stop()

        # Every change exactly once, in order, to both clients; nothing across companies.
        assert len(expected_acme) > 5000
        assert [e.id for e in stayed] == expected_acme
        assert [e.id for e in seen_before + resumed] == expected_acme
        assert [e.id for e in theirs] == expected_other
        assert {e.data["edition_id"] for e in stayed} == {acme.edition_id}
        assert {e.data["edition_id"] for e in theirs} == {bayside.edition_id}
        assert all(e.data["provisional"] for e in stayed if e.data["result"])

        # The follower's phone and browser: one message each, when the bib passed 30K.
        assert followed_seen_at is not None
        place = _place_at_30k(followed.participant_id, followed_seen_at)
        suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
        expected = (
            f"Bib {followed.bib} {followed.first_name} {followed.last_name} passed 30K at "
            f"{format_ms(thirty_k, tenths=False)} — {format_pace(thirty_k, 30000.0, per='km')}/km, "
            f"provisional {place}{suffix} {followed.sex}"
        )
        expo = httpx.get(f"{race_day.expo.url}/__control/messages").json()
        web_messages = httpx.get(f"{race_day.webpush.url}/__control/messages").json()
        to_phone = [m["body"] for m in expo if m["to"] == PHONE and not m["title"].startswith("Alarm")]
        assert to_phone == [expected]
        assert [
            m["payload"]["body"] for m in web_messages if not m["payload"]["title"].startswith("Alarm")
        ] == [expected]

        # Alarms: the silent mat and the swap for Acme, pushed to its staff; none for the clean replay.
        alarms = race_day.call("GET", "/v1/alarms?resolved=true", acme.key).json()["alarms"]
        kinds = {(a["kind"], a["race_name"]) for a in alarms}
        assert ("silent_mat", "Marathon") in kinds
        assert ("impossible_pace", "Marathon") in kinds
        silent = next(a for a in alarms if a["kind"] == "silent_mat")
        assert silent["title"] == "Timing mat 30K has gone silent"
        assert re.match(r"No read at 30K since 2:[0-2]\d:\d\d of race time", silent["why"]), silent["why"]
        assert silent["rows"]
        swap = next(a for a in alarms if a["kind"] == "impossible_pace")
        assert swap["rows"][0]["bib"] == slow.bib
        assert swap["title"] == "Impossible pace between Half and 30K"
        alarm_pushes = [m for m in expo if m["to"] == PHONE and m["title"].startswith("Alarm")]
        pushed = sorted(m["body"].split(".")[0] for m in alarm_pushes)
        assert "Timing mat 30K has gone silent" in pushed
        assert any(title.startswith("Impossible pace between") for title in pushed)  # as first raised
        assert race_day.call("GET", "/v1/alarms?resolved=true", bayside.key).json()["alarms"] == []

        # The uninstalled app's device: disabled once Expo's receipt said so.
        listed = race_day.call("GET", "/v1/devices", sam_key).json()["devices"]
        assert [(d["id"], d["disabled_reason"]) for d in listed] == [
            (dead.json()["id"], "DeviceNotRegistered (Expo receipt)")
        ]
        assert isinstance(datetime.fromisoformat(listed[0]["disabled_at"]), datetime)
