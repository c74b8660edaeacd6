"""Erasing a participant: their rows gone, and what their name left behind redacted.

A person (every race they entered) or one entry is erased in the caller's transaction, so either all
of it happens or none: the entries with their results, splits and awards, the person, the vendors' ids
of them (external_refs), and the text that named them in the tenant's audit log, chat conversations,
pending login questions and workflow runs. Other participants are untouched: their places and
awards stay as they were published (the erased runner leaves a gap; `racehub score` re-places a race
when its director wants that).

What sources know their entries by is kept as digests in `erased_keys` (a vendor's id of an entry, the
bundle's participant id, their name in the race), so that imports and syncs leave those entries out
rather than bring them back. A registration for a later race is new data and comes in.

Text is redacted where it holds the person's full name ("Ann Lee", "Lee, Ann"), email or phone, and in
an audit row that holds one of those, their first and last name alone too (SQL that searched the two
apart). The pattern is built in SQL (`racehub_erasure_pattern`, migration 0050) from literal values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import RowMapping
from sqlalchemy.orm import Session

from racehub.ask.files import FileStore
from racehub.audit.service import Actor, record_erasure
from racehub.errors import NotFound
from racehub.participants import erasure_repository as repository
from racehub.participants.repository import entries as race_history
from racehub.participants.repository import fold


class NothingToErase(NotFound):
    pass


@dataclass
class Erasure:
    """What an erasure removed and redacted (counts only: nothing of the person is kept)."""

    person_id: int | None
    entry_ids: list[int]
    race_ids: list[int]
    removed: dict[str, int] = field(default_factory=dict)
    redacted: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Needles:
    """How text may name the person: full identifiers, name parts, and (first, last) pairs."""

    full: list[str]
    parts: list[str]
    names: list[tuple[str, str]]


def _needles(entries: Sequence[RowMapping], person: RowMapping | None) -> Needles:
    names = {(e["first_name"], e["last_name"]) for e in entries}
    if person is not None:
        names.add((person["first_name"], person["last_name"]))
    # Also as search folds them (no accents): the way SQL of a name search may hold them.
    names |= {(fold(first), fold(last)) for first, last in names}
    full = {v for e in entries for v in (e["email"], e["phone"]) if v}
    for first, last in names:
        full |= {f"{first} {last}", f"{last}, {first}", f"{last} {first}"}
    return Needles(sorted(full), sorted({part for pair in names for part in pair}), sorted(names))


def label(*, person_id: int | None, entry_id: int | None) -> str:
    """What an erasure names: "person 12" or "entry 34" (never a name)."""
    return f"person {person_id}" if person_id is not None else f"entry {entry_id}"


def preview(session: Session, *, person_id: int | None, entry_id: int | None) -> tuple[str, list[str]]:
    """Who an erasure would remove and the races they entered, newest first (for a confirmation);
    NotFound when the tenant has no such person or entry."""
    people = [person_id] if person_id is not None else []
    rows = race_history(session, people, [entry_id] if entry_id is not None else [])
    if rows:
        return f"{rows[0]['first_name']} {rows[0]['last_name']}", [
            f"{r['event_name']} {r['year']} {r['race_name']}" for r in rows
        ]
    person = repository.person(session, person_id) if person_id is not None else None
    if person is None:
        raise NothingToErase(f"{label(person_id=person_id, entry_id=entry_id)} not found")
    return f"{person['first_name']} {person['last_name']}", []


def erase(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    entry_id: int | None = None,
    files: FileStore | None = None,
) -> Erasure:
    """Erase a person (every entry of theirs) or one entry, in the caller's transaction; the person of
    an erased entry goes too when it was their last. NotFound when the caller's tenant has neither."""
    if (person_id is None) == (entry_id is None):
        raise ValueError("give a person or an entry")
    entries = repository.entries(session, person_id=person_id, entry_id=entry_id)
    if person_id is not None:
        person = repository.person(session, person_id)
        if person is None:
            raise NothingToErase(f"person {person_id} not found")
        org_id = int(person["org_id"])
    else:
        if not entries:
            raise NothingToErase(f"entry {entry_id} not found")
        linked = entries[0]["person_id"]
        person = None if linked is None else repository.person(session, int(linked))
        org_id = int(entries[0]["org_id"])
    entry_ids = [int(e["id"]) for e in entries]
    needles = _needles(entries, person)

    erasure = Erasure(person_id, entry_ids, sorted({int(e["race_id"]) for e in entries}))
    people = [] if person is None else [int(person["id"])]
    # Gone entirely: a person erased, an entry of nobody, or a person's last entry.
    gone = person_id is not None or not people or not repository.other_entries(session, people[0], entry_ids)
    repository.remember(session, org_id, entry_ids)
    # Go with their entries: their race data, who followed them, the notifications that named them, and
    # the rows of alarms they raised.
    counted = ("results", "splits", "awards", "follows", "push_messages", "alarm_rows")
    erasure.removed = {t: repository.count_rows(session, t, entry_ids) for t in counted}
    erasure.removed |= repository.delete_rows(session, entry_ids, people)
    if gone:
        # (An entry erased while its person keeps other races: text naming them names someone still
        # there, and stays.)
        erasure.redacted = repository.redact(session, org_id, needles.full, needles.parts)
        if files is not None:  # reports made in the last minutes (older ones are deleted anyway)
            erasure.redacted["files"] = files.forget(needles.full, needles.names)
    record_erasure(
        session,
        actor,
        org_id=org_id,
        what=label(person_id=person_id, entry_id=entry_id),
        removed=erasure.removed,
        redacted=erasure.redacted,
    )
    return erasure
