"""HTTP routes of participants: name search and a person's race history."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from racehub.ask.files import FileStore
from racehub.auth.dependencies import OwnerCaller, TenantSession, client_host
from racehub.participants import erasure, service
from racehub.participants.schemas import ErasureOut, Participant, ParticipantPage

router = APIRouter(tags=["participants"])

PersonId = Annotated[int, Path(ge=1, le=2**63 - 1, description="person id")]
EntryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="entry id")]


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


def _files(request: Request) -> FileStore:
    return FileStore(request.app.state.settings)


@router.delete("/persons/{person_id}")
def erase_person(
    request: Request, owner: OwnerCaller, session: TenantSession, person_id: PersonId
) -> ErasureOut:
    """Erase a person (owner only): every entry with its result, splits and awards, the vendors' ids,
    their name, email and phone wherever the tenant's audit log, chats and workflow runs hold them,
    and any download (CSV report) that names them. Others' places and awards stay as published.
    Cannot be undone."""
    actor = owner.actor("api", client_host(request))
    done = erasure.erase(session, actor, person_id=person_id, files=_files(request))
    return ErasureOut.model_validate(asdict(done))


@router.delete("/entries/{entry_id}")
def erase_entry(
    request: Request, owner: OwnerCaller, session: TenantSession, entry_id: EntryId
) -> ErasureOut:
    """Erase one entry (owner only), as for a person; the person goes too when it was their last."""
    actor = owner.actor("api", client_host(request))
    done = erasure.erase(session, actor, entry_id=entry_id, files=_files(request))
    return ErasureOut.model_validate(asdict(done))
