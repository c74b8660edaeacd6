"""All SQL of vendor syncs: races by external id, staged page sets merged into entries, results, splits.

Staging tables live for one transaction (`ON COMMIT DROP`); merges touch a row only when something
differs. Every statement names the tenant explicitly as well (`org_id = :org`), on top of row-level
security: the sync transactions run in the tenant's own scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from racehub.db import rowcount
from racehub.participants.erasure_repository import erased, race_name_key, ref_key

ENTRY_FIELDS = (
    "bib",
    "first_name",
    "last_name",
    "sex",
    "dob",
    "age",
    "email",
    "phone",
    "address1",
    "city",
    "state",
    "zip",
    "country",
    "team",
    "registered_at",
)
_REG_COLUMNS = (
    "ext_id text, bib text, first_name text, last_name text, sex text, dob date, age int, email text, "
    "phone text, address1 text, city text, state text, zip text, country text, team text, "
    "registered_at timestamp, source text"
)
_RES_COLUMNS = (
    "ext_id text, bib text, first_name text, last_name text, sex text, age int, status text, gun_ms int, "
    "chip_ms int, vendor_sex_place int"
)


def driver_connection(session: Session) -> psycopg.Connection[Any]:
    """The psycopg connection under the session's transaction (for COPY)."""
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, psycopg.Connection)
    return connection


def lock_edition(session: Session, edition_id: int) -> None:
    """Writers of one edition (registrations, results, scoring) take turns, whatever their kind."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"racehub:edition:{edition_id}"},
    )


# --- races -------------------------------------------------------------------------------------------


def race_by_ref(
    session: Session, org_id: int, provider: str, external_id: str, edition_id: int
) -> int | None:
    value = session.execute(
        text(
            "SELECT r.id FROM external_refs x JOIN races r ON r.id = x.local_id "
            "WHERE x.org_id = :org AND x.provider = :provider AND x.kind = 'race' AND x.external_id = :ext "
            "AND r.edition_id = :edition"
        ),
        {"org": org_id, "provider": provider, "ext": external_id, "edition": edition_id},
    ).scalar()
    return int(value) if value is not None else None


def race_by_name(session: Session, org_id: int, edition_id: int, name: str) -> int | None:
    value = session.execute(
        text(
            "SELECT id FROM races WHERE org_id = :org AND edition_id = :edition "
            "AND lower(name) = lower(:name) "
            "ORDER BY id LIMIT 1"
        ),
        {"org": org_id, "edition": edition_id, "name": name},
    ).scalar()
    return int(value) if value is not None else None


def insert_race(
    session: Session,
    org_id: int,
    edition_id: int,
    name: str,
    distance_m: float | None,
    start_time: datetime | None,
) -> int:
    """A race the vendor lists and RaceHub lacks; award rules keep the schema's defaults."""
    return int(
        session.execute(
            text(
                "INSERT INTO races (org_id, edition_id, name, distance_m, start_time) "
                "VALUES (:org, :edition, :name, :distance, :start) RETURNING id"
            ),
            {"org": org_id, "edition": edition_id, "name": name, "distance": distance_m, "start": start_time},
        ).scalar_one()
    )


def fill_race(session: Session, race_id: int, distance_m: float | None, start_time: datetime | None) -> None:
    """Fill a known race's missing distance or start time; values RaceHub already has are kept."""
    session.execute(
        text(
            "UPDATE races SET distance_m = coalesce(distance_m, CAST(:distance AS float8)), "
            "start_time = coalesce(start_time, CAST(:start AS timestamp)) WHERE id = :id "
            "AND ((distance_m IS NULL AND CAST(:distance AS float8) IS NOT NULL) "
            "OR (start_time IS NULL AND CAST(:start AS timestamp) IS NOT NULL))"
        ),
        {"id": race_id, "distance": distance_m, "start": start_time},
    )


def link(session: Session, org_id: int, provider: str, kind: str, external_id: str, local_id: int) -> None:
    session.execute(
        text(
            """
            INSERT INTO external_refs (org_id, provider, kind, external_id, local_id)
            VALUES (:org, :provider, :kind, :ext, :local)
            ON CONFLICT (org_id, provider, kind, external_id) DO UPDATE SET local_id = EXCLUDED.local_id,
                synced_at = now()
            WHERE external_refs.local_id <> EXCLUDED.local_id
            """
        ),
        {"org": org_id, "provider": provider, "kind": kind, "ext": external_id, "local": local_id},
    )


# --- staging and entry resolution ------------------------------------------------------------------


def stage(session: Session, table: str, rows: Iterable[Sequence[object]]) -> None:
    """A transaction-local staging table of `table` ("wf_reg", "wf_res", "wf_split") filled by COPY."""
    columns = {
        "wf_reg": _REG_COLUMNS,
        "wf_res": _RES_COLUMNS,
        "wf_split": "ext_id text, name text, distance_m float8, chip_ms int",
    }[table]
    extra = ", entry_id bigint, is_new boolean NOT NULL DEFAULT false" if table != "wf_split" else ""
    session.execute(text(f"CREATE TEMP TABLE {table} ({columns}{extra}) ON COMMIT DROP"))
    names = ", ".join(part.split()[0] for part in columns.split(", "))
    with driver_connection(session).cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    session.execute(text(f"ANALYZE {table}"))


def drop_erased(session: Session, table: str, org_id: int, provider: str, race_id: int) -> int:
    """Drop the staged rows (`wf_reg` or `wf_res`, with `wf_split`'s rows of those results) of
    participants erased in this tenant: by the vendor's id of their entry or their name in this race.
    Returns how many rows were dropped."""
    keys = [ref_key(":provider", "s.ext_id"), race_name_key(":race", "s.first_name", "s.last_name")]
    params = {"org": org_id, "provider": provider, "race": race_id}
    dropped = rowcount(session.execute(text(f"DELETE FROM {table} s WHERE {erased(':org', keys)}"), params))
    if dropped and table == "wf_res":
        session.execute(text("DELETE FROM wf_split WHERE ext_id NOT IN (SELECT ext_id FROM wf_res)"))
    return dropped


def resolve_entries(session: Session, table: str, org_id: int, provider: str, race_id: int) -> None:
    """Give each staged row its entry: by this vendor's external id, else by a bib unique in the race
    and not yet linked to this vendor, else a fresh id (`is_new`)."""
    params = {"org": org_id, "provider": provider, "race": race_id}
    session.execute(
        text(
            f"""
            UPDATE {table} s SET entry_id = x.local_id
            FROM external_refs x JOIN entries e ON e.id = x.local_id
            WHERE x.org_id = :org AND x.provider = :provider AND x.kind = 'entry' AND x.external_id = s.ext_id
              AND e.org_id = :org
            """
        ),
        params,
    )
    session.execute(
        text(
            f"""
            UPDATE {table} s SET entry_id = m.id
            FROM (SELECT e.bib, min(e.id) AS id FROM entries e
                  WHERE e.org_id = :org AND e.race_id = :race AND e.bib IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM external_refs x WHERE x.org_id = :org
                                    AND x.provider = :provider AND x.kind = 'entry' AND x.local_id = e.id)
                  GROUP BY e.bib HAVING count(*) = 1) m
            WHERE s.entry_id IS NULL AND s.bib = m.bib
              AND s.bib IN (SELECT bib FROM {table} GROUP BY bib HAVING count(*) = 1)
              AND NOT EXISTS (SELECT 1 FROM {table} o WHERE o.entry_id = m.id)
            """
        ),
        params,
    )
    session.execute(
        text(
            f"UPDATE {table} SET entry_id = nextval(pg_get_serial_sequence('entries', 'id')), is_new = true "
            "WHERE entry_id IS NULL"
        )
    )


def link_staged(session: Session, table: str, org_id: int, provider: str) -> None:
    session.execute(
        text(
            f"""
            INSERT INTO external_refs (org_id, provider, kind, external_id, local_id)
            SELECT :org, :provider, 'entry', ext_id, entry_id FROM {table}
            ON CONFLICT (org_id, provider, kind, external_id) DO UPDATE SET local_id = EXCLUDED.local_id,
                synced_at = now()
            WHERE external_refs.local_id <> EXCLUDED.local_id
            """
        ),
        {"org": org_id, "provider": provider},
    )


# --- registrations -----------------------------------------------------------------------------------

_PERSON_JOIN = (
    "LEFT JOIN persons p ON p.org_id = :org AND lower(p.first_name) = lower(s.first_name) "
    "AND lower(p.last_name) = lower(s.last_name) AND p.dob = s.dob"
)


def merge_registrations(session: Session, org_id: int, race_id: int) -> tuple[int, int]:
    """Staged registrations (`wf_reg`, resolved) into persons and entries: (inserted, updated)."""
    params = {"org": org_id, "race": race_id}
    session.execute(
        text(
            """
            INSERT INTO persons (org_id, first_name, last_name, dob, sex)
            SELECT DISTINCT ON (lower(first_name), lower(last_name), dob)
                   :org, first_name, last_name, dob, sex
            FROM wf_reg WHERE dob IS NOT NULL
            ORDER BY lower(first_name), lower(last_name), dob, ext_id
            ON CONFLICT (org_id, lower(first_name), lower(last_name), dob) DO NOTHING
            """
        ),
        params,
    )
    fields = ", ".join(ENTRY_FIELDS)
    staged = ", ".join(f"s.{name}" for name in ENTRY_FIELDS)
    updated = rowcount(
        session.execute(
            text(
                f"""
            UPDATE entries e SET race_id = :race, person_id = src.person_id,
                {", ".join(f"{name} = src.{name}" for name in ENTRY_FIELDS)},
                registration_source = src.source
            FROM (SELECT s.*, p.id AS person_id FROM wf_reg s {_PERSON_JOIN} WHERE NOT s.is_new) src
            WHERE e.id = src.entry_id AND e.org_id = :org
              AND (e.race_id, e.person_id, {", ".join(f"e.{name}" for name in ENTRY_FIELDS)},
                   e.registration_source)
                  IS DISTINCT FROM (:race, src.person_id, {", ".join(f"src.{n}" for n in ENTRY_FIELDS)},
                   src.source)
            """
            ),
            params,
        )
    )
    inserted = rowcount(
        session.execute(
            text(
                f"""
            INSERT INTO entries (id, org_id, race_id, person_id, {fields}, registration_source)
            SELECT s.entry_id, :org, :race, p.id, {staged}, s.source FROM wf_reg s {_PERSON_JOIN}
            WHERE s.is_new
            """
            ),
            params,
        )
    )
    return inserted, updated


def remove_registrations(
    session: Session, org_id: int, provider: str, race_id: int, external_ids: Sequence[str]
) -> tuple[int, int]:
    """Delete this race's entries the vendor removed, unless they already have a result (kept, counted):
    (removed, kept)."""
    if not external_ids:
        return 0, 0
    params = {"org": org_id, "provider": provider, "race": race_id, "ids": list(external_ids)}
    targets = (
        "SELECT x.local_id FROM external_refs x JOIN entries e ON e.id = x.local_id "
        "WHERE x.org_id = :org AND x.provider = :provider AND x.kind = 'entry' "
        "AND x.external_id = ANY(CAST(:ids AS text[])) AND e.race_id = :race "
        "AND x.external_id NOT IN (SELECT ext_id FROM wf_reg)"
    )
    kept = int(
        session.execute(
            text(f"SELECT count(*) FROM results WHERE entry_id IN ({targets})"), params
        ).scalar_one()
    )
    deleted = list(
        session.execute(
            text(
                f"DELETE FROM entries e WHERE e.org_id = :org AND e.id IN ({targets}) "
                "AND NOT EXISTS (SELECT 1 FROM results r WHERE r.entry_id = e.id) RETURNING e.id"
            ),
            params,
        ).scalars()
    )
    if deleted:
        session.execute(
            text(
                "DELETE FROM external_refs WHERE org_id = :org AND kind = 'entry' "
                "AND local_id = ANY(CAST(:ids AS bigint[]))"
            ),
            {"org": org_id, "ids": deleted},
        )
    return len(deleted), kept
