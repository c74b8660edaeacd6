"""All SQL of the events API: editions with their counts, and the races of an edition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, func, select
from sqlalchemy.orm import Session

from racehub.models import Edition, Entry, EventSeries, Race, Result


@dataclass(frozen=True)
class EditionFilters:
    name: str | None = None
    year: int | None = None
    status: str | None = None


def _like_pattern(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: EditionFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.name:
        conditions.append(EventSeries.name.ilike(_like_pattern(filters.name), escape="\\"))
    if filters.year is not None:
        conditions.append(Edition.year == filters.year)
    if filters.status is not None:
        conditions.append(Edition.status == filters.status)
    return conditions


def _edition_select() -> Select[tuple[Any, ...]]:
    race_count = (
        select(func.count())
        .select_from(Race)
        .where(Race.edition_id == Edition.id)
        .correlate(Edition)
        .scalar_subquery()
    )
    entry_count = (
        select(func.count())
        .select_from(Entry)
        .join(Race, Race.id == Entry.race_id)
        .where(Race.edition_id == Edition.id)
        .correlate(Edition)
        .scalar_subquery()
    )
    return select(
        Edition.id,
        EventSeries.name.label("event_name"),
        Edition.year,
        Edition.start_date,
        Edition.city,
        Edition.state,
        Edition.status,
        Edition.timezone,
        race_count.label("race_count"),
        entry_count.label("entry_count"),
    ).join(EventSeries, EventSeries.id == Edition.series_id)


def count_editions(session: Session, filters: EditionFilters) -> int:
    query = (
        select(func.count())
        .select_from(Edition)
        .join(EventSeries, EventSeries.id == Edition.series_id)
        .where(*_conditions(filters))
    )
    return int(session.execute(query).scalar_one())


def list_editions(session: Session, filters: EditionFilters, limit: int, offset: int) -> Sequence[RowMapping]:
    """A page of editions, newest first."""
    query = (
        _edition_select()
        .where(*_conditions(filters))
        .order_by(Edition.start_date.desc(), EventSeries.name, Edition.id)
        .limit(limit)
        .offset(offset)
    )
    return session.execute(query).mappings().all()


def edition(session: Session, edition_id: int) -> RowMapping | None:
    return session.execute(_edition_select().where(Edition.id == edition_id)).mappings().one_or_none()


def edition_exists(session: Session, edition_id: int) -> bool:
    return session.execute(select(Edition.id).where(Edition.id == edition_id)).first() is not None


def races_of_edition(session: Session, edition_id: int) -> Sequence[RowMapping]:
    entry_count = (
        select(func.count())
        .select_from(Entry)
        .where(Entry.race_id == Race.id)
        .correlate(Race)
        .scalar_subquery()
    )
    finisher_count = (
        select(func.count())
        .select_from(Result)
        .where(Result.race_id == Race.id, Result.status == "FIN")
        .correlate(Race)
        .scalar_subquery()
    )
    query = (
        select(
            Race.id,
            Race.edition_id,
            Race.name,
            Race.distance_m,
            Race.start_time,
            Race.placement_basis,
            Race.scored_at,
            entry_count.label("entry_count"),
            finisher_count.label("finisher_count"),
        )
        .where(Race.edition_id == edition_id)
        .order_by(Race.distance_m.desc().nulls_last(), Race.name, Race.id)
    )
    return session.execute(query).mappings().all()
