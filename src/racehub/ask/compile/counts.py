"""Counting: finishers, registrations and non-finishers; groupings; repeat runners; trends."""

from __future__ import annotations

import re
from typing import Any

from racehub.ask.compile.common import (
    SEX_ADJ_PLAIN,
    SEX_WORDS,
    SUBJECT_WORDS,
    Builder,
    Query,
    _dims,
    age_words,
    base_filters,
    describe_scope,
    n,
    place_words,
    scope_races,
)
from racehub.ask.intent import Intent
from racehub.ask.text import STATE_NAMES, normalize


def compile_count(intent: Intent) -> Query:
    race_ids = scope_races(intent, prefer_namesake=False)
    view = "q_entries" if intent.subject == "registered" else "q_results"
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, view=view)
    dims = _dims(intent, race_ids)
    label = intent.subject
    select = ", ".join([*dims, f"count(*) AS {label}"])
    group = f" GROUP BY {', '.join(dims)} ORDER BY {', '.join(dims)}" if dims else ""
    sql = f"SELECT {select} FROM {view} WHERE {b.sql()}{group}"
    what = SUBJECT_WORDS[intent.subject]

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        total = sum(int(r[-1]) for r in rows) if rows else 0
        sex_word = SEX_WORDS.get(intent.sex or "", "")
        ages, places = age_words(intent), place_words(intent)
        if intent.subject == "registered":
            subject = " ".join(x for x in [ages, sex_word or "runners", places, "registered"] if x)
        elif intent.subject == "finishers":
            subject = " ".join(
                x for x in [ages, SEX_ADJ_PLAIN.get(intent.sex or "", ""), "finishers", places] if x
            )
        else:
            subject = " ".join(
                x
                for x in [
                    ages,
                    sex_word or "runners",
                    places,
                    f"who {what}" if intent.subject in ("dnf", "dns") else what,
                ]
                if x
            )
        head = f"{n(total)} {subject}"
        text = f"{head} — {describe_scope(intent)}."
        if "year" in dims and "race_name" not in dims and len(rows) > 1:
            text = f"{subject[0].upper()}{subject[1:]} — {describe_scope(intent)}. {_trend_text(rows)}"
        elif len(rows) > 1:
            parts = "; ".join(f"{' '.join(str(c) for c in r[:-1])}: {n(int(r[-1]))}" for r in rows)
            text = f"{n(total)} {subject} in all — {describe_scope(intent)} ({parts})."
        return text

    return Query(sql, b.params, summarize)


def _trend_text(rows: list[list[Any]]) -> str:
    first, last = rows[0], rows[-1]
    a, z = int(first[-1]), int(last[-1])
    by_year = ", ".join(f"{r[0]}: {n(int(r[-1]))}" for r in rows)
    change = z - a
    pct = f" ({change / a * 100:+.1f}%)" if a else ""
    return f"By year — {by_year}. From {first[0]} to {last[0]}: {change:+,}{pct}."


GROUP_COLUMNS = {
    "state": "state",
    "team": "team",
    "city": "city",
    "age_group": "age_group",
    "sex": "sex",
    "race": "race_name",
    "year": "year",
}


def compile_group(intent: Intent, question: str) -> Query:
    assert intent.group_by is not None
    column = GROUP_COLUMNS[intent.group_by]
    by = intent.group_by.replace("_", " ")
    race_ids = scope_races(intent, prefer_namesake=False)
    view = "q_entries" if intent.subject == "registered" else "q_results"
    if view == "q_entries" and column == "age_group":
        view, intent = "q_results", intent.with_(subject="starters")
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, view=view)
    b.add(f"{column} IS NOT NULL")
    label = "registered" if view == "q_entries" else intent.subject
    text = normalize(question)
    if re.search(
        rf"\bhow many (different |distinct )?({column}s?|states|teams|clubs|cities|age groups)\b", text
    ):
        sql = (
            f"SELECT count(DISTINCT {column}) AS {column}_count, count(*) AS {label} "
            f"FROM {view} WHERE {b.sql()}"
        )

        def summarize_distinct(columns: list[str], rows: list[list[Any]]) -> str:
            return (
                f"{n(int(rows[0][0]))} different {by}s among the {n(int(rows[0][1]))} "
                f"{SUBJECT_WORDS[label]} at {describe_scope(intent)}."
            )

        return Query(sql, b.params, summarize_distinct)
    ordered_by_value = intent.group_by in ("age_group", "year", "sex", "race")
    limit = intent.n or (50 if ordered_by_value else 10)
    direction = "ASC" if intent.order == "asc" else "DESC"
    if intent.group_by == "age_group":
        order = "min(age), age_group"
    elif ordered_by_value:
        order = column
    else:
        order = f"{label} {direction}, {column}"
    share = ", round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS percent"
    sql = (
        f"SELECT {column}, count(*) AS {label}{share} FROM {view} WHERE {b.sql()} "
        f"GROUP BY {column} ORDER BY {order} LIMIT {int(limit)}"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {SUBJECT_WORDS[label]} with a known {by} at {describe_scope(intent)}."
        what = SUBJECT_WORDS[label]
        if ordered_by_value:
            total = sum(int(r[1]) for r in rows)
            parts = "; ".join(f"{r[0]}: {n(int(r[1]))} ({r[2]}%)" for r in rows)
            return f"{n(total)} {what} at {describe_scope(intent)}; by {by} — {parts}."
        top = rows[0]
        most = "fewest" if intent.order == "asc" else "most"
        value = STATE_NAMES.get(top[0], top[0]) if intent.group_by == "state" else top[0]
        runners_up = "; ".join(f"{r[0]}: {n(int(r[1]))}" for r in rows[1:5])
        return f"{value} had the {most} {what} at {describe_scope(intent)}: {n(int(top[1]))} ({top[2]}%)." + (
            f" Next: {runners_up}." if runners_up else ""
        )

    return Query(sql, b.params, summarize)


def compile_repeat(intent: Intent, question: str) -> Query:
    race_ids = scope_races(intent, prefer_namesake=True)
    view = "q_entries" if intent.subject == "registered" else "q_results"
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, view=view)
    b.add("person_id IS NOT NULL")
    editions = len(intent.scope.editions) if intent.scope else max(len(intent.years), 2)
    text = normalize(question)
    if (intent.year_mode in ("both", "each", "range", "range_ends") and len(intent.years) >= 2) or re.search(
        r"\b(every|each) (year|edition)\b", text
    ):
        having = "count(DISTINCT year) = :editions"
        b.params["editions"] = editions
        what = f"in all {editions} editions" if editions > 2 else "in both years"
    else:
        having = "count(DISTINCT year) >= 2"
        what = "in more than one edition"
    listing = text.startswith(("who", "which", "list", "show", "name"))
    inner = f"SELECT person_id FROM {view} WHERE {b.sql()} GROUP BY person_id HAVING {having}"
    if listing:
        sql = (
            f"SELECT first_name, last_name, count(DISTINCT year) AS editions, min(year) AS first_year, "
            f"max(year) AS last_year FROM {view} WHERE {b.sql()} AND person_id IN ({inner}) "
            f"GROUP BY person_id, first_name, last_name ORDER BY last_name, first_name LIMIT 200"
        )
    else:
        sql = f"SELECT count(*) AS runners FROM ({inner}) repeaters"
    verb = "registered" if view == "q_entries" else "finished"

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if listing:
            return f"{len(rows)} runners {verb} {describe_scope(intent)} {what}."
        count = int(rows[0][0])
        return f"{n(count)} runner{'s' if count != 1 else ''} {verb} {describe_scope(intent)} {what}."

    return Query(sql, b.params, summarize)
