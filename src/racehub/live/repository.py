"""All SQL of the live change log: numbering committed changes, reading them back with the rows they name,
and the official state of races.

Every read here runs in a transaction scoped to one tenant: row-level security decides what it sees, and
the `org_id` conditions only let the planner use the tenant's index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from racehub.db import rowcount

SEQUENCE_BATCH = 50_000  # rows numbered per statement; a larger backlog takes several rounds


@dataclass(frozen=True)
class Head:
    last_seq: int
    dispatched_seq: int


@dataclass(frozen=True)
class Filters:
    """What a live client asked for; None means everything of the tenant."""

    edition_id: int | None = None
    race_id: int | None = None
    bib: str | None = None
    kinds: frozenset[str] | None = None


def lock_head(session: Session, org_id: int) -> Head:
    """The tenant's head row, locked until the transaction ends (created on first use)."""
    session.execute(
        text("INSERT INTO change_heads (org_id) VALUES (:org) ON CONFLICT (org_id) DO NOTHING"),
        {"org": org_id},
    )
    row = session.execute(
        text("SELECT last_seq, dispatched_seq FROM change_heads WHERE org_id = :org FOR UPDATE"),
        {"org": org_id},
    ).one()
    return Head(int(row[0]), int(row[1]))


def sequence(session: Session, org_id: int) -> tuple[int, int]:
    """Number the tenant's committed, unnumbered changes after its head: (first, last), or (0, 0).

    The head row's lock serialises sequencers; each statement sees the rows committed before it began, so
    a row that commits later gets a later number in a later round.
    """
    head = lock_head(session, org_id)
    numbered = session.execute(
        text(
            """
            WITH pending AS (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM change_log
                WHERE org_id = :org AND seq IS NULL ORDER BY id LIMIT :batch)
            UPDATE change_log c SET seq = :last + p.n FROM pending p
            WHERE c.id = p.id AND c.org_id = :org
            """
        ),
        {"org": org_id, "last": head.last_seq, "batch": SEQUENCE_BATCH},
    )
    count = rowcount(numbered)
    if not count:
        return 0, 0
    last = head.last_seq + count
    session.execute(
        text("UPDATE change_heads SET last_seq = :last WHERE org_id = :org"), {"org": org_id, "last": last}
    )
    session.execute(text("SELECT pg_notify('racehub_live', :payload)"), {"payload": f"{org_id}:{last}"})
    return head.last_seq + 1, last


def has_pending(session: Session, org_id: int) -> bool:
    found = session.execute(
        text("SELECT 1 FROM change_log WHERE org_id = :org AND seq IS NULL LIMIT 1"), {"org": org_id}
    ).first()
    return found is not None


def pending_orgs(session: Session) -> list[int]:
    """Tenants with unnumbered changes (operator scope)."""
    rows = session.execute(text("SELECT DISTINCT org_id FROM change_log WHERE seq IS NULL"))
    return [int(r[0]) for r in rows]


def undispatched_orgs(session: Session) -> list[int]:
    """Tenants whose notifications lag their numbered changes (operator scope)."""
    rows = session.execute(text("SELECT org_id FROM change_heads WHERE dispatched_seq < last_seq"))
    return [int(r[0]) for r in rows]


def head(session: Session, org_id: int) -> int:
    """The tenant's last numbered change (0 before the first)."""
    value = session.execute(
        text("SELECT last_seq FROM change_heads WHERE org_id = :org"), {"org": org_id}
    ).scalar()
    return int(value or 0)


def oldest_seq(session: Session, org_id: int) -> int | None:
    """The oldest change still kept (older ones were pruned), None when none is kept."""
    value = session.execute(
        text("SELECT min(seq) FROM change_log WHERE org_id = :org AND seq IS NOT NULL"), {"org": org_id}
    ).scalar()
    return int(value) if value is not None else None


def set_dispatched(session: Session, org_id: int, seq: int) -> None:
    session.execute(
        text("UPDATE change_heads SET dispatched_seq = greatest(dispatched_seq, :seq) WHERE org_id = :org"),
        {"org": org_id, "seq": seq},
    )


def prune(session: Session, before: datetime) -> int:
    """Forget numbered changes older than `before` (operator scope); clients that far behind reload."""
    return rowcount(
        session.execute(
            text("DELETE FROM change_log WHERE at < :before AND seq IS NOT NULL"), {"before": before}
        )
    )


_EVENT_SELECT = """
    SELECT c.seq, c.kind, c.at, c.edition_id, c.race_id, c.entry_id, c.split_name, c.detail,
           s.name AS event_name, ed.year, ed.status AS edition_status, r.name AS race_name,
           r.distance_m, r.placement_basis, r.official_at,
           (r.official_at IS NOT NULL OR ed.status = 'completed') AS official,
           en.bib, en.first_name, en.last_name, en.sex, en.age, en.city, en.state, en.team,
           re.status, re.gun_ms, re.chip_ms, re.overall_place, re.sex_place, re.age_group, re.age_group_place,
           sp.distance_m AS split_distance_m, sp.chip_ms AS split_chip_ms
    FROM change_log c
    JOIN editions ed ON ed.id = c.edition_id
    JOIN event_series s ON s.id = ed.series_id
    LEFT JOIN races r ON r.id = c.race_id
    LEFT JOIN entries en ON en.id = c.entry_id
    LEFT JOIN results re ON re.entry_id = c.entry_id
    LEFT JOIN splits sp ON sp.entry_id = c.entry_id AND sp.name = c.split_name
    WHERE c.org_id = :org AND c.seq > :after AND c.seq <= :upto
"""


def changes(
    session: Session, org_id: int, after: int, upto: int, filters: Filters | None = None, limit: int = 1000
) -> Sequence[RowMapping]:
    """Numbered changes in (`after`, `upto`], oldest first, each with the rows it names as they are now."""
    sql = _EVENT_SELECT
    params: dict[str, Any] = {"org": org_id, "after": after, "upto": upto, "limit": limit}
    if filters is not None:
        if filters.edition_id is not None:
            sql += " AND c.edition_id = :edition"
            params["edition"] = filters.edition_id
        if filters.race_id is not None:
            sql += " AND c.race_id = :race"
            params["race"] = filters.race_id
        if filters.bib is not None:
            sql += " AND c.entry_id IN (SELECT id FROM entries WHERE org_id = :org AND bib = :bib)"
            params["bib"] = filters.bib
        if filters.kinds is not None:
            sql += " AND c.kind = ANY(:kinds)"
            params["kinds"] = sorted(filters.kinds)
    sql += " ORDER BY c.seq LIMIT :limit"
    return session.execute(text(sql), params).mappings().all()


def exists(session: Session, edition_id: int | None, race_id: int | None) -> bool:
    if race_id is not None:
        found = session.execute(
            text("SELECT 1 FROM races WHERE id = :r AND (CAST(:e AS bigint) IS NULL OR edition_id = :e)"),
            {"r": race_id, "e": edition_id},
        ).first()
    else:
        found = session.execute(text("SELECT 1 FROM editions WHERE id = :e"), {"e": edition_id}).first()
    return found is not None


# --- official races ---------------------------------------------------------------------------------------


def set_official(session: Session, race_id: int, official: bool) -> bool:
    """Mark a race official (or provisional again); False when the race is not the tenant's."""
    found = session.execute(
        text(
            "UPDATE races SET official_at = CASE WHEN :official THEN coalesce(official_at, now()) END "
            "WHERE id = :race RETURNING edition_id"
        ),
        {"race": race_id, "official": official},
    ).first()
    return found is not None


def edition_of_race(session: Session, race_id: int) -> int | None:
    value = session.execute(text("SELECT edition_id FROM races WHERE id = :race"), {"race": race_id}).scalar()
    return int(value) if value is not None else None


def all_races_official(session: Session, edition_id: int) -> bool:
    row = session.execute(
        text("SELECT count(*), count(official_at) FROM races WHERE edition_id = :e"), {"e": edition_id}
    ).one()
    return int(row[0]) > 0 and int(row[0]) == int(row[1])


def edition_final(session: Session, edition_id: int) -> bool:
    """The edition's results are final: it is completed, or every race of it is official."""
    row = session.execute(
        text(
            "SELECT ed.status = 'completed' OR (count(r.id) > 0 AND count(r.id) = count(r.official_at)) "
            "FROM editions ed LEFT JOIN races r ON r.edition_id = ed.id WHERE ed.id = :e GROUP BY ed.status"
        ),
        {"e": edition_id},
    ).scalar()
    return bool(row)


def set_edition_status(session: Session, edition_id: int, status: str) -> None:
    session.execute(
        text("UPDATE editions SET status = :status WHERE id = :e AND status <> 'cancelled'"),
        {"e": edition_id, "status": status},
    )


def reopen_edition(session: Session, edition_id: int, race_id: int) -> None:
    """`race_id` of a completed edition was made provisional: the edition is no longer final, and its other
    races, official until now by the edition's status, stay official by their own mark."""
    completed = session.execute(
        text("SELECT status = 'completed' FROM editions WHERE id = :e"), {"e": edition_id}
    ).scalar()
    if not completed:
        return
    session.execute(
        text(
            "UPDATE races SET official_at = now() WHERE edition_id = :e AND official_at IS NULL AND id <> :r"
        ),
        {"e": edition_id, "r": race_id},
    )
    session.execute(text("UPDATE editions SET status = 'upcoming' WHERE id = :e"), {"e": edition_id})


# --- bulk writers -----------------------------------------------------------------------------------------


def roll_up_per_race(session: Session) -> None:
    """Until the transaction ends, log one `race` change per race a statement touches, not one per row."""
    session.execute(text("SELECT set_config('racehub.change_rollup', '0', true)"))


def pause(session: Session) -> bool:
    """Stop logging result and split rows one by one, for a first load into empty tables (operator scope).
    False when the tables are not empty (nothing paused)."""
    return bool(session.execute(text("SELECT racehub_changes_pause()")).scalar())


def resume(session: Session, race_ids: Sequence[int]) -> None:
    """Log again, and log each of `race_ids` as reloaded; must follow `pause` in the same transaction."""
    session.execute(
        text("SELECT racehub_changes_resume(CAST(:races AS bigint[]))"), {"races": list(race_ids)}
    )
