"""The catalogue (events in a window, an edition's races, start times, dates, places, distances) and the
award lists as scoring stored them."""

from __future__ import annotations

from typing import Any

from racehub.ask.compile.common import AGE_GROUP_ORDER, Builder, Query, add_runner_filters, n
from racehub.ask.explain import races_phrase
from racehub.ask.reading import Field, Reading


def compile_events(reading: Reading, today_iso: str) -> Query:
    b = Builder()
    w = reading.window
    what = reading.columns[0] if reading.columns else "events"
    if reading.races is not None and what in ("date", "place", "events"):
        b.add("edition_id IN :edition_ids", edition_ids=[ed.edition_id for ed in reading.races.editions])
    if w is not None:
        if w.start is not None:
            b.add("start_date >= CAST(:date_from AS date)", date_from=w.start.isoformat())
        if w.end is not None:
            b.add("start_date <= CAST(:date_to AS date)", date_to=w.end.isoformat())
        if w.status == "completed":
            b.add("start_date <= CAST(:today AS date)", today=today_iso)
    if reading.company is not None:
        b.add("timing_company = :company", company=reading.company[1])
    order = "start_date"
    where = f" WHERE {b.sql()}" if b.where else ""
    sql = (
        f"SELECT event_name, year, start_date, city, state, status, timing_company FROM q_editions{where} "
        f"ORDER BY {order} LIMIT 200"
    )
    window = f" {w.words}" if w else ""
    company = f" of {reading.company[1]}" if reading.company else ""

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if what == "date" and rows:
            return (
                "; ".join(
                    f"The {r[1]} {r[0]} {'is' if r[5] == 'upcoming' else 'was'} on {r[2]:%A, %B %-d, %Y}"
                    if hasattr(r[2], "strftime")
                    else f"The {r[1]} {r[0]}: {r[2]}"
                    for r in rows
                )
                + "."
            )
        if what == "place" and rows:
            return (
                "; ".join(
                    f"The {r[1]} {r[0]} {'is' if r[5] == 'upcoming' else 'was'} in {r[3]}, {r[4]}"
                    for r in rows
                )
                + "."
            )
        if not rows:
            return f"No events{company}{window}."
        listed = "; ".join(f"{r[0]} ({r[2]}, {r[3]}, {r[4]})" for r in rows[:15])
        more = f" and {len(rows) - 15} more" if len(rows) > 15 else ""
        return f"{len(rows)} event edition{'s' if len(rows) != 1 else ''}{company}{window}: {listed}{more}."

    return Query(sql, b.params, summarize)


def compile_events_grouped(reading: Reading, today_iso: str) -> Query:
    """A company's events (each event once, with its editions' years)."""
    b = Builder()
    if reading.company is not None:
        b.add("timing_company = :company", company=reading.company[1])
    where = f" WHERE {b.sql()}" if b.where else ""
    sql = (
        f"SELECT event_name, timing_company, min(year) AS first_year, max(year) AS last_year, "
        f"count(*) AS editions, max(start_date) AS latest_date FROM q_editions{where} "
        f"GROUP BY event_name, timing_company ORDER BY event_name LIMIT 100"
    )
    company = f"{reading.company[1]}" if reading.company else "You"

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"{company} has no events."
        listed = "; ".join(f"{r[0]} ({r[2]}-{r[3]}, {r[4]} editions)" for r in rows)
        verb = "have" if company == "You" else "has"
        return f"{company} {verb} {len(rows)} event{'s' if len(rows) != 1 else ''}: {listed}."

    return Query(sql, b.params, summarize)


def compile_races(reading: Reading) -> Query:
    assert reading.races is not None
    b = Builder()
    b.add("race_id IN :race_ids", race_ids=reading.races.race_ids)
    sql = (
        "SELECT event_name, year, race_name, distance_m, start_date, start_time, placement_basis, status "
        f"FROM q_races WHERE {b.sql()} ORDER BY year, distance_m DESC"
    )
    what = reading.columns[0] if reading.columns else "races"
    where = races_phrase(reading.races)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        def race(r: list[Any]) -> str:
            start = str(r[5])[11:16] if r[5] else "start time not set"
            km = r[3] / 1000 if r[3] else None
            dist = f"{km:g} km ({r[3] / 1609.344:.1f} mi)" if km else "distance not set"
            if what == "start_time":
                return f"{r[2]} starts at {_clock(start)} on {r[4]}"
            if what == "distance":
                return f"{r[2]}: {dist}"
            if what == "date":
                day = r[4].strftime("%A, %B %-d, %Y") if hasattr(r[4], "strftime") else str(r[4])
                return f"{r[2]} on {day} at {_clock(start)}"
            return f"{r[2]} ({dist}, start {_clock(start)})"

        if not rows:
            return f"No races recorded — {where}."
        return f"{where[0].upper()}{where[1:]}: " + "; ".join(race(r) for r in rows) + "."

    return Query(sql, b.params, summarize)


def _clock(hhmm: str) -> str:
    if len(hhmm) != 5 or ":" not in hhmm:
        return hhmm
    h, m = int(hhmm[:2]), hhmm[3:]
    suffix = "a.m." if h < 12 else "p.m."
    return f"{hhmm} ({(h - 1) % 12 + 1}:{m} {suffix})"


def compile_awards(reading: Reading, *, counting: bool) -> Query:
    assert reading.races is not None
    b = Builder()
    b.add("race_id IN :race_ids", race_ids=reading.races.race_ids)
    spec = reading.awards
    sex = reading.filter_of(Field.SEX)
    if sex is not None:
        b.add("sex = :sex", sex=sex.value)
    if spec is not None and spec.category is not None:
        b.add("category = :category", category=spec.category)
    if spec is not None and spec.age_group:
        b.add("age_group = :age_group", age_group=spec.age_group)
    if spec is not None and spec.winners_only:
        b.add("award_place = 1")
    add_runner_filters(b, reading)
    where = races_phrase(reading.races)
    label = {
        "overall": "overall awards",
        "masters": "masters awards",
        "age_group": "age-group awards",
        None: "awards",
    }[spec.category if spec else None]
    if spec and spec.age_group:
        label = f"{spec.age_group} age-group awards"
    if sex is not None:
        label = f"{sex.words}'s {label}".replace("men's", "men's").replace("women's", "women's")
    if counting:
        sql = (
            f"SELECT race_name, category, count(*) AS awards FROM q_awards WHERE {b.sql()} GROUP BY "
            "race_name, "
            "category ORDER BY race_name, CASE category WHEN 'overall' THEN 0 WHEN 'masters' THEN 1 "
            "ELSE 2 END"
        )

        def count_text(columns: list[str], rows: list[list[Any]]) -> str:
            total = sum(int(r[-1]) for r in rows)
            parts = "; ".join(f"{r[0]} {r[1].replace('_', ' ')}: {r[2]}" for r in rows)
            return f"{n(total)} {label} — {where} ({parts})."

        return Query(sql, b.params, count_text)
    sql = (
        "SELECT race_name, category, sex, age_group, award_place, bib, first_name, last_name, age, "
        f"placement_ms AS time_ms FROM q_awards WHERE {b.sql()} ORDER BY race_name, "
        "CASE sex WHEN 'F' THEN 0 WHEN 'M' THEN 1 ELSE 2 END, "
        "CASE category WHEN 'overall' THEN 0 WHEN 'masters' THEN 1 ELSE 2 END, "
        f"{AGE_GROUP_ORDER}, award_place LIMIT 500"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {label} are recorded — {where} (has the race been scored?)."
        listed = "; ".join(
            f"{(r[3] or r[1]).replace('_', ' ')} {r[2]} {r[4]}: {r[6]} {r[7]} ({r[9]})" for r in rows[:20]
        )
        more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
        return f"{len(rows)} {label} — {where}: {listed}{more}."

    return Query(sql, b.params, summarize)
