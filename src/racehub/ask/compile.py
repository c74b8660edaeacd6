"""Turning an Intent into parameterised SQL over the curated q_* views, and the sentence that answers it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from racehub.ask.catalog import race_kinds
from racehub.ask.intent import Intent, Scope
from racehub.ask.text import STATE_NAMES, normalize
from racehub.timefmt import format_ms

Summarize = Callable[[list[str], list[list[Any]]], str]


class NeedsChoice(Exception):
    """The question leaves a choice the compiler must not guess (several races, say)."""

    def __init__(self, message: str, choices: Sequence[str]) -> None:
        super().__init__(message)
        self.message = message
        self.choices = tuple(choices)


@dataclass
class Query:
    sql: str
    params: dict[str, Any]
    summarize: Summarize
    title: str = ""
    notes: list[str] = field(default_factory=list)


SUBJECT_WHERE = {
    "finishers": "status = 'FIN'",
    "dnf": "status = 'DNF'",
    "dns": "status = 'DNS'",
    "dq": "status = 'DQ'",
    "starters": "status IN ('FIN', 'DNF', 'DQ')",
    "non_finishers": "status <> 'FIN'",
}
SUBJECT_WORDS = {
    "finishers": "finishers",
    "registered": "registered",
    "dnf": "did not finish",
    "dns": "did not start",
    "dq": "disqualified",
    "starters": "starters",
    "non_finishers": "non-finishers",
}
SEX_WORDS = {"F": "women", "M": "men", "X": "non-binary runners"}
SEX_ADJ = {"F": "women's", "M": "men's", "X": "non-binary"}
SEX_ADJ_PLAIN = {"F": "women", "M": "men", "X": "non-binary"}


def n(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def describe_scope(intent: Intent) -> str:
    scope = intent.scope
    if scope is None:
        return "all your events" + (f" in {intent.years[0]}" if len(intent.years) == 1 else "")
    races = scope.races()
    race_names = sorted({r.name for _, r in races})
    years = sorted({ed.year for ed in scope.editions})
    year_text = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}" if years else ""
    if len(race_names) == 1 and (
        scope.race_explicit
        or len({r.name for ed in scope.editions for r in ed.races}) > 1
        or race_names[0].lower() not in scope.series.name.lower()
    ):
        return f"the {year_text} {scope.series.name} {race_names[0]}".replace("  ", " ")
    return f"the {year_text} {scope.series.name}".replace("  ", " ")


def filter_words(intent: Intent) -> str:
    return " ".join(x for x in (age_words(intent), place_words(intent)) if x)


def age_words(intent: Intent) -> str:
    if intent.age_label == "masters":
        return "masters (40+)"
    if intent.age_min is not None and intent.age_max is not None:
        return f"aged {intent.age_min}-{intent.age_max}"
    if intent.age_min is not None:
        return f"aged {intent.age_min}+"
    if intent.age_max is not None:
        return f"aged {intent.age_max} and under"
    return ""


def place_words(intent: Intent) -> str:
    parts = []
    if intent.state:
        word = "not from" if intent.state_excluded else "from"
        parts.append(f"{word} {STATE_NAMES.get(intent.state, intent.state)}")
    if intent.city:
        parts.append(f"from {intent.city}")
    if intent.team:
        parts.append(f"of {intent.team}")
    if intent.source:
        parts.append(f"via {intent.source}")
    if intent.time_max_ms:
        parts.append(f"under {format_ms(intent.time_max_ms, tenths=False)}")
    if intent.time_min_ms:
        parts.append(f"over {format_ms(intent.time_min_ms, tenths=False)}")
    return " ".join(parts)


class Builder:
    """Accumulates WHERE clauses and bind parameters."""

    def __init__(self) -> None:
        self.where: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, clause: str, **params: Any) -> None:
        self.where.append(clause)
        self.params.update(params)

    def sql(self) -> str:
        return " AND ".join(self.where) if self.where else "true"


def scope_races(intent: Intent, *, prefer_namesake: bool) -> list[int] | None:
    """Race ids the question covers; with prefer_namesake, an unnamed race defaults to the event's namesake."""
    scope = intent.scope
    if scope is None:
        return None
    chosen = scope.races()
    if not scope.race_explicit and prefer_namesake:
        names = {r.name for _, r in chosen}
        if len(names) > 1:
            namesake = _namesake(scope)
            if namesake:
                chosen = [(ed, r) for ed, r in chosen if r.kind == namesake]
    return [r.race_id for _, r in chosen]


def _namesake(scope: Scope) -> str | None:
    kinds = [k for k, _, _ in race_kinds(normalize(scope.series.name))]
    available = {r.kind for ed in scope.editions for r in ed.races}
    for kind in kinds:
        if kind in available:
            return kind
    return None


def several_races(intent: Intent, race_ids: list[int]) -> list[str]:
    assert intent.scope is not None
    return sorted({r.name for _, r in intent.scope.races() if r.race_id in race_ids})


def base_filters(
    intent: Intent,
    b: Builder,
    *,
    race_ids: list[int] | None,
    view: str = "q_results",
    subject: str | None = None,
) -> None:
    if race_ids is not None:
        b.add("race_id IN :race_ids", race_ids=race_ids)
    elif intent.years:
        b.add("year IN :years", years=list(intent.years))
    subject = subject or intent.subject
    if view == "q_results" and subject in SUBJECT_WHERE:
        b.add(SUBJECT_WHERE[subject])
    if intent.sex:
        b.add("sex = :sex", sex=intent.sex)
    if intent.age_min is not None:
        b.add("age >= :age_min", age_min=intent.age_min)
    if intent.age_max is not None:
        b.add("age <= :age_max", age_max=intent.age_max)
    if intent.state and intent.state_excluded:
        b.add("state <> :state", state=intent.state)
    elif intent.state:
        b.add("state = :state", state=intent.state)
    if intent.city:
        b.add("lower(city) = lower(:city)", city=intent.city)
    if intent.team:
        b.add("lower(team) = lower(:team)", team=intent.team)
    if intent.source:
        b.add("registration_source = :source", source=intent.source)
    if view == "q_results":
        if intent.time_max_ms is not None:
            b.add("placement_ms < :time_max_ms", time_max_ms=intent.time_max_ms)
        if intent.time_min_ms is not None:
            b.add("placement_ms > :time_min_ms", time_min_ms=intent.time_min_ms)


def _dims(intent: Intent, race_ids: list[int] | None) -> list[str]:
    """Columns that split a figure: the year when several editions, the race when several races."""
    dims = []
    if intent.scope is None:
        dims.append("event_name")
        if len(intent.years) != 1:
            dims.append("year")
        return dims
    if len(intent.scope.editions) > 1:
        dims.append("year")
    if race_ids is not None and len(several_races(intent, race_ids)) > 1:
        dims.append("race_name")
    return dims


# ---------------------------------------------------------------- count


def compile_count(intent: Intent) -> Query:
    race_ids = scope_races(intent, prefer_namesake=False)
    view = "q_entries" if intent.subject == "registered" else "q_results"
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, view=view)
    dims = _dims(intent, race_ids)
    label = intent.subject if intent.subject in ("finishers", "registered", "starters") else intent.subject
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


# ---------------------------------------------------------------- winners, top N, places

RUNNER_COLUMNS = "first_name, last_name, sex, age, city, state, placement_ms AS time_ms"


def compile_ranked(intent: Intent, *, limit: int, place: int | None = None) -> Query:
    """Top finishers (or the one at `place`) by placement time, within the question's filters."""
    race_ids = scope_races(intent, prefer_namesake=True)
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, subject="finishers")
    partition = _dims(intent, race_ids)
    if (
        intent.scope is not None
        and race_ids is not None
        and "race_name" in partition
        and limit * len(several_races(intent, race_ids)) > 15
    ):
        races = several_races(intent, race_ids)
        raise NeedsChoice(f"{describe_scope(intent)} has {len(races)} races: which one?", races)
    over = f"PARTITION BY {', '.join(partition)} " if partition else ""
    direction = "DESC" if intent.order == "desc" else ""
    cut = "place = :place" if place else "place <= :limit"
    params = {"place": place} if place else {"limit": limit}
    dims = ", ".join(partition) + ", " if partition else ""
    sql = (
        f"SELECT {dims}place, bib, {RUNNER_COLUMNS} FROM ("
        f"SELECT *, rank() OVER ({over}ORDER BY placement_ms {direction}) AS place FROM q_results "
        f"WHERE {b.sql()}) ranked WHERE {cut} ORDER BY {dims}place, last_name LIMIT 50"
    )
    b.params.update(params)
    who = SEX_WORDS.get(intent.sex or "", "finishers")
    extra = filter_words(intent)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who} {extra} finished {describe_scope(intent)}.".replace("  ", " ")
        i = {c: k for k, c in enumerate(columns)}

        def runner(r: list[Any]) -> str:
            return f"{r[i['first_name']]} {r[i['last_name']]} ({r[i['time']]})"

        if place:
            return (
                f"In {place_word(place)} place among {' '.join(x for x in (who, extra) if x)} at "
                f"{describe_scope(intent)}: " + "; ".join(runner(r) for r in rows) + "."
            )
        if limit == 1:
            word = "slowest" if intent.order == "desc" else "fastest"
            return (
                f"The {word} {_singular(who)} {extra} at {describe_scope(intent)}: ".replace("  ", " ")
                + "; ".join(runner(r) for r in rows)
                + "."
            )
        listed = "; ".join(f"{r[i['place']]}. {runner(r)}" for r in rows)
        word = "slowest" if intent.order == "desc" else "top"
        return f"The {word} {limit} {who} {extra} at {describe_scope(intent)}: {listed}.".replace("  ", " ")

    return Query(sql, b.params, summarize)


def _singular(who: str) -> str:
    return {
        "women": "woman",
        "men": "man",
        "finishers": "finisher",
        "non-binary runners": "non-binary runner",
    }.get(who, who)


def place_word(place: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(place, f"{place}th")


def compile_winner(intent: Intent) -> Query:
    has_filters = any(
        v is not None for v in (intent.age_min, intent.age_max, intent.state, intent.team, intent.city)
    )
    if has_filters:
        return compile_ranked(intent.with_(order="asc"), limit=1)
    race_ids = scope_races(intent, prefer_namesake=True)
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, subject="finishers")
    b.add("sex_place = 1")
    dims = _dims(intent, race_ids)
    order = ", ".join([*dims, "CASE sex WHEN 'F' THEN 0 WHEN 'M' THEN 1 ELSE 2 END"])
    lead = ", ".join(dims) + ", " if dims else ""
    sql = (
        f"SELECT {lead}sex, overall_place, bib, first_name, last_name, age, city, state, "
        f"placement_ms AS time_ms FROM q_results WHERE {b.sql()} ORDER BY {order}"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No finishers are recorded for {describe_scope(intent)}."
        i = {c: k for k, c in enumerate(columns)}
        parts = []
        for r in rows:
            prefix = " ".join(str(r[i[d]]) for d in dims)
            label = f"{SEX_ADJ.get(r[i['sex']], r[i['sex']])} winner"
            overall = " — first overall" if r[i["overall_place"]] == 1 and not intent.sex else ""
            parts.append(
                f"{prefix + ' ' if prefix else ''}{label}: {r[i['first_name']]} {r[i['last_name']]} "
                f"in {r[i['time']]}{overall}"
            )
        return f"{describe_scope(intent)[0].upper()}{describe_scope(intent)[1:]} — " + "; ".join(parts) + "."

    return Query(sql, b.params, summarize)


# ---------------------------------------------------------------- aggregates

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


# ---------------------------------------------------------------- people, splits


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
                f"the {SEX_ADJ.get(intent.sex or '', 'overall')} {place_word(intent.place or 1)} place, {runner},"
            )
        )
        listed = "; ".join(f"{r[6]} {r[8]}" for r in rows)
        return f"Splits of {who} at {describe_scope(intent)}: {listed} (finish {rows[0][9]})."

    return Query(sql, b.params, summarize)


# ---------------------------------------------------------------- groups, repeats, records, events

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
        sql = f"SELECT count(DISTINCT {column}) AS {column}_count, count(*) AS {label} FROM {view} WHERE {b.sql()}"

        def summarize_distinct(columns: list[str], rows: list[list[Any]]) -> str:
            return (
                f"{n(int(rows[0][0]))} different {intent.group_by.replace('_', ' ')}s among the {n(int(rows[0][1]))} "
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
            return f"No {SUBJECT_WORDS[label]} with a known {intent.group_by.replace('_', ' ')} at {describe_scope(intent)}."
        what = SUBJECT_WORDS[label]
        if ordered_by_value:
            total = sum(int(r[1]) for r in rows)
            parts = "; ".join(f"{r[0]}: {n(int(r[1]))} ({r[2]}%)" for r in rows)
            by = intent.group_by.replace("_", " ")
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


def compile_record(intent: Intent) -> Query:
    race_ids = scope_races(intent, prefer_namesake=True)
    if intent.scope is not None and race_ids is not None and len(several_races(intent, race_ids)) > 1:
        races = several_races(intent, race_ids)
        raise NeedsChoice(f"{intent.scope.series.name} has {len(races)} races: which one's record?", races)
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, subject="finishers")
    sexes = "PARTITION BY sex " if not intent.sex else ""
    sql = (
        f"SELECT year, sex, first_name, last_name, age, placement_ms AS time_ms FROM ("
        f"SELECT *, rank() OVER ({sexes}ORDER BY placement_ms) AS record_rank FROM q_results "
        f"WHERE {b.sql()}) ranked WHERE record_rank = 1 ORDER BY placement_ms LIMIT 10"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No finishers recorded for {describe_scope(intent)}."
        best = rows[0]
        text = (
            f"The fastest time ever at {describe_scope(intent).replace('the  ', 'the ')} is {best[5]} by "
            f"{best[2]} {best[3]} ({best[0]})."
        )
        others = [r for r in rows[1:]]
        if others:
            text += (
                " "
                + "; ".join(
                    f"{SEX_ADJ.get(r[1], r[1])} record: {r[5]} by {r[2]} {r[3]} ({r[0]})" for r in others
                )
                + "."
            )
        return text

    return Query(sql, b.params, summarize)


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
    sql = f"SELECT event_name, year, start_date, city, state, status FROM q_editions{where} ORDER BY {order} LIMIT 100"

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
        "CASE WHEN age_group LIKE '%under' THEN -1 ELSE coalesce(substring(age_group from '^[0-9]+')::int, 999) END, "
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
