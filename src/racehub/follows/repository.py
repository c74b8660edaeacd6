"""All SQL of follows: finding the runner someone means, the follows themselves, and what they name."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from racehub.db import rowcount


@dataclass(frozen=True)
class FollowRow:
    id: int
    user_id: int
    target: str
    edition_id: int
    race_id: int | None
    entry_id: int | None
    trigger: str
    split_name: str | None
    sex: str | None
    workflow: str | None
    once: bool
    created_at: datetime


_ACCENTED = "'áàâäãåāéèêëēíìîïīóòôöõøōúùûüūñçýÿ'"
_PLAIN = "'aaaaaaaeeeeeiiiiiooooooouuuuuncyy'"


def fold_name(name: str) -> str:
    """A name as the SQL above folds it: lower case, accents off, one space between words."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c))
    return " ".join(plain.split())


_RUNNER_SELECT = """
    SELECT e.id AS entry_id, e.bib, e.first_name, e.last_name, e.race_id, r.name AS race_name, r.edition_id,
           s.name AS event_name, ed.year, ed.start_date
    FROM entries e JOIN races r ON r.id = e.race_id JOIN editions ed ON ed.id = r.edition_id
    JOIN event_series s ON s.id = ed.series_id"""


def runners(
    session: Session,
    *,
    bib: str | None,
    name: str | None,
    edition_id: int | None,
    around: date,
    limit: int = 50,
) -> Sequence[RowMapping]:
    """Entries with this bib (or this full name, any case): in the edition given, else nearest `around`
    first (that day's, then the next ones, then the latest past ones)."""
    conditions, params = [], {"around": around, "limit": limit}
    if bib is not None:
        conditions.append("lower(e.bib) = lower(:bib)")
        params["bib"] = bib
    if name is not None:
        # Accents aside ("Ana Perez" finds Ana Pérez): PostgreSQL here has no unaccent extension.
        conditions.append(
            f"translate(lower(e.first_name || ' ' || e.last_name), {_ACCENTED}, {_PLAIN}) = :name"
        )
        params["name"] = fold_name(name)
    if edition_id is not None:
        conditions.append("r.edition_id = :edition")
        params["edition"] = edition_id
    order = """CASE WHEN ed.start_date = :around THEN 0 WHEN ed.start_date > :around THEN 1 ELSE 2 END,
               abs(ed.start_date - CAST(:around AS date)),
               r.id, e.id"""
    sql = f"{_RUNNER_SELECT} WHERE {' AND '.join(conditions)} ORDER BY {order} LIMIT :limit"
    return session.execute(text(sql), params).mappings().all()


def split_names(session: Session, race_id: int) -> list[str]:
    """Timing points known for a race: its own reads, else those of same-named races of its event's other
    editions (a race not run yet has none)."""
    rows = session.execute(
        text(
            """
            WITH same AS (
                SELECT r2.id, (r2.id = :race) AS own FROM races r
                JOIN editions ed ON ed.id = r.edition_id
                JOIN editions ed2 ON ed2.series_id = ed.series_id
                JOIN races r2 ON r2.edition_id = ed2.id AND r2.name = r.name
                WHERE r.id = :race)
            SELECT sp.name, bool_or(same.own) AS own, max(sp.distance_m) AS distance
            FROM same JOIN entries e ON e.race_id = same.id JOIN splits sp ON sp.entry_id = e.id
            GROUP BY sp.name ORDER BY own DESC, distance NULLS LAST
            """
        ),
        {"race": race_id},
    )
    return [str(r[0]) for r in rows]


def insert(session: Session, org_id: int, user_id: int, values: dict[str, Any]) -> int:
    return int(
        session.execute(
            text(
                """
                INSERT INTO follows (org_id, user_id, target, edition_id, race_id, entry_id, trigger,
                                     split_name, sex, workflow, once)
                VALUES (:org, :user, :target, :edition_id, :race_id, :entry_id, :trigger, :split_name, :sex,
                        :workflow, :once)
                RETURNING id
                """
            ),
            {"org": org_id, "user": user_id, **values},
        ).scalar_one()
    )


def lock_user(session: Session, user_id: int) -> None:
    """Serialise one user's follow changes (the limit is counted, then a follow added)."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('racehub.follows'), CAST(:u AS integer))"),
        {"u": user_id % 2_147_483_647},
    )


def active_runner_count(session: Session, user_id: int) -> int:
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM follows WHERE user_id = :u AND target = 'runner' AND fired_at IS NULL"
            ),
            {"u": user_id},
        ).scalar_one()
    )


_DESCRIBED = """
    SELECT f.id, f.target, f.trigger, f.split_name, f.sex, f.workflow, f.once, f.created_at, f.fired_at,
           f.edition_id, f.race_id, f.entry_id, s.name AS event_name, ed.year, r.name AS race_name,
           e.bib, e.first_name, e.last_name
    FROM follows f JOIN editions ed ON ed.id = f.edition_id JOIN event_series s ON s.id = ed.series_id
    LEFT JOIN races r ON r.id = f.race_id LEFT JOIN entries e ON e.id = f.entry_id"""


def described(
    session: Session, *, user_id: int, ids: Sequence[int] | None = None, active_only: bool = True
) -> Sequence[RowMapping]:
    sql = _DESCRIBED + " WHERE f.user_id = :u"
    params: dict[str, Any] = {"u": user_id}
    if active_only:
        sql += " AND f.fired_at IS NULL"
    if ids is not None:
        sql += " AND f.id = ANY(:ids)"
        params["ids"] = list(ids)
    return session.execute(text(sql + " ORDER BY f.id"), params).mappings().all()


def same_follow(session: Session, user_id: int, values: dict[str, Any]) -> int | None:
    found = session.execute(
        text(
            """
            SELECT id FROM follows WHERE user_id = :u AND fired_at IS NULL AND target = :target
              AND edition_id = :edition_id AND race_id IS NOT DISTINCT FROM :race_id
              AND entry_id IS NOT DISTINCT FROM :entry_id AND trigger = :trigger
              AND split_name IS NOT DISTINCT FROM :split_name AND sex IS NOT DISTINCT FROM :sex
              AND workflow IS NOT DISTINCT FROM :workflow
            LIMIT 1
            """
        ),
        {
            "u": user_id,
            **{
                k: values[k]
                for k in (
                    "target",
                    "edition_id",
                    "race_id",
                    "entry_id",
                    "trigger",
                    "split_name",
                    "sex",
                    "workflow",
                )
            },
        },
    ).scalar()
    return int(found) if found is not None else None


def delete(session: Session, user_id: int, ids: Sequence[int]) -> int:
    if not ids:
        return 0
    return rowcount(
        session.execute(
            text("DELETE FROM follows WHERE user_id = :u AND id = ANY(:ids)"),
            {"u": user_id, "ids": list(ids)},
        )
    )


def active(session: Session) -> list[FollowRow]:
    """Every follow of the tenant still waiting to fire."""
    rows = session.execute(
        text(
            "SELECT id, user_id, target, edition_id, race_id, entry_id, trigger, split_name, sex, workflow, "
            "once, created_at FROM follows WHERE fired_at IS NULL"
        )
    )
    return [FollowRow(*row) for row in rows]


def mark_fired(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(text("UPDATE follows SET fired_at = now() WHERE id = ANY(:ids)"), {"ids": list(ids)})


def sex_place_at_split(session: Session, race_id: int, entry_id: int, split_name: str) -> int | None:
    """The runner's place among their sex at a timing point, by chip time, so far."""
    value = session.execute(
        text(
            """
            SELECT 1 + count(*) FILTER (WHERE o.chip_ms < me.chip_ms)
            FROM splits me JOIN entries e ON e.id = me.entry_id
            JOIN entries oe ON oe.race_id = e.race_id AND oe.sex = e.sex
            JOIN splits o ON o.entry_id = oe.id AND o.name = me.name
            WHERE me.entry_id = :entry AND me.name = :split AND e.race_id = :race
            """
        ),
        {"entry": entry_id, "split": split_name, "race": race_id},
    ).scalar()
    return int(value) if value is not None else None


def run_summary(session: Session, run_id: int) -> RowMapping | None:
    return (
        session.execute(
            text("SELECT fetched, inserted, updated, removed, error FROM workflow_runs WHERE id = :r"),
            {"r": run_id},
        )
        .mappings()
        .one_or_none()
    )


def alarm_text(session: Session, alarm_id: int) -> tuple[str, str] | None:
    row = session.execute(text("SELECT title, why FROM alarms WHERE id = :a"), {"a": alarm_id}).one_or_none()
    return (str(row[0]), str(row[1])) if row is not None else None


def race_counts(session: Session, race_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(entries, finishers) per race."""
    rows = session.execute(
        text(
            """
            SELECT r.id, (SELECT count(*) FROM entries e WHERE e.race_id = r.id),
                   (SELECT count(*) FROM results re WHERE re.race_id = r.id AND re.status = 'FIN')
            FROM races r WHERE r.id = ANY(:ids)
            """
        ),
        {"ids": list(race_ids)},
    )
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}
