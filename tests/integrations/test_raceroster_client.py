"""RaceRosterClient against the RaceRoster simulator on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from racehub.integrations.base import VendorAuthError, VendorNotFound, as_local_naive

EDITION = "104071"  # Lakeside 10K 2023 (bundle event 61357)
RACE = "248540"
TZ = "America/New_York"
TOKEN_PATH = "/api/oauth/authorize"


class TestFullPull:
    def test_races_match_the_bundle(self, simulator, bundle_rows) -> None:
        sim = simulator("raceroster")
        with sim.client() as client:
            races = client.races(EDITION)
        expected = bundle_rows.races[RACE]
        assert [(race.external_id, race.name, race.distance_m) for race in races] == [
            (RACE, expected["name"], float(expected["distance_m"]))
        ]
        assert races[0].start_time is not None
        assert races[0].start_time.tzinfo is not None
        assert as_local_naive(races[0].start_time, TZ).isoformat() == expected["start_time"]

    def test_registrations_reproduce_the_bundle_rows(self, simulator, bundle_rows) -> None:
        sim = simulator("raceroster")
        with sim.client() as client:
            pulled = list(client.registrations(EDITION, RACE))
        rows = sorted(
            (bundle_rows.registration_as_row(reg, RACE, TZ) for reg in pulled),
            key=lambda row: row["participant_id"],
        )
        expected = sorted(bundle_rows.participants_by_race[RACE], key=lambda row: row["participant_id"])
        assert len(rows) == len(expected) == 705
        assert rows == expected
        assert {reg.sex for reg in pulled} <= {"M", "F", "X"}

    def test_unknown_event_is_not_found(self, simulator) -> None:
        sim = simulator("raceroster")
        with sim.client() as client, pytest.raises(VendorNotFound):
            client.races("103021")  # a RunSignUp edition: not RaceRoster's


class TestPaging:
    def test_small_pages_return_every_registration_once(self, simulator) -> None:
        sim = simulator("raceroster")
        with sim.client(page_size=100) as client:
            ids = [reg.external_id for reg in client.registrations(EDITION, RACE)]
        assert len(ids) == len(set(ids)) == 705
        assert (
            sim.requests_to(f"/api/v1/events/{EDITION}/registrations") == 8
        )  # ceil(705 / 100), lastPage ends it


class TestToken:
    def test_one_token_serves_many_calls(self, simulator) -> None:
        sim = simulator("raceroster")
        with sim.client(page_size=200) as client:
            client.races(EDITION)
            list(client.registrations(EDITION, RACE))
        assert sim.requests_to(TOKEN_PATH) == 1
        assert sim.requests_to("/api/v1/") == 5

    def test_expired_token_is_renewed_once(self, simulator) -> None:
        sim = simulator("raceroster", token_ttl_s=1)
        # The client's clock never reaches the expiry, so only the server's 401 can make it renew.
        with sim.client(clock=lambda: 0.0) as client:
            client.races(EDITION)
            time.sleep(1.05)
            races = client.races(EDITION)
        assert [race.external_id for race in races] == [RACE]
        assert sim.requests_to(TOKEN_PATH) == 2

    def test_bad_password_is_an_auth_error(self, simulator, sleeps) -> None:
        sim = simulator("raceroster")
        with sim.client(sleep=sleeps, credentials={"password": "guess"}) as client:
            with pytest.raises(VendorAuthError) as caught:
                client.races(EDITION)
        assert caught.value.retryable is False
        assert "guess" not in str(caught.value)
        assert sim.requests_to("/api/v1/") == 0
        assert sleeps.waits == []


class TestIncrementalAndRemoved:
    def test_updated_since_and_cancellations(self, simulator) -> None:
        sim = simulator("raceroster")
        with sim.client() as client:
            ids = [reg.external_id for reg in client.registrations(EDITION, RACE)]
            cursor = datetime.now(UTC) - timedelta(seconds=1)
            sim.change(ids[0], email="new.address@example.com", bib="9999")
            sim.remove(ids[1])
            changed = list(client.registrations(EDITION, RACE, modified_since=cursor))
            removed = client.removed_registrations(EDITION, RACE, since=cursor)
            remaining = {reg.external_id for reg in client.registrations(EDITION, RACE)}
        assert [(reg.external_id, reg.email, reg.bib) for reg in changed] == [
            (ids[0], "new.address@example.com", "9999")
        ]
        assert removed == [ids[1]]
        assert ids[1] not in remaining
        assert len(remaining) == len(ids) - 1
