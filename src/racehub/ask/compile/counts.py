"""Counting: a population with its filters, split by year, race or any attribute; distinct counts; shares."""

from __future__ import annotations

from typing import Any

from racehub.ask.compile.common import (
    GROUP_COLUMNS,
    Builder,
    Query,
    add_filters,
    add_population,
    add_races,
    dims,
    n,
    view_of,
)
from racehub.ask.compile.people import person_key
from racehub.ask.explain import POPULATION_WORDS, races_phrase, who_phrase
from racehub.ask.reading import Population, Reading
from racehub.ask.text import STATE_NAMES


def _where(reading: Reading, population: Population) -> Builder:
    b = Builder()
    add_races(b, reading.races)
    add_population(b, population)
    add_filters(b, reading, results=view_of(population) == "q_results")
    return b


def _upcoming(reading: Reading) -> bool:
    return reading.races is not None and any(ed.status != "completed" for ed in reading.races.editions)


def compile_count(reading: Reading) -> Query:
    if reading.population_open and not _upcoming(reading):
        return _count_every_way(reading)
    population = reading.population
    view = view_of(population)
    b = _where(reading, population)
    split, groups = _split_and_groups(reading)
    if "age_group" in groups and view == "q_entries":
        # age groups are scored on results: registrations of a completed race are counted through them
        view = "q_results"
    for g in groups:
        if g in ("team", "city", "state", "age_group", "country"):
            b.add(f"{g} IS NOT NULL AND {g} <> ''")
    label = population.value
    if reading.top_groups and groups:
        return _top_groups(reading, view, b, split, groups, label)
    keys = [*split, *groups]
    select = ", ".join([*keys, f"count(*) AS {label}"])
    many = [g for g in groups if g in ("team", "city", "state", "country")]
    # many groups (states, clubs, cities): the biggest first, and the table keeps the first 15
    order = ", ".join(
        [*(_order(k) for k in split), *(["count(*) DESC"] if many else []), *(_order(g) for g in groups)]
    )
    group = f" GROUP BY {', '.join(keys)} ORDER BY {order}" if keys else ""
    limit = " LIMIT 15" if many and not split else ""
    sql = f"SELECT {select} FROM {view} WHERE {b.sql()}{group}{limit}"
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        total = sum(int(r[-1]) for r in rows)
        if not keys:
            return f"{n(total)} {who} — {where}."
        if keys == ["sex"] and reading.difference is not None:
            counts = {r[0]: int(r[-1]) for r in rows}
            one, other = reading.difference
            x, y = counts.get(one, 0), counts.get(other, 0)
            word = {"F": "women", "M": "men"}
            both = f"{x:,} {word[one]} and {y:,} {word[other]} among the {n(total)} {who}"
            if x == y:
                return f"As many {word[one]} as {word[other]} — {where}: {both}."
            more, fewer = (one, other) if x > y else (other, one)
            return f"{abs(x - y):,} more {word[more]} than {word[fewer]} — {where}: {both}."
        if keys == ["year"] and len(rows) > 1:
            by_year = "; ".join(f"{r[0]}: {n(int(r[-1]))}" for r in rows)
            first, last = rows[0], rows[-1]
            change = int(last[-1]) - int(first[-1])
            pct = f" ({change / int(first[-1]) * 100:+.1f}%)" if int(first[-1]) else ""
            more = f"{abs(change):,} {'more' if change >= 0 else 'fewer'}"
            return (
                f"{who.capitalize()} — {where}: {by_year}. From {first[0]} to {last[0]}: {change:+,}{pct} "
                f"({more} in {last[0]})."
            )
        parts = "; ".join(
            f"{' '.join(_label(c, v) for c, v in zip(keys, r[:-1], strict=True))}: {n(int(r[-1]))}"
            for r in rows[:25]
        )
        more = f" and {len(rows) - 25} more" if len(rows) > 25 else ""
        if len(keys) == 1 and keys[0] in ("event_name",) and len(rows) == 2:
            a, z = rows
            if int(a[-1]) != int(z[-1]):
                bigger = a if int(a[-1]) > int(z[-1]) else z
                return (
                    f"{bigger[0]} had more {who}: {parts} — {where} (a difference of "
                    f"{abs(int(a[-1]) - int(z[-1])):,})."
                )
        return f"{n(total)} {who} in all — {where} ({parts}{more})."

    chart = None
    if (
        keys
        and len(keys) == 1
        and keys[0] in ("year", "age_group", "state", "team", "city", "sex", "race_name")
    ):
        chart = f"bar:{keys[0]}:{label}"
    return Query(sql, b.params, summarize, chart=chart)


def _split_and_groups(reading: Reading) -> tuple[list[str], list[str]]:
    """The columns a count is split by (years, races when several) and grouped by (what was asked)."""
    split = dims(reading, per_race=False)
    groups: list[str] = []
    for g in reading.group_by:
        if g == "race":
            # races are told apart by their event too when several events are covered
            several = reading.races is None or len({ed.series for ed, _ in reading.races.pairs}) > 1
            for column in ["event_name", "race_name"] if several else ["race_name"]:
                if column in split:
                    split.remove(column)
                groups.append(column)
        elif GROUP_COLUMNS[g] not in split:
            groups.append(GROUP_COLUMNS[g])
    if groups and "race_name" in split:
        split.remove("race_name")  # grouped over the whole event, not race by race
    return split, groups


def _order(key: str) -> str:
    if key == "age_group":
        return "min(age)"
    return key


def _group_label(columns: list[str], values: list[Any]) -> str:
    return " ".join(_label(c, v) for c, v in zip(columns, values, strict=True))


def _label(column: str, value: Any) -> str:
    if column == "state":
        return STATE_NAMES.get(value, str(value))
    return str(value)


def _top_groups(
    reading: Reading, view: str, b: Builder, split: list[str], groups: list[str], label: str
) -> Query:
    keys = [*split, *groups]
    direction = "ASC" if reading.group_order == "asc" else "DESC"
    partition = f"PARTITION BY {', '.join(split)} " if split else ""
    wanted = max(reading.top_groups or 1, 1)
    sql = (
        f"SELECT {', '.join(keys)}, {label}, share_percent FROM ("
        f"SELECT {', '.join(keys)}, count(*) AS {label}, "
        f"round(100.0 * count(*) / sum(count(*)) OVER ({partition.strip()}), 1) AS share_percent, "
        f"rank() OVER ({partition}ORDER BY count(*) {direction}) AS group_rank "
        f"FROM {view} WHERE {b.sql()} GROUP BY {', '.join(keys)}) grouped "
        f"WHERE group_rank <= :top ORDER BY {', '.join([*split, ''])}{label} {direction}, "
        f"{groups[0]} LIMIT 60"
    ).replace("ORDER BY , ", "ORDER BY ")
    b.params["top"] = wanted if wanted > 1 else 3
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)
    attr = reading.group_by[-1].replace("_", " ").replace("team", "club")
    most = "fewest" if reading.group_order == "asc" else "most"

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who} with a known {attr} — {where}."
        if wanted == 1 and not split:
            best = int(rows[0][-2])
            leaders = [r for r in rows if int(r[-2]) == best]
            names = " and ".join(
                _group_label(groups, r[len(split) : len(split) + len(groups)]) for r in leaders
            )
            others = "; ".join(
                f"{_group_label(groups, r[len(split) : len(split) + len(groups)])}: {n(int(r[-2]))}"
                for r in rows
                if r not in leaders
            )
            tie = " (tied)" if len(leaders) > 1 else ""
            return f"{names} had the {most} {who}{tie}: {n(best)} ({rows[0][-1]}%) — {where}." + (
                f" Next: {others}." if others else ""
            )
        listed = "; ".join(
            f"{' '.join(_label(c, v) for c, v in zip(keys, r[: len(keys)], strict=True))}: {n(int(r[-2]))}"
            for r in rows
        )
        return f"The {attr}s with the {most} {who} — {where}: {listed}."

    return Query(sql, b.params, summarize, chart=f"bar:{groups[0]}:{label}" if not split else None)


def _count_every_way(reading: Reading) -> Query:
    """Nothing said who is counted: registered, started and finished, each labelled (per group when
    grouped, with the leader by each count named)."""
    b = Builder()
    add_races(b, reading.races)
    add_filters(b, reading, results=True)
    split, groups = _split_and_groups(reading)
    for g in groups:
        if g in ("team", "city", "state", "age_group", "country"):
            b.add(f"{g} IS NOT NULL AND {g} <> ''")
    keys = [*split, *groups]
    select = ", ".join(
        [
            *keys,
            "count(*) AS registered",
            "count(*) FILTER (WHERE status IN ('FIN', 'DNF', 'DQ')) AS started",
            "count(*) FILTER (WHERE status = 'FIN') AS finished",
        ]
    )
    order = ", ".join([*split, *(["count(*) DESC"] if groups else []), *groups])
    limit = f" LIMIT {max(reading.top_groups or 0, 3) if reading.top_groups else 15}" if groups else ""
    group = f" GROUP BY {', '.join(keys)} ORDER BY {order}{limit}" if keys else ""
    sql = f"SELECT {select} FROM q_results WHERE {b.sql()}{group}"
    where = races_phrase(reading.races, company=reading.company)
    who = who_phrase(reading, Population.REGISTERED).replace("registrations", "runners")

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if groups:
            if not rows:
                return f"No {who} — {where}."
            attr = reading.group_by[-1].replace("_", " ").replace("team", "club")
            g = len(split)
            leaders = []
            for k, label in ((-3, "registered"), (-2, "started"), (-1, "finished")):
                best = max(rows, key=lambda r: int(r[k]))
                leaders.append(f"most {label}: {_label(groups[0], best[g])} ({n(int(best[k]))})")
            return (
                f"'Runners' can mean registered, started or finished; by {attr} — {where}: "
                + "; ".join(leaders)
                + "."
            )
        reg = sum(int(r[-3]) for r in rows)
        started = sum(int(r[-2]) for r in rows)
        finished = sum(int(r[-1]) for r in rows)
        return (
            f"'Runners' can mean registered, started or finished — {where}: {n(reg)} {who} registered, "
            f"{n(started)} started and {n(finished)} finished."
        )

    return Query(sql, b.params, summarize)


DISTINCT_COLUMNS = {
    "team": "team",
    "state": "state",
    "city": "city || ', ' || coalesce(state, '')",
    "country": "country",
    "person": "person_id",
    "age_group": "age_group",
}
DISTINCT_WORDS = {
    "team": "clubs",
    "state": "states",
    "city": "cities",
    "country": "countries",
    "person": "different people",
    "age_group": "age groups",
}


def compile_distinct(reading: Reading) -> Query:
    attr = reading.attribute or "person"
    population = reading.population
    view = view_of(population)
    if attr == "age_group":
        view = "q_results"
    b = _where(reading, population)
    column = DISTINCT_COLUMNS[attr] if attr != "person" else person_key(reading.races)
    if attr in ("team", "state", "city", "country", "age_group"):
        base = attr if attr != "city" else "city"
        b.add(f"{base} IS NOT NULL AND {base} <> ''")
    split = [d for d in dims(reading, per_race=False) if d != "race_name"]
    if attr == "person":
        split = [d for d in split if d != "year"] if reading.combined or len(split) == 0 else split
    select = ", ".join(
        [*split, f"count(DISTINCT {column}) AS {attr}_count", f"count(*) AS {population.value}"]
    )
    group = f" GROUP BY {', '.join(split)} ORDER BY {', '.join(split)}" if split else ""
    sql = f"SELECT {select} FROM {view} WHERE {b.sql()}{group}"
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)
    words = DISTINCT_WORDS[attr]

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not split:
            count = int(rows[0][0]) if rows else 0
            among = int(rows[0][1]) if rows else 0
            return f"{n(count)} {words} among the {n(among)} {who} — {where}."
        parts = "; ".join(
            f"{' '.join(str(v) for v in r[: len(split)])}: {n(int(r[len(split)]))}" for r in rows
        )
        return f"{words.capitalize()} among {who} — {where}: {parts}."

    return Query(sql, b.params, summarize)


def compile_share(reading: Reading) -> Query:
    whole = reading.population
    view = (
        "q_results"
        if (reading.share_population is not None or whole != Population.REGISTERED)
        else "q_entries"
    )
    b = Builder()
    add_races(b, reading.races)
    add_population(b, whole)
    add_filters(b, reading, results=view == "q_results")
    split = [d for d in dims(reading, per_race=False) if d != "race_name" or "race" in reading.group_by]
    where = races_phrase(reading.races, company=reading.company)
    who = who_phrase(reading)
    if reading.share_population is None and not reading.share_of:
        groups = [GROUP_COLUMNS[g] for g in reading.group_by] or ["sex"]
        keys = [*split, *groups]
        partition = f"PARTITION BY {', '.join(split)}" if split else ""
        sql = (
            f"SELECT {', '.join(keys)}, count(*) AS {whole.value}, "
            f"round(100.0 * count(*) / sum(count(*)) OVER ({partition}), 1) AS percent "
            f"FROM {view} WHERE {b.sql()} GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}"
        )

        def summarize_split(columns: list[str], rows: list[list[Any]]) -> str:
            parts = "; ".join(
                f"{' '.join(_label(c, v) for c, v in zip(keys, r[: len(keys)], strict=True))}: "
                f"{r[-1]}% ({n(int(r[-2]))})"
                for r in rows
            )
            return (
                f"{who.capitalize()} — {where}, by {', '.join(g.replace('_', ' ') for g in groups)}: {parts}."
            )

        return Query(sql, b.params, summarize_split, chart=f"bar:{groups[0]}:percent" if not split else None)
    part = Builder(prefix="part_")
    if reading.share_population is not None:
        add_population(part, reading.share_population)
        part_words = POPULATION_WORDS[reading.share_population]
    else:
        add_filters(part, reading, reading.share_of, results=view == "q_results")
        part_words = " ".join(f.words for f in reading.share_of)
    b.params.update(part.params)
    cond = part.sql()
    keys = split
    lead = ", ".join(keys) + ", " if keys else ""
    group = f" GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}" if keys else ""
    sql = (
        f"SELECT {lead}count(*) FILTER (WHERE {cond}) AS part, count(*) AS {whole.value}, "
        f"round(100.0 * count(*) FILTER (WHERE {cond}) / nullif(count(*), 0), 1) AS percent "
        f"FROM {view} WHERE {b.sql()}{group}"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows or rows[0][-1] is None:
            return f"No {who} — {where}, so no share to give."
        if not keys:
            r = rows[0]
            return f"{r[-1]}% of {who} were {part_words}: {n(int(r[0]))} of {n(int(r[1]))} — {where}."
        parts = "; ".join(
            f"{' '.join(str(v) for v in r[: len(keys)])}: {r[-1]}% ({n(int(r[-3]))} of {n(int(r[-2]))})"
            for r in rows
        )
        return f"Share of {who} who were {part_words} — {where}: {parts}."

    return Query(sql, b.params, summarize)
