"""Runners by name and lists of runners: a runner's entries with times, places and pace; who is in a
population; split times; people across editions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from racehub.ask.compile.common import (
    TIME_COLUMN,
    Builder,
    Query,
    add_filters,
    add_population,
    add_races,
    dims,
    n,
    place_word,
    split_prefix,
    view_of,
)
from racehub.ask.explain import POPULATION_WORDS, races_phrase, who_phrase
from racehub.ask.reading import STATUSES, Choice, Field, PersonRef, Population, RaceSet, Reading

MILE = 1609.344
STATUS_WORDS = {
    "FIN": "finished",
    "DNF": "did not finish (DNF)",
    "DNS": "did not start (DNS)",
    "DQ": "was disqualified (DQ)",
}


def compile_runner(reading: Reading) -> Query:
    """A named runner's entries in the question's races (or all of them), with result and places."""
    assert reading.person is not None
    b = Builder()
    b.add("e.person_id IN :person_ids", person_ids=list(reading.person.person_ids))
    if reading.races is not None:
        b.add("e.race_id IN :race_ids", race_ids=reading.races.race_ids)
    pop = reading.population
    metre = MILE if reading.pace_unit == "mile" else 1000.0
    unit = reading.pace_unit
    pace = ""
    if "pace" in reading.columns:
        pace = (
            f", r.placement_ms / (e.distance_m / {metre}) AS pace_per_{unit}_ms, "
            f"r.chip_ms / (e.distance_m / {metre}) AS chip_pace_per_{unit}_ms, "
            f"r.gun_ms / (e.distance_m / {metre}) AS gun_pace_per_{unit}_ms"
        )
    sql = (
        "SELECT e.event_name, e.year, e.race_name, e.bib, e.first_name, e.last_name, e.age, "
        "coalesce(r.status, 'registered') AS status, r.placement_ms AS time_ms, r.chip_ms AS chip_time_ms, "
        "r.gun_ms AS gun_time_ms, r.overall_place, r.sex_place, r.age_group, r.age_group_place"
        f"{pace} FROM q_entries e LEFT JOIN q_results r ON r.entry_id = e.entry_id "
        f"WHERE {b.sql()} ORDER BY e.start_date, e.race_name LIMIT 60"
    )
    label = reading.person.label
    where = races_phrase(reading.races) if reading.races else "any event"
    asked = set(reading.columns)

    def one(i: dict[str, int], r: list[Any]) -> str:
        head = f"{r[i['year']]} {r[i['event_name']]} {r[i['race_name']]}"
        status = r[i["status"]]
        if status != "FIN":
            return f"{head}: {STATUS_WORDS.get(status, 'registered, no result yet')} (bib {r[i['bib']]})"
        bits = []
        if "chip_time" in asked or reading.basis == "chip":
            bits.append(f"chip time {r[i['chip_time']]}")
        if "gun_time" in asked or reading.basis == "gun":
            bits.append(f"gun time {r[i['gun_time']]}")
        if not bits:
            bits.append(f"{r[i['time']]} (chip {r[i['chip_time']]}, gun {r[i['gun_time']]})")
        if "pace" in asked:
            bits.append(
                f"pace {r[i['pace_per_' + unit]]} per {unit} (chip {r[i['chip_pace_per_' + unit]]}, "
                f"gun {r[i['gun_pace_per_' + unit]]})"
            )
        places = [
            f"{place_word(r[i['overall_place']])} overall" if r[i["overall_place"]] else "",
            f"{place_word(r[i['sex_place']])} {'woman' if False else 'by sex'}" if r[i["sex_place"]] else "",
            (
                f"{place_word(r[i['age_group_place']])} in age group {r[i['age_group']]}"
                if r[i["age_group_place"]]
                else ""
            ),
        ]
        bits.append(", ".join(p for p in places if p))
        return (
            f"{head}: finished in "
            + "; ".join(b for b in bits if b)
            + f" (bib {r[i['bib']]}, age {r[i['age']]})"
        )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"{label} has no entry — {where}."
        i = {c: k for k, c in enumerate(columns)}
        if pop in (Population.FINISHERS,) and "status" in asked:
            finished = [r for r in rows if r[i["status"]] == "FIN"]
            verdict = "Yes" if finished and len(finished) == len(rows) else "No" if not finished else "Partly"
            return f"{verdict}: {label} — " + "; ".join(one(i, r) for r in rows) + "."
        return f"{label} — " + "; ".join(one(i, r) for r in rows) + "."

    return Query(sql, b.params, summarize)


def compile_list(reading: Reading) -> Query:
    """Who is in a population (with its filters): names, bibs, places and status."""
    population = reading.population
    view = view_of(population)
    b = Builder()
    add_races(b, reading.races)
    add_population(b, population)
    add_filters(b, reading, results=view == "q_results")
    split = dims(reading, per_race=False)
    result_cols = ", status, placement_ms AS time_ms" if view == "q_results" else ""
    lead = ", ".join(split) + ", " if split else ""
    order = "placement_ms NULLS LAST, " if view == "q_results" else ""
    sql = (
        f"SELECT {lead}bib, first_name, last_name, sex, age, city, state{result_cols} FROM {view} "
        f"WHERE {b.sql()} ORDER BY {lead}{order}last_name, first_name LIMIT 200"
    )
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who} — {where}."
        i = {c: k for k, c in enumerate(columns)}
        prefix = split_prefix(split, i)
        shown = "; ".join(
            f"{prefix(r)}{r[i['first_name']]} {r[i['last_name']]} (bib {r[i['bib']]})" for r in rows[:40]
        )
        more = f" and {len(rows) - 40} more (ask for a CSV for the full list)" if len(rows) > 40 else ""
        count = f"{len(rows)}{'+' if len(rows) >= 200 else ''}"
        return f"{count} {who} — {where}: {shown}{more}."

    return Query(sql, b.params, summarize)


def _split_distance(split: str | None) -> float | None:
    if not split or split.startswith("name:"):
        return None
    if split == "half":
        return 21097.5
    if split.endswith("k"):
        return float(split[:-1]) * 1000
    if split.endswith("mi"):
        return float(split[:-2]) * MILE
    return None


def compile_split(reading: Reading) -> Query:
    b = Builder()
    add_races(b, reading.races, alias="r.")
    if reading.person is not None:
        b.add("r.person_id IN :person_ids", person_ids=list(reading.person.person_ids))
    else:
        sex = reading.filter_of(Field.SEX)
        inner = Builder(prefix="w_")
        add_races(inner, reading.races)
        add_population(inner, Population.FINISHERS)
        add_filters(inner, reading, results=True)
        partition = "race_id, sex" if sex is None and not reading.overall else "race_id"
        if sex is None and not reading.overall:
            partition = "race_id"  # the overall winner unless a sex is named
        b.params.update(inner.params)
        b.add(
            f"r.entry_id IN (SELECT entry_id FROM (SELECT entry_id, rank() OVER (PARTITION BY {partition} "
            f"ORDER BY {TIME_COLUMN[reading.basis]}) AS place FROM q_results WHERE {inner.sql()}) ranked "
            f"WHERE place = :place)",
            place=reading.place or 1,
        )
    distance = _split_distance(reading.split)
    if reading.split and reading.split.startswith("name:"):
        b.add("lower(s.split_name) = :split_name", split_name=reading.split.removeprefix("name:"))
    elif distance is not None:
        b.add(
            "abs(s.split_distance_m - :split_m) <= :split_tolerance",
            split_m=distance,
            split_tolerance=max(distance * 0.01, 50.0),
        )
    sql = (
        "SELECT r.year, r.race_name, r.first_name, r.last_name, r.sex, r.overall_place, s.split_name, "
        "s.split_distance_m, s.chip_ms AS split_time_ms, r.placement_ms AS finish_time_ms "
        "FROM q_results r JOIN q_splits s ON s.entry_id = r.entry_id "
        f"WHERE {b.sql()} ORDER BY r.year, r.race_name, r.overall_place, s.chip_ms LIMIT 60"
    )
    where = races_phrase(reading.races, company=reading.company)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            asked = f" at {reading.split}" if reading.split else ""
            return f"No split times{asked} recorded for that runner — {where}."
        runner = f"{rows[0][2]} {rows[0][3]}"
        who = runner if reading.person else f"the {place_word(reading.place or 1)} place finisher, {runner},"
        listed = "; ".join(f"{r[6]} {r[8]}" for r in rows)
        return f"Split times of {who} — {where}: {listed} (finish {rows[0][9]})."

    return Query(sql, b.params, summarize)


def person_key(races: RaceSet | None) -> str:
    """What identifies a person: their id within one company; across companies (the operator), first and
    last name with date of birth, as the bundle defines a person."""
    orgs = {ed.org_id for ed, _ in races.pairs} if races is not None else set()
    if len(orgs) == 1:
        return "person_id"
    return "(lower(first_name) || '|' || lower(last_name) || '|' || coalesce(dob::text, ''))"


def compile_repeat(reading: Reading) -> Query:
    spec = reading.repeat
    assert spec is not None
    view = view_of(reading.population)
    key = person_key(reading.races if spec.earlier is None else _joined(reading.races, spec.earlier))
    b = Builder()
    add_races(b, reading.races)
    add_population(b, reading.population)
    add_filters(b, reading, results=view == "q_results")
    b.add("person_id IS NOT NULL")
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)
    if spec.mode == "then_now":
        assert spec.earlier is not None
        then = Builder(prefix="then_")
        add_races(then, spec.earlier)
        add_population(then, spec.earlier_population)
        then.add("person_id IS NOT NULL")
        b.params.update(then.params)
        inner = (
            f"SELECT DISTINCT {key} AS person FROM {view} WHERE {b.sql()} AND {key} IN "
            f"(SELECT {key} FROM {view_of(spec.earlier_population)} WHERE {then.sql()})"
        )
        what = f"were also {POPULATION_WORDS[spec.earlier_population]} of {races_phrase(spec.earlier)}"
    else:
        having = {
            "every": "count(DISTINCT year) = :editions",
            "at_least": "count(DISTINCT race_id) >= :editions",
            "both_events": "count(DISTINCT event_name) = :editions",
        }[spec.mode]
        events = len(reading.races.series) if reading.races is not None else 0
        b.params["editions"] = spec.editions if spec.mode != "both_events" else events
        inner = f"SELECT {key} AS person FROM {view} WHERE {b.sql()} GROUP BY {key} HAVING {having}"
        what = {
            "every": f"in every one of the {spec.editions} editions",
            "at_least": f"in {spec.editions} or more races",
            "both_events": "in each of these events",
        }[spec.mode]
    if spec.listing:
        sql = (
            "SELECT first_name, last_name, count(*) AS entries, min(year) AS first_year, max(year) "
            "AS last_year "
            f"FROM {view} WHERE {key} IN (SELECT person FROM ({inner}) repeaters) AND race_id IN :race_ids "
            f"GROUP BY {key}, first_name, last_name ORDER BY last_name, first_name LIMIT 200"
        )
    else:
        sql = f"SELECT count(*) AS people FROM ({inner}) repeaters"

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if spec.listing:
            names = "; ".join(f"{r[0]} {r[1]}" for r in rows[:40])
            return f"{len(rows)} people among {who} {what} — {where}: {names}."
        count = int(rows[0][0]) if rows else 0
        return f"{n(count)} {'person' if count == 1 else 'people'} among {who} {what} — {where}."

    return Query(sql, b.params, summarize)


def _joined(a: RaceSet | None, b: RaceSet) -> RaceSet:
    return RaceSet((*(a.pairs if a else ()), *b.pairs))


def statuses_words(population: Population) -> str:
    statuses = STATUSES[population]
    return "any status" if statuses is None else "/".join(statuses)


def namesakes_query(person: PersonRef, races: RaceSet | None, today: date) -> tuple[str, dict[str, Any]]:
    """The different people behind a runner's name in the races asked about: one row per person
    (name and date of birth), with their age, home, entries, years, bib and the last year they ran
    on or before `today`, earliest first."""
    params: dict[str, Any] = {"ids": list(person.person_ids), "today": today.isoformat()}
    where = "person_id IN :ids"
    if races is not None:
        where += " AND race_id IN :race_ids"
        params["race_ids"] = races.race_ids
    sql = (
        "SELECT first_name, last_name, dob, min(age) AS age, min(city) AS city, min(state) AS state, "
        "count(*) AS entries, min(year) AS first_year, max(year) AS last_year, min(bib) AS bib, "
        "array_agg(DISTINCT person_id) AS ids, "
        "max(year) FILTER (WHERE start_date <= CAST(:today AS date)) AS last_held "
        f"FROM q_entries WHERE {where} "
        "GROUP BY first_name, last_name, dob ORDER BY min(year), min(bib) LIMIT 20"
    )
    return sql, params


def namesake_choices(rows: Sequence[Sequence[Any]]) -> list[Choice]:
    """One choice per person found by `namesakes_query`, told apart by age, home, bib and years."""
    choices = []
    for r in rows:
        years = f"{r[7]}" if r[7] == r[8] else f"{r[7]}-{r[8]}"
        label = f"{r[0]} {r[1]}, aged {r[3]}, from {r[4]}, {r[5]} (bib {r[9]}, {years})"
        choices.append(Choice(label, {"person_ids": [int(i) for i in r[10]]}))
    return choices
