"""Results, splits and awards of a race in the caller's tenant, and scoring on demand."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from racehub.errors import InvalidInput, NotFound, RaceNotFound
from racehub.results import repository
from racehub.results.repository import RaceForResults, ResultFilters
from racehub.results.schemas import (
    AwardList,
    AwardWinner,
    RaceDetail,
    RaceRules,
    ResultDetail,
    ResultEdit,
    ResultPage,
    ResultRow,
    ScoreReport,
    SplitTime,
)
from racehub.scoring.rules import CATEGORY_ORDER, SEX_ORDER, age_group_sort_key
from racehub.scoring.service import score_race
from racehub.timefmt import format_ms, format_pace, parse_time_ms

RULE_FIELDS = tuple(RaceRules.model_fields)


class ResultNotFound(NotFound):
    pass


def _race(session: Session, race_id: int) -> RaceForResults:
    race = repository.race_for_results(session, race_id)
    if race is None:
        raise RaceNotFound(f"race {race_id} not found")
    return race


def race_detail(session: Session, race_id: int) -> RaceDetail:
    row = repository.race(session, race_id)
    if row is None:
        raise RaceNotFound(f"race {race_id} not found")
    rules = RaceRules.model_validate({k: row[k] for k in RULE_FIELDS})
    return RaceDetail.model_validate({**row, "rules": rules})


def _result_fields(row: Mapping[Any, Any], race: RaceForResults) -> dict[str, Any]:
    # Pace follows the runner's own (chip) time, as results pages print it.
    pace_ms = row["chip_ms"] if row["chip_ms"] is not None else row["gun_ms"]
    return {
        **row,
        "name": f"{row['first_name']} {row['last_name']}",
        "gun_time": format_ms(row["gun_ms"]),
        "chip_time": format_ms(row["chip_ms"]),
        "pace_per_mile": format_pace(pace_ms, race.distance_m) if row["status"] == "FIN" else None,
    }


def results_page(
    session: Session, race_id: int, filters: ResultFilters, *, sort: str, limit: int, offset: int
) -> ResultPage:
    race = _race(session, race_id)
    total = repository.count_results(session, race, filters)
    rows = repository.results_page(session, race, filters, sort, limit, offset) if offset < total else []
    items = [ResultRow.model_validate(_result_fields(row, race)) for row in rows]
    return ResultPage(race_id=race_id, total=total, limit=limit, offset=offset, items=items)


def result_detail(session: Session, race_id: int, entry_id: int) -> ResultDetail:
    race = _race(session, race_id)
    row = repository.result(session, race, entry_id)
    if row is None:
        raise ResultNotFound(f"no result for entry {entry_id} in race {race_id}")
    splits = [
        SplitTime(
            name=s["name"],
            distance_m=s["distance_m"],
            chip_ms=s["chip_ms"],
            chip_time=format_ms(s["chip_ms"]),
            pace_per_mile=format_pace(s["chip_ms"], s["distance_m"]),
        )
        for s in repository.splits(session, entry_id)
    ]
    return ResultDetail.model_validate(
        {
            **_result_fields(row, race),
            "race_id": race_id,
            "race_name": race.name,
            "event_name": race.event_name,
            "year": race.year,
            "placement_basis": race.placement_basis,
            "splits": splits,
        }
    )


def award_list(session: Session, race_id: int) -> AwardList:
    """Per sex (F, M, X): overall, then masters, then age groups from youngest, each by award place."""
    race = _race(session, race_id)
    rows = sorted(
        repository.awards(session, race),
        key=lambda a: (
            SEX_ORDER.get(a["sex"], 9),
            CATEGORY_ORDER[a["category"]],
            age_group_sort_key(a["age_group"]) if a["category"] == "age_group" else 0,
            a["award_place"],
            a["entry_id"],
        ),
    )
    winners = [
        AwardWinner.model_validate(
            {**a, "name": f"{a['first_name']} {a['last_name']}", "time": format_ms(a["time_ms"])}
        )
        for a in rows
    ]
    return AwardList(race_id=race_id, total=len(winners), awards=winners)


def score(session: Session, race_id: int) -> ScoreReport:
    """Recompute places and awards of a race (row-level security hides other tenants' races)."""
    outcome = score_race(session, race_id)
    return ScoreReport(
        race_id=outcome.race_id,
        finishers=outcome.finishers,
        awards=outcome.awards,
        changed_rows=outcome.changed_rows,
    )


def _time_field(edit: ResultEdit, name: str) -> int | None:
    value = getattr(edit, name)
    if value is None:
        return None
    try:
        return parse_time_ms(value)
    except ValueError as exc:
        raise InvalidInput(f"{name}: {exc}") from None


def edit_result(session: Session, race_id: int, entry_id: int, edit: ResultEdit) -> ResultDetail:
    """Correct one result (status, times, bib), then re-place the race: places and awards follow, and the
    live stream carries the change."""
    race = _race(session, race_id)
    current = repository.result(session, race, entry_id)
    if current is None:
        raise ResultNotFound(f"no result for entry {entry_id} in race {race_id}")
    given = edit.model_fields_set
    values: dict[str, Any] = {}
    if "status" in given:
        if edit.status is None:
            raise InvalidInput("status: give FIN, DNF, DNS or DQ")
        values["status"] = edit.status
    for name, column in (("gun_time", "gun_ms"), ("chip_time", "chip_ms")):
        if name in given:
            values[column] = _time_field(edit, name)
    status = values.get("status", current["status"])
    gun = values.get("gun_ms", current["gun_ms"])
    chip = values.get("chip_ms", current["chip_ms"])
    if status == "FIN" and gun is None and chip is None:
        raise InvalidInput("a finisher needs a gun or chip time")
    repository.update_result(session, entry_id, values)
    if "bib" in given:
        if edit.bib is None or not edit.bib.strip():
            raise InvalidInput("bib: give the bib, or leave it out")
        repository.update_bib(session, entry_id, edit.bib.strip())
    score_race(session, race_id)
    return result_detail(session, race_id, entry_id)
