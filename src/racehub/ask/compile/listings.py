"""Event lists, race information and award lists."""

from __future__ import annotations

import re
from typing import Any

from racehub.ask.compile.common import AGE_GROUP_ORDER, Builder, Query, describe_scope, n, scope_races
from racehub.ask.intent import Intent
from racehub.ask.text import normalize


def compile_events(intent: Intent, today_iso: str) -> Query:
    b = Builder()
    if intent.date_from and intent.date_to:
        b.add(
            "start_date BETWEEN CAST(:date_from AS date) AND CAST(:date_to AS date)",
            date_from=intent.date_from.isoformat(),
            date_to=intent.date_to.isoformat(),
        )
    elif intent.upcoming:
        b.add("start_date >= CAST(:today AS date)", today=today_iso)
    elif intent.years:
        b.add("year IN :years", years=list(intent.years))
    order = "start_date" if intent.upcoming or intent.date_from else "start_date DESC"
    where = f" WHERE {b.sql()}" if b.where else ""
    sql = (
        f"SELECT event_name, year, start_date, city, state, status FROM q_editions{where} "
        f"ORDER BY {order} LIMIT 100"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        when = ""
        if intent.date_from and intent.date_to:
            when = f" between {intent.date_from:%B %-d, %Y} and {intent.date_to:%B %-d, %Y}"
        elif intent.upcoming:
            when = " coming up"
        if not rows:
            return f"No events{when}."
        listed = "; ".join(f"{r[0]} ({r[2]}, {r[3]}, {r[4]})" for r in rows[:12])
        more = f" and {len(rows) - 12} more" if len(rows) > 12 else ""
        return f"{len(rows)} event{'s' if len(rows) != 1 else ''}{when}: {listed}{more}."

    return Query(sql, b.params, summarize)


def compile_race_info(intent: Intent) -> Query:
    race_ids = scope_races(intent, prefer_namesake=False)
    b = Builder()
    b.add("race_id IN :race_ids", race_ids=race_ids or [])
    sql = (
        "SELECT event_name, year, race_name, start_date, start_time, distance_m, placement_basis, status "
        f"FROM q_races WHERE {b.sql()} ORDER BY year, distance_m DESC"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        parts = "; ".join(
            f"{r[2]}: {r[5] / 1000:g} km on {r[3]}" + (f", start {str(r[4])[11:16]}" if r[4] else "")
            for r in rows
        )
        return f"{describe_scope(intent)[0].upper()}{describe_scope(intent)[1:]} — {parts}."

    return Query(sql, b.params, summarize)


def compile_awards(intent: Intent, question: str) -> Query:
    """The award list (overall, masters, age groups) as stored by scoring; counts when asked how many."""
    race_ids = scope_races(intent, prefer_namesake=False)
    b = Builder()
    b.add("race_id IN :race_ids", race_ids=race_ids or [])
    if intent.sex:
        b.add("sex = :sex", sex=intent.sex)
    text = normalize(question)
    if re.search(r"\b(age[- ]group|division) (winners|champions)\b", text):
        b.add("category = 'age_group' AND award_place = 1")
    elif re.search(r"\bmasters\b", text):
        b.add("category = 'masters'")
    elif re.search(r"\boverall\b", text):
        b.add("category = 'overall'")
    if text.startswith("how many") or " how many " in f" {text} ":
        sql = (
            f"SELECT category, count(*) AS awards FROM q_awards WHERE {b.sql()} GROUP BY category "
            "ORDER BY CASE category WHEN 'overall' THEN 0 WHEN 'masters' THEN 1 ELSE 2 END"
        )

        def count_text(columns: list[str], rows: list[list[Any]]) -> str:
            total = sum(int(r[1]) for r in rows)
            parts = "; ".join(f"{r[0].replace('_', ' ')}: {r[1]}" for r in rows)
            return f"{n(total)} awards at {describe_scope(intent)} ({parts})."

        return Query(sql, b.params, count_text)
    sql = (
        "SELECT race_name, category, sex, age_group, award_place, bib, first_name, last_name, age, "
        f"placement_ms AS time_ms FROM q_awards WHERE {b.sql()} ORDER BY race_name, "
        "CASE sex WHEN 'F' THEN 0 WHEN 'M' THEN 1 ELSE 2 END, "
        "CASE category WHEN 'overall' THEN 0 WHEN 'masters' THEN 1 ELSE 2 END, "
        f"{AGE_GROUP_ORDER}, "
        "award_place LIMIT 500"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No awards are recorded for {describe_scope(intent)} (has it been scored?)."
        listed = "; ".join(
            f"{(r[3] or r[1]).replace('_', ' ')} {r[2]} {r[4]}: {r[6]} {r[7]} ({r[9]})" for r in rows[:12]
        )
        more = f" and {len(rows) - 12} more" if len(rows) > 12 else ""
        return f"{len(rows)} awards at {describe_scope(intent)}: {listed}{more}."

    return Query(sql, b.params, summarize)
