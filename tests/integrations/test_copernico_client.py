"""CopernicoClient against the Copernico simulator on 127.0.0.1: results, and push / score / rankings."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from datetime import date

import pytest

from racehub.integrations.base import (
    Registration,
    ResultRecord,
    VendorAuthError,
    VendorError,
    VendorNotFound,
)

EDITION = "CO-61357"  # Lakeside 10K 2023 (registrations at RaceRoster, timing at Copernico)
RACE = "248540"
UPCOMING = "CO-61328"  # Richmond Turkey Trot 2026: registered, not yet run


def _poll_until_finished(client, edition: str, job_id: str, limit: int = 10) -> list[str]:
    states = []
    for _ in range(limit):
        status = client.scoring_status(edition, job_id)
        assert status.job_id == job_id
        states.append(status.state)
        if status.state in ("done", "failed"):
            return states
    raise AssertionError(f"scoring job never finished: {states}")


class TestResults:
    def test_races_by_id_and_by_slug(self, simulator, bundle_rows) -> None:
        sim = simulator("copernico")
        with sim.client() as client:
            by_id = client.races(EDITION)
            by_slug = client.races("lakeside-10k-2023")
        expected = bundle_rows.races[RACE]
        assert by_id == by_slug
        assert [(race.external_id, race.name, race.distance_m) for race in by_id] == [
            (RACE, expected["name"], float(expected["distance_m"]))
        ]
        assert by_id[0].start_time is not None
        assert by_id[0].start_time.isoformat() == expected["start_time"]

    def test_results_reproduce_the_bundle_rows(self, simulator, bundle_rows) -> None:
        sim = simulator("copernico")
        with sim.client(page_size=150) as client:
            records = list(client.results(EDITION, RACE))
        ids = [row["participant_id"] for row in bundle_rows.participants_by_race[RACE]]
        expected_results = {pid: bundle_rows.results[pid] for pid in ids}
        expected_splits = sorted(
            (split for pid in ids for split in bundle_rows.splits.get(pid, [])),
            key=lambda row: (row["participant_id"], float(row["distance_m"])),
        )
        pulled_results = {}
        pulled_splits = []
        for record in records:
            result_row, split_rows = bundle_rows.result_as_rows(record)
            pulled_results[record.entry_external_id] = result_row
            pulled_splits += split_rows
        assert len(records) == len(ids) == 705
        assert pulled_results == expected_results
        assert pulled_splits == expected_splits
        assert (
            Counter(r.status for r in records)["DNS"]
            == Counter(r["status"] for r in expected_results.values())["DNS"]
        )
        assert sim.requests_to(f"/api/races/{EDITION}/athletes/{RACE}") == 5  # ceil(705 / 150)

    def test_unknown_race_is_not_found(self, simulator) -> None:
        sim = simulator("copernico")
        with sim.client() as client, pytest.raises(VendorNotFound):
            client.races("CT-61007")

    def test_bad_api_key_is_an_auth_error(self, simulator) -> None:
        sim = simulator("copernico")
        with sim.client(credentials={"api_key": "nope"}) as client, pytest.raises(VendorAuthError):
            list(client.results(EDITION, RACE))


class TestRankings:
    def test_rankings_place_finishers_by_sex(self, simulator, bundle_rows) -> None:
        sim = simulator("copernico")
        with sim.client() as client:
            ranked = list(client.rankings(EDITION, RACE))
        finishers = [
            row
            for row in bundle_rows.participants_by_race[RACE]
            if bundle_rows.results[row["participant_id"]]["status"] == "FIN"
        ]
        assert len(ranked) == len(finishers)
        assert {record.status for record in ranked} == {"FIN"}
        for sex in ("M", "F"):
            of_sex = [record for record in ranked if record.sex == sex]
            assert of_sex[0].sex_place == 1
            places = [record.sex_place for record in of_sex]
            assert places == sorted(places)
            # a gun-time race: places follow gun time, ties share a place
            for earlier, later in itertools.pairwise(of_sex):
                assert earlier.gun_ms is not None
                assert later.gun_ms is not None
                assert earlier.gun_ms <= later.gun_ms
                assert (earlier.sex_place == later.sex_place) == (earlier.gun_ms == later.gun_ms)


class TestScoring:
    def test_push_then_score_then_rankings_show_the_pushed_data(self, simulator) -> None:
        sim = simulator("copernico", scoring_polls=2)
        with sim.client() as client:
            before = list(client.rankings(EDITION, RACE))
            winner = next(record for record in before if record.sex == "F" and record.sex_place == 1)
            registration = _registration(winner, last_name="Champion-Renamed")
            assert client.push_registrations(EDITION, RACE, [registration]) == 1
            stale = {r.entry_external_id: r for r in client.rankings(EDITION, RACE)}
            job_id = client.request_scoring(EDITION, RACE)
            assert client.request_scoring(EDITION, RACE) == job_id  # pending job is reused, not duplicated
            states = _poll_until_finished(client, EDITION, job_id)
            after = {r.entry_external_id: r for r in client.rankings(EDITION, RACE)}
        assert stale[winner.entry_external_id].last_name == winner.last_name  # leaders wait for a scoring run
        assert states == ["running", "done"]
        assert after[winner.entry_external_id].last_name == "Champion-Renamed"
        assert after[winner.entry_external_id].sex_place == 1
        assert len(after) == len(before)

    def test_a_dorsal_belongs_to_one_athlete_and_ids_need_not_be_numbers(self, simulator) -> None:
        sim = simulator("copernico")
        with sim.client() as client:
            winner = next(r for r in client.rankings(EDITION, RACE) if r.sex == "F" and r.sex_place == 1)
            twin = _registration(winner, external_id="racehub-41223")  # same bib, another athlete id
            with pytest.raises(VendorError) as refused:
                client.push_registrations(EDITION, RACE, [twin])
            unnumbered = _registration(winner, external_id="racehub-41224", bib="99999")
            assert client.push_registrations(EDITION, RACE, [unnumbered]) == 1
            listed = {r.entry_external_id for r in client.results(EDITION, RACE)} | {
                a.id for a in client._athletes(EDITION, RACE)
            }
        assert refused.value.vendor_status == 409
        assert not refused.value.retryable
        assert "racehub-41224" in listed
        assert "racehub-41223" not in listed

    def test_push_of_an_upcoming_edition_in_batches(self, simulator, bundle_rows) -> None:
        copernico = simulator("copernico")
        runsignup = simulator("runsignup")  # the edition registers at RunSignUp (race 103984)
        race_id = bundle_rows.races_by_event["61328"][0]["race_id"]
        with runsignup.client() as registration_client:
            registrations = list(registration_client.registrations("103984", race_id))
        with copernico.client() as client:
            assert list(client.results(UPCOMING, race_id)) == []  # nobody timed yet
            taken = client.push_registrations(UPCOMING, race_id, registrations)
            job_id = client.request_scoring(UPCOMING, race_id)
            states = _poll_until_finished(client, UPCOMING, job_id)
            ranked = list(client.rankings(UPCOMING, race_id))
        count = len(bundle_rows.participants_by_race[race_id])
        assert taken == len(registrations) == count > 250
        assert copernico.requests_to("/race-registrations/") == -(-count // 250)
        assert states[-1] == "done"
        assert ranked == []  # registered but untimed athletes are not ranked


def _registration(record: ResultRecord, **changes: str) -> Registration:
    base = Registration(
        external_id=record.entry_external_id,
        bib=record.bib,
        first_name=record.first_name,
        last_name=record.last_name,
        sex=record.sex or "X",
        dob=date(1990, 1, 1),
        age=record.age,
        email=None,
        phone=None,
        address1=None,
        city=None,
        state=None,
        zip=None,
        country=None,
        team=None,
        registered_at=None,
        modified_at=None,
        source="raceroster",
    )
    return dataclasses.replace(base, **changes)
