"""What the participants API returns (no contact details, no dates of birth)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from racehub.schemas import Page


class ParticipantEntry(BaseModel):
    """One race a participant entered, with their result when there is one."""

    entry_id: int
    edition_id: int
    event_name: str
    year: int
    start_date: date
    race_id: int
    race_name: str
    distance_m: float | None
    bib: str | None
    age: int | None
    status: Literal["FIN", "DNF", "DNS", "DQ"] | None  # None: registered, no result (yet)
    time_ms: int | None  # placement time (gun or chip, by the race's rules)
    time: str | None
    overall_place: int | None
    sex_place: int | None
    age_group: str | None
    age_group_place: int | None


class Participant(BaseModel):
    """A person (or an entry not linked to a person) and the races they entered, newest first."""

    person_id: int | None
    name: str
    first_name: str
    last_name: str
    sex: Literal["M", "F", "X"] | None
    age: int | None  # at their latest entry
    city: str | None
    state: str | None
    entries: list[ParticipantEntry]


class ParticipantPage(Page[Participant]):
    """Participants whose name matches, a page at a time."""


class ErasureOut(BaseModel):
    """What an erasure removed and redacted: ids and counts, nothing of the person."""

    person_id: int | None
    entry_ids: list[int]
    race_ids: list[int]  # races that lost an entry; their places stand until rescored
    removed: dict[str, int]  # rows deleted per table
    redacted: dict[str, int]  # rows whose text named the person, per table
