"""All SQL of race-day alarms: a race's reads for the detectors, and alarms with the rows that raised them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from racehub.alarms.detect import FINISH, Evidence, Point, Runner
from racehub.db import rowcount


@dataclass(frozen=True)
class RaceRef:
    id: int
    org_id: int
    edition_id: int
    distance_m: float | None


@dataclass(frozen=True)
class Current:
    id: int
    state: str
    why: str


def race(session: Session, race_id: int) -> RaceRef | None:
    row = session.execute(
        text("SELECT id, org_id, edition_id, distance_m FROM races WHERE id = :r"), {"r": race_id}
    ).one_or_none()
    return None if row is None else RaceRef(int(row[0]), int(row[1]), int(row[2]), row[3])


def reads(session: Session, race: RaceRef) -> tuple[list[Point], list[Runner]]:
    """The race's timing points in course order (the finish last) and every runner's reads."""
    runners: dict[int, Runner] = {}
    distances: dict[str, list[float]] = {}
    rows = session.execute(
        text(
            "SELECT sp.entry_id, sp.name, sp.distance_m, sp.chip_ms FROM splits sp "
            "JOIN entries e ON e.id = sp.entry_id WHERE e.race_id = :r AND e.org_id = :o"
        ),
        {"r": race.id, "o": race.org_id},
    )
    for entry_id, name, distance, chip in rows:
        runners.setdefault(entry_id, Runner(entry_id)).reads[name] = chip
        if distance is not None:
            distances.setdefault(name, []).append(distance)
    finishes = session.execute(
        text(
            "SELECT entry_id, coalesce(chip_ms, gun_ms), gun_ms - chip_ms FROM results "
            "WHERE race_id = :r AND status IN ('FIN', 'DQ') AND coalesce(chip_ms, gun_ms) IS NOT NULL"
        ),
        {"r": race.id},
    )
    for entry_id, chip, delay in finishes:
        runner = runners.setdefault(entry_id, Runner(entry_id))
        runner.reads[FINISH] = chip
        runner.start_delay_ms = delay if delay is not None and delay >= 0 else None
    points = sorted(
        (Point(name, sorted(found)[len(found) // 2]) for name, found in distances.items()),
        key=lambda p: p.distance_m,
    )
    if race.distance_m:
        points.append(Point(FINISH, race.distance_m))
    return points, list(runners.values())


def current(
    session: Session, edition_id: int, race_id: int | None, kinds: Sequence[str]
) -> dict[tuple[str, str], Current]:
    """The race's (or edition's) alarms that are not resolved, by (kind, subject)."""
    rows = session.execute(
        text(
            "SELECT id, kind, subject, state, why FROM alarms WHERE edition_id = :e "
            "AND coalesce(race_id, 0) = coalesce(CAST(:r AS bigint), 0) AND kind = ANY(:kinds) "
            "AND state <> 'resolved'"
        ),
        {"e": edition_id, "r": race_id, "kinds": list(kinds)},
    )
    return {(r[1], r[2]): Current(int(r[0]), r[3], r[4]) for r in rows}


def insert(
    session: Session,
    *,
    org_id: int,
    edition_id: int,
    race_id: int | None,
    kind: str,
    subject: str,
    title: str,
    why: str,
    state: str = "open",
) -> int:
    return int(
        session.execute(
            text(
                "INSERT INTO alarms (org_id, edition_id, race_id, kind, subject, state, title, why, "
                "raised_at) VALUES (:o, :e, :r, :k, :s, :state, :t, :w, "
                "CASE WHEN :state = 'open' THEN now() END) RETURNING id"
            ),
            {
                "o": org_id,
                "e": edition_id,
                "r": race_id,
                "k": kind,
                "s": subject,
                "state": state,
                "t": title,
                "w": why,
            },
        ).scalar_one()
    )


def update(
    session: Session,
    alarm_id: int,
    *,
    why: str,
    title: str | None = None,
    state: str | None = None,
    occurrences: int | None = None,
) -> None:
    session.execute(
        text(
            "UPDATE alarms SET why = :w, title = coalesce(:t, title), updated_at = now(), "
            "state = coalesce(:state, state), occurrences = coalesce(:n, occurrences), "
            "raised_at = CASE WHEN coalesce(:state, state) = 'open' THEN coalesce(raised_at, now()) END "
            "WHERE id = :id"
        ),
        {"id": alarm_id, "w": why, "t": title, "state": state, "n": occurrences},
    )


def set_rows(session: Session, alarm_id: int, org_id: int, rows: Iterable[Evidence]) -> None:
    session.execute(text("DELETE FROM alarm_rows WHERE alarm_id = :a"), {"a": alarm_id})
    values = [
        {"a": alarm_id, "e": row.entry_id, "o": org_id, "p": position, "d": json.dumps(row.detail)}
        for position, row in enumerate(rows)
    ]
    if values:
        session.execute(
            text(
                "INSERT INTO alarm_rows (alarm_id, entry_id, org_id, position, detail) "
                "SELECT :a, :e, :o, :p, CAST(:d AS jsonb) WHERE EXISTS (SELECT 1 FROM entries WHERE id = :e) "
                "ON CONFLICT DO NOTHING"
            ),
            values,
        )


def resolve(session: Session, alarm_ids: Sequence[int]) -> int:
    if not alarm_ids:
        return 0
    return rowcount(
        session.execute(
            text(
                "UPDATE alarms SET state = 'resolved', resolved_at = now(), updated_at = now() "
                "WHERE id = ANY(:ids) AND state <> 'resolved'"
            ),
            {"ids": list(alarm_ids)},
        )
    )


def occurrences(session: Session, alarm_id: int) -> int:
    return int(
        session.execute(text("SELECT occurrences FROM alarms WHERE id = :a"), {"a": alarm_id}).scalar_one()
    )


def listing(
    session: Session, *, edition_id: int | None, race_id: int | None, states: Sequence[str], limit: int
) -> Sequence[RowMapping]:
    sql = """
        SELECT a.id, a.kind, a.state, a.title, a.why, a.occurrences, a.raised_at, a.updated_at, a.resolved_at,
               a.acknowledged_at, a.edition_id, a.race_id, s.name AS event_name, ed.year, r.name AS race_name
        FROM alarms a JOIN editions ed ON ed.id = a.edition_id JOIN event_series s ON s.id = ed.series_id
        LEFT JOIN races r ON r.id = a.race_id
        WHERE a.state = ANY(:states)"""
    params: dict[str, Any] = {"states": list(states), "limit": limit}
    if edition_id is not None:
        sql += " AND a.edition_id = :e"
        params["e"] = edition_id
    if race_id is not None:
        sql += " AND a.race_id = :r"
        params["r"] = race_id
    sql += " ORDER BY a.state = 'resolved', coalesce(a.raised_at, a.updated_at) DESC, a.id DESC LIMIT :limit"
    return session.execute(text(sql), params).mappings().all()


def alarm(session: Session, alarm_id: int) -> RowMapping | None:
    rows = session.execute(
        text(
            """
            SELECT a.id, a.kind, a.state, a.title, a.why, a.occurrences, a.raised_at, a.updated_at,
                   a.resolved_at, a.acknowledged_at, a.edition_id, a.race_id, s.name AS event_name, ed.year,
                   r.name AS race_name
            FROM alarms a JOIN editions ed ON ed.id = a.edition_id JOIN event_series s ON s.id = ed.series_id
            LEFT JOIN races r ON r.id = a.race_id WHERE a.id = :a
            """
        ),
        {"a": alarm_id},
    )
    return rows.mappings().one_or_none()


def rows_of(session: Session, alarm_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    found: dict[int, list[RowMapping]] = {}
    if not alarm_ids:
        return found
    rows = session.execute(
        text(
            "SELECT ar.alarm_id, ar.entry_id, ar.detail, e.bib, e.first_name, e.last_name "
            "FROM alarm_rows ar JOIN entries e ON e.id = ar.entry_id WHERE ar.alarm_id = ANY(:ids) "
            "ORDER BY ar.alarm_id, ar.position"
        ),
        {"ids": list(alarm_ids)},
    ).mappings()
    for row in rows:
        found.setdefault(int(row["alarm_id"]), []).append(row)
    return found


def acknowledge(session: Session, alarm_id: int, user_id: int | None, at: datetime) -> bool:
    found = session.execute(
        text(
            "UPDATE alarms SET acknowledged_at = :at, acknowledged_by = :u, updated_at = now() WHERE id = :a "
            "RETURNING id"
        ),
        {"a": alarm_id, "u": user_id, "at": at},
    ).first()
    return found is not None


def race_of_edition_sync(session: Session, edition_id: int) -> int | None:
    """The org of an edition (sync alarms belong to the edition, not a race)."""
    value = session.execute(text("SELECT org_id FROM editions WHERE id = :e"), {"e": edition_id}).scalar()
    return int(value) if value is not None else None
