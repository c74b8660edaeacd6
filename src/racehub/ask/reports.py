"""Report files: award winners with mailing addresses, race results, finishers by age group, entries."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from racehub.ask.compile.common import AGE_GROUP_ORDER, Builder, describe_scope, scope_races
from racehub.ask.intent import Intent

AWARDS_SQL = """
SELECT CASE category WHEN 'overall' THEN 'Overall' WHEN 'masters' THEN 'Masters' ELSE age_group END
       AS category,
       sex, award_place AS place, bib, first_name, last_name, placement_ms AS time_ms,
       address1 AS address, city, state, zip, race_name, year
FROM q_awards WHERE {where}
ORDER BY year, race_name, CASE sex WHEN 'F' THEN 0 WHEN 'M' THEN 1 ELSE 2 END,
         CASE category WHEN 'overall' THEN 0 WHEN 'masters' THEN 1 ELSE 2 END,
         {age_order},
         award_place, last_name
"""

RESULTS_SQL = """
SELECT year, race_name, overall_place AS place, bib, first_name, last_name, sex, age, age_group, city, state,
       team, status, gun_ms AS gun_time_ms, chip_ms AS chip_time_ms, sex_place, age_group_place
FROM q_results WHERE {where}
ORDER BY year, race_name, overall_place NULLS LAST, status, last_name
"""

AGE_GROUPS_SQL = """
SELECT year, race_name, sex, age_group, age_group_place, bib, first_name, last_name, age, city, state,
       placement_ms AS time_ms
FROM q_results WHERE {where} AND status = 'FIN'
ORDER BY year, race_name, CASE sex WHEN 'F' THEN 0 WHEN 'M' THEN 1 ELSE 2 END,
         {age_order},
         age_group_place
"""

REGISTRATIONS_SQL = """
SELECT year, race_name, bib, first_name, last_name, sex, age, email, phone, address1 AS address, city, state,
       zip, team, registered_at, registration_source
FROM q_entries WHERE {where}
ORDER BY year, race_name, last_name, first_name
"""

REPORTS = {
    "awards": (AWARDS_SQL, "award-winners", "award winners with mailing addresses"),
    "results": (RESULTS_SQL, "results", "results"),
    "age_groups": (AGE_GROUPS_SQL, "finishers-by-age-group", "finishers by age group"),
    "registrations": (REGISTRATIONS_SQL, "registrations", "registrations"),
}


@dataclass(frozen=True)
class ReportQuery:
    sql: str
    params: dict[str, Any]
    file_stem: str
    title: str


def report_query(intent: Intent) -> ReportQuery:
    assert intent.report is not None
    assert intent.scope is not None
    template, stem, title = REPORTS[intent.report]
    b = Builder()
    b.add("race_id IN :race_ids", race_ids=scope_races(intent, prefer_namesake=False) or [])
    if intent.sex:
        b.add("sex = :sex", sex=intent.sex)
    if intent.state and intent.report != "awards":
        b.add("state = :state", state=intent.state)
    scope = describe_scope(intent).removeprefix("the ").strip()
    name = re.sub(r"[^a-z0-9]+", "-", f"{scope} {stem}".lower()).strip("-")[:100] + ".csv"
    sql = template.format(where=b.sql(), age_order=AGE_GROUP_ORDER)
    return ReportQuery(" ".join(sql.split()), b.params, name, title)


def to_csv(columns: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


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
