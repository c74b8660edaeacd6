"""Scoring races stored in PostgreSQL: basis, non-finishers, re-scoring, idempotence, and the bundle."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from racehub.db import Database, Scope
from racehub.models import Race, Result
from racehub.scoring.service import score_race
from tests.conftest import BUNDLE
from tests.factories import create_edition, create_entry, create_org, create_race
from tests.imports.bundle_files import read_dicts

MIN = 60_000
Places = tuple[int | None, int | None, str | None, int | None]  # overall, sex, age group, age-group place
AwardRow = tuple[int, str, str, str | None, int]  # entry, category, sex, age group, award place


def places(session: Session, race_id: int) -> dict[int, Places]:
    rows = session.execute(
        text(
            "SELECT entry_id, overall_place, sex_place, age_group, age_group_place FROM results "
            "WHERE race_id = :race"
        ),
        {"race": race_id},
    ).all()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def award_rows(session: Session, race_id: int) -> set[AwardRow]:
    rows = session.execute(
        text("SELECT entry_id, category, sex, age_group, award_place FROM awards WHERE race_id = :race"),
        {"race": race_id},
    ).all()
    return {(r[0], r[1], r[2], r[3], r[4]) for r in rows}


def new_race(db: Database, **rules: Any) -> int:
    with db.session(Scope.operator()) as session:
        edition = create_edition(session, create_org(session))
        return create_race(session, edition, **rules).id


class TestPlacementBasis:
    def test_gun_and_chip_give_different_orders(self, db: Database) -> None:
        race_id = new_race(
            db, placement_basis="gun", overall_award_depth=1, masters_award_depth=0, ag_award_depth=0
        )
        with db.session(Scope.operator()) as session:
            race = session.get(Race, race_id)
            assert race is not None
            # A started far back: slower from the gun, faster on the chip.
            a = create_entry(session, race, gun_ms=20 * MIN, chip_ms=19 * MIN).id
            b = create_entry(session, race, gun_ms=19 * MIN + 30_000, chip_ms=19 * MIN + 30_000).id
            score_race(session, race_id)
        with db.session(Scope.operator()) as session:
            by_gun = places(session, race_id)
            gun_winner = {r[0] for r in award_rows(session, race_id)}
            session.execute(text("UPDATE races SET placement_basis = 'chip' WHERE id = :r"), {"r": race_id})
            score_race(session, race_id)
        with db.session(Scope.operator()) as session:
            by_chip = places(session, race_id)
            chip_winner = {r[0] for r in award_rows(session, race_id)}
        assert (by_gun[a][0], by_gun[b][0]) == (2, 1)
        assert (by_chip[a][0], by_chip[b][0]) == (1, 2)
        assert (gun_winner, chip_winner) == ({b}, {a})


class TestNonFinishersAreNeverPlaced:
    def test_dq_dnf_and_dns_get_no_place_and_no_award(self, db: Database) -> None:
        race_id = new_race(db, overall_award_depth=3, masters_award_depth=1, ag_award_depth=3)
        with db.session(Scope.operator()) as session:
            race = session.get(Race, race_id)
            assert race is not None
            finisher = create_entry(session, race, gun_ms=20 * MIN, age=45).id
            dq = create_entry(session, race, status="DQ", gun_ms=15 * MIN, age=45).id
            dnf = create_entry(session, race, status="DNF", age=45).id
            dns = create_entry(session, race, status="DNS", age=45).id
            score = score_race(session, race_id)
        with db.session(Scope.operator()) as session:
            placed = places(session, race_id)
            awarded = award_rows(session, race_id)
        assert score.finishers == 1
        assert placed[finisher][:2] == (1, 1)
        for entry in (dq, dnf, dns):
            assert placed[entry] == (None, None, None, None)
        assert {row[0] for row in awarded} == {finisher}


class TestRescoreAfterResultChange:
    def test_changed_results_move_places_and_awards(self, db: Database) -> None:
        race_id = new_race(db, overall_award_depth=1, masters_award_depth=0, ag_award_depth=1)
        with db.session(Scope.operator()) as session:
            race = session.get(Race, race_id)
            assert race is not None
            first = create_entry(session, race, gun_ms=20 * MIN, age=30).id
            second = create_entry(session, race, gun_ms=21 * MIN, age=31).id
            third = create_entry(session, race, gun_ms=22 * MIN, age=32).id
            score_race(session, race_id)
        with db.session(Scope.operator()) as session:
            before = places(session, race_id), award_rows(session, race_id)
            winner = session.get(Result, first)
            assert winner is not None
            winner.status, winner.gun_ms, winner.chip_ms = "DNF", None, None
            late = session.get(Result, third)
            assert late is not None
            late.gun_ms = late.chip_ms = 19 * MIN
            session.flush()
            score = score_race(session, race_id)
        with db.session(Scope.operator()) as session:
            after = places(session, race_id), award_rows(session, race_id)
        assert before[0][first][0] == 1
        assert before[1] == {(first, "overall", "M", None, 1), (second, "age_group", "M", "30-34", 1)}
        assert score.changed_rows > 0
        assert after[0][first] == (None, None, None, None)
        assert (after[0][third][0], after[0][second][0]) == (1, 2)
        assert after[1] == {(third, "overall", "M", None, 1), (second, "age_group", "M", "30-34", 1)}


class TestScoringTwiceChangesNothing:
    def test_second_run_changes_no_rows(self, db: Database) -> None:
        race_id = new_race(db)
        with db.session(Scope.operator()) as session:
            race = session.get(Race, race_id)
            assert race is not None
            for i in range(12):
                create_entry(session, race, gun_ms=(20 + i % 7) * MIN, age=18 + 4 * i, sex="MF"[i % 2])
            first = score_race(session, race_id)
        with db.session(Scope.operator()) as session:
            snapshot = session.execute(
                text(
                    "SELECT (SELECT string_agg(a::text, ',' ORDER BY a.id) FROM awards a), "
                    "(SELECT string_agg(r::text, ',' ORDER BY r.entry_id) FROM results r), "
                    "(SELECT scored_at FROM races WHERE id = :race)"
                ),
                {"race": race_id},
            ).one()
        with db.session(Scope.operator()) as session:
            second = score_race(session, race_id)
            again = session.execute(
                text(
                    "SELECT (SELECT string_agg(a::text, ',' ORDER BY a.id) FROM awards a), "
                    "(SELECT string_agg(r::text, ',' ORDER BY r.entry_id) FROM results r), "
                    "(SELECT scored_at FROM races WHERE id = :race)"
                ),
                {"race": race_id},
            ).one()
        assert first.changed_rows > 0
        assert first.awards > 0
        assert second.changed_rows == 0
        assert (second.finishers, second.awards) == (first.finishers, first.awards)
        assert tuple(again) == tuple(snapshot)


# --- an independent reading of the README's rules, checked against the imported, scored bundle -----


def readme_ms(clock: str) -> int:
    """Milliseconds of `H:MM:SS.t`, in integers only."""
    hours, minutes, seconds = clock.split(":")
    whole, _, fraction = seconds.partition(".")
    return ((int(hours) * 60 + int(minutes)) * 60 + int(whole)) * 1000 + int((fraction + "000")[:3])


def readme_age_group(age: int, width: int) -> str:
    if width == 5:
        bands = [(0, 14, "14 & under")] + [(lo, lo + 4, f"{lo}-{lo + 4}") for lo in range(15, 80, 5)]
        bands.append((80, 999, "80 & over"))
    else:
        bands = [(0, 19, "19 & under")] + [(lo, lo + 9, f"{lo}-{lo + 9}") for lo in range(20, 70, 10)]
        bands.append((70, 999, "70 & over"))
    return next(label for low, high, label in bands if low <= age <= high)


def competition_place(sorted_times: list[int], time_ms: int) -> int:
    """1 + how many finished strictly faster: ties share a place and the next place is skipped."""
    return bisect_left(sorted_times, time_ms) + 1


@dataclass(frozen=True)
class Runner:
    participant_id: int
    sex: str
    age: int
    time_ms: int


def ranked(pool: list[Runner]) -> dict[int, int]:
    times = sorted(r.time_ms for r in pool)
    return {r.participant_id: competition_place(times, r.time_ms) for r in pool}


@dataclass(frozen=True)
class ReadmeScore:
    race_legacy_id: int
    places: dict[int, Places]  # by participant_id, every entry with a result
    awards: set[AwardRow]  # entry is the participant_id


def readme_score(directory: Path, event: str, year: int, race_name: str) -> ReadmeScore:
    edition = next(
        e
        for e in read_dicts(directory / "ct_events.csv")
        if (e["name"], int(e["edition_year"])) == (event, year)
    )
    race = next(
        r
        for r in read_dicts(directory / "ct_races.csv")
        if r["event_id"] == edition["event_id"] and r["name"] == race_name
    )
    entrants = {
        p["participant_id"]: p
        for p in read_dicts(directory / "ct_participants.csv")
        if p["race_id"] == race["race_id"]
    }
    results = [r for r in read_dicts(directory / "ct_results.csv") if r["participant_id"] in entrants]
    clock = "gun_time" if race["placement_basis"] == "gun" else "chip_time"
    width = int(race["age_group_width"])
    runners = [
        Runner(
            int(r["participant_id"]),
            entrants[r["participant_id"]]["sex"],
            int(entrants[r["participant_id"]]["age"]),
            readme_ms(r[clock]),
        )
        for r in results
        if r["status"] == "FIN"
    ]
    placed: dict[int, Places] = {int(r["participant_id"]): (None, None, None, None) for r in results}
    overall = ranked(runners)
    by_sex: dict[str, list[Runner]] = defaultdict(list)
    for r in runners:
        by_sex[r.sex].append(r)
    won: set[AwardRow] = set()
    for sex, field in by_sex.items():
        sex_place = ranked(field)
        groups: dict[str, list[Runner]] = defaultdict(list)
        for r in field:
            groups[readme_age_group(r.age, width)].append(r)
        for label, members in groups.items():
            for pid, place in ranked(members).items():
                placed[pid] = (overall[pid], sex_place[pid], label, place)
        # Awards, in the README's order: overall, masters, then age groups.
        overall_winners = {
            pid for pid, place in sex_place.items() if place <= int(race["overall_award_depth"])
        }
        won |= {(pid, "overall", sex, None, sex_place[pid]) for pid in overall_winners}
        masters_pool = [
            r
            for r in field
            if r.age >= int(race["masters_min_age"]) and r.participant_id not in overall_winners
        ]
        masters = {pid: p for pid, p in ranked(masters_pool).items() if p <= int(race["masters_award_depth"])}
        won |= {(pid, "masters", sex, None, p) for pid, p in masters.items()}
        excluded = (
            overall_winners | set(masters) if race["exclude_award_winners_from_ag"] == "true" else set()
        )
        for label, members in groups.items():
            pool = [r for r in members if r.participant_id not in excluded]
            won |= {
                (pid, "age_group", sex, label, p)
                for pid, p in ranked(pool).items()
                if p <= int(race["ag_award_depth"])
            }
    return ReadmeScore(int(race["race_id"]), placed, won)


BUNDLE_RACES = [
    pytest.param("Boston Marathon", 2025, "Marathon", id="boston-2025-marathon"),
    pytest.param("Shamrock Marathon Weekend", 2024, "Half Marathon", id="shamrock-2024-half"),
    pytest.param("Richmond Turkey Trot", 2025, "5K", id="richmond-2025-5k"),
    pytest.param("Blue Ridge Trail 50K", 2023, "25K", id="blue-ridge-2023-25k"),
]


class TestBundleScoresMatchTheReadme:
    @pytest.mark.parametrize(("event", "year", "race_name"), BUNDLE_RACES)
    def test_places_and_awards_match_an_independent_scoring(
        self, bundle_db: Database, event: str, year: int, race_name: str
    ) -> None:
        expected = readme_score(BUNDLE, event, year, race_name)
        with bundle_db.session(Scope.operator()) as session:
            race_id = session.execute(
                text("SELECT id FROM races WHERE legacy_id = :legacy"), {"legacy": expected.race_legacy_id}
            ).scalar_one()
            legacy = dict(
                session.execute(
                    text("SELECT id, legacy_id FROM entries WHERE race_id = :race"), {"race": race_id}
                ).all()
            )
            stored = {legacy[entry]: row for entry, row in places(session, race_id).items()}
            stored_awards = {(legacy[a[0]], *a[1:]) for a in award_rows(session, race_id)}
        assert expected.awards, "the race should have award winners"
        assert stored == expected.places
        assert stored_awards == expected.awards
