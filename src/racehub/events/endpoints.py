"""HTTP routes of event editions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from racehub.auth.dependencies import TenantSession
from racehub.events import service
from racehub.events.repository import EditionFilters
from racehub.events.schemas import EditionStatus, EventEditionDetail, EventPage, RaceSummary

router = APIRouter(prefix="/events", tags=["events"])

EditionId = Annotated[int, Path(ge=1, le=2**63 - 1, description="edition id")]


@router.get("")
def list_events(
    session: TenantSession,
    name: Annotated[str | None, Query(min_length=1, max_length=200, description="part of the event name")] = (
        None
    ),
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    status: EditionStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> EventPage:
    """Event editions of your timing company, newest first, with race and entry counts."""
    filters = EditionFilters(name=name.strip() if name else None, year=year, status=status)
    return service.list_editions(session, filters, limit=limit, offset=offset)


@router.get("/{edition_id}")
def get_event(session: TenantSession, edition_id: EditionId) -> EventEditionDetail:
    """One event edition with its races."""
    return service.edition_detail(session, edition_id)


@router.get("/{edition_id}/races")
def list_event_races(session: TenantSession, edition_id: EditionId) -> list[RaceSummary]:
    """The races of one event edition."""
    return service.races_of_edition(session, edition_id)
