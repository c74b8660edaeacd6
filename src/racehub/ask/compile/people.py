"""One runner: results, registrations and split times."""

from __future__ import annotations

import re
from typing import Any

from racehub.ask.catalog import race_kinds
from racehub.ask.compile.common import SEX_ADJ, Builder, Query, describe_scope, place_word, scope_races
from racehub.ask.intent import Intent
from racehub.ask.text import normalize


def compile_person(intent: Intent) -> Query:
    assert intent.person is not None
    first, last = intent.person
    race_ids = scope_races(intent, prefer_namesake=False)
    b = Builder()
    b.add(
        "lower(first_name) = :first_name AND lower(last_name) = :last_name", first_name=first, last_name=last
    )
    if race_ids is not None:
        b.add("race_id IN :race_ids", race_ids=race_ids)
    sql = (
        "SELECT event_name, year, race_name, bib, first_name, last_name, age, status, "
        "placement_ms AS time_ms, chip_ms AS chip_time_ms, gun_ms AS gun_time_ms, overall_place, sex_place, "
        f"age_group, age_group_place FROM q_results WHERE {b.sql()} ORDER BY start_date, race_name LIMIT 50"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No results for {first.title()} {last.title()} at {describe_scope(intent)}."
        i = {c: k for k, c in enumerate(columns)}
        parts = []
        for r in rows:
            where = f"{r[i['year']]} {r[i['event_name']]} {r[i['race_name']]}"
            if r[i["status"]] == "FIN":
                group = r[i["age_group"]]
                ag = f", {place_word(r[i['age_group_place']])} in {group}" if r[i["age_group_place"]] else ""
                parts.append(
                    f"{where}: {r[i['time']]} (chip {r[i['chip_time']]}, gun {r[i['gun_time']]}), "
                    f"{place_word(r[i['overall_place']])} overall, {place_word(r[i['sex_place']])} "
                    f"by sex{ag}"
                )
            else:
                parts.append(f"{where}: {r[i['status']]}")
        name = f"{rows[0][i['first_name']]} {rows[0][i['last_name']]}"
        return f"{name} — " + "; ".join(parts) + "."

    return Query(sql, b.params, summarize)


def compile_person_entries(intent: Intent) -> Query:
    """A person's registrations (for editions without results yet)."""
    assert intent.person is not None
    first, last = intent.person
    race_ids = scope_races(intent, prefer_namesake=False)
    b = Builder()
    b.add(
        "lower(first_name) = :first_name AND lower(last_name) = :last_name", first_name=first, last_name=last
    )
    if race_ids is not None:
        b.add("race_id IN :race_ids", race_ids=race_ids)
    sql = (
        "SELECT event_name, year, race_name, bib, first_name, last_name, age, city, state, registered_at "
        f"FROM q_entries WHERE {b.sql()} ORDER BY start_date LIMIT 50"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No entries for {first.title()} {last.title()} at {describe_scope(intent)}."
        listed = "; ".join(f"{r[1]} {r[0]} {r[2]} (bib {r[3]})" for r in rows)
        return f"{rows[0][4]} {rows[0][5]} is registered for: {listed}. No results are recorded yet."

    return Query(sql, b.params, summarize)


SPLIT_ALIASES = {
    "half": ["half", "half marathon", "13.1", "halfway", "21.1k", "21k"],
    "marathon": ["marathon", "26.2"],
}


def split_names_in(text: str) -> list[str] | None:
    """Split names asked for, as lower-case alternatives; None when no split is named."""
    t = normalize(text)
    if re.search(r"\bhalf[\s-]?way\b", t):
        return SPLIT_ALIASES["half"]
    # the race named by the event is not a split: look at words next to "split"
    m = re.search(r"((?:\S+\s+){0,3})splits?\b((?:\s+\S+){0,3})", t)
    if not m:
        return None
    near = f"{m.group(1)} {m.group(2)}"
    kinds = race_kinds(near)
    if not kinds:
        return None
    kind = kinds[-1][0] if m.group(1).strip() else kinds[0][0]
    if kind in SPLIT_ALIASES:
        return SPLIT_ALIASES[kind]
    if kind.endswith("k"):
        value = kind[:-1]
        return [f"{value}k", f"{value} k", f"{value}km"]
    if kind.endswith("mi"):
        value = kind[:-2]
        return [f"{value} mile", f"{value}mi", f"mile {value}", f"{value} mi"]
    return None


def compile_split(intent: Intent, question: str) -> Query:
    race_ids = scope_races(intent, prefer_namesake=True)
    b = Builder()
    if race_ids is not None:
        b.add("r.race_id IN :race_ids AND s.race_id IN :race_ids", race_ids=race_ids)
    if intent.person:
        b.add(
            "lower(r.first_name) = :first_name AND lower(r.last_name) = :last_name",
            first_name=intent.person[0],
            last_name=intent.person[1],
        )
    else:
        place = intent.place or 1
        if intent.sex:
            b.add("r.sex = :sex AND r.sex_place = :place", sex=intent.sex, place=place)
        else:
            b.add("r.overall_place = :place", place=place)
    names = split_names_in(question)
    if names:
        b.add("lower(s.split_name) IN :split_names", split_names=names)
    sql = (
        "SELECT r.year, r.race_name, r.first_name, r.last_name, r.sex, r.overall_place, s.split_name, "
        "s.split_distance_m, s.chip_ms AS split_time_ms, r.placement_ms AS finish_time_ms "
        "FROM q_results r JOIN q_splits s ON s.entry_id = r.entry_id "
        f"WHERE {b.sql()} ORDER BY r.year, r.race_name, r.overall_place, s.chip_ms LIMIT 60"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No split times recorded for that runner at {describe_scope(intent)}."
        runner = f"{rows[0][2]} {rows[0][3]}"
        who = (
            runner
            if intent.person
            else (
                f"the {SEX_ADJ.get(intent.sex or '', 'overall')} {place_word(intent.place or 1)} place, "
                f"{runner},"
            )
        )
        listed = "; ".join(f"{r[6]} {r[8]}" for r in rows)
        return f"Splits of {who} at {describe_scope(intent)}: {listed} (finish {rows[0][9]})."

    return Query(sql, b.params, summarize)
