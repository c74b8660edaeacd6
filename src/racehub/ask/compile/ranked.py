"""Ranked finishers (winners, top N, the Nth place, the slowest), records, the oldest and youngest, and
aggregates of times, paces and ages. Places are competition ranks computed within the question's own
filters (1, 2, 2, 4), by the race's placement basis unless gun or chip time is asked."""

from __future__ import annotations

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
from racehub.ask.explain import band_words, races_phrase, who_phrase
from racehub.ask.reading import Field, Population, Reading

SEX_ORDER = "CASE sex WHEN 'F' THEN 0 WHEN 'M' THEN 1 ELSE 2 END"
SEX_WINNER = {"F": "women's winner", "M": "men's winner", "X": "non-binary winner"}


def _time_columns(reading: Reading) -> list[tuple[str, str]]:
    """(SQL expression, output name) of the times shown."""
    if reading.basis == "both":
        return [("gun_ms", "gun_time_ms"), ("chip_ms", "chip_time_ms")]
    if reading.basis in ("gun", "chip"):
        return [(TIME_COLUMN[reading.basis], f"{reading.basis}_time_ms")]
    return [("placement_ms", "time_ms"), ("chip_ms", "chip_time_ms"), ("gun_ms", "gun_time_ms")]


def _finishers(reading: Reading) -> Builder:
    b = Builder()
    add_races(b, reading.races)
    add_population(b, Population.FINISHERS)
    add_filters(b, reading, results=True)
    return b


def compile_rank(reading: Reading) -> Query:
    b = _finishers(reading)
    order_col = TIME_COLUMN[reading.basis]
    b.add(f"{order_col} IS NOT NULL")
    split = dims(reading, per_race=True)
    by_sex = (reading.winner and reading.filter_of(Field.SEX) is None and not _overall(reading)) or (
        "sex" in reading.group_by
    )
    partition = [*split, *(["sex"] if by_sex else [])]
    over = f"PARTITION BY {', '.join(partition)} " if partition else ""
    direction = " DESC" if reading.order == "desc" else ""
    if reading.place:
        cut, params = "place = :place", {"place": reading.place}
    else:
        cut, params = "place <= :limit", {"limit": reading.n or 1}
    b.params.update(params)
    times = _time_columns(reading)
    shown = ", ".join(f"{expr} AS {name}" for expr, name in times)
    lead = ", ".join(split) + ", " if split else ""
    sex_order = f"{SEX_ORDER}, " if by_sex else ""
    sql = (
        f"SELECT {lead}place, bib, first_name, last_name, sex, age, city, state, {shown} FROM ("
        f"SELECT *, rank() OVER ({over}ORDER BY {order_col}{direction}) AS place FROM q_results "
        f"WHERE {b.sql()}) ranked WHERE {cut} ORDER BY {lead}{sex_order}place, last_name, "
        "first_name LIMIT 100"
    )
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)
    time_name = times[0][1][:-3]

    def runner(i: dict[str, int], r: list[Any]) -> str:
        extra = ""
        if len(times) > 1 and reading.basis == "placement":
            extra = f" (chip {r[i['chip_time']]}, gun {r[i['gun_time']]})"
        elif len(times) > 1:
            extra = f" (gun {r[i['gun_time']]}, chip {r[i['chip_time']]})"
        return f"{r[i['first_name']]} {r[i['last_name']]} in {r[i[time_name]]}{extra}"

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who} — {where}."
        i = {c: k for k, c in enumerate(columns)}
        prefix = split_prefix(split, i)
        if reading.winner:
            parts = []
            for r in rows:
                label = SEX_WINNER.get(r[i["sex"]], "winner") if by_sex else "winner"
                if reading.filter_of(Field.SEX) is not None:
                    label = SEX_WINNER[r[i["sex"]]]
                tie = (
                    " (tied)"
                    if sum(
                        1
                        for o in rows
                        if o[i["place"]] == 1
                        and prefix(o) == prefix(r)
                        and (not by_sex or o[i["sex"]] == r[i["sex"]])
                    )
                    > 1
                    else ""
                )
                parts.append(f"{prefix(r)}{label}: {runner(i, r)}{tie}")
            return f"{'; '.join(parts)} — {where}."
        if reading.place:
            names = "; ".join(f"{prefix(r)}{runner(i, r)}" for r in rows)
            tie = f" ({len(rows)} tied)" if len(rows) > 1 and not split else ""
            return f"{place_word(reading.place)} place among {who}{tie}: {names} — {where}."
        word = "slowest" if reading.order == "desc" else "top"
        listed = "; ".join(f"{prefix(r)}{r[i['place']]}. {runner(i, r)}" for r in rows)
        return f"The {word} {reading.n} {who} — {where}: {listed}."

    return Query(sql, b.params, summarize)


def _overall(reading: Reading) -> bool:
    return reading.overall


def compile_record(reading: Reading) -> Query:
    b = _finishers(reading)
    order_col = TIME_COLUMN[reading.basis]
    b.add(f"{order_col} IS NOT NULL")
    split = [d for d in dims(reading, per_race=True) if d != "year"]
    per_sex = reading.filter_of(Field.SEX) is None
    partition = [*split, *(["sex"] if per_sex else [])]
    over = f"PARTITION BY {', '.join(partition)} " if partition else ""
    lead = ", ".join(split) + ", " if split else ""
    sql = (
        f"SELECT {lead}year, sex, first_name, last_name, age, {order_col} AS time_ms FROM ("
        f"SELECT *, rank() OVER ({over}ORDER BY {order_col}) AS record_rank FROM q_results "
        f"WHERE {b.sql()}) ranked WHERE record_rank = 1 ORDER BY {lead}time_ms, last_name LIMIT 20"
    )
    where = races_phrase(reading.races, company=reading.company)
    who = who_phrase(reading)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who} — {where}."
        i = {c: k for k, c in enumerate(columns)}
        best = rows[0]
        text = (
            f"The fastest time ever among {who} is {best[i['time']]} by {best[i['first_name']]} "
            f"{best[i['last_name']]} ({best[i['year']]}) — {where}."
        )
        others = rows[1:]
        if others and per_sex:
            text += (
                " "
                + "; ".join(
                    f"{SEX_WINNER.get(r[i['sex']], r[i['sex']]).replace('winner', 'record')}: "
                    f"{r[i['time']]} by "
                    f"{r[i['first_name']]} {r[i['last_name']]} ({r[i['year']]})"
                    for r in rows
                )
                + "."
            )
        return text

    return Query(sql, b.params, summarize)


def compile_extreme_age(reading: Reading) -> Query:
    population = reading.population
    view = view_of(population)
    b = Builder()
    add_races(b, reading.races)
    add_population(b, population)
    add_filters(b, reading, results=view == "q_results")
    b.add("age IS NOT NULL")
    split = dims(reading, per_race=False)
    over = f"PARTITION BY {', '.join(split)} " if split else ""
    direction = "DESC" if reading.order == "desc" else "ASC"
    lead = ", ".join(split) + ", " if split else ""
    time_col = ", placement_ms AS time_ms" if view == "q_results" else ""
    sql = (
        f"SELECT {lead}first_name, last_name, age, sex, city, state{time_col} FROM ("
        f"SELECT *, rank() OVER ({over}ORDER BY age {direction}) AS age_rank FROM {view} WHERE "
        f"{b.sql()}) ranked "
        f"WHERE age_rank = 1 ORDER BY {lead}last_name, first_name LIMIT 30"
    )
    word = "oldest" if reading.order == "desc" else "youngest"
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who} with a known age — {where}."
        i = {c: k for k, c in enumerate(columns)}
        prefix = split_prefix(split, i)
        parts = "; ".join(
            f"{prefix(r)}{r[i['first_name']]} {r[i['last_name']]}, aged {r[i['age']]}" for r in rows
        )
        return f"The {word} of the {who}: {parts} — {where}."

    return Query(sql, b.params, summarize)


STATS = {
    "avg": ("avg({x})", "average"),
    "median": ("percentile_cont(0.5) WITHIN GROUP (ORDER BY {x})", "median"),
    "min": ("min({x})", "fastest"),
    "max": ("max({x})", "slowest"),
}


def compile_aggregate(reading: Reading) -> Query:
    quantity = reading.quantity or "time"
    population = reading.population if quantity == "age" else Population.FINISHERS
    view = view_of(population)
    b = Builder()
    add_races(b, reading.races)
    add_population(b, population)
    add_filters(b, reading, results=view == "q_results")
    stat = reading.stat or "avg"
    template, word = STATS[stat]
    metre = 1609.344 if reading.pace_unit == "mile" else 1000.0
    outputs: list[tuple[str, str]] = []
    if quantity == "age":
        expr = template.format(x="age")
        outputs.append((f"round(({expr})::numeric, 1)", f"{word}_age"))
        if stat in ("min", "max"):
            word = "youngest" if stat == "min" else "oldest"
            outputs[0] = (expr, f"{word}_age")
    else:
        bases = ["gun_ms", "chip_ms"] if reading.basis == "both" else [TIME_COLUMN[reading.basis]]
        for column in bases:
            name = {"placement_ms": "", "gun_ms": "gun_", "chip_ms": "chip_"}[column]
            if quantity == "pace":
                x = f"{column} / (distance_m / {metre})"
                outputs.append((template.format(x=x), f"{word}_{name}pace_per_{reading.pace_unit}_ms"))
            else:
                outputs.append((template.format(x=column), f"{word}_{name}time_ms"))
        b.add(" AND ".join(f"{c} IS NOT NULL" for c in bases))
    split = dims(reading, per_race=True)
    groups = [g for g in reading.group_by if g not in ("year", "race")]
    keys = [*split, *({"team": "team", "age_group": "age_group"}.get(g, g) for g in groups)]
    lead = ", ".join(keys) + ", " if keys else ""
    group = f" GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}" if keys else ""
    shown = ", ".join(f"{expr} AS {name}" for expr, name in outputs)
    sql = f"SELECT {lead}count(*) AS {population.value}, {shown} FROM {view} WHERE {b.sql()}{group}"
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)
    measure = {"time": "finish time", "pace": f"pace per {reading.pace_unit}", "age": "age"}[quantity]
    if reading.basis in ("gun", "chip") and quantity == "time":
        measure = f"{reading.basis} time"
    if reading.basis in ("gun", "chip") and quantity == "pace":
        measure = f"pace per {reading.pace_unit} by {reading.basis} time"

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows or rows[0][len(keys) + 1] is None:
            return f"No {who} to measure — {where}."
        values = len(outputs)
        if quantity == "age" and stat in ("avg", "median"):
            rows = [[*r[:-1], f"{float(r[-1]):.1f}"] if r[-1] is not None else r for r in rows]
        if not keys:
            r = rows[0]
            shown_values = " / ".join(
                f"{r[-values + k]}" + (f" ({columns[-values + k].split('_')[1]})" if values > 1 else "")
                for k in range(values)
            )
            return f"The {word} {measure} of the {n(int(r[0]))} {who} was {shown_values} — {where}."
        parts = "; ".join(
            f"{' '.join(str(v) for v in r[: len(keys)])}: " + " / ".join(str(v) for v in r[len(keys) + 1 :])
            for r in rows
        )
        return f"The {word} {measure} of {who} — {where}: {parts}."

    return Query(sql, b.params, summarize)


def compile_histogram(reading: Reading) -> Query:
    """Finishers counted in bands of finish time (or pace), each band written "3:30-4:00"; the bands
    between the first and the last are all shown, empty ones with 0."""
    band = reading.band_ms or 60_000
    column = TIME_COLUMN[reading.basis]
    value = column
    if reading.quantity == "pace":
        metre = 1609.344 if reading.pace_unit == "mile" else 1000.0
        value = f"{column} / (distance_m / {metre})"
    b = _finishers(reading)
    b.add(f"{column} IS NOT NULL")
    b.params["band"] = band
    split = dims(reading, per_race=True)
    groups = [g for g in reading.group_by if g not in ("year", "race")]
    keys = [*split, *groups]
    lead = ", ".join(keys) + ", " if keys else ""
    sql = (
        f"SELECT {lead}floor(({value}) / :band)::bigint AS band, count(*) AS finishers FROM q_results "
        f"WHERE {b.sql()} GROUP BY {lead}band ORDER BY {lead}band"
    )
    who = who_phrase(reading)
    where = races_phrase(reading.races, company=reading.company)
    pace = reading.quantity == "pace"

    def label(start: int) -> str:
        return f"{_clock(start * band, pace)}-{_clock((start + 1) * band, pace)}"

    def reshape(columns: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
        width = len(keys)
        filled: list[list[Any]] = []
        for k, row in enumerate(rows):
            previous = rows[k - 1] if k else None
            if previous is not None and previous[:width] == row[:width]:
                filled.extend([*row[:width], label(gap), 0] for gap in range(previous[width] + 1, row[width]))
            filled.append([*row[:width], label(row[width]), row[width + 1]])
        name = f"pace_per_{reading.pace_unit}" if pace else "finish_time"
        return [*columns[:width], name, "finishers"], filled

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who} with a time — {where}."
        total = sum(int(r[-1]) for r in rows)
        busiest = max(rows, key=lambda r: int(r[-1]))
        prefix = split_prefix(keys, {c: k for k, c in enumerate(columns)})
        bands = band_words(reading)
        return (
            f"{'Paces' if pace else 'Finish times'} of the {n(total)} {who} in {bands} — {where}: "
            f"the most, {n(int(busiest[-1]))}, in {prefix(busiest)}{busiest[-2]} (the table has "
            "every band)."
        )

    chart = "bar:pace_per_" + reading.pace_unit if pace else "bar:finish_time"
    return Query(sql, b.params, summarize, chart=f"{chart}:finishers" if not keys else None, reshape=reshape)


def _clock(ms: int, pace: bool) -> str:
    """A band's edge: "3:30" (hours and minutes) for times, "7:30" (minutes and seconds) for paces."""
    seconds = ms // 1000
    if pace:
        return f"{seconds // 60}:{seconds % 60:02d}"
    minutes = seconds // 60
    return f"{minutes // 60}:{minutes % 60:02d}"
