"""Finding people by name and listing the races they entered, within the caller's tenant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from racehub.errors import InvalidInput, NotFound
from racehub.participants import repository
from racehub.participants.schemas import Participant, ParticipantEntry, ParticipantPage
from racehub.timefmt import format_ms

MIN_NAME_CHARS = 2


class PersonNotFound(NotFound):
    pass


def _entry(row: Mapping[Any, Any]) -> ParticipantEntry:
    return ParticipantEntry.model_validate({**row, "time": format_ms(row["time_ms"])})


def _participant(who: Mapping[Any, Any], entries: Sequence[Mapping[Any, Any]]) -> Participant:
    latest = entries[0] if entries else {}
    return Participant(
        person_id=who["person_id"],
        name=f"{who['first_name']} {who['last_name']}",
        first_name=who["first_name"],
        last_name=who["last_name"],
        sex=who["sex"] or latest.get("sex"),
        age=latest.get("age"),
        city=latest.get("city"),
        state=latest.get("state"),
        entries=[_entry(e) for e in entries],
    )


def search(session: Session, name: str, *, limit: int, offset: int) -> ParticipantPage:
    """People whose first or last name starts with each word of `name` (case and accents ignored)."""
    words = repository.fold(name).split()
    if sum(len(w) for w in words) < MIN_NAME_CHARS:
        raise InvalidInput(f"name: give at least {MIN_NAME_CHARS} characters to search for")
    total = repository.count_matches(session, words)
    found = repository.matches(session, words, limit, offset) if offset < total else []
    person_ids = [m["person_id"] for m in found if m["person_id"] is not None]
    entry_ids = [m["entry_id"] for m in found if m["person_id"] is None]
    by_person: dict[int, list[Mapping[Any, Any]]] = {}
    by_entry: dict[int, list[Mapping[Any, Any]]] = {}
    for row in repository.entries(session, person_ids, entry_ids) if found else []:
        if row["person_id"] is not None:
            by_person.setdefault(row["person_id"], []).append(row)
        else:
            by_entry.setdefault(row["entry_id"], []).append(row)
    items = [
        _participant(
            m,
            by_person.get(m["person_id"], [])
            if m["person_id"] is not None
            else by_entry.get(m["entry_id"], []),
        )
        for m in found
    ]
    return ParticipantPage(total=total, limit=limit, offset=offset, items=items)


def person_history(session: Session, person_id: int) -> Participant:
    who = repository.person(session, person_id)
    if who is None:
        raise PersonNotFound(f"person {person_id} not found")
    return _participant(who, repository.entries(session, [person_id]))
