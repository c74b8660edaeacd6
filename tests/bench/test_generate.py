"""Smoke test of bench/generate.py: a tiny bundle that keeps the racedata-v1 format and its rules."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "bench" / "generate.py"
SAMPLE_CANDIDATES = (
    REPO / "shared" / "data" / "racedata-v1",
    REPO.parent / "shared" / "data" / "racedata-v1",
)
TARGET_RESULTS = 3000
TODAY = dt.date(2026, 11, 25)
TIME_RE = re.compile(r"^\d+:[0-5]\d:[0-5]\d\.\d$")

# The headers the racedata-v1 README documents, in order.
EXPECTED_HEADERS = {
    "organizations.csv": ["org_id", "slug", "name", "contact_name", "contact_email", "city", "state"],
    "ct_events.csv": [
        "event_id",
        "org_id",
        "name",
        "edition_year",
        "start_date",
        "city",
        "state",
        "timezone",
        "registration_provider",
        "registration_external_id",
        "results_provider",
        "results_external_id",
        "status",
    ],
    "ct_races.csv": [
        "race_id",
        "event_id",
        "name",
        "distance_m",
        "start_time",
        "placement_basis",
        "overall_award_depth",
        "masters_award_depth",
        "masters_min_age",
        "ag_award_depth",
        "age_group_width",
        "exclude_award_winners_from_ag",
    ],
    "ct_participants.csv": [
        "participant_id",
        "race_id",
        "bib",
        "first_name",
        "last_name",
        "sex",
        "dob",
        "age",
        "email",
        "phone",
        "address1",
        "city",
        "state",
        "zip",
        "country",
        "team",
        "registered_at",
        "registration_source",
    ],
    "ct_results.csv": ["participant_id", "status", "gun_time", "chip_time"],
    "ct_splits.csv": ["participant_id", "split_name", "distance_m", "chip_elapsed"],
}


def run_generator(out: Path, seed: int, results: int = TARGET_RESULTS) -> None:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--results", str(results), "--out", str(out), "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read(bundle: Path, name: str) -> list[dict[str, str]]:
    with (bundle / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def tenths(text: str) -> int:
    hours, minutes, seconds = text.split(":")
    return (int(hours) * 3600 + int(minutes) * 60) * 10 + round(float(seconds) * 10)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One generated bundle, only read by the tests below."""
    out = tmp_path_factory.mktemp("bundle")
    run_generator(out, seed=7)
    return out


class TestFormat:
    def test_headers_match_the_readme(self, bundle: Path) -> None:
        for name, expected in EXPECTED_HEADERS.items():
            assert header(bundle / name) == expected, name

    def test_headers_match_the_shared_sample(self, bundle: Path) -> None:
        sample = next((p for p in SAMPLE_CANDIDATES if p.is_dir()), None)
        if sample is None:
            pytest.skip("shared racedata-v1 sample is not checked out here")
        for name in EXPECTED_HEADERS:
            assert header(bundle / name) == header(sample / name), name

    def test_rows_end_like_csv_writer(self, bundle: Path) -> None:
        raw = (bundle / "ct_participants.csv").read_bytes()
        assert raw.count(b"\r\n") == raw.count(b"\n") > 1

    def test_values_keep_the_sample_formats(self, bundle: Path) -> None:
        for event in read(bundle, "ct_events.csv"):
            prefix = {"ctlive": "CT", "copernico": "CO"}[event["results_provider"]]
            assert event["results_external_id"] == f"{prefix}-{event['event_id']}"
            assert event["registration_provider"] in {"runsignup", "raceroster"}
            assert dt.date.fromisoformat(event["start_date"]).year == int(event["edition_year"])
        for race in read(bundle, "ct_races.csv"):
            assert race["placement_basis"] in {"gun", "chip"}
            assert race["age_group_width"] in {"5", "10"}
            assert race["exclude_award_winners_from_ag"] in {"true", "false"}
            float(race["distance_m"])
            dt.datetime.fromisoformat(race["start_time"])
        for entry in read(bundle, "ct_participants.csv"):
            assert entry["sex"] in {"M", "F", "X"}
            assert re.fullmatch(r"\(\d{3}\) 555-\d{4}", entry["phone"])
            assert re.fullmatch(r"\d{5}", entry["zip"])
            assert "@" in entry["email"]


class TestSize:
    def test_result_rows_are_near_the_target(self, bundle: Path) -> None:
        results = read(bundle, "ct_results.csv")
        assert abs(len(results) - TARGET_RESULTS) <= TARGET_RESULTS * 0.05

    def test_several_tenants_and_recurring_editions(self, bundle: Path) -> None:
        events = read(bundle, "ct_events.csv")
        assert len(read(bundle, "organizations.csv")) >= 3
        editions = Counter(e["name"] for e in events)
        assert max(editions.values()) > 1
        assert len({e["org_id"] for e in events}) >= 3


class TestReferences:
    def test_ids_are_unique_integers(self, bundle: Path) -> None:
        for name, key in (
            ("ct_events.csv", "event_id"),
            ("ct_races.csv", "race_id"),
            ("ct_participants.csv", "participant_id"),
            ("ct_results.csv", "participant_id"),
        ):
            ids = [int(row[key]) for row in read(bundle, name)]
            assert len(ids) == len(set(ids)), name

    def test_every_row_points_at_an_existing_parent(self, bundle: Path) -> None:
        orgs = {o["org_id"] for o in read(bundle, "organizations.csv")}
        events = {e["event_id"] for e in read(bundle, "ct_events.csv") if e["org_id"] in orgs}
        races = {r["race_id"] for r in read(bundle, "ct_races.csv") if r["event_id"] in events}
        entries = {p["participant_id"] for p in read(bundle, "ct_participants.csv") if p["race_id"] in races}
        assert len(events) == len(read(bundle, "ct_events.csv"))
        assert len(races) == len(read(bundle, "ct_races.csv"))
        assert len(entries) == len(read(bundle, "ct_participants.csv"))
        assert all(r["participant_id"] in entries for r in read(bundle, "ct_results.csv"))
        assert all(s["participant_id"] in entries for s in read(bundle, "ct_splits.csv"))


class TestUpcomingEditions:
    def test_upcoming_editions_have_registrations_but_no_results(self, bundle: Path) -> None:
        events = read(bundle, "ct_events.csv")
        upcoming = {e["event_id"] for e in events if e["status"] == "upcoming"}
        assert upcoming
        for e in events:
            assert (dt.date.fromisoformat(e["start_date"]) > TODAY) == (e["event_id"] in upcoming)
        race_event = {r["race_id"]: r["event_id"] for r in read(bundle, "ct_races.csv")}
        entries = read(bundle, "ct_participants.csv")
        future = {p["participant_id"] for p in entries if race_event[p["race_id"]] in upcoming}
        assert future
        assert all(
            p["registered_at"] <= f"{TODAY.isoformat()}T23:59:59"
            for p in entries
            if p["participant_id"] in future
        )
        scored = {r["participant_id"] for r in read(bundle, "ct_results.csv")}
        assert not future & scored
        assert scored == {p["participant_id"] for p in entries} - future


class TestTimes:
    def test_status_mix_and_times(self, bundle: Path) -> None:
        results = read(bundle, "ct_results.csv")
        statuses = Counter(r["status"] for r in results)
        assert set(statuses) <= {"FIN", "DNS", "DNF", "DQ"}
        assert 0.85 < statuses["FIN"] / len(results) < 0.95
        assert statuses["DNS"] > 0
        for r in results:
            if r["status"] in {"DNS", "DNF"}:
                assert r["gun_time"] == r["chip_time"] == ""
            else:
                assert TIME_RE.match(r["gun_time"]), r
                assert TIME_RE.match(r["chip_time"]), r
                assert tenths(r["gun_time"]) >= tenths(r["chip_time"]) > 0, r

    def test_splits_belong_to_finishers_and_rise_to_the_finish(self, bundle: Path) -> None:
        finish = {
            r["participant_id"]: tenths(r["chip_time"])
            for r in read(bundle, "ct_results.csv")
            if r["status"] == "FIN"
        }
        elapsed: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for s in read(bundle, "ct_splits.csv"):
            assert TIME_RE.match(s["chip_elapsed"]), s
            elapsed[s["participant_id"]].append((float(s["distance_m"]), tenths(s["chip_elapsed"])))
        assert elapsed
        for pid, marks in elapsed.items():
            assert pid in finish
            times = [t for _, t in sorted(marks)]
            assert times == sorted(times)
            assert len(set(times)) == len(times)
            assert times[-1] < finish[pid]


class TestPeople:
    def test_age_is_age_on_race_day(self, bundle: Path) -> None:
        races = read(bundle, "ct_races.csv")
        race_day = {r["race_id"]: dt.date.fromisoformat(r["start_time"][:10]) for r in races}
        for p in read(bundle, "ct_participants.csv"):
            day, dob = race_day[p["race_id"]], dt.date.fromisoformat(p["dob"])
            assert int(p["age"]) == day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def test_runners_come_back_to_later_editions_as_the_same_person(self, bundle: Path) -> None:
        race_event = {r["race_id"]: r["event_id"] for r in read(bundle, "ct_races.csv")}
        seen: dict[tuple[str, str, str], set[tuple[str, str, str]]] = defaultdict(set)
        editions: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for p in read(bundle, "ct_participants.csv"):
            person = (p["first_name"], p["last_name"], p["dob"])
            editions[person].append(race_event[p["race_id"]])
            seen[person].add((p["email"], p["address1"], p["zip"]))
        repeaters = [k for k, events in editions.items() if len(set(events)) > 1]
        assert len(repeaters) >= 20
        assert sum(len(seen[k]) == 1 for k in repeaters) >= 0.95 * len(repeaters)
        one_person = [k for k in editions if len(seen[k]) == 1]
        assert all(len(editions[k]) == len(set(editions[k])) for k in one_person)  # one entry per edition

    def test_teams_on_some_entries(self, bundle: Path) -> None:
        entries = read(bundle, "ct_participants.csv")
        share = sum(bool(p["team"]) for p in entries) / len(entries)
        assert 0.1 < share < 0.3


class TestDeterminism:
    def test_same_seed_same_bytes(self, bundle: Path, tmp_path: Path) -> None:
        run_generator(tmp_path, seed=7)
        for name in EXPECTED_HEADERS:
            assert (tmp_path / name).read_bytes() == (bundle / name).read_bytes(), name

    def test_other_seed_other_bundle(self, bundle: Path, tmp_path: Path) -> None:
        run_generator(tmp_path, seed=8)
        name = "ct_participants.csv"
        assert (tmp_path / name).read_bytes() != (bundle / name).read_bytes()
