"""All SQL of erasure: the rows of a participant, the keys that keep them erased (migration 0050,
`erased_keys`), and the redaction of text that names them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from racehub.db import rowcount

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


def person(session: Session, person_id: int) -> RowMapping | None:
    query = text("SELECT id, org_id, first_name, last_name FROM persons WHERE id = :id")
    return session.execute(query, {"id": person_id}).mappings().one_or_none()


def entries(session: Session, *, person_id: int | None, entry_id: int | None) -> Sequence[RowMapping]:
    """The entries to erase, with what identifies their person in text."""
    query = text(
        """
        SELECT id, org_id, person_id, race_id, first_name, last_name, email, phone FROM entries
        WHERE person_id = :person OR id = :entry ORDER BY id"""
    )
    return session.execute(query, {"person": person_id, "entry": entry_id}).mappings().all()


def remember(session: Session, org_id: int, entry_ids: list[int]) -> None:
    """Keys that keep these entries from coming back: each vendor's id of them, the bundle's participant
    id, the runner's name in the race. Not the person as such: a new registration for a later race is
    new data, given after the erasure."""
    keys = f"""
        SELECT {ref_key("x.provider", "x.external_id")}, e.race_id FROM external_refs x
        JOIN entries e ON e.id = x.local_id WHERE x.kind = 'entry' AND x.local_id = ANY(:entries)
        UNION SELECT {legacy_key("e.legacy_id")}, e.race_id FROM entries e
        WHERE e.id = ANY(:entries) AND e.legacy_id IS NOT NULL
        UNION SELECT {race_name_key("e.race_id", "e.first_name", "e.last_name")}, e.race_id FROM entries e
        WHERE e.id = ANY(:entries)"""
    insert = f"INSERT INTO erased_keys (org_id, digest, race_id) SELECT :org, k, r FROM ({keys}) keys(k, r)"
    insert += " ON CONFLICT DO NOTHING"
    session.execute(text(insert), {"org": org_id, "entries": entry_ids})


def other_entries(session: Session, person_id: int, entry_ids: list[int]) -> bool:
    query = text("SELECT EXISTS (SELECT 1 FROM entries WHERE person_id = :p AND id <> ALL(:ids))")
    return bool(session.execute(query, {"p": person_id, "ids": entry_ids}).scalar())


def count_rows(session: Session, table: str, entry_ids: list[int]) -> int:
    query = text(f"SELECT count(*) FROM {table} WHERE entry_id = ANY(:ids)")
    return int(session.execute(query, {"ids": entry_ids}).scalar_one())


def delete_rows(session: Session, entry_ids: list[int], people: list[int]) -> dict[str, int]:
    """Delete the entries (their results, splits and awards go with them, ON DELETE CASCADE), the
    vendors' ids of them, and the people left without entries: rows deleted per table."""
    params = {"entries": entry_ids, "people": people}
    statements = {
        "external_refs": """
            DELETE FROM external_refs x WHERE (x.kind = 'entry' AND x.local_id = ANY(:entries))
            OR (x.kind = 'person' AND x.local_id = ANY(:people) AND NOT EXISTS (
                SELECT 1 FROM entries en WHERE en.person_id = x.local_id AND en.id <> ALL(:entries)))""",
        "entries": "DELETE FROM entries WHERE id = ANY(:entries)",
        "persons": """
            DELETE FROM persons p WHERE p.id = ANY(:people)
            AND NOT EXISTS (SELECT 1 FROM entries en WHERE en.person_id = p.id)""",
    }
    return {table: _rowcount(session, sql, **params) for table, sql in statements.items()}


def redact(session: Session, org_id: int, full: list[str], parts: list[str]) -> dict[str, int]:
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


def _rowcount(session: Session, sql: str, **params: object) -> int:
    return rowcount(session.execute(text(sql), params))
