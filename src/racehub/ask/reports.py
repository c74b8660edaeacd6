"""Report files over any population and filters: award winners, finishers, registrations, DNS lists,
results; with mailing addresses (street, city, state, zip, country) when asked."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from racehub.ask.compile.common import (
    AGE_GROUP_ORDER,
    Builder,
    add_filters,
    add_population,
    add_races,
    add_runner_filters,
)
from racehub.ask.explain import POPULATION_WORDS, races_phrase
from racehub.ask.reading import Field, Population, Reading

ADDRESS = "address1 AS address, city, state, zip, country"
SEX_ORDER = "CASE sex WHEN 'F' THEN 0 WHEN 'M' THEN 1 ELSE 2 END"
POPULATION_OF_REPORT = {
    "registrations": Population.REGISTERED,
    "finishers": Population.FINISHERS,
    "dns": Population.DNS,
    "dnf": Population.DNF,
    "dq": Population.DQ,
    "starters": Population.STARTERS,
    "non_finishers": Population.NON_FINISHERS,
    "results": None,
    "age_groups": Population.FINISHERS,
}
TITLES = {
    "awards": "award winners",
    "registrations": "registrations",
    "finishers": "finishers",
    "dns": "non-starters (DNS)",
    "dnf": "non-finishers (DNF)",
    "dq": "disqualified runners (DQ)",
    "starters": "starters",
    "non_finishers": "runners without a finish",
    "results": "results",
    "age_groups": "finishers by age group",
}


@dataclass(frozen=True)
class ReportQuery:
    sql: str
    params: dict[str, Any]
    file_stem: str
    title: str


def report_query(reading: Reading) -> ReportQuery:
    assert reading.report is not None
    kind = reading.report
    b = Builder()
    add_races(b, reading.races)
    contact = "contact" in reading.columns
    if kind == "awards":
        spec = reading.awards
        if spec is not None and spec.category:
            b.add("category = :category", category=spec.category)
        if spec is not None and spec.age_group:
            b.add("age_group = :age_group", age_group=spec.age_group)
        sex = reading.filter_of(Field.SEX)
        if sex is not None:
            b.add("sex = :sex", sex=sex.value)
        add_runner_filters(b, reading)
        extra = ", email" if contact else ""
        sql = (
            "SELECT CASE category WHEN 'overall' THEN 'Overall' WHEN 'masters' THEN 'Masters' ELSE "
            "age_group END "
            "AS category, sex, award_place AS place, bib, first_name, last_name, placement_ms AS time_ms, "
            f"{ADDRESS}{extra}, race_name, year FROM q_awards WHERE {b.sql()} "
            f"ORDER BY year, race_name, {SEX_ORDER}, CASE category WHEN 'overall' THEN 0 WHEN "
            "'masters' THEN 1 "
            f"ELSE 2 END, {AGE_GROUP_ORDER}, award_place, last_name"
        )
    elif kind == "registrations":
        add_filters(b, reading, results=False)
        address = f"{ADDRESS}, " if reading.addresses else "city, state, "
        extra = "email, phone, " if contact else ""
        sql = (
            f"SELECT year, race_name, bib, first_name, last_name, sex, age, {address}{extra}team, "
            "registered_at, "
            f"registration_source FROM q_entries WHERE {b.sql()} ORDER BY year, race_name, "
            "last_name, first_name"
        )
    elif kind == "age_groups":
        add_population(b, Population.FINISHERS)
        add_filters(b, reading, results=True)
        address = f"{ADDRESS}, " if reading.addresses else "city, state, "
        sql = (
            "SELECT year, race_name, sex, age_group, age_group_place, bib, first_name, last_name, age, "
            f"{address}placement_ms AS time_ms FROM q_results WHERE {b.sql()} "
            f"ORDER BY year, race_name, {SEX_ORDER}, {AGE_GROUP_ORDER}, age_group_place"
        )
    else:
        population = POPULATION_OF_REPORT.get(kind)
        if population is not None:
            add_population(b, population)
        add_filters(b, reading, results=True)
        address = f"{ADDRESS}, " if reading.addresses else "city, state, "
        extra = "email, phone, " if contact else ""
        sql = (
            "SELECT year, race_name, overall_place AS place, bib, first_name, last_name, sex, age, "
            "age_group, "
            f"{address}{extra}team, status, placement_ms AS time_ms, gun_ms AS gun_time_ms, chip_ms "
            "AS chip_time_ms, "
            f"sex_place, age_group_place FROM q_results WHERE {b.sql()} "
            "ORDER BY year, race_name, overall_place NULLS LAST, status, last_name"
        )
    title = TITLES[kind]
    if reading.awards is not None and reading.awards.category and kind == "awards":
        title = f"{reading.awards.category.replace('_', '-')} award winners"
    scope = races_phrase(reading.races).removeprefix("the ")
    scope = re.sub(r"\s*\((?:the latest|the next) edition\)", "", scope)
    filters = "-".join(f.words for f in reading.filters if f.field != Field.PERSON)
    stem = re.sub(r"[^a-z0-9]+", "-", f"{scope} {title} {filters}".lower()).strip("-")[:100] + ".csv"
    if reading.addresses:
        title += " with mailing addresses"
    return ReportQuery(" ".join(sql.split()), b.params, stem, title)


def to_csv(columns: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (=, +, -, @, tab or CR first)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def summary(columns: list[str], rows: list[list[Any]], report: str) -> tuple[list[str], list[list[Any]]]:
    """A small table that describes the file: rows per race and category or sex."""
    i = {c: k for k, c in enumerate(columns)}
    counts: dict[tuple[Any, ...], int] = {}
    for r in rows:
        key: tuple[Any, ...]
        if report == "awards":
            category = r[i["category"]]
            key = (
                r[i["race_name"]],
                r[i["sex"]],
                category if category in ("Overall", "Masters") else "Age groups",
            )
        elif "sex" in i:
            key = (r[i["race_name"]], r[i["sex"]])
        else:
            key = (r[i["race_name"]],)
        counts[key] = counts.get(key, 0) + 1
    head = ["race", "sex", "category"] if report == "awards" else ["race", "sex"] if "sex" in i else ["race"]
    return [*head, "rows"], [[*k, v] for k, v in counts.items()]


def population_words(reading: Reading) -> str:
    return POPULATION_WORDS[reading.population]
