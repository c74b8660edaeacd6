"""Aggregates of times, ages and paces; the oldest and youngest."""

from __future__ import annotations

from typing import Any

from racehub.ask.compile.common import (
    SEX_ADJ,
    Builder,
    Query,
    _dims,
    base_filters,
    describe_scope,
    filter_words,
    n,
    scope_races,
)
from racehub.ask.intent import Intent

MEASURES = {
    "avg_time": ("avg(placement_ms)", "average_time_ms", "average finish time"),
    "median_time": (
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY placement_ms)",
        "median_time_ms",
        "median finish time",
    ),
    "min_time": ("min(placement_ms)", "fastest_time_ms", "fastest finish time"),
    "max_time": ("max(placement_ms)", "slowest_time_ms", "slowest finish time"),
    "avg_age": ("round(avg(age), 1)", "average_age", "average age"),
    "median_age": ("percentile_cont(0.5) WITHIN GROUP (ORDER BY age)", "median_age", "median age"),
    "min_age": ("min(age)", "youngest_age", "youngest age"),
    "max_age": ("max(age)", "oldest_age", "oldest age"),
    "avg_pace": ("avg(placement_ms / (distance_m / 1609.344))", "average_pace_ms", "average pace per mile"),
    "median_pace": (
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY placement_ms / (distance_m / 1609.344))",
        "median_pace_ms",
        "median pace per mile",
    ),
    "min_pace": ("min(placement_ms / (distance_m / 1609.344))", "fastest_pace_ms", "fastest pace per mile"),
    "max_pace": ("max(placement_ms / (distance_m / 1609.344))", "slowest_pace_ms", "slowest pace per mile"),
}


def compile_aggregate(intent: Intent) -> Query:
    assert intent.measure is not None
    expr, alias, words = MEASURES[intent.measure]
    race_ids = scope_races(intent, prefer_namesake=True)
    b = Builder()
    subject = (
        "registered" if intent.measure.endswith("_age") and intent.subject == "registered" else "finishers"
    )
    view = "q_entries" if subject == "registered" else "q_results"
    base_filters(intent, b, race_ids=race_ids, view=view, subject=subject)
    dims = _dims(intent, race_ids)
    if intent.group_by in ("sex", "age_group", "state", "team") and intent.group_by not in dims:
        dims.append(intent.group_by)
    lead = ", ".join(dims) + ", " if dims else ""
    group = f" GROUP BY {', '.join(dims)} ORDER BY {', '.join(dims)}" if dims else ""
    sql = f"SELECT {lead}count(*) AS {subject}, {expr} AS {alias} FROM {view} WHERE {b.sql()}{group}"
    who = " ".join(x for x in [SEX_ADJ.get(intent.sex or "", ""), filter_words(intent)] if x)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows or rows[0][-1] is None:
            return f"No {subject} to measure for {describe_scope(intent)}."
        if len(rows) == 1:
            r = rows[0]
            return (
                f"The {who + ' ' if who else ''}{words} at {describe_scope(intent)} was {r[-1]} "
                f"over {n(int(r[-2]))} {subject}."
            )
        parts = "; ".join(f"{' '.join(str(c) for c in r[:-2])}: {r[-1]}" for r in rows)
        return f"{words[0].upper()}{words[1:]} at {describe_scope(intent)} — {parts}."

    return Query(sql, b.params, summarize)


def compile_superlative(intent: Intent) -> Query:
    race_ids = scope_races(intent, prefer_namesake=False)
    b = Builder()
    view = "q_entries" if intent.subject == "registered" else "q_results"
    base_filters(intent, b, race_ids=race_ids, view=view)
    b.add("age IS NOT NULL")
    direction = "DESC" if intent.order == "desc" else "ASC"
    time_col = ", placement_ms AS time_ms" if view == "q_results" else ""
    sql = (
        f"SELECT year, race_name, first_name, last_name, age, sex, city, state{time_col} FROM ("
        f"SELECT *, rank() OVER (ORDER BY age {direction}) AS age_rank FROM {view} WHERE {b.sql()}) ranked "
        f"WHERE age_rank = 1 ORDER BY last_name, first_name LIMIT 20"
    )
    word = "oldest" if intent.order == "desc" else "youngest"
    who = "registrant" if view == "q_entries" else "finisher"

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who}s with a known age at {describe_scope(intent)}."
        names = " and ".join(f"{r[2]} {r[3]}" for r in rows)
        return f"The {word} {who} at {describe_scope(intent)} was {names}, aged {rows[0][4]}."

    return Query(sql, b.params, summarize)
