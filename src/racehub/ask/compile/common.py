"""What every compiled Reading shares: the Query, the WHERE clauses of its population, races and filters,
the time column of its basis, and the columns a figure is split by."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from racehub.ask.reading import STATUSES, Field, Filter, Population, RaceSet, Reading

Summarize = Callable[[list[str], list[list[Any]]], str]


class NeedsChoice(Exception):
    """The reading leaves a choice the compiler must not guess."""

    def __init__(self, message: str, choices: Sequence[str]) -> None:
        super().__init__(message)
        self.message = message
        self.choices = tuple(choices)


@dataclass
class Query:
    sql: str
    params: dict[str, Any]
    summarize: Summarize
    chart: str | None = None  # "bar:<label column>:<value column>" when the rows make a chart
    notes: list[str] = field(default_factory=list)
    # the rows as shown, when they are not the statement's own (bands labelled and gaps filled)
    reshape: Callable[[list[str], list[list[Any]]], tuple[list[str], list[list[Any]]]] | None = None


def n(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def split_prefix(split: Sequence[str], index: dict[str, int]) -> Callable[[Sequence[Any]], str]:
    """How a row names the group it belongs to ("2024 Half Marathon: "), or nothing when unsplit."""

    def prefix(row: Sequence[Any]) -> str:
        return " ".join(str(row[index[d]]) for d in split) + ": " if split else ""

    return prefix


def place_word(place: int) -> str:
    if 10 <= place % 100 <= 20:
        return f"{place}th"
    return f"{place}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(place % 10, 'th') }"


TIME_COLUMN = {"placement": "placement_ms", "chip": "chip_ms", "gun": "gun_ms", "both": "placement_ms"}

# Sorts age-group labels by their lower bound ("14 & under" first, "80 & over" last).
AGE_GROUP_ORDER = (
    "CASE WHEN age_group LIKE '%under' THEN -1 "
    "ELSE coalesce(substring(age_group from '^[0-9]+')::int, 999) END"
)


class Builder:
    """WHERE clauses and bind parameters, named so that several builders can share a statement."""

    def __init__(self, prefix: str = "") -> None:
        self.where: list[str] = []
        self.params: dict[str, Any] = {}
        self.prefix = prefix

    def p(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def add(self, clause: str, **params: Any) -> None:
        self.where.append(clause)
        self.params.update({self.p(k): v for k, v in params.items()})

    def sql(self) -> str:
        return " AND ".join(self.where) if self.where else "true"


def view_of(population: Population) -> str:
    return "q_entries" if STATUSES[population] is None else "q_results"


def add_population(b: Builder, population: Population, alias: str = "") -> None:
    statuses = STATUSES[population]
    if statuses is None:
        return
    col = f"{alias}status"
    if len(statuses) == 1:
        b.add(f"{col} = :{b.p('status')}", status=statuses[0])
    else:
        b.add(f"{col} IN :{b.p('statuses')}", statuses=list(statuses))


def add_races(
    b: Builder,
    races: RaceSet | None,
    alias: str = "",
    company: tuple[int, str] | None = None,
    edition_ids: list[int] | None = None,
) -> None:
    if races is not None:
        b.add(f"{alias}race_id IN :{b.p('race_ids')}", race_ids=races.race_ids)
    elif edition_ids is not None:
        b.add(f"{alias}edition_id IN :{b.p('edition_ids')}", edition_ids=edition_ids)


def masters_age(races: RaceSet | None) -> int:
    if races is None or not races.pairs:
        return 40
    ages = {r.masters_min_age for _, r in races.pairs}
    return min(ages)


def add_filters(
    b: Builder, reading: Reading, filters: Sequence[Filter] | None = None, alias: str = "", *, results: bool
) -> None:
    """Each filter as a condition on the view's columns; a time threshold only where results are read."""
    for i, f in enumerate(reading.filters if filters is None else filters):
        key = f"f{i}"
        col = f"{alias}{f.field.value}"
        if f.field == Field.AGE:
            if f.value == "masters":
                b.add(f"{alias}age >= :{b.p(key)}", **{key: masters_age(reading.races)})
            elif f.op == "between":
                b.add(
                    f"{alias}age BETWEEN :{b.p(key + 'a')} AND :{b.p(key + 'b')}",
                    **{key + "a": f.value[0], key + "b": f.value[1]},
                )
            else:
                b.add(f"{alias}age {_op(f.op)} :{b.p(key)}", **{key: f.value})
        elif f.field == Field.STATE and f.value == "event":
            states = _event_states(reading.races)
            if states is None:
                b.add("false")
            else:
                expr = f"{alias}state {'=' if f.op == 'eq' else 'IS DISTINCT FROM'} :{b.p(key)}"
                b.add(expr, **{key: states})
        elif f.field == Field.CITY:
            op = "=" if f.op == "eq" else "IS DISTINCT FROM"
            b.add(f"lower({alias}city) {op} lower(:{b.p(key)})", **{key: f.value})
        elif f.field == Field.CLUB and f.value == "":
            if f.op == "ne":
                b.add(f"{alias}team IS NOT NULL AND {alias}team <> ''")
            else:
                b.add(f"({alias}team IS NULL OR {alias}team = '')")
        elif f.field in (Field.FIRST_NAME, Field.LAST_NAME):
            b.add(f"lower({alias}{f.field.value}) = lower(:{b.p(key)})", **{key: f.value})
        elif f.field == Field.ANY_NAME:
            b.add(
                f"(lower({alias}first_name) = lower(:{b.p(key)}) OR lower({alias}last_name) = "
                f"lower(:{b.p(key)}))",
                **{key: f.value},
            )
        elif f.field in (Field.OVERALL_PLACE, Field.SEX_PLACE):
            if results:
                b.add(f"{alias}{f.field.value} {_op(f.op)} :{b.p(key)}", **{key: f.value})
            else:
                b.add("false")
        elif f.field == Field.PERSON:
            b.add(f"{alias}person_id IN :{b.p(key)}", **{key: list(f.value)})
        elif f.field == Field.TIME:
            if results:
                column = f"{alias}{TIME_COLUMN[reading.basis]}"
                b.add(f"{column} {_op(f.op)} :{b.p(key)}", **{key: f.value})
            else:
                b.add(f"{alias}status = 'FIN'")
        elif f.field == Field.REGISTERED_AT:
            if f.op == "between":
                b.add(
                    f"{alias}registered_at >= CAST(:{b.p(key + 'a')} AS timestamp) AND "
                    f"{alias}registered_at < CAST(:{b.p(key + 'b')} AS timestamp)",
                    **{key + "a": f.value[0].isoformat(), key + "b": f.value[1].isoformat()},
                )
            elif f.op == "in":
                month, year = f.value
                b.add(f"extract(month FROM {alias}registered_at) = :{b.p(key)}", **{key: month})
                if year:
                    b.add(f"extract(year FROM {alias}registered_at) = :{b.p(key + 'y')}", **{key + "y": year})
            else:
                b.add(
                    f"{alias}registered_at {_op(f.op)} CAST(:{b.p(key)} AS timestamp)",
                    **{key: f.value.isoformat()},
                )
        elif f.op == "ne":
            b.add(f"{col} IS DISTINCT FROM :{b.p(key)}", **{key: f.value})
        else:
            b.add(f"{col} {_op(f.op)} :{b.p(key)}", **{key: f.value})
    if reading.person is not None and (filters is None):
        b.add(f"{alias}person_id IN :{b.p('person_ids')}", person_ids=list(reading.person.person_ids))


def add_runner_filters(b: Builder, reading: Reading) -> None:
    """Conditions on the runners (club, place, age, ...) for a view without their columns (awards): the
    entries that match, by id. Sex is the award's own column."""
    others = [f for f in reading.filters if f.field != Field.SEX]
    if not others and reading.person is None:
        return
    inner = Builder(prefix="runner_")
    add_filters(inner, reading, others, results=True)
    if reading.person is not None:
        inner.add("person_id IN :runner_person_ids", person_ids=list(reading.person.person_ids))
    if reading.races is not None:
        inner.add(f"race_id IN :{inner.p('race_ids')}", race_ids=reading.races.race_ids)
    b.params.update(inner.params)
    b.where.append(f"entry_id IN (SELECT entry_id FROM q_results WHERE {inner.sql()})")


def _event_states(races: RaceSet | None) -> str | None:
    if races is None:
        return None
    states = {ed.state for ed, _ in races.pairs}
    if len(states) != 1:
        return None
    return next(iter(states))


def _op(op: str) -> str:
    return {"eq": "=", "ne": "<>", "ge": ">=", "le": "<=", "gt": ">", "lt": "<"}[op]


def dims(reading: Reading, *, per_race: bool) -> list[str]:
    """Columns that split a figure: the year over several editions (unless taken together), the event
    when several are compared, the race when several are covered."""
    races = reading.races
    out: list[str] = []
    if races is None:
        return out
    if len(races.series) > 1 or (
        not races.series and len({ed.series for ed, _ in races.pairs}) > 1 and per_race
    ):
        out.append("event_name")
    if len(races.years) > 1 and not reading.combined:
        out.append("year")
    names = {r.name for _, r in races.pairs}
    if len(names) > 1 and (per_race or len(races.series) <= 1):
        out.append("race_name")
    return out


GROUP_COLUMNS = {
    "year": "year",
    "race": "race_name",
    "event": "event_name",
    "sex": "sex",
    "age_group": "age_group",
    "state": "state",
    "team": "team",
    "city": "city",
    "country": "country",
    "source": "registration_source",
}
