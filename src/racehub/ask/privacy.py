"""Which columns of an answer carry personal data, decided from where each column comes from.

Names prove nothing: generated SQL picks its own aliases (`email AS contact`, `full_name AS runner_name`)
and can hide a value inside an expression (`string_agg(first_name || dob || email, ',')`). So each output
column is traced with sqlglot's lineage back to the columns of the curated views it is made from; it is
personal when any of those is. A count is the one exception (it names nobody, whatever it counts). SQL
that cannot be traced counts as personal: the check fails closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import sqlglot
from sqlglot import exp
from sqlglot.lineage import lineage
from sqlglot.optimizer.qualify import qualify

DIALECT: Final = "postgres"

_ENTRY_COLUMNS: Final = (
    "entry_id race_id edition_id event_name year start_date race_name distance_m person_id bib first_name "
    "last_name full_name sex age dob email phone address1 city state zip country team registered_at "
    "registration_source"
).split()
VIEW_COLUMNS: Final[dict[str, list[str]]] = {
    "q_editions": (
        "edition_id event_name year start_date city state timezone status timing_company "
        "registration_provider results_provider"
    ).split(),
    "q_races": (
        "race_id edition_id event_name year start_date status race_name distance_m start_time "
        "placement_basis overall_award_depth masters_award_depth masters_min_age ag_award_depth "
        "age_group_width exclude_award_winners_from_ag"
    ).split(),
    "q_entries": _ENTRY_COLUMNS,
    "q_results": [
        *_ENTRY_COLUMNS,
        *(
            "status finished gun_ms chip_ms placement_ms overall_place sex_place age_group age_group_place"
        ).split(),
    ],
    "q_splits": (
        "entry_id race_id edition_id event_name year race_name bib first_name last_name sex age split_name "
        "split_distance_m chip_ms"
    ).split(),
    "q_awards": (
        "race_id edition_id event_name year race_name category sex age_group award_place entry_id bib "
        "first_name last_name age placement_ms address1 city state zip country email"
    ).split(),
}
# What identifies a runner or reaches them: names, contact details, birth date, bib.
PERSONAL_SOURCES: Final = frozenset(
    {"first_name", "last_name", "full_name", "email", "phone", "address1", "zip", "dob", "bib"}
)
_SCHEMA: Final[dict[str, object]] = {
    view: dict.fromkeys(columns, "text") for view, columns in VIEW_COLUMNS.items()
}


def personal_columns(sql: str | None, columns: Sequence[str]) -> list[bool]:
    """For each output column of `sql`, whether its values may be personal data (all True when unsure)."""
    unsure = [True] * len(columns)
    if not sql:
        return unsure
    try:
        tree = qualify(sqlglot.parse_one(sql, read=DIALECT), schema=_SCHEMA, dialect=DIALECT)
    except Exception:  # anything sqlglot cannot read or resolve is unsure
        return unsure
    if not isinstance(tree, exp.Query):
        return unsure
    projections = tree.selects
    names = [p.alias_or_name for p in projections]
    if len(projections) != len(columns) or len(set(names)) != len(names):
        return unsure
    flags = []
    for projection, name in zip(projections, names, strict=True):
        if isinstance(projection.unalias(), exp.Count):
            flags.append(False)
            continue
        try:
            flags.append(_from_personal_source(lineage(name, tree, schema=_SCHEMA, dialect=DIALECT)))
        except Exception:
            flags.append(True)
    return flags


def names_people(sql: str | None, columns: Sequence[str]) -> bool:
    """Whether any output column of `sql` may carry personal data."""
    return any(personal_columns(sql, columns)) if columns else False


def _from_personal_source(node: object) -> bool:
    for step in node.walk():  # type: ignore[attr-defined]
        source = step.source
        if isinstance(source, exp.Table):
            view = source.name.lower()
            column = step.name.rsplit(".", 1)[-1].strip('"').lower()
            if view not in VIEW_COLUMNS or column in PERSONAL_SOURCES or column == "*":
                return True
        elif not step.downstream and not isinstance(step.expression, exp.Literal | exp.Count):
            # A leaf that is not a view column: a constant, or something lineage could not follow.
            if step.expression.find(exp.Column) is not None:
                return True
    return False
