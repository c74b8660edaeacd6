"""What the events API returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from racehub.schemas import Page

EditionStatus = Literal["upcoming", "completed", "cancelled"]


class RaceSummary(BaseModel):
    """One race of an edition (Marathon, 5K, ...)."""

    id: int
    edition_id: int
    name: str
    distance_m: float | None
    start_time: datetime | None
    placement_basis: Literal["gun", "chip"]
    entry_count: int
    finisher_count: int
    scored_at: datetime | None


class EventEdition(BaseModel):
    """One yearly edition of a recurring event."""

    id: int
    event_name: str
    year: int
    start_date: date
    city: str | None
    state: str | None
    status: EditionStatus
    race_count: int
    entry_count: int


class EventEditionDetail(EventEdition):
    timezone: str
    races: list[RaceSummary]


class EventPage(Page[EventEdition]):
    """Event editions, a page at a time."""
