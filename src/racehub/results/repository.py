"""All SQL of the results API: a race, its result pages, one result with splits, the award list.

The default page (by overall place) walks `results_race_place_idx (race_id, overall_place)` and stops
after `offset + limit` rows, so it stays fast however many results the tenant keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    RowMapping,
    Select,
    case,
    cast,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import QueryableAttribute, Session

from racehub.models import Award, Edition, Entry, EventSeries, Race, Result, Split


@dataclass(frozen=True)
class ResultFilters:
    sex: str | None = None
    age_group: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class RaceForResults:
    """What a results query needs to know about its race."""

    id: int
    name: str
    event_name: str
    year: int
    placement_basis: str
    distance_m: float | None
    age_group_width: int


def _entry_count() -> ColumnElement[int]:
    return (
        select(func.count())
        .select_from(Entry)
        .where(Entry.race_id == Race.id)
        .correlate(Race)
        .scalar_subquery()
    )


def _finisher_count() -> ColumnElement[int]:
    return (
        select(func.count())
        .select_from(Result)
        .where(Result.race_id == Race.id, Result.status == "FIN")
        .correlate(Race)
        .scalar_subquery()
    )


def race(session: Session, race_id: int) -> RowMapping | None:
    """A race with its edition, rules and counts."""
    query = (
        select(
            Race.id,
            Race.edition_id,
            EventSeries.name.label("event_name"),
            Edition.year,
            Edition.start_date,
            Edition.status.label("edition_status"),
            Race.name,
            Race.distance_m,
            Race.start_time,
            Race.scored_at,
            ((Race.official_at.is_not(None)) | (Edition.status == "completed")).label("official"),
            Race.placement_basis,
            Race.overall_award_depth,
            Race.masters_award_depth,
            Race.masters_min_age,
            Race.ag_award_depth,
            Race.age_group_width,
            Race.exclude_award_winners_from_ag,
            _entry_count().label("entry_count"),
            _finisher_count().label("finisher_count"),
        )
        .join(Edition, Edition.id == Race.edition_id)
        .join(EventSeries, EventSeries.id == Edition.series_id)
        .where(Race.id == race_id)
    )
    return session.execute(query).mappings().one_or_none()


def race_for_results(session: Session, race_id: int) -> RaceForResults | None:
    row = session.execute(
        select(
            Race.id,
            Race.name,
            EventSeries.name,
            Edition.year,
            Race.placement_basis,
            Race.distance_m,
            Race.age_group_width,
        )
        .join(Edition, Edition.id == Race.edition_id)
        .join(EventSeries, EventSeries.id == Edition.series_id)
        .where(Race.id == race_id)
    ).one_or_none()
    return None if row is None else RaceForResults(*row)


def age_group_label(width: int) -> ColumnElement[str | None]:
    """The stored age group of a placed finisher, else the one their age on race day falls in.

    Mirrors racehub.scoring.rules.age_group so non-finishers can be listed and filtered by group too.
    """
    youngest, oldest = (14, 80) if width == 5 else (19, 70)
    low = (Entry.age // width) * width
    derived = case(
        (Entry.age.is_(None), literal(None)),
        (Entry.age <= youngest, literal(f"{youngest} & under")),
        (Entry.age >= oldest, literal(f"{oldest} & over")),
        else_=func.concat(low, "-", low + (width - 1)),
    )
    return func.coalesce(Result.age_group, derived)


def placement_ms(basis: str) -> QueryableAttribute[int | None]:
    return Result.gun_ms if basis == "gun" else Result.chip_ms


_STATUS_RANK = case({"FIN": 0, "DQ": 1, "DNF": 2, "DNS": 3}, value=Result.status, else_=4)
_SEX_RANK = case({"F": 0, "M": 1}, value=Entry.sex, else_=2)


OrderKey = ColumnElement[Any] | QueryableAttribute[Any]


def _order(sort: str, race: RaceForResults, filters: ResultFilters) -> list[OrderKey]:
    time_ms = placement_ms(race.placement_basis)
    if sort == "sex_place" and filters.sex is None:
        # F1, M1, X1, F2, ...; then non-finishers as in the overall order.
        return [
            Result.sex_place.asc().nulls_last(),
            _STATUS_RANK,
            _SEX_RANK,
            Result.overall_place.asc().nulls_last(),
            time_ms.asc().nulls_last(),
            Result.entry_id,
        ]
    if sort == "name":
        return [func.lower(Entry.last_name), func.lower(Entry.first_name), Result.entry_id]
    if sort == "bib":
        numeric = case((Entry.bib.regexp_match("^[0-9]{1,18}$"), cast(Entry.bib, BigInteger)))
        return [numeric.asc().nulls_last(), Entry.bib.asc().nulls_last(), Result.entry_id]
    # Overall place; non-finishers after every finisher (DQ, then DNF, then DNS). Within one sex this
    # is also sex-place order, and it walks results_race_place_idx.
    return [
        Result.overall_place.asc().nulls_last(),
        _STATUS_RANK,
        time_ms.asc().nulls_last(),
        Result.entry_id,
    ]


def _conditions(race: RaceForResults, filters: ResultFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Result.race_id == race.id]
    if filters.status is not None:
        conditions.append(Result.status == filters.status)
    if filters.sex is not None:
        conditions.append(Entry.sex == filters.sex)
    if filters.age_group is not None:
        conditions.append(age_group_label(race.age_group_width) == filters.age_group)
    return conditions


def count_results(session: Session, race: RaceForResults, filters: ResultFilters) -> int:
    query = select(func.count()).select_from(Result).where(*_conditions(race, filters))
    if filters.sex is not None or filters.age_group is not None:
        # The race condition on entries is redundant (an entry's race is its result's race) but lets
        # the planner read the race's entries by index rather than probe one entry per result.
        query = query.join(Entry, Entry.id == Result.entry_id).where(Entry.race_id == race.id)
    return int(session.execute(query).scalar_one())


def _result_select(race: RaceForResults) -> Select[*tuple[Any, ...]]:
    return select(
        Result.entry_id,
        Entry.bib,
        Entry.first_name,
        Entry.last_name,
        Entry.sex,
        Entry.age,
        age_group_label(race.age_group_width).label("age_group"),
        Entry.city,
        Entry.state,
        Entry.team,
        Result.status,
        Result.gun_ms,
        Result.chip_ms,
        Result.overall_place,
        Result.sex_place,
        Result.age_group_place,
    ).join(Entry, Entry.id == Result.entry_id)


def results_page_query(
    race: RaceForResults, filters: ResultFilters, sort: str, limit: int, offset: int
) -> Select[*tuple[Any, ...]]:
    """The statement behind a results page (public so its plan can be checked)."""
    return (
        _result_select(race)
        .where(*_conditions(race, filters))
        .order_by(*_order(sort, race, filters))
        .limit(limit)
        .offset(offset)
    )


def results_page(
    session: Session, race: RaceForResults, filters: ResultFilters, sort: str, limit: int, offset: int
) -> Sequence[RowMapping]:
    return session.execute(results_page_query(race, filters, sort, limit, offset)).mappings().all()


def result(session: Session, race: RaceForResults, entry_id: int) -> RowMapping | None:
    query = _result_select(race).where(Result.race_id == race.id, Result.entry_id == entry_id)
    return session.execute(query).mappings().one_or_none()


def splits(session: Session, entry_id: int) -> Sequence[RowMapping]:
    query = (
        select(Split.name, Split.distance_m, Split.chip_ms)
        .where(Split.entry_id == entry_id)
        .order_by(Split.distance_m.asc().nulls_last(), Split.chip_ms, Split.name)
    )
    return session.execute(query).mappings().all()


def awards(session: Session, race: RaceForResults) -> Sequence[RowMapping]:
    """The stored award list, in no particular order (the service orders it)."""
    query = (
        select(
            Award.category,
            Award.sex,
            Award.age_group,
            Award.award_place,
            Award.entry_id,
            Entry.bib,
            Entry.first_name,
            Entry.last_name,
            Entry.age,
            placement_ms(race.placement_basis).label("time_ms"),
        )
        .join(Entry, Entry.id == Award.entry_id)
        .join(Result, Result.entry_id == Award.entry_id)
        .where(Award.race_id == race.id)
    )
    return session.execute(query).mappings().all()


def update_result(session: Session, entry_id: int, values: dict[str, Any]) -> bool:
    """Change a result's status and times (only `values`' keys); False when there is no such result."""
    if not values:
        return session.get(Result, entry_id) is not None
    found = session.execute(
        update(Result).where(Result.entry_id == entry_id).values(**values).returning(Result.entry_id)
    ).first()
    return found is not None


def update_bib(session: Session, entry_id: int, bib: str) -> None:
    session.execute(update(Entry).where(Entry.id == entry_id).values(bib=bib))
