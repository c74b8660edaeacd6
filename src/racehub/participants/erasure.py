"""Erasing a participant: their rows gone, and what their name left behind redacted.

A person (every race they entered) or one entry is erased in the caller's transaction, so either all
of it happens or none: the entries with their results, splits and awards, the person, the vendors' ids
of them (external_refs), and the text that named them in the tenant's audit log, chat conversations,
pending login questions and workflow runs. Other participants are untouched: their places and
awards stay as they were published (the erased runner leaves a gap; `racehub score` re-places a race
when its director wants that).

What sources know them by is kept as digests in `erased_keys` (a vendor's id of an entry, the bundle's
participant id, name and date of birth, name in a race), so that imports and syncs leave them out
rather than bring them back.

Text is redacted where it holds the person's full name ("Ann Lee", "Lee, Ann"), email or phone, and in
an audit row that holds one of those, their first and last name alone too (SQL that searched the two
apart). The pattern is built in SQL (`racehub_erasure_pattern`, migration 0050) from literal values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from racehub.audit.service import Actor, record_erasure
from racehub.errors import NotFound
from racehub.participants.repository import fold

ERASED = "[erased]"


# What keeps an erased participant out of later imports and syncs (migration 0050, `erased_keys`): each
# key is a digest of what a source knows them by, built by the same SQL wherever rows come in.
def _key(kind: str, *parts: str) -> str:
    return f"racehub_erasure_key('{kind}', {', '.join(f'CAST({part} AS text)' for part in parts)})"


def ref_key(provider: str, external_id: str) -> str:
    """A vendor's id of an entry."""
    return _key("entry-ref", provider, external_id)


def legacy_key(participant_id: str) -> str:
    """The legacy bundle's participant id."""
    return _key("legacy", participant_id)


def person_key(first: str, last: str, dob: str) -> str:
    """A person's identity: names in any case and the date of birth (as `persons` keys them)."""
    return _key("person", f"lower({first})", f"lower({last})", dob)


def race_name_key(race_id: str, first: str, last: str) -> str:
    """A runner's name in one race (result feeds carry names, not dates of birth)."""
    return _key("race-name", race_id, f"lower({first})", f"lower({last})")


def erased(org_id: str, keys: Sequence[str]) -> str:
    """SQL that is true when one of `keys` was erased in the tenant `org_id`."""
    return (
        f"EXISTS (SELECT 1 FROM erased_keys ek WHERE ek.org_id = {org_id} "
        f"AND ek.digest IN ({', '.join(keys)}))"
    )


def any_erased(session: Session) -> bool:
    """Whether any participant of the transaction's tenants was ever erased (imports skip the checks
    when none was)."""
    return bool(session.execute(text("SELECT EXISTS (SELECT 1 FROM erased_keys)")).scalar())


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


def _person(session: Session, person_id: int) -> RowMapping | None:
    query = text("SELECT id, org_id, first_name, last_name FROM persons WHERE id = :id")
    return session.execute(query, {"id": person_id}).mappings().one_or_none()


def _entries(session: Session, *, person_id: int | None, entry_id: int | None) -> Sequence[RowMapping]:
    """The entries to erase, with what identifies their person in text."""
    query = text(
        """
        SELECT id, org_id, person_id, race_id, first_name, last_name, email, phone FROM entries
        WHERE person_id = :person OR id = :entry ORDER BY id"""
    )
    return session.execute(query, {"person": person_id, "entry": entry_id}).mappings().all()


def _needles(entries: Sequence[RowMapping], person: RowMapping | None) -> tuple[list[str], list[str]]:
    """(full identifiers, name parts) of the person behind `entries`."""
    full: set[str] = set()
    parts: set[str] = set()
    names = {(e["first_name"], e["last_name"]) for e in entries}
    if person is not None:
        names.add((person["first_name"], person["last_name"]))
    # Also as search folds them (no accents): the way SQL of a name search may hold them.
    names |= {(fold(first), fold(last)) for first, last in names}
    for first, last in names:
        full |= {f"{first} {last}", f"{last}, {first}", f"{last} {first}"}
        parts |= {first, last}
    full |= {v for e in entries for v in (e["email"], e["phone"]) if v}
    return sorted(full), sorted(parts)


def _remember(session: Session, org_id: int, entry_ids: list[int], people: list[int]) -> None:
    """Keys that keep these entries (and, when they are gone entirely, these people) from coming back."""
    keys = f"""
        SELECT {ref_key("x.provider", "x.external_id")} FROM external_refs x
        WHERE x.kind = 'entry' AND x.local_id = ANY(:entries)
        UNION SELECT {legacy_key("e.legacy_id")} FROM entries e
        WHERE e.id = ANY(:entries) AND e.legacy_id IS NOT NULL
        UNION SELECT {race_name_key("e.race_id", "e.first_name", "e.last_name")} FROM entries e
        WHERE e.id = ANY(:entries)
        UNION SELECT {person_key("p.first_name", "p.last_name", "p.dob")} FROM persons p
        WHERE p.id = ANY(:people)
        UNION SELECT {person_key("e.first_name", "e.last_name", "e.dob")} FROM entries e
        WHERE e.id = ANY(:entries) AND e.dob IS NOT NULL AND e.person_id = ANY(:people)"""
    insert = f"INSERT INTO erased_keys (org_id, digest) SELECT :org, k FROM ({keys}) keys(k)"
    insert += " ON CONFLICT DO NOTHING"
    session.execute(text(insert), {"org": org_id, "entries": entry_ids, "people": people})


def _other_entries(session: Session, person_id: int, entry_ids: list[int]) -> bool:
    query = text("SELECT EXISTS (SELECT 1 FROM entries WHERE person_id = :p AND id <> ALL(:ids))")
    return bool(session.execute(query, {"p": person_id, "ids": entry_ids}).scalar())


def _count(session: Session, table: str, entry_ids: list[int]) -> int:
    query = text(f"SELECT count(*) FROM {table} WHERE entry_id = ANY(:ids)")
    return int(session.execute(query, {"ids": entry_ids}).scalar_one())


def _redact(session: Session, org_id: int, full: list[str], parts: list[str]) -> dict[str, int]:
    """Redact the tenant's text that names the person; counts of rows changed per place."""
    params = {"full": full, "parts": parts, "org": org_id, "erased": ERASED}
    pattern = "racehub_erasure_pattern(CAST(:full AS text[]))"
    statements = {
        "chat_conversations": f"""
            UPDATE chat_conversations SET last_question = NULL, updated_at = now()
            WHERE org_id = :org AND last_question ~* {pattern}""",
        "login_challenges": f"""
            UPDATE login_challenges c SET pending_question = NULL
            WHERE c.pending_question ~* {pattern} AND (
                EXISTS (SELECT 1 FROM login_challenge_targets t
                        WHERE t.challenge_id = c.id AND t.org_id = :org)
                OR EXISTS (SELECT 1 FROM chat_conversations v
                           WHERE v.id = c.conversation_id AND v.org_id = :org))""",
        "workflow_runs": f"""
            UPDATE workflow_runs SET plan = regexp_replace(plan, {pattern}, :erased, 'gi'),
                   error = regexp_replace(error, {pattern}, :erased, 'gi'), updated_at = now()
            WHERE org_id = :org AND (plan ~* {pattern} OR error ~* {pattern})""",
    }
    redacted = {table: _rowcount(session, sql, **params) for table, sql in statements.items()}
    # The audit log is append-only for the application: redaction goes through the owner's function,
    # which sees only the tenant set here (the transaction's own, or the erased rows' for an operator).
    session.execute(text("SELECT set_config('app.org_id', CAST(:org AS text), true)"), params)
    audit = "SELECT racehub_erase_audit_text(CAST(:full AS text[]), CAST(:parts AS text[]))"
    redacted["audit_log"] = int(session.execute(text(audit), params).scalar_one())
    return redacted


def erase(
    session: Session, actor: Actor, *, person_id: int | None = None, entry_id: int | None = None
) -> Erasure:
    """Erase a person (every entry of theirs) or one entry, in the caller's transaction; the person of
    an erased entry goes too when it was their last. NotFound when the caller's tenant has neither."""
    if (person_id is None) == (entry_id is None):
        raise ValueError("give a person or an entry")
    entries = _entries(session, person_id=person_id, entry_id=entry_id)
    if person_id is not None:
        person = _person(session, person_id)
        if person is None:
            raise NothingToErase(f"person {person_id} not found")
        what, org_id = f"person {person_id}", int(person["org_id"])
    else:
        if not entries:
            raise NothingToErase(f"entry {entry_id} not found")
        linked = entries[0]["person_id"]
        person = None if linked is None else _person(session, int(linked))
        what, org_id = f"entry {entry_id}", int(entries[0]["org_id"])
    entry_ids = [int(e["id"]) for e in entries]
    full, parts = _needles(entries, person)

    erasure = Erasure(person_id, entry_ids, sorted({int(e["race_id"]) for e in entries}))
    people = [] if person is None else [int(person["id"])]
    # Gone entirely: a person erased, an entry of nobody, or a person's last entry.
    gone = person_id is not None or not people or not _other_entries(session, people[0], entry_ids)
    _remember(session, org_id, entry_ids, people if gone else [])
    erasure.removed = {t: _count(session, t, entry_ids) for t in ("results", "splits", "awards")}
    erasure.removed["external_refs"] = _rowcount(
        session,
        "DELETE FROM external_refs x WHERE (x.kind = 'entry' AND x.local_id = ANY(:entries)) "
        "OR (x.kind = 'person' AND x.local_id = ANY(:people) AND NOT EXISTS ("
        "    SELECT 1 FROM entries en WHERE en.person_id = x.local_id AND en.id <> ALL(:entries)))",
        entries=entry_ids,
        people=people,
    )
    # Results, splits and awards go with their entries (ON DELETE CASCADE).
    erasure.removed["entries"] = _rowcount(session, "DELETE FROM entries WHERE id = ANY(:ids)", ids=entry_ids)
    erasure.removed["persons"] = _rowcount(
        session,
        "DELETE FROM persons p WHERE p.id = ANY(:people) "
        "AND NOT EXISTS (SELECT 1 FROM entries en WHERE en.person_id = p.id)",
        people=people,
    )
    if gone:
        # (An entry erased while its person keeps other races: text naming them names someone still
        # there, and stays.)
        erasure.redacted = _redact(session, org_id, full, parts)
    record_erasure(
        session, actor, org_id=org_id, what=what, removed=erasure.removed, redacted=erasure.redacted
    )
    return erasure


def _rowcount(session: Session, sql: str, **params: object) -> int:
    result = session.execute(text(sql), params)
    return int(result.rowcount)  # type: ignore[attr-defined]
