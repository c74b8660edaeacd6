"""All SQL of results syncs and Copernico scoring: staged results, splits and pushes (see repository.py
for races, staging and entry resolution)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from racehub.db import rowcount

# --- results -----------------------------------------------------------------------------------------

# The id an entry known only to RaceHub is pushed under.
LOCAL_PUSH_PREFIX = "racehub-"


def insert_result_entries(session: Session, org_id: int, race_id: int, source: str) -> int:
    """Entries for results of people RaceHub has no registration for (name, sex, age and bib only)."""
    params = {"org": org_id, "race": race_id, "source": source}
    moved = (
        "UPDATE entries e SET race_id = :race FROM wf_res s WHERE e.id = s.entry_id AND NOT s.is_new "
        "AND e.org_id = :org AND e.race_id <> :race"
    )
    session.execute(text(moved), params)
    return rowcount(
        session.execute(
            text(
                """
            INSERT INTO entries (id, org_id, race_id, bib, first_name, last_name, sex, age,
                                 registration_source)
            SELECT entry_id, :org, :race, bib, first_name, last_name, coalesce(sex, 'X'), age, :source
            FROM wf_res WHERE is_new
            """
            ),
            params,
        )
    )


def merge_results(session: Session, org_id: int, race_id: int) -> tuple[int, int]:
    flags = (
        session.execute(
            text(
                """
            INSERT INTO results (entry_id, org_id, race_id, status, gun_ms, chip_ms)
            SELECT entry_id, :org, :race, status, gun_ms, chip_ms FROM wf_res
            ON CONFLICT (entry_id) DO UPDATE SET status = EXCLUDED.status, gun_ms = EXCLUDED.gun_ms,
                chip_ms = EXCLUDED.chip_ms, race_id = EXCLUDED.race_id
            WHERE (results.status, results.gun_ms, results.chip_ms, results.race_id)
                IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.gun_ms, EXCLUDED.chip_ms, EXCLUDED.race_id)
            RETURNING (xmax = 0)
            """
            ),
            {"org": org_id, "race": race_id},
        )
        .scalars()
        .all()
    )
    inserted = sum(1 for flag in flags if flag)
    return inserted, len(flags) - inserted


def merge_splits(session: Session, org_id: int) -> int:
    """Staged splits (`wf_split`) of the staged results; splits no longer reported go. Rows changed."""
    upserted = rowcount(
        session.execute(
            text(
                """
            INSERT INTO splits (entry_id, org_id, name, distance_m, chip_ms)
            SELECT r.entry_id, :org, s.name, s.distance_m, s.chip_ms
            FROM wf_split s JOIN wf_res r ON r.ext_id = s.ext_id
            ON CONFLICT (entry_id, name) DO UPDATE SET distance_m = EXCLUDED.distance_m,
                chip_ms = EXCLUDED.chip_ms
            WHERE (splits.distance_m, splits.chip_ms) IS DISTINCT FROM (EXCLUDED.distance_m, EXCLUDED.chip_ms)
            """
            ),
            {"org": org_id},
        )
    )
    deleted = rowcount(
        session.execute(
            text(
                """
            DELETE FROM splits sp USING wf_res r WHERE sp.entry_id = r.entry_id AND sp.org_id = :org
              AND NOT EXISTS (SELECT 1 FROM wf_split s WHERE s.ext_id = r.ext_id AND s.name = sp.name)
            """
            ),
            {"org": org_id},
        )
    )
    return upserted + deleted


def remove_unreported_results(session: Session, org_id: int, provider: str, race_id: int) -> int:
    """Results of this vendor's entries in the race that its complete list no longer carries."""
    entry_ids = list(
        session.execute(
            text(
                """
            DELETE FROM results re USING external_refs x
            WHERE x.org_id = :org AND x.provider = :provider AND x.kind = 'entry' AND x.local_id = re.entry_id
              AND re.org_id = :org AND re.race_id = :race
              AND NOT EXISTS (SELECT 1 FROM wf_res s WHERE s.entry_id = re.entry_id)
            RETURNING re.entry_id
            """
            ),
            {"org": org_id, "provider": provider, "race": race_id},
        ).scalars()
    )
    if entry_ids:
        session.execute(
            text("DELETE FROM splits WHERE org_id = :org AND entry_id = ANY(CAST(:ids AS bigint[]))"),
            {"org": org_id, "ids": entry_ids},
        )
    return len(entry_ids)


def staged_entries(session: Session) -> dict[str, int]:
    """The entry of each staged result, by the vendor's id."""
    rows = session.execute(text("SELECT ext_id, entry_id FROM wf_res WHERE entry_id IS NOT NULL"))
    return {str(r[0]): int(r[1]) for r in rows}


def place_agreement(session: Session) -> tuple[int, int]:
    """(agreeing, compared): the vendor's sex places staged in `wf_res` against RaceHub's own."""
    row = session.execute(
        text(
            "SELECT count(*) FILTER (WHERE r.sex_place = s.vendor_sex_place), count(*) FROM wf_res s "
            "JOIN results r ON r.entry_id = s.entry_id WHERE s.vendor_sex_place IS NOT NULL"
        )
    ).one()
    return int(row[0]), int(row[1])


# --- scoring pushes ----------------------------------------------------------------------------------


def race_entries_for_push(
    session: Session, org_id: int, race_id: int, provider: str, fallback_providers: Sequence[str]
) -> list[dict[str, Any]]:
    """A race's entries with the id to send them under, the one the vendor knows first: its own id
    (a link from an earlier sync or push), else the legacy database's participant id (an imported
    entry: the timing company's system of record, whose ids the vendor was given), else the
    registration platform's, else `racehub-<entry id>` (an entry only RaceHub knows).

    A stored `racehub-…` link of an entry that has a legacy id is not the vendor's id: pushes before
    migration 0060 stored those by mistake, and the legacy id wins over them."""
    rows = (
        session.execute(
            text(
                f"""
            SELECT e.id, e.bib, e.first_name, e.last_name, e.sex, e.dob, e.age, e.team,
                   coalesce(
                     (SELECT x.external_id FROM external_refs x WHERE x.org_id = :org AND x.kind = 'entry'
                      AND x.local_id = e.id AND x.provider = :provider
                      AND (e.legacy_id IS NULL OR x.external_id NOT LIKE '{LOCAL_PUSH_PREFIX}%')),
                     e.legacy_id::text,
                     (SELECT x.external_id FROM external_refs x WHERE x.org_id = :org AND x.kind = 'entry'
                      AND x.local_id = e.id AND x.provider = ANY(CAST(:fallbacks AS text[]))
                      ORDER BY x.provider LIMIT 1),
                     '{LOCAL_PUSH_PREFIX}' || e.id) AS push_id
            FROM entries e WHERE e.org_id = :org AND e.race_id = :race ORDER BY e.id
            """
            ),
            {"org": org_id, "race": race_id, "provider": provider, "fallbacks": list(fallback_providers)},
        )
        .mappings()
        .all()
    )
    return [dict(row) for row in rows]
