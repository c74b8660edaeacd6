"""The alarm detectors on races of racedata-v1 replayed in steps: silent on clean data, loud on faults."""

from __future__ import annotations

from dataclasses import replace

import pytest

from racehub.alarms.detect import FINISH, Point, Rules, Runner, double_reads, impossible_paces, silent_mats
from racehub.integrations.simulators.bundle import Bundle, BundleRace, load_bundle
from tests.conftest import BUNDLE

SHAMROCK_MARATHON_2023 = "248020"
BOSTON_2024 = "248677"  # its tail of runners who stopped between 10K and Half nearly looks like a dead mat
MIN = 60_000
RULES = Rules()


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return load_bundle(BUNDLE)


def _points(bundle: Bundle, race: BundleRace) -> list[Point]:
    return [Point(name, meters) for name, meters in bundle.race_distances(race.race_id)] + [
        Point(FINISH, race.distance_m)
    ]


def _at(
    bundle: Bundle, race: BundleRace, clock_ms: int, silent: tuple[str, int] | None = None
) -> list[Runner]:
    """What the race's reads were `clock_ms` after the gun (runner ids are bundle participant ids)."""
    runners = []
    for participant in bundle.participants_by_race[race.race_id]:
        result = bundle.results.get(participant.participant_id)
        if result is None:
            continue
        delay = result.gun_ms - result.chip_ms if result.gun_ms and result.chip_ms else 0
        runner = Runner(int(participant.participant_id))
        for split in result.splits:
            at = delay + split.chip_ms
            if at <= clock_ms and not (silent and split.name == silent[0] and at > silent[1]):
                runner.reads[split.name] = split.chip_ms
        if result.status in ("FIN", "DQ") and result.chip_ms and (result.gun_ms or 0) <= clock_ms:
            runner.reads[FINISH] = result.chip_ms
            runner.start_delay_ms = delay
        if runner.reads:
            runners.append(runner)
    return runners


class TestCleanReplays:
    @pytest.mark.parametrize("race_id", [SHAMROCK_MARATHON_2023, BOSTON_2024, "248602", "248721"])
    def test_no_alarm_at_any_point_of_a_clean_race(self, bundle: Bundle, race_id: str) -> None:
        race = bundle.races[race_id]
        points = _points(bundle, race)
        end = max(
            r.gun_ms or 0
            for r in (bundle.results[p.participant_id] for p in bundle.participants_by_race[race_id])
        )
        for clock in range(0, end + 60 * MIN, 5 * MIN):
            runners = _at(bundle, race, clock)
            assert silent_mats(points, runners, RULES) == [], clock
            assert impossible_paces(points, runners, RULES) == [], clock


class TestSilentMat:
    def test_a_mat_that_stops_reading_is_found_with_the_runners_it_missed(self, bundle: Bundle) -> None:
        race = bundle.races[SHAMROCK_MARATHON_2023]
        points = _points(bundle, race)
        before = _at(bundle, race, 160 * MIN, silent=("30K", 150 * MIN))
        assert silent_mats(points, before, RULES) == []  # 10 minutes: not yet
        runners = _at(bundle, race, 200 * MIN, silent=("30K", 150 * MIN))
        (finding,) = silent_mats(points, runners, RULES)
        assert (finding.kind, finding.subject) == ("silent_mat", "30K")
        assert "No read at 30K since 2:" in finding.why
        assert "passed Half and are overdue here" in finding.why  # nobody has reached the finish since
        assert all(
            "30K" not in r.reads for r in runners if r.entry_id in {row.entry_id for row in finding.rows}
        )
        later = _at(bundle, race, 240 * MIN, silent=("30K", 150 * MIN))
        (finding,) = silent_mats(points, later, RULES)
        assert "passed a later mat without a read here" in finding.why
        ids = {row.entry_id for row in finding.rows}
        assert all("30K" not in r.reads and FINISH in r.reads for r in later if r.entry_id in ids)

    def test_a_dead_finish_mat_is_found_from_overdue_runners(self, bundle: Bundle) -> None:
        race = bundle.races[SHAMROCK_MARATHON_2023]
        runners = _at(bundle, race, 260 * MIN, silent=(FINISH, 180 * MIN))
        for runner in runners:  # the finish mat read nobody after 3:00 of race time
            if FINISH in runner.reads and runner.reads[FINISH] + (runner.start_delay_ms or 0) > 180 * MIN:
                del runner.reads[FINISH]
                runner.start_delay_ms = None
        findings = silent_mats(_points(bundle, race), runners, RULES)
        assert [(f.subject, "overdue here" in f.why) for f in findings] == [(FINISH, True)]


class TestImpossiblePace:
    def test_a_bib_swap_is_found_and_its_partner_named(self, bundle: Bundle) -> None:
        race = bundle.races[SHAMROCK_MARATHON_2023]
        runners = {r.entry_id: r for r in _at(bundle, race, 400 * MIN)}
        finishers = sorted(
            (r for r in runners.values() if FINISH in r.reads and "30K" in r.reads),
            key=lambda r: r.reads[FINISH],
        )
        fast, slow = finishers[5], finishers[-5]
        for name in ("30K", FINISH):  # from 30K on, each one's reads came in under the other's bib
            fast.reads[name], slow.reads[name] = slow.reads[name], fast.reads[name]
        findings = impossible_paces(_points(bundle, race), list(runners.values()), RULES)
        (finding,) = findings
        assert finding.subject == f"entry:{slow.entry_id}"
        assert finding.title == "Impossible pace between Half and 30K"
        assert [(row.entry_id, row.detail["role"]) for row in finding.rows] == [
            (slow.entry_id, "runner"),
            (fast.entry_id, "swap partner"),
        ]
        assert "likely bib swap" in finding.why

    def test_a_time_that_runs_backwards_is_impossible(self) -> None:
        points = [Point("10K", 10_000), Point("Half", 21_097.5), Point(FINISH, 42_195)]
        runner = Runner(1, {"10K": 50 * MIN, "Half": 49 * MIN})
        (finding,) = impossible_paces(points, [runner], RULES)
        assert "a negative time" in finding.why


class TestDoubleRead:
    def test_two_reads_of_one_chip_at_one_mat(self) -> None:
        (finding,) = double_reads(
            [(7, "30K", 7_273_000), (7, "30K", 7_277_000), (8, "30K", 7_300_000)], RULES
        )
        assert (finding.kind, finding.subject) == ("double_read", "7:30K")
        assert "4.0 s apart" in finding.why

    def test_reads_far_apart_are_two_laps_not_a_double_read(self) -> None:
        assert (
            double_reads([(7, "Lap", 600_000), (7, "Lap", 1_300_000)], replace(RULES, double_read_ms=120_000))
            == []
        )
