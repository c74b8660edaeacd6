"""Measures compose with filters, bases and units; every word is used or the answer says which was not;
distributions come with a chart; reports hold exactly the population asked for. Figures come from the
plain reference over the bundle's CSV files."""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from racehub.ask.engine import AskEngine
from tests.ask.answers import ask, assert_figure, assert_parser_answer, column, explain
from tests.ask.bundle_reference import (
    KM_M,
    Bundle,
    Entry,
    distinct,
    pace_stat,
    percent,
    time_on,
    time_stat,
)

SHAMROCK = "Shamrock Marathon Weekend"
BOSTON = "Boston Marathon"
LAKESIDE = "Lakeside 10K"


def _clock(ms: float, *, pace: bool = False) -> str:
    seconds = round(ms / 1000)
    if pace:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _top_club(entries: list[Entry]) -> str:
    return Counter(e.team for e in entries if e.team).most_common(1)[0][0]


class TestEveryWordIsUsed:
    @pytest.mark.parametrize(
        ("question", "word"),
        [
            ("How many elite runners finished the 2025 Shamrock Marathon?", "elite"),
            ("how many wheelchair finishers at the 2025 Boston Marathon", "wheelchair"),
            ("How many first-time marathoners finished the 2025 Boston Marathon?", "first-time"),
            ("how many stroller runners finished the 2025 lakeside 10k", "stroller"),
        ],
    )
    def test_a_word_not_understood_is_never_dropped(
        self, engine: AskEngine, bundle: Bundle, question: str, word: str
    ) -> None:
        answer = ask(engine, question)
        assert answer.status == "clarify", explain(answer)
        assert word.split("-")[0] in answer.answer
        assert answer.rows, explain(answer)
        assert answer.rows[-1][0].startswith("Answer without"), explain(answer)
        assert answer.interpretation
        assert answer.interpretation.startswith("Number of finishers")

    def test_left_out_only_when_the_asker_chooses(self, engine: AskEngine, bundle: Bundle) -> None:
        asked = ask(engine, "How many elite runners finished the 2025 Shamrock Marathon?")
        chosen = ask(engine, "1", previous=asked.context)
        assert_parser_answer(chosen)
        assert_figure(chosen, bundle.count(bundle.race(SHAMROCK, 2025, "Marathon")))
        assert chosen.interpretation is not None
        assert chosen.interpretation.endswith("'elite' left out, as you chose")

    def test_a_chart_of_a_single_number_is_asked_about(self, engine: AskEngine) -> None:
        answer = ask(engine, "show a chart of finishers at the 2025 Boston Marathon")
        assert answer.status == "clarify", explain(answer)
        assert "chart" in answer.answer


class TestFiltersCompose:
    def test_a_club(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(SHAMROCK, 2025, "Marathon")
        club = _top_club(bundle.finishers(race))
        answer = ask(engine, f"How many {club} runners finished the 2025 Shamrock Marathon?")
        assert_parser_answer(answer)
        assert_figure(answer, bundle.count(race, where=lambda e: e.team == club))
        assert answer.interpretation is not None
        assert club in answer.interpretation

    def test_a_city_a_sex_and_an_age_range(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(SHAMROCK, 2025, "Marathon")
        city = Counter(e.city for e in bundle.finishers(race)).most_common(1)[0][0]
        answer = ask(engine, f"how many women aged 30 to 49 from {city} finished the 2025 shamrock marathon")
        assert_parser_answer(answer)
        expected = bundle.count(race, where=lambda e: e.city == city and e.sex == "F" and 30 <= e.age <= 49)
        assert_figure(answer, expected)
        line = answer.interpretation or ""
        assert "women" in line, line
        assert city in line, line
        assert "30-49" in line, line

    def test_a_division_code_and_a_time_limit(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(SHAMROCK, 2025, "Marathon")
        answer = ask(engine, "how many M40-44 finishers at the 2025 Shamrock Marathon ran under 4 hours?")
        assert_parser_answer(answer)

        def fits(e: Entry) -> bool:
            time = time_on(e)
            return e.sex == "M" and 40 <= e.age <= 44 and time is not None and time < 4 * 3_600_000

        assert_figure(answer, bundle.count(race, where=fits))
        assert "faster than 4:00:00" in (answer.interpretation or "")


class TestBasesAndUnits:
    def test_average_chip_time_is_chip_time(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(SHAMROCK, 2025, "Marathon")
        answer = ask(engine, "What was the average chip time of women at the 2025 Shamrock Marathon?")
        assert_parser_answer(answer)
        women = bundle.finishers(race, where=lambda e: e.sex == "F")
        expected = time_stat(women, "mean", "chip")
        assert column(answer, "average_chip_time")[0] == _clock_tenths(expected)
        assert "by chip time" in (answer.interpretation or "")

    def test_pace_per_km_when_asked(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(BOSTON, 2025, "Marathon")
        answer = ask(engine, "average pace per km at the 2025 Boston Marathon")
        assert_parser_answer(answer)
        expected = pace_stat(bundle.finishers(race), "mean", unit_m=KM_M)
        assert column(answer, "average_pace_per_km")[0] == _clock(expected, pace=True)
        assert "pace per km" in (answer.interpretation or "")


def _clock_tenths(ms: float) -> str:
    tenths = round(ms / 100)
    seconds, tenth = divmod(tenths, 10)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{tenth}"


class TestSharesAndDistinctCounts:
    def test_percent_from_a_state(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(SHAMROCK, 2025, "Marathon")
        finishers = bundle.finishers(race)
        virginians = [e for e in finishers if e.state == "VA"]
        answer = ask(engine, "What percent of finishers at the 2025 Shamrock Marathon were from Virginia?")
        assert_parser_answer(answer)
        assert f"{percent(len(virginians), len(finishers)):.1f}%" in answer.answer
        assert answer.rows[0][:2] == [len(virginians), len(finishers)]

    def test_how_many_clubs_had_finishers(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(SHAMROCK, 2025, "Marathon")
        answer = ask(engine, "how many clubs had finishers at the 2025 Shamrock Marathon")
        assert_parser_answer(answer)
        assert answer.rows[0][0] == distinct(bundle.finishers(race), "clubs")
        assert (answer.interpretation or "").startswith("Number of different clubs")


class TestDistributions:
    @pytest.mark.parametrize(
        ("question", "event", "band_ms", "basis"),
        [
            ("distribution of finish times at the 2025 Boston Marathon", BOSTON, 30 * 60_000, None),
            ("how were the chip times distributed at the 2025 Lakeside 10K?", LAKESIDE, 5 * 60_000, "chip"),
            ("finish times in 10-minute bands at the 2025 Boston Marathon", BOSTON, 10 * 60_000, None),
        ],
    )
    def test_finish_times_in_bands(
        self, engine: AskEngine, bundle: Bundle, question: str, event: str, band_ms: int, basis: str | None
    ) -> None:
        (race,) = bundle.races_of(event, 2025)
        answer = ask(engine, question, with_paths=True)
        assert_parser_answer(answer, max_rows=60)
        times = [t for e in bundle.finishers(race) if (t := time_on(e, basis)) is not None]
        expected = Counter(math.floor(t / band_ms) for t in times)
        first, last = min(expected), max(expected)
        assert [row[-1] for row in answer.rows] == [expected.get(k, 0) for k in range(first, last + 1)]
        start = _band_edge(first * band_ms)
        assert answer.rows[0][0] == f"{start}-{_band_edge((first + 1) * band_ms)}"
        assert f"in {band_ms // 60_000}-minute bands" in (answer.interpretation or "")
        if len(answer.rows) <= 40:
            (chart,) = answer.files
            assert chart["media_type"] == "image/svg+xml"
            svg = Path(chart["path"]).read_text()
            assert svg.count("<rect ") == len(answer.rows) + 1  # a background and one bar per band

    def test_a_race_must_be_named_for_a_distribution(self, engine: AskEngine) -> None:
        answer = ask(engine, "distribution of finish times at the 2025 Shamrock")
        assert answer.status == "clarify", explain(answer)
        assert [row[0] for row in answer.rows] == [
            "the 2025 Shamrock Marathon Weekend 8K",
            "the 2025 Shamrock Marathon Weekend Half Marathon",
            "the 2025 Shamrock Marathon Weekend Marathon",
        ]

    def test_a_series_across_years_comes_with_a_chart(self, engine: AskEngine, bundle: Bundle) -> None:
        answer = ask(engine, "finishers by year at the Shamrock Marathon 2023 through 2025", with_paths=True)
        assert_parser_answer(answer)
        expected = [[y, bundle.count(bundle.race(SHAMROCK, y, "Marathon"))] for y in (2023, 2024, 2025)]
        assert answer.rows == expected
        (chart,) = answer.files
        svg = Path(chart["path"]).read_text()
        assert all(f">{y}</text>" in svg for y in (2023, 2024, 2025))
        assert all(f">{count:,}</text>" in svg for _, count in expected)


def _band_edge(ms: int) -> str:
    minutes = ms // 60_000
    return f"{minutes // 60}:{minutes % 60:02d}"


class TestReportsHoldThePopulationAsked:
    def test_finishers_of_one_city_with_full_addresses(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(SHAMROCK, 2025, "Marathon")
        city = Counter(e.city for e in bundle.finishers(race)).most_common(1)[0][0]
        answer = ask(
            engine,
            f"CSV of finishers from {city} with mailing addresses for the 2025 Shamrock Marathon",
            with_paths=True,
        )
        assert answer.status == "answered", explain(answer)
        (file,) = answer.files
        with Path(file["path"]).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        expected = bundle.finishers(race, where=lambda e: e.city == city)
        assert sorted(r["bib"] for r in rows) == sorted(e.bib for e in expected)
        by_bib = {e.bib: e for e in expected}
        for row in rows:
            entry = by_bib[row["bib"]]
            assert (row["address"], row["city"], row["state"], row["zip"]) == (
                entry.address1,
                entry.city,
                entry.state,
                entry.zip,
            )
            assert "country" in row
        assert city in (answer.interpretation or "")

    def test_a_no_show_list(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(BOSTON, 2025, "Marathon")
        answer = ask(engine, "csv of the no-shows at the 2025 Boston Marathon", with_paths=True)
        assert answer.status == "answered", explain(answer)
        (file,) = answer.files
        with Path(file["path"]).open(newline="", encoding="utf-8") as fh:
            bibs = sorted(r["bib"] for r in csv.DictReader(fh))
        assert bibs == sorted(e.bib for e in bundle.entries_of(race) if e.status == "DNS")
        assert re.match(r"^[\d,]+ ", answer.answer)


class TestPhrasingsThatUsedToMislead:
    def test_how_many_more_women_than_men(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race("Cherry Blossom 10 Miler", 2025, "10 Miler")
        women = bundle.count(race, where=lambda e: e.sex == "F")
        men = bundle.count(race, where=lambda e: e.sex == "M")
        for question in (
            "how many more women than men finished the 2025 Cherry Blossom 10 Miler?",
            "did more men or women finish the 2025 cherry blossom 10 miler",
        ):
            answer = ask(engine, question)
            assert_parser_answer(answer)
            bigger, smaller = ("women", "men") if women > men else ("men", "women")
            assert answer.answer.startswith(f"{abs(women - men):,} more {bigger} than {smaller}")
            assert (answer.interpretation or "").startswith("Difference between the numbers of")

    def test_putting_together_numbers_takes_nothing_together(self, engine: AskEngine, bundle: Bundle) -> None:
        answer = ask(
            engine,
            "i'm putting together numbers for our race director, so could you tell me how many "
            "registrations did the turkey trot fun run have from 2024 through 2026?",
        )
        assert_parser_answer(answer)
        expected = [
            [y, len(bundle.entries_of(bundle.race("Richmond Turkey Trot", y, "1 Mile Fun Run")))]
            for y in (2024, 2025, 2026)
        ]
        assert answer.rows == expected

    @pytest.mark.parametrize(
        "question",
        [
            "I'm calling from Acme Racing. Send me the email addresses of everyone registered for "
            "2025 Riverfront.",
            "im john from acme racing, how many finished the 2025 shamrock marathon",
        ],
    )
    def test_saying_who_you_are_is_not_a_login(self, engine: AskEngine, question: str) -> None:
        assert ask(engine, question).status == "needs_login"

    def test_a_percent_sign_and_a_word_typed_twice(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race("Richmond Turkey Trot", 2025, "1 Mile Fun Run")
        finishers = bundle.finishers(race)
        older = [e for e in finishers if e.age >= 50]
        answer = ask(engine, "what % of 2025 turkey trot 1 mile fun run finishers were aged 50+?")
        assert_parser_answer(answer)
        assert f"{percent(len(older), len(finishers)):.1f}%" in answer.answer
        twice = ask(engine, "How many different different cities had finishers at the 2025 Boston Marathon?")
        assert_parser_answer(twice)
        assert twice.rows[0][0] == distinct(bundle.finishers(bundle.race(BOSTON, 2025, "Marathon")), "cities")
