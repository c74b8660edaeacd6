"""RunSignUpClient against the RunSignUp simulator on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI

from racehub.integrations.base import VendorAuthError, VendorError, VendorNotFound, as_local_naive
from racehub.integrations.http import HttpPolicy
from racehub.integrations.runsignup.client import RunSignUpClient
from racehub.integrations.simulators.kit import start_server_thread

EDITION = "104887"  # Blue Ridge Trail 50K 2023 (bundle event 61629): a 50K and a 25K
TZ = "America/New_York"


class TestFullPull:
    def test_races_match_the_bundle(self, simulator, bundle_rows) -> None:
        sim = simulator("runsignup")
        event = bundle_rows.event_by("registration_external_id", EDITION)
        with sim.client() as client:
            races = client.races(EDITION)
        expected = bundle_rows.races_by_event[event["event_id"]]
        assert [race.external_id for race in races] == [race["race_id"] for race in expected]
        assert [race.name for race in races] == [race["name"] for race in expected]
        assert [race.distance_m for race in races] == [float(race["distance_m"]) for race in expected]
        assert [as_local_naive(race.start_time, TZ).isoformat() for race in races] == [
            race["start_time"] for race in expected
        ]

    def test_registrations_reproduce_the_bundle_rows(self, simulator, bundle_rows) -> None:
        sim = simulator("runsignup")
        event = bundle_rows.event_by("registration_external_id", EDITION)
        with sim.client() as client:
            for race in bundle_rows.races_by_event[event["event_id"]]:
                pulled = list(client.registrations(EDITION, race["race_id"]))
                rows = [bundle_rows.registration_as_row(reg, race["race_id"], TZ) for reg in pulled]
                expected = bundle_rows.participants_by_race[race["race_id"]]
                assert len(rows) == len(expected) > 100
                assert sorted(rows, key=lambda row: row["participant_id"]) == sorted(
                    expected, key=lambda row: row["participant_id"]
                )
                assert all(
                    reg.modified_at is not None and reg.modified_at.tzinfo is not None for reg in pulled
                )

    def test_unknown_race_is_not_found(self, simulator) -> None:
        sim = simulator("runsignup")
        with sim.client() as client, pytest.raises(VendorNotFound):
            client.races("999999")


class TestPaging:
    def test_small_pages_return_every_registration_once(self, simulator, bundle_rows) -> None:
        sim = simulator("runsignup")
        race_id = "248721"
        with sim.client(page_size=40) as client:
            ids = [reg.external_id for reg in client.registrations(EDITION, race_id)]
        expected = {row["participant_id"] for row in bundle_rows.participants_by_race[race_id]}
        assert len(ids) == len(set(ids)) == len(expected)
        assert set(ids) == expected
        # ceil(n / 40) full pages, plus one short (possibly empty) page that ends the loop
        assert sim.requests_to(f"/Rest/race/{EDITION}/participants") == len(expected) // 40 + 1


class TestIncremental:
    def test_modified_since_returns_only_changed_registrations(self, simulator) -> None:
        sim = simulator("runsignup")
        race_id = "248745"
        with sim.client() as client:
            first = next(iter(client.registrations(EDITION, race_id)))
            cursor = datetime.now(UTC) - timedelta(seconds=1)
            assert list(client.registrations(EDITION, race_id, modified_since=cursor)) == []
            sim.change(first.external_id, last_name="Renamed", team="Trail Dogs")
            changed = list(client.registrations(EDITION, race_id, modified_since=cursor))
        assert [reg.external_id for reg in changed] == [first.external_id]
        assert (changed[0].last_name, changed[0].team) == ("Renamed", "Trail Dogs")
        assert changed[0].first_name == first.first_name
        assert changed[0].modified_at is not None
        assert changed[0].modified_at >= cursor.replace(microsecond=0)

    def test_naive_cursor_is_refused(self, simulator) -> None:
        sim = simulator("runsignup")
        with sim.client() as client, pytest.raises(ValueError, match="timezone-aware"):
            list(client.registrations(EDITION, "248745", modified_since=datetime(2023, 1, 1)))


class TestRemoved:
    def test_removed_registrations_are_listed_and_no_longer_pulled(self, simulator) -> None:
        sim = simulator("runsignup")
        race_id = "248745"
        with sim.client() as client:
            before = [reg.external_id for reg in client.registrations(EDITION, race_id)]
            cursor = datetime.now(UTC) - timedelta(seconds=1)
            assert client.removed_registrations(EDITION, race_id) == []
            sim.remove(before[3])
            sim.remove(before[7])
            removed = client.removed_registrations(EDITION, race_id, since=cursor)
            after = [reg.external_id for reg in client.registrations(EDITION, race_id)]
            later = client.removed_registrations(
                EDITION, race_id, since=datetime.now(UTC) + timedelta(hours=1)
            )
            other_race = client.removed_registrations(EDITION, "248721")
        assert sorted(removed) == sorted([before[3], before[7]])
        assert after == [pid for pid in before if pid not in removed]
        assert later == []
        assert other_race == []


class TestAuth:
    def test_bad_secret_is_an_auth_error_without_retries(self, simulator, sleeps) -> None:
        sim = simulator("runsignup")
        with sim.client(sleep=sleeps, credentials={"api_secret": "wrong"}) as client:
            with pytest.raises(VendorAuthError) as caught:
                client.races(EDITION)
        assert caught.value.retryable is False
        assert caught.value.vendor_status == 401
        assert "wrong" not in str(caught.value)
        assert sleeps.waits == []
        assert sim.requests_to("/Rest") == 1


class TestResults:
    def test_result_sets_list_finishers_with_places_and_times(self, simulator, bundle_rows) -> None:
        sim = simulator("runsignup")
        race_id = "248721"
        with sim.client(page_size=100) as client:
            records = list(client.results(EDITION, race_id))
        finishers = {
            row["participant_id"]: bundle_rows.results[row["participant_id"]]
            for row in bundle_rows.participants_by_race[race_id]
            if bundle_rows.results[row["participant_id"]]["status"] == "FIN"
        }
        assert len(records) == len(finishers)
        for record in records:
            result_row, _ = bundle_rows.result_as_rows(record)
            assert result_row == finishers[record.entry_external_id]
        places = [record.overall_place for record in records]
        assert places[0] == 1
        assert places == sorted(places)  # gun-time race: places follow gun times
        guns = [record.gun_ms for record in records]
        assert guns == sorted(guns)


class TestRateLimit:
    def test_retry_after_is_honoured_then_the_pull_completes(self, simulator, sleeps) -> None:
        sim = simulator("runsignup")
        sim.fault(kind="rate_limit", retry_after=7, count=2, path_prefix=f"/Rest/race/{EDITION}/participants")
        with sim.client(sleep=sleeps) as client:
            pulled = list(client.registrations(EDITION, "248745"))
        assert len(pulled) > 100
        assert sleeps.waits == [7.0, 7.0]


class TestErrorEnvelope:
    def test_an_error_body_with_status_200_is_a_vendor_error(self, sleeps) -> None:
        app = FastAPI()

        @app.get("/Rest/race/{race_id}")
        def race(race_id: str) -> dict[str, object]:
            return {"error": {"error_code": 201, "error_msg": "Race not found."}}

        server = start_server_thread(app)
        try:
            client = RunSignUpClient(
                "key",
                "secret",
                base_url=f"{server.url}/Rest",
                policy=HttpPolicy.for_local_simulator(),
                sleep=sleeps,
            )
            with pytest.raises(VendorError, match="error 201: Race not found") as caught:
                client.races("1")
            client.close()
        finally:
            server.stop()
        assert caught.value.retryable is False
        assert "secret" not in str(caught.value)
