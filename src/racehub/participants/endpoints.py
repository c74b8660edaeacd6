"""HTTP routes of participants: name search and a person's race history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from racehub.auth.dependencies import TenantSession
from racehub.participants import service
from racehub.participants.schemas import Participant, ParticipantPage

router = APIRouter(tags=["participants"])

PersonId = Annotated[int, Path(ge=1, le=2**63 - 1, description="person id")]


@router.get("/participants")
def search_participants(
    session: TenantSession,
    name: Annotated[str, Query(min_length=2, max_length=100, description="part of a name, 2+ characters")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ParticipantPage:
    """People by name, each word the start of a first or last name (any case, any accents), with races."""
    return service.search(session, name, limit=limit, offset=offset)


@router.get("/persons/{person_id}")
def get_person(session: TenantSession, person_id: PersonId) -> Participant:
    """A person's race history, newest first."""
    return service.person_history(session, person_id)
