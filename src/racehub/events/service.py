"""Event editions of the caller's tenant (row-level security limits every query to it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from racehub.errors import EventNotFound
from racehub.events import repository
from racehub.events.repository import EditionFilters
from racehub.events.schemas import EventEdition, EventEditionDetail, EventPage, RaceSummary


def list_editions(session: Session, filters: EditionFilters, *, limit: int, offset: int) -> EventPage:
    total = repository.count_editions(session, filters)
    rows = repository.list_editions(session, filters, limit, offset) if offset < total else []
    return EventPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[EventEdition.model_validate(dict(row)) for row in rows],
    )


def edition_detail(session: Session, edition_id: int) -> EventEditionDetail:
    row = repository.edition(session, edition_id)
    if row is None:
        raise EventNotFound(f"event edition {edition_id} not found")
    races = [RaceSummary.model_validate(dict(r)) for r in repository.races_of_edition(session, edition_id)]
    return EventEditionDetail.model_validate({**row, "races": races})


def races_of_edition(session: Session, edition_id: int) -> list[RaceSummary]:
    if not repository.edition_exists(session, edition_id):
        raise EventNotFound(f"event edition {edition_id} not found")
    return [RaceSummary.model_validate(dict(r)) for r in repository.races_of_edition(session, edition_id)]
