"""SQL of the merges: staged rows into the tables, touching only rows that differ.

Each merge is one statement that reads its source once: rows matched to an existing row (by legacy
id, through the race and entry maps) are updated when a value differs, the others inserted without
ON CONFLICT (an advisory lock keeps imports apart). Each returns (inserted, updated, source rows);
a source smaller than the staged file means a row referenced nothing, and the caller names it.
New results of races that had none are placed as they are inserted and their awards written, so a
first load never rewrites its results; every other race whose scoring inputs changed is noted in
`touched_races` and scored afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from racehub.db import rowcount
from racehub.participants.erasure_repository import any_erased, erased, legacy_key, race_name_key
from racehub.scoring.repository import award_rows_sql, placed_rows_sql

WORK_TABLES = (
    "CREATE TEMP TABLE map_races (legacy_id bigint PRIMARY KEY, race_id bigint NOT NULL, "
    "org_id bigint NOT NULL) ON COMMIT DROP",
    "CREATE TEMP TABLE map_entries (participant_id bigint NOT NULL, entry_id bigint NOT NULL, "
    "org_id bigint NOT NULL, race_id bigint NOT NULL, sex text NOT NULL, age integer) ON COMMIT DROP",
    "CREATE TEMP TABLE touched_races (race_id bigint NOT NULL, fresh boolean NOT NULL) ON COMMIT DROP",
)

MAP_RACES = """
    INSERT INTO map_races (legacy_id, race_id, org_id)
    SELECT r.race_id, ra.id, ra.org_id
    FROM stg_races r JOIN stg_events e ON e.event_id = r.event_id
    JOIN organizations o ON o.legacy_id = e.org_id
    JOIN races ra ON ra.org_id = o.id AND ra.legacy_id = r.race_id"""

ORGANIZATIONS = """
    WITH merged AS (
        INSERT INTO organizations (slug, name, contact_name, contact_email, city, state, legacy_id)
        SELECT slug, name, contact_name, contact_email, city, state, org_id
        FROM stg_organizations ORDER BY line
        ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, contact_name = EXCLUDED.contact_name,
            contact_email = EXCLUDED.contact_email, city = EXCLUDED.city, state = EXCLUDED.state,
            legacy_id = EXCLUDED.legacy_id
        WHERE (organizations.name, organizations.contact_name, organizations.contact_email,
               organizations.city, organizations.state, organizations.legacy_id)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.contact_name, EXCLUDED.contact_email,
               EXCLUDED.city, EXCLUDED.state, EXCLUDED.legacy_id)
        RETURNING (xmax = 0) AS inserted)
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), NULL FROM merged"""

EVENT_SERIES = """
    WITH merged AS (
        INSERT INTO event_series (org_id, name)
        SELECT DISTINCT o.id, e.name FROM stg_events e JOIN organizations o ON o.legacy_id = e.org_id
        ON CONFLICT (org_id, name) DO NOTHING
        RETURNING (xmax = 0) AS inserted)
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), NULL FROM merged"""

EDITIONS = """
    WITH merged AS (
        INSERT INTO editions (org_id, series_id, year, start_date, city, state, timezone, status,
            registration_provider, registration_external_id, results_provider, results_external_id,
            legacy_id)
        SELECT o.id, s.id, e.edition_year, e.start_date, e.city, e.state,
               coalesce(e.timezone, 'America/New_York'), e.status, e.registration_provider,
               e.registration_external_id, e.results_provider, e.results_external_id, e.event_id
        FROM stg_events e JOIN organizations o ON o.legacy_id = e.org_id
        JOIN event_series s ON s.org_id = o.id AND s.name = e.name
        ORDER BY e.line
        ON CONFLICT (org_id, legacy_id) DO UPDATE SET series_id = EXCLUDED.series_id, year = EXCLUDED.year,
            start_date = EXCLUDED.start_date, city = EXCLUDED.city, state = EXCLUDED.state,
            timezone = EXCLUDED.timezone, status = EXCLUDED.status,
            registration_provider = EXCLUDED.registration_provider,
            registration_external_id = EXCLUDED.registration_external_id,
            results_provider = EXCLUDED.results_provider, results_external_id = EXCLUDED.results_external_id
        WHERE (editions.series_id, editions.year, editions.start_date, editions.city, editions.state,
               editions.timezone, editions.status, editions.registration_provider,
               editions.registration_external_id, editions.results_provider, editions.results_external_id)
          IS DISTINCT FROM (EXCLUDED.series_id, EXCLUDED.year, EXCLUDED.start_date, EXCLUDED.city,
               EXCLUDED.state, EXCLUDED.timezone, EXCLUDED.status, EXCLUDED.registration_provider,
               EXCLUDED.registration_external_id, EXCLUDED.results_provider, EXCLUDED.results_external_id)
        RETURNING (xmax = 0) AS inserted)
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), NULL FROM merged"""

_RACE_RULES = (
    "edition_id, name, distance_m, start_time, placement_basis, overall_award_depth, masters_award_depth, "
    "masters_min_age, ag_award_depth, age_group_width, exclude_award_winners_from_ag"
)

RACES = f"""
    WITH merged AS (
        INSERT INTO races (org_id, {_RACE_RULES}, legacy_id)
        SELECT o.id, ed.id, r.name, r.distance_m, r.start_time, r.placement_basis, r.overall_award_depth,
               r.masters_award_depth, r.masters_min_age, r.ag_award_depth, r.age_group_width,
               r.exclude_award_winners_from_ag, r.race_id
        FROM stg_races r JOIN stg_events e ON e.event_id = r.event_id
        JOIN organizations o ON o.legacy_id = e.org_id
        JOIN editions ed ON ed.org_id = o.id AND ed.legacy_id = r.event_id
        ORDER BY r.line
        ON CONFLICT (org_id, legacy_id) DO UPDATE SET
            ({_RACE_RULES}) = ({", ".join(f"EXCLUDED.{c.strip()}" for c in _RACE_RULES.split(","))})
        WHERE ({", ".join(f"races.{c.strip()}" for c in _RACE_RULES.split(","))})
          IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c.strip()}" for c in _RACE_RULES.split(","))})
        RETURNING id, (xmax = 0) AS inserted),
    touched AS (INSERT INTO touched_races (race_id, fresh) SELECT id, false FROM merged)
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), NULL FROM merged"""

# One person per (tenant, first and last name in any case, date of birth); the first entry's spelling.
# Sorting under "C" groups exactly as the default collation does (equal means the same bytes), faster.
PERSONS = """
    WITH people AS (
        SELECT DISTINCT ON (m.org_id, lower(p.first_name) COLLATE "C", lower(p.last_name) COLLATE "C", p.dob)
               m.org_id, p.first_name, p.last_name, p.dob, p.sex
        FROM stg_participants p JOIN map_races m ON m.legacy_id = p.race_id
        WHERE p.dob IS NOT NULL
        ORDER BY m.org_id, lower(p.first_name) COLLATE "C", lower(p.last_name) COLLATE "C", p.dob,
                 p.participant_id),
    merged AS (
        INSERT INTO persons (org_id, first_name, last_name, dob, sex)
        SELECT org_id, first_name, last_name, dob, sex FROM people pp
        WHERE NOT EXISTS (
            SELECT 1 FROM persons pe WHERE pe.org_id = pp.org_id AND pe.dob = pp.dob
              AND lower(pe.first_name) = lower(pp.first_name) AND lower(pe.last_name) = lower(pp.last_name))
        RETURNING 1)
    SELECT count(*), 0, NULL FROM merged"""

_ENTRY_VALUES = (
    "bib, first_name, last_name, sex, dob, age, email, phone, address1, city, state, zip, country, team, "
    "registered_at, registration_source"
)
ENTRY_COLUMNS = [c.strip() for c in _ENTRY_VALUES.split(",")]

ENTRIES = f"""
    WITH src AS MATERIALIZED (
        SELECT p.participant_id, m.org_id, m.race_id, pe.id AS person_id,
               {", ".join(f"p.{c}" for c in ENTRY_COLUMNS)},
               en.id AS entry_id, en.race_id AS old_race_id,
               (en.race_id, en.person_id, {", ".join(f"en.{c}" for c in ENTRY_COLUMNS)})
                 IS DISTINCT FROM
               (m.race_id, pe.id, {", ".join(f"p.{c}" for c in ENTRY_COLUMNS)}) AS changed,
               (en.race_id, en.sex, en.age) IS DISTINCT FROM (m.race_id, p.sex, p.age) AS rescore
        FROM stg_participants p JOIN map_races m ON m.legacy_id = p.race_id
        LEFT JOIN persons pe ON pe.org_id = m.org_id AND pe.dob = p.dob
             AND lower(pe.first_name) = lower(p.first_name) AND lower(pe.last_name) = lower(p.last_name)
        LEFT JOIN entries en ON en.org_id = m.org_id AND en.legacy_id = p.participant_id),
    updated AS (
        UPDATE entries en SET (race_id, person_id, {_ENTRY_VALUES})
            = (s.race_id, s.person_id, {", ".join(f"s.{c}" for c in ENTRY_COLUMNS)})
        FROM src s WHERE s.entry_id IS NOT NULL AND s.changed AND en.id = s.entry_id
        RETURNING en.id),
    inserted AS (
        INSERT INTO entries (org_id, race_id, person_id, {_ENTRY_VALUES}, legacy_id)
        SELECT org_id, race_id, person_id, {_ENTRY_VALUES}, participant_id FROM src WHERE entry_id IS NULL
        ORDER BY race_id, participant_id  -- a race's entries (and so its results) share pages
        RETURNING id, legacy_id, org_id, race_id, sex, age),
    mapped AS (
        INSERT INTO map_entries (participant_id, entry_id, org_id, race_id, sex, age)
        SELECT participant_id, entry_id, org_id, race_id, sex, age FROM src WHERE entry_id IS NOT NULL
        UNION ALL SELECT legacy_id, id, org_id, race_id, sex, age FROM inserted),
    touched AS (
        INSERT INTO touched_races (race_id, fresh)
        SELECT DISTINCT t.race_id, false FROM src, unnest(ARRAY[src.race_id, src.old_race_id]) AS t(race_id)
        WHERE src.entry_id IS NOT NULL AND src.rescore AND t.race_id IS NOT NULL)
    SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated), (SELECT count(*) FROM src)"""

RESULTS = f"""
    WITH src AS MATERIALIZED (
        SELECT m.entry_id, m.org_id, m.race_id, s.status, s.gun_time_ms AS gun_ms,
               s.chip_time_ms AS chip_ms, m.sex, m.age,
               re.entry_id IS NOT NULL AS known, re.race_id AS old_race_id,
               (re.status, re.gun_ms, re.chip_ms, re.race_id)
                 IS DISTINCT FROM (s.status, s.gun_time_ms, s.chip_time_ms, m.race_id) AS changed
        FROM stg_results s JOIN map_entries m ON m.participant_id = s.participant_id
        LEFT JOIN results re ON re.entry_id = m.entry_id),
    known_races AS (SELECT DISTINCT race_id FROM src WHERE known),
    fresh_races AS (
        SELECT n.race_id FROM (SELECT DISTINCT race_id FROM src WHERE NOT known) n
        WHERE n.race_id NOT IN (SELECT race_id FROM known_races)
          AND NOT EXISTS (SELECT 1 FROM results x WHERE x.race_id = n.race_id)
          AND NOT EXISTS (SELECT 1 FROM awards x WHERE x.race_id = n.race_id)),
    incoming AS (
        SELECT src.entry_id, src.org_id, src.race_id, src.status, src.gun_ms, src.chip_ms, src.sex, src.age,
               CASE WHEN f.race_id IS NULL THEN NULL
                    WHEN r.placement_basis = 'gun' THEN src.gun_ms ELSE src.chip_ms END AS ms,
               r.age_group_width
        FROM src JOIN races r ON r.id = src.race_id LEFT JOIN fresh_races f ON f.race_id = src.race_id
        WHERE NOT src.known),
    placed AS MATERIALIZED ({placed_rows_sql("incoming")}),
    inserted AS (
        INSERT INTO results (entry_id, org_id, race_id, status, gun_ms, chip_ms, overall_place, sex_place,
                             age_group, age_group_place)
        SELECT entry_id, org_id, race_id, status, gun_ms, chip_ms, overall_place, sex_place, age_group,
               age_group_place FROM placed ORDER BY entry_id
        RETURNING 1),
    awarded AS (
        INSERT INTO awards (org_id, race_id, entry_id, category, sex, age_group, award_place)
        {award_rows_sql("placed")}
        RETURNING 1),
    updated AS (
        UPDATE results re SET status = s.status, gun_ms = s.gun_ms, chip_ms = s.chip_ms, race_id = s.race_id
        FROM src s WHERE s.known AND s.changed AND re.entry_id = s.entry_id
        RETURNING 1),
    touched AS (
        INSERT INTO touched_races (race_id, fresh)
        SELECT race_id, true FROM fresh_races
        UNION ALL
        SELECT DISTINCT t.race_id, false FROM src, unnest(ARRAY[src.race_id, src.old_race_id]) AS t(race_id)
        WHERE t.race_id IS NOT NULL AND ((src.known AND src.changed)
           OR (NOT src.known AND src.race_id NOT IN (SELECT race_id FROM fresh_races))))
    SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated), (SELECT count(*) FROM src),
           (SELECT count(*) FROM awarded)"""

SPLITS = """
    WITH src AS MATERIALIZED (
        SELECT m.entry_id, m.org_id, s.split_name, s.distance_m, s.chip_elapsed_ms AS chip_ms,
               sp.entry_id IS NOT NULL AS known,
               (sp.distance_m, sp.chip_ms) IS DISTINCT FROM (s.distance_m, s.chip_elapsed_ms) AS changed
        FROM stg_splits s JOIN map_entries m ON m.participant_id = s.participant_id
        LEFT JOIN splits sp ON sp.entry_id = m.entry_id AND sp.name = s.split_name),
    updated AS (
        UPDATE splits sp SET distance_m = s.distance_m, chip_ms = s.chip_ms
        FROM src s WHERE s.known AND s.changed AND sp.entry_id = s.entry_id AND sp.name = s.split_name
        RETURNING 1),
    inserted AS (
        INSERT INTO splits (entry_id, org_id, name, distance_m, chip_ms)
        SELECT entry_id, org_id, split_name, distance_m, chip_ms FROM src WHERE NOT known
        ORDER BY entry_id, split_name
        RETURNING 1)
    SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated), (SELECT count(*) FROM src)"""

# (table, statement) in dependency order; each statement returns (inserted, updated, source rows).
MERGES: Sequence[tuple[str, str]] = (
    ("organizations", ORGANIZATIONS),
    ("event_series", EVENT_SERIES),
    ("editions", EDITIONS),
    ("races", RACES),
    ("persons", PERSONS),
    ("entries", ENTRIES),
    ("results", RESULTS),
    ("splits", SPLITS),
)
# The staged file whose every row must reach the table (else a row referenced nothing).
SOURCES = {"entries": "ct_participants.csv", "results": "ct_results.csv", "splits": "ct_splits.csv"}


def begin(session: Session) -> None:
    """One import at a time, with memory for the big sorts and hashes of this transaction only."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('racehub.import'))"))
    session.execute(text("SET LOCAL work_mem = '512MB'"))
    session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    # Joins on names would otherwise sort millions of rows under the locale's collation: hash them.
    session.execute(text("SET LOCAL enable_mergejoin = off"))


def create_work_tables(session: Session) -> None:
    for ddl in WORK_TABLES:
        session.execute(text(ddl))


def map_races(session: Session) -> None:
    session.execute(text(MAP_RACES))
    session.execute(text("ANALYZE map_races"))


# Staged participants erased in their tenant (migration 0050): by the bundle's participant id or their
# name in the race. Only the rows of races that lost someone are looked at (no digests of millions of
# rows on every load once anyone was erased).
ERASED_PARTICIPANTS = f"""
    CREATE TEMP TABLE erased_participants ON COMMIT DROP AS
    SELECT p.participant_id FROM stg_participants p
    JOIN map_races m ON m.legacy_id = p.race_id AND m.race_id IN (SELECT race_id FROM erased_keys)
    WHERE {
    erased(
        "m.org_id",
        [
            legacy_key("p.participant_id"),
            race_name_key("m.race_id", "p.first_name", "p.last_name"),
        ],
    )
}"""
ERASED_ROWS = {
    "ct_participants.csv": "stg_participants",
    "ct_results.csv": "stg_results",
    "ct_splits.csv": "stg_splits",
}


def drop_erased(session: Session) -> dict[str, int]:
    """Drop the staged rows of participants erased in their tenant (entry, result, splits), so that an
    import does not bring them back; rows dropped per file. Costs nothing when nobody was erased."""
    if not any_erased(session):
        return {}
    session.execute(text(ERASED_PARTICIPANTS))
    gone = "participant_id IN (SELECT participant_id FROM erased_participants)"
    dropped = {}
    for file, table in ERASED_ROWS.items():
        dropped[file] = rowcount(session.execute(text(f"DELETE FROM {table} WHERE {gone}")))
    return dropped


def analyze_map_entries(session: Session) -> None:
    session.execute(text("ANALYZE map_entries"))


def merge(session: Session, sql: str) -> tuple[int, int, int | None]:
    """Run one merge: (inserted, updated, source rows or None)."""
    row = session.execute(text(sql)).one()
    source = row[2] if len(row) > 2 else None
    return int(row[0]), int(row[1]), None if source is None else int(source)


def touched_races(session: Session) -> tuple[list[int], set[int]]:
    """Races whose places or awards may have changed, and those of them placed as their results came in."""
    rows = session.execute(
        text("SELECT race_id, bool_or(fresh) FROM touched_races GROUP BY race_id ORDER BY race_id")
    ).all()
    return [r[0] for r in rows], {r[0] for r in rows if r[1]}


def mark_placed(session: Session, race_ids: Sequence[int]) -> None:
    """Stamp races whose finishers were placed as they were inserted (scoring changed them)."""
    session.execute(
        text(
            "UPDATE races ra SET scored_at = now() WHERE ra.id = ANY(:ids) AND EXISTS "
            "(SELECT 1 FROM results re WHERE re.race_id = ra.id AND re.overall_place IS NOT NULL)"
        ),
        {"ids": list(race_ids)},
    )


def bulk_load_begin(session: Session) -> bool:
    """Drop the secondary indexes and foreign keys of the empty entry tables for a first load.

    Runs `racehub_bulk_load_begin()` (migration 0030, owner rights, this transaction only); False when
    the tables hold rows or the function is missing, and the load keeps every index."""
    found = text("SELECT to_regprocedure('racehub_bulk_load_begin()') IS NOT NULL")
    present = session.execute(found).scalar()
    return bool(present) and bool(session.execute(text("SELECT racehub_bulk_load_begin()")).scalar())


def analyze_bulk(session: Session, table: str) -> None:
    """Fresh statistics of one of a first load's tables, mid-load (owner rights, migration 0040)."""
    session.execute(text("SELECT racehub_bulk_load_analyze(CAST(:t AS regclass))"), {"t": table})


def bulk_load_finish(session: Session) -> None:
    """Rebuild what bulk_load_begin dropped (validating every foreign key); statistics are gathered
    after the commit (`service.analyze_tables`)."""
    session.execute(text("SELECT racehub_bulk_load_finish()"))
