"""Each kind of question the parser answers, checked against figures computed from the bundle CSV files."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from racehub.ask.engine import AskEngine
from racehub.ask.text import STATE_NAMES
from tests.ask.answers import (
    TODAY,
    ask,
    assert_figure,
    assert_parser_answer,
    assert_time,
    column,
    explain,
    names,
    records,
)
from tests.ask.bundle_reference import Bundle, Entry, age_group, ranked

SHAMROCK = "Shamrock Marathon Weekend"
BOSTON = "Boston Marathon"
LAKESIDE = "Lakeside 10K"
CHERRY = "Cherry Blossom 10 Miler"
HARBOR = "Harbor Half Marathon"
TURKEY = "Richmond Turkey Trot"
JINGLE = "Jingle Bell Run"


class TestCounts:
    @pytest.mark.parametrize(
        ("question", "today", "event", "year", "race", "sex"),
        [
            (
                "How many runners finished the Shamrock Marathon last year?",
                TODAY,
                SHAMROCK,
                2025,
                "Marathon",
                None,
            ),
            ("how many finished the shamrok marathon this year?", TODAY, SHAMROCK, 2026, "Marathon", None),
            (
                "How many runners finished the Shamrock Marathon last year?",
                date(2025, 6, 1),
                SHAMROCK,
                2024,
                "Marathon",
                None,
            ),
            ("number of finishers at the 2025 bostn marathon", TODAY, BOSTON, 2025, "Marathon", None),
            (
                "How many women finished the 2025 Cherry Blossom 10 Miler?",
                TODAY,
                CHERRY,
                2025,
                "10 Miler",
                "F",
            ),
            (
                "how many female finishers were there in the 2024 cherry blossom 10 miler",
                TODAY,
                CHERRY,
                2024,
                "10 Miler",
                "F",
            ),
        ],
    )
    def test_finishers(
        self,
        engine: AskEngine,
        bundle: Bundle,
        question: str,
        today: date,
        event: str,
        year: int,
        race: str,
        sex: str | None,
    ) -> None:
        expected = bundle.count(bundle.race(event, year, race), where=lambda e: sex is None or e.sex == sex)
        answer = ask(engine, question, today=today)
        assert_parser_answer(answer, max_rows=3)
        assert_figure(answer, expected)

    @pytest.mark.parametrize(
        ("question", "event", "year"),
        [
            (
                "How many participants registered for the 2024 Shamrock Marathon Weekend across all races?",
                SHAMROCK,
                2024,
            ),
            ("what was the total registration for the 2024 Shamrock Marathon Weekend?", SHAMROCK, 2024),
            ("How many people are registered for the 2026 Richmond Turkey Trot?", TURKEY, 2026),
            ("how many entrants did the 2025 jingle bell run have", JINGLE, 2025),
        ],
    )
    def test_registered_counts_every_race_of_the_edition(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int
    ) -> None:
        expected = bundle.count(*bundle.races_of(event, year), status=None)
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=10)
        assert_figure(answer, expected)

    @pytest.mark.parametrize(
        ("question", "event", "year", "race", "status"),
        [
            ("How many runners did not finish the 2024 Boston Marathon?", BOSTON, 2024, "Marathon", "DNF"),
            ("how many dnfs were there at the 2025 bostn marathon", BOSTON, 2025, "Marathon", "DNF"),
            ("How many runners did not start the 2024 Boston Marathon?", BOSTON, 2024, "Marathon", "DNS"),
            (
                "how many no-shows were there at the 2025 Shamrock Half Marathon",
                SHAMROCK,
                2025,
                "Half Marathon",
                "DNS",
            ),
        ],
    )
    def test_non_finishers_by_status(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int, race: str, status: str
    ) -> None:
        expected = bundle.count(bundle.race(event, year, race), status=status)
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=3)
        assert_figure(answer, expected)


class TestWinners:
    @pytest.mark.parametrize(
        ("question", "event", "year", "race", "sex"),
        [
            ("Who won the women's race at the 2025 Boston Marathon?", BOSTON, 2025, "Marathon", "F"),
            ("who won the mens race at the 2024 bostn marathon", BOSTON, 2024, "Marathon", "M"),
            (
                "who was the female winner of the 2024 shamrok half marathon",
                SHAMROCK,
                2024,
                "Half Marathon",
                "F",
            ),
        ],
    )
    def test_winner_of_one_sex(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int, race: str, sex: str
    ) -> None:
        winner = bundle.winner(bundle.race(event, year, race), sex)
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=3)
        assert names(answer) == [winner.name], explain(answer)
        assert column(answer, "time") == [winner.placement_time], explain(answer)
        assert winner.name in answer.answer
        assert winner.placement_time in answer.answer


def _places(entries: list[tuple[int, Entry]]) -> list[tuple[int, str]]:
    return sorted((place, e.name) for place, e in entries)


class TestTopAndPlaces:
    @pytest.mark.parametrize(
        ("question", "event", "year", "race", "sex", "n"),
        [
            (
                "Show the top 5 men at the 2024 Shamrock Half Marathon.",
                SHAMROCK,
                2024,
                "Half Marathon",
                "M",
                5,
            ),
            ("top 3 women in the 2025 cherry blossom 10 miler", CHERRY, 2025, "10 Miler", "F", 3),
            ("list the 10 fastest men at the 2025 Boston Marathon", BOSTON, 2025, "Marathon", "M", 10),
        ],
    )
    def test_top_n(
        self,
        engine: AskEngine,
        bundle: Bundle,
        question: str,
        event: str,
        year: int,
        race: str,
        sex: str,
        n: int,
    ) -> None:
        expected = [(p, e) for p, e in bundle.sex_ranked(bundle.race(event, year, race), sex) if p <= n]
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=n)
        shown = sorted(zip(column(answer, "place"), names(answer), strict=True))
        assert shown == _places(expected), explain(answer)
        times = dict(zip(names(answer), column(answer, "time"), strict=True))
        assert times == {e.name: e.placement_time for _, e in expected}

    @pytest.mark.parametrize(
        ("question", "event", "year", "race", "sex", "place"),
        [
            ("Who finished third among women at the 2025 Boston Marathon?", BOSTON, 2025, "Marathon", "F", 3),
            ("Who was the 2nd place man at the 2025 Boston Marathon?", BOSTON, 2025, "Marathon", "M", 2),
            ("who came in 5th place overall at the 2025 Lakeside 10K", LAKESIDE, 2025, "10K", None, 5),
        ],
    )
    def test_nth_place(
        self,
        engine: AskEngine,
        bundle: Bundle,
        question: str,
        event: str,
        year: int,
        race: str,
        sex: str | None,
        place: int,
    ) -> None:
        field = bundle.finishers(bundle.race(event, year, race), where=lambda e: sex is None or e.sex == sex)
        expected = {e.name for p, e in ranked(field) if p == place}
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=3)
        assert set(names(answer)) == expected, explain(answer)
        assert set(column(answer, "place")) == {place}


class TestPersonResult:
    @staticmethod
    def someone(bundle: Bundle, event: str, year: int, race: str) -> Entry:
        """A finisher of the race whose name no one else in the bundle has: the middle one by entry id."""
        counts = Counter(e.name.lower() for e in bundle.entries)
        field = sorted(bundle.finishers(bundle.race(event, year, race)), key=lambda e: int(e.participant_id))
        unique = [
            e
            for e in field
            if counts[e.name.lower()] == 1 and e.first_name.isalpha() and e.last_name.isalpha()
        ]
        return unique[len(unique) // 2]

    @pytest.mark.parametrize(
        ("template", "event", "year", "race"),
        [
            ("What was {first} {last}'s finish time at the 2024 Lakeside 10K?", LAKESIDE, 2024, "10K"),
            ("how did {first_lower} {last_lower} do at the 2025 boston marathon", BOSTON, 2025, "Marathon"),
        ],
    )
    def test_a_runners_time_and_place(
        self, engine: AskEngine, bundle: Bundle, template: str, event: str, year: int, race: str
    ) -> None:
        runner = self.someone(bundle, event, year, race)
        overall = {e.participant_id: p for p, e in ranked(bundle.finishers(runner.race))}
        question = template.format(
            first=runner.first_name,
            last=runner.last_name,
            first_lower=runner.first_name.lower(),
            last_lower=runner.last_name.lower(),
        )
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=3)
        assert names(answer) == [runner.name], explain(answer)
        row = records(answer)[0]
        assert row["time"] == runner.placement_time
        assert row["overall_place"] == overall[runner.participant_id]
        assert runner.placement_time in answer.answer


class TestAggregates:
    @pytest.mark.parametrize(
        ("question", "event", "year", "race", "measure"),
        [
            (
                "What was the average finish time of the 2025 Shamrock Marathon?",
                SHAMROCK,
                2025,
                "Marathon",
                "avg",
            ),
            ("what was the avg finish time at the 2024 lakeside 10k", LAKESIDE, 2024, "10K", "avg"),
            (
                "What was the median finish time at the 2024 Boston Marathon?",
                BOSTON,
                2024,
                "Marathon",
                "median",
            ),
            ("median time for the 2025 cherry blossom 10 miler", CHERRY, 2025, "10 Miler", "median"),
        ],
    )
    def test_finish_time(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int, race: str, measure: str
    ) -> None:
        chosen = bundle.race(event, year, race)
        expected = bundle.average_ms(chosen) if measure == "avg" else bundle.median_ms(chosen)
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=3)
        (shown,) = column(answer, f"{'average' if measure == 'avg' else 'median'}_time")
        assert_time(shown, expected)
        assert shown in answer.answer
        assert column(answer, "finishers") == [bundle.count(chosen)]

    @pytest.mark.parametrize(
        ("question", "event", "year", "race", "measure"),
        [
            (
                "What was the average age of finishers at the 2025 Boston Marathon?",
                BOSTON,
                2025,
                "Marathon",
                "avg",
            ),
            ("average age of finishers in the 2024 Lakeside 10K", LAKESIDE, 2024, "10K", "avg"),
            (
                "What was the median age of finishers at the 2025 Boston Marathon?",
                BOSTON,
                2025,
                "Marathon",
                "median",
            ),
            ("median age of the 2024 cherry blossom 10 miler finishers", CHERRY, 2024, "10 Miler", "median"),
        ],
    )
    def test_age(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int, race: str, measure: str
    ) -> None:
        ages = bundle.ages(bundle.race(event, year, race))
        expected = sum(ages) / len(ages) if measure == "avg" else sorted(ages)[len(ages) // 2]
        if measure == "median" and len(ages) % 2 == 0:
            expected = (sorted(ages)[len(ages) // 2 - 1] + sorted(ages)[len(ages) // 2]) / 2
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=3)
        (shown,) = column(answer, f"{'average' if measure == 'avg' else 'median'}_age")
        assert abs(float(shown) - expected) <= 0.05, explain(answer)
        assert f"{expected:.1f}" in answer.answer, explain(answer)


class TestOldestAndYoungest:
    @pytest.mark.parametrize(
        ("question", "event", "year", "race", "oldest", "sex"),
        [
            (
                "Who was the oldest finisher of the 2025 Boston Marathon?",
                BOSTON,
                2025,
                "Marathon",
                True,
                None,
            ),
            ("youngest finisher at the 2024 lakeside 10k", LAKESIDE, 2024, "10K", False, None),
            (
                "who was the oldest woman to finish the 2025 cherry blossom 10 miler",
                CHERRY,
                2025,
                "10 Miler",
                True,
                "F",
            ),
        ],
    )
    def test_superlative_age(
        self,
        engine: AskEngine,
        bundle: Bundle,
        question: str,
        event: str,
        year: int,
        race: str,
        oldest: bool,
        sex: str | None,
    ) -> None:
        field = bundle.finishers(bundle.race(event, year, race), where=lambda e: sex is None or e.sex == sex)
        age = max(e.age for e in field) if oldest else min(e.age for e in field)
        expected = {e.name for e in field if e.age == age}
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=10)
        assert set(names(answer)) == expected, explain(answer)
        assert set(column(answer, "age")) == {age}
        assert str(age) in answer.answer


class TestWinnerSplits:
    @pytest.mark.parametrize(
        ("question", "year", "sex", "split"),
        [
            (
                "What was the men's winner's half marathon split at the 2025 Boston Marathon?",
                2025,
                "M",
                "Half",
            ),
            (
                "What was the women's winner's half marathon split at the 2025 Boston Marathon?",
                2025,
                "F",
                "Half",
            ),
            ("show the splits of the men's winner at the 2024 boston marathon", 2024, "M", None),
        ],
    )
    def test_splits_of_the_winner(
        self, engine: AskEngine, bundle: Bundle, question: str, year: int, sex: str, split: str | None
    ) -> None:
        winner = bundle.winner(bundle.race(BOSTON, year, "Marathon"), sex)
        splits = bundle.splits[winner.participant_id]
        expected = {(name, t) for name, t in splits.items() if split is None or name == split}
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=6)
        assert set(names(answer)) == {winner.name}, explain(answer)
        shown = set(zip(column(answer, "split_name"), column(answer, "split_time"), strict=True))
        assert shown == expected, explain(answer)


class TestRecords:
    @pytest.mark.parametrize(
        ("question", "event", "race"),
        [
            ("What is the fastest marathon time ever run at the Shamrock Marathon?", SHAMROCK, "Marathon"),
            ("what is the course record for the boston marathon", BOSTON, "Marathon"),
            ("fastest time ever at the lakeside 10k", LAKESIDE, "10K"),
        ],
    )
    def test_fastest_over_every_edition(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, race: str
    ) -> None:
        best, holders = bundle.record(event, race)
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=5)
        first = records(answer)[0]
        assert_time(first["time"], best)
        assert f"{first['first_name']} {first['last_name']}" in {e.name for e in holders}
        assert first["year"] in {e.race.event.year for e in holders}
        assert first["time"] in answer.answer

    def test_fastest_from_one_state_is_not_a_sex_winner(self, engine: AskEngine, bundle: Bundle) -> None:
        """Narrowed past sex, the record may belong to a runner who won nothing: every finisher counts."""
        races = [r for r in bundle.races if r.event.name == BOSTON and r.name == "Marathon"]
        winners = {bundle.winner(r, sex).participant_id for r in races for sex in ("F", "M")}
        by_state: dict[str, list[Entry]] = {}
        for e in bundle.finishers(*races):
            by_state.setdefault(e.state, []).append(e)
        state, field = next(
            (s, f)
            for s, f in sorted(by_state.items(), key=lambda kv: -len(kv[1]))
            if s in STATE_NAMES and min(f, key=lambda e: e.placement_ms).participant_id not in winners
        )
        best = min(e.placement_ms for e in field)
        question = (
            f"What is the fastest time ever run at the Boston Marathon by a runner from {STATE_NAMES[state]}?"
        )
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=5)
        first = records(answer)[0]
        assert_time(first["time"], best)
        assert f"{first['first_name']} {first['last_name']}" in {
            e.name for e in field if e.placement_ms == best
        }


class TestRepeatRunners:
    @pytest.mark.parametrize(
        ("question", "event", "race"),
        [
            ("How many people finished the Shamrock Marathon in both 2024 and 2025?", SHAMROCK, "Marathon"),
            ("how many runners finished the boston marathon in both 2024 and 2025", BOSTON, "Marathon"),
        ],
    )
    def test_finished_both_years(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, race: str
    ) -> None:
        expected = len(bundle.repeaters(event, race, [2024, 2025]))
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=3)
        assert_figure(answer, expected)


class TestTrend:
    @pytest.mark.parametrize(
        ("question", "event", "race", "years"),
        [
            (
                "How did the number of finishers in the Harbor Half Marathon half marathon change "
                "from 2023 to 2025?",
                HARBOR,
                "Half Marathon",
                range(2023, 2026),
            ),
            (
                "how did the number of finishers at the boston marathon change from 2023 to 2026",
                BOSTON,
                "Marathon",
                range(2023, 2027),
            ),
        ],
    )
    def test_finishers_by_year(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, race: str, years: range
    ) -> None:
        expected = {y: bundle.count(bundle.race(event, y, race)) for y in years}
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=len(years))
        shown = {row[answer.columns.index("year")]: row[-1] for row in answer.rows}
        assert shown == expected, explain(answer)
        assert all(f"{count:,}" in answer.answer for count in expected.values())


class TestGroups:
    @pytest.mark.parametrize(
        ("question", "event", "year", "race"),
        [
            (
                "Which running club had the most finishers at the 2025 Shamrock Marathon Weekend?",
                SHAMROCK,
                2025,
                None,
            ),
            ("Which club had the most finishers in the 2025 Richmond Turkey Trot 5K?", TURKEY, 2025, "5K"),
        ],
    )
    def test_team_with_most_finishers(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int, race: str | None
    ) -> None:
        races = [r for r in bundle.races_of(event, year) if race is None or r.name == race]
        counts = Counter(e.team for e in bundle.finishers(*races) if e.team)
        most = max(counts.values())
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=15)
        top = records(answer)[0]
        assert top["team"] in {team for team, n in counts.items() if n == most}, explain(answer)
        assert top["finishers"] == most
        assert all(counts[r["team"]] == r["finishers"] for r in records(answer)), explain(answer)
        assert top["team"] in answer.answer

    @pytest.mark.parametrize(
        ("question", "event", "year", "race"),
        [
            ("how many finishers by state at the 2025 Boston Marathon", BOSTON, 2025, "Marathon"),
            (
                "which state had the most finishers at the 2024 shamrock half marathon",
                SHAMROCK,
                2024,
                "Half Marathon",
            ),
        ],
    )
    def test_by_state(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int, race: str
    ) -> None:
        counts = bundle.counts_by(lambda e: e.state, bundle.race(event, year, race))
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=15)
        shown = {r["state"]: r["finishers"] for r in records(answer)}
        assert shown == {state: counts[state] for state in shown}, explain(answer)
        assert max(shown.values()) == max(counts.values())

    @pytest.mark.parametrize(
        ("question", "event", "year", "race"),
        [
            ("finishers by age group at the 2024 Lakeside 10K", LAKESIDE, 2024, "10K"),
            ("How many finishers by age group at the 2025 Boston Marathon?", BOSTON, 2025, "Marathon"),
        ],
    )
    def test_by_age_group(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int, race: str
    ) -> None:
        chosen = bundle.race(event, year, race)
        expected = bundle.counts_by(lambda e: age_group(e.age, chosen.ag_width), chosen)
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=20)
        assert {r["age_group"]: r["finishers"] for r in records(answer)} == dict(expected), explain(answer)

    @pytest.mark.parametrize(
        ("question", "event", "year", "race"),
        [
            ("How many finishers by sex at the 2025 Boston Marathon?", BOSTON, 2025, "Marathon"),
            ("gender breakdown of finishers at the 2024 lakeside 10k", LAKESIDE, 2024, "10K"),
        ],
    )
    def test_by_sex(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, year: int, race: str
    ) -> None:
        expected = bundle.counts_by(lambda e: e.sex, bundle.race(event, year, race))
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=3)
        assert {r["sex"]: r["finishers"] for r in records(answer)} == dict(expected), explain(answer)


class TestEvents:
    @pytest.mark.parametrize(
        ("question", "year", "month"),
        [
            ("Which events are scheduled in December 2026?", 2026, 12),
            ("what events are in march 2025", 2025, 3),
        ],
    )
    def test_in_a_month(
        self, engine: AskEngine, bundle: Bundle, question: str, year: int, month: int
    ) -> None:
        expected = {
            (e.name, e.year)
            for e in bundle.events
            if (e.start_date.year, e.start_date.month) == (year, month)
        }
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=10)
        assert set(zip(column(answer, "event_name"), column(answer, "year"), strict=True)) == expected
        assert all(name in answer.answer for name, _ in expected)

    @pytest.mark.parametrize("question", ["Which events are upcoming?", "any races coming up?"])
    def test_upcoming(self, engine: AskEngine, bundle: Bundle, question: str) -> None:
        expected = {(e.name, e.year) for e in bundle.events if e.start_date >= TODAY}
        answer = ask(engine, question)
        assert_parser_answer(answer, max_rows=10)
        assert set(zip(column(answer, "event_name"), column(answer, "year"), strict=True)) == expected


class TestRaceInfo:
    def test_when_an_edition_starts(self, engine: AskEngine, bundle: Bundle) -> None:
        event = bundle.event(TURKEY, 2026)
        answer = ask(engine, "When is the 2026 Richmond Turkey Trot?")
        assert_parser_answer(answer, max_rows=5)
        assert set(column(answer, "start_date")) == {event.start_date.isoformat()}
        assert set(column(answer, "race_name")) == {r.name for r in bundle.races_of(TURKEY, 2026)}

    def test_how_long_a_race_is(self, engine: AskEngine, bundle: Bundle) -> None:
        distance = bundle.race(CHERRY, 2026, "10 Miler").distance_m
        answer = ask(engine, "How long is the Cherry Blossom 10 Miler?")
        assert_parser_answer(answer, max_rows=5)
        assert distance in column(answer, "distance_m"), explain(answer)


class TestFollowUps:
    def test_another_year_then_one_sex(self, engine: AskEngine, bundle: Bundle) -> None:
        first = ask(engine, "How many runners finished the 2025 Boston Marathon?")
        assert_figure(first, bundle.count(bundle.race(BOSTON, 2025, "Marathon")))
        assert first.context is not None

        earlier = ask(engine, "and in 2024?", previous=first.context)
        assert_parser_answer(earlier, max_rows=3)
        assert_figure(earlier, bundle.count(bundle.race(BOSTON, 2024, "Marathon")))

        women = ask(engine, "what about the women?", previous=first.context)
        assert_parser_answer(women, max_rows=3)
        assert_figure(
            women, bundle.count(bundle.race(BOSTON, 2025, "Marathon"), where=lambda e: e.sex == "F")
        )

    def test_the_other_sex(self, engine: AskEngine, bundle: Bundle) -> None:
        half = bundle.race(SHAMROCK, 2025, "Half Marathon")
        first = ask(engine, "How many women finished the 2025 Shamrock Half Marathon?")
        assert_figure(first, bundle.count(half, where=lambda e: e.sex == "F"))
        men = ask(engine, "and the men?", previous=first.context)
        assert_parser_answer(men, max_rows=3)
        assert_figure(men, bundle.count(half, where=lambda e: e.sex == "M"))
