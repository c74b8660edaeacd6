"""All SQL of the bundle import: COPY into staging tables, then set-based upserts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import psycopg
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

STAGING = {
    "stg_orgs": "org_id bigint, slug text, name text, contact_name text, contact_email text, city text, "
    "state text",
    "stg_events": "event_id bigint, org_id bigint, name text, edition_year int, start_date date, city text, "
    "state text, timezone text, registration_provider text, registration_external_id text, "
    "results_provider text, results_external_id text, status text",
    "stg_races": "race_id bigint, event_id bigint, name text, distance_m float8, start_time timestamp, "
    "placement_basis text, overall_award_depth int, masters_award_depth int, masters_min_age int, "
    "ag_award_depth int, age_group_width int, exclude_award_winners_from_ag bool, org_id bigint",
    "stg_participants": "participant_id bigint, race_id bigint, bib text, first_name text, last_name text, "
    "sex text, dob date, age int, email text, phone text, address1 text, city text, state text, zip text, "
    "country text, team text, registered_at timestamp, registration_source text, org_id bigint",
    "stg_results": "participant_id bigint, status text, gun_ms int, chip_ms int, org_id bigint",
    "stg_splits": "participant_id bigint, split_name text, distance_m float8, chip_ms int, org_id bigint",
}

# Each upsert touches a row only when something differs, so a repeated import changes nothing.
# RETURNING (xmax = 0) tells an insert from an update.
MERGES: Sequence[tuple[str, str]] = (
    ("organizations", """
        INSERT INTO organizations (slug, name, contact_name, contact_email, city, state, legacy_id)
        SELECT slug, name, contact_name, contact_email, city, state, org_id FROM stg_orgs
        ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, contact_name = EXCLUDED.contact_name,
            contact_email = EXCLUDED.contact_email, city = EXCLUDED.city, state = EXCLUDED.state,
            legacy_id = EXCLUDED.legacy_id
        WHERE (organizations.name, organizations.contact_name, organizations.contact_email,
               organizations.city, organizations.state, organizations.legacy_id)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.contact_name, EXCLUDED.contact_email,
               EXCLUDED.city, EXCLUDED.state, EXCLUDED.legacy_id)
        RETURNING (xmax = 0)"""),
    ("event_series", """
        INSERT INTO event_series (org_id, name)
        SELECT DISTINCT o.id, e.name FROM stg_events e JOIN organizations o ON o.legacy_id = e.org_id
        ON CONFLICT (org_id, name) DO NOTHING
        RETURNING (xmax = 0)"""),
    ("editions", """
        INSERT INTO editions (org_id, series_id, year, start_date, city, state, timezone, status,
            registration_provider, registration_external_id, results_provider, results_external_id, legacy_id)
        SELECT o.id, s.id, e.edition_year, e.start_date, e.city, e.state,
               coalesce(e.timezone, 'America/New_York'), e.status, e.registration_provider,
               e.registration_external_id, e.results_provider, e.results_external_id, e.event_id
        FROM stg_events e JOIN organizations o ON o.legacy_id = e.org_id
        JOIN event_series s ON s.org_id = o.id AND s.name = e.name
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
        RETURNING (xmax = 0)"""),
    ("races", """
        INSERT INTO races (org_id, edition_id, name, distance_m, start_time, placement_basis,
            overall_award_depth, masters_award_depth, masters_min_age, ag_award_depth, age_group_width,
            exclude_award_winners_from_ag, legacy_id)
        SELECT o.id, ed.id, r.name, r.distance_m, r.start_time, r.placement_basis, r.overall_award_depth,
               r.masters_award_depth, r.masters_min_age, r.ag_award_depth, r.age_group_width,
               r.exclude_award_winners_from_ag, r.race_id
        FROM stg_races r JOIN organizations o ON o.legacy_id = r.org_id
        JOIN editions ed ON ed.org_id = o.id AND ed.legacy_id = r.event_id
        ON CONFLICT (org_id, legacy_id) DO UPDATE SET edition_id = EXCLUDED.edition_id, name = EXCLUDED.name,
            distance_m = EXCLUDED.distance_m, start_time = EXCLUDED.start_time,
            placement_basis = EXCLUDED.placement_basis, overall_award_depth = EXCLUDED.overall_award_depth,
            masters_award_depth = EXCLUDED.masters_award_depth, masters_min_age = EXCLUDED.masters_min_age,
            ag_award_depth = EXCLUDED.ag_award_depth, age_group_width = EXCLUDED.age_group_width,
            exclude_award_winners_from_ag = EXCLUDED.exclude_award_winners_from_ag
        WHERE (races.edition_id, races.name, races.distance_m, races.start_time, races.placement_basis,
               races.overall_award_depth, races.masters_award_depth, races.masters_min_age,
               races.ag_award_depth, races.age_group_width, races.exclude_award_winners_from_ag)
          IS DISTINCT FROM (EXCLUDED.edition_id, EXCLUDED.name, EXCLUDED.distance_m, EXCLUDED.start_time,
               EXCLUDED.placement_basis, EXCLUDED.overall_award_depth, EXCLUDED.masters_award_depth,
               EXCLUDED.masters_min_age, EXCLUDED.ag_award_depth, EXCLUDED.age_group_width,
               EXCLUDED.exclude_award_winners_from_ag)
        RETURNING (xmax = 0)"""),
    ("persons", """
        INSERT INTO persons (org_id, first_name, last_name, dob, sex)
        SELECT DISTINCT ON (o.id, lower(p.first_name), lower(p.last_name), p.dob)
               o.id, p.first_name, p.last_name, p.dob, p.sex
        FROM stg_participants p JOIN organizations o ON o.legacy_id = p.org_id
        WHERE p.dob IS NOT NULL
        ORDER BY o.id, lower(p.first_name), lower(p.last_name), p.dob, p.participant_id
        ON CONFLICT (org_id, lower(first_name), lower(last_name), dob) DO NOTHING
        RETURNING (xmax = 0)"""),
    ("entries", """
        INSERT INTO entries (org_id, race_id, person_id, bib, first_name, last_name, sex, dob, age, email,
            phone, address1, city, state, zip, country, team, registered_at, registration_source, legacy_id)
        SELECT o.id, r.id, pe.id, p.bib, p.first_name, p.last_name, p.sex, p.dob, p.age, p.email, p.phone,
               p.address1, p.city, p.state, p.zip, p.country, p.team, p.registered_at,
               p.registration_source, p.participant_id
        FROM stg_participants p JOIN organizations o ON o.legacy_id = p.org_id
        JOIN races r ON r.org_id = o.id AND r.legacy_id = p.race_id
        LEFT JOIN persons pe ON pe.org_id = o.id AND lower(pe.first_name) = lower(p.first_name)
             AND lower(pe.last_name) = lower(p.last_name) AND pe.dob = p.dob
        ON CONFLICT (org_id, legacy_id) DO UPDATE SET race_id = EXCLUDED.race_id,
            person_id = EXCLUDED.person_id, bib = EXCLUDED.bib, first_name = EXCLUDED.first_name,
            last_name = EXCLUDED.last_name, sex = EXCLUDED.sex, dob = EXCLUDED.dob, age = EXCLUDED.age,
            email = EXCLUDED.email, phone = EXCLUDED.phone, address1 = EXCLUDED.address1,
            city = EXCLUDED.city, state = EXCLUDED.state, zip = EXCLUDED.zip, country = EXCLUDED.country,
            team = EXCLUDED.team, registered_at = EXCLUDED.registered_at,
            registration_source = EXCLUDED.registration_source
        WHERE (entries.race_id, entries.person_id, entries.bib, entries.first_name, entries.last_name,
               entries.sex, entries.dob, entries.age, entries.email, entries.phone, entries.address1,
               entries.city, entries.state, entries.zip, entries.country, entries.team,
               entries.registered_at, entries.registration_source)
          IS DISTINCT FROM (EXCLUDED.race_id, EXCLUDED.person_id, EXCLUDED.bib, EXCLUDED.first_name,
               EXCLUDED.last_name, EXCLUDED.sex, EXCLUDED.dob, EXCLUDED.age, EXCLUDED.email, EXCLUDED.phone,
               EXCLUDED.address1, EXCLUDED.city, EXCLUDED.state, EXCLUDED.zip, EXCLUDED.country,
               EXCLUDED.team, EXCLUDED.registered_at, EXCLUDED.registration_source)
        RETURNING (xmax = 0)"""),
    ("results", """
        INSERT INTO results (entry_id, org_id, race_id, status, gun_ms, chip_ms)
        SELECT en.id, en.org_id, en.race_id, s.status, s.gun_ms, s.chip_ms
        FROM stg_results s JOIN organizations o ON o.legacy_id = s.org_id
        JOIN entries en ON en.org_id = o.id AND en.legacy_id = s.participant_id
        ON CONFLICT (entry_id) DO UPDATE SET status = EXCLUDED.status, gun_ms = EXCLUDED.gun_ms,
            chip_ms = EXCLUDED.chip_ms, race_id = EXCLUDED.race_id
        WHERE (results.status, results.gun_ms, results.chip_ms, results.race_id)
          IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.gun_ms, EXCLUDED.chip_ms, EXCLUDED.race_id)
        RETURNING (xmax = 0)"""),
    ("splits", """
        INSERT INTO splits (entry_id, org_id, name, distance_m, chip_ms)
        SELECT en.id, en.org_id, s.split_name, s.distance_m, s.chip_ms
        FROM stg_splits s JOIN organizations o ON o.legacy_id = s.org_id
        JOIN entries en ON en.org_id = o.id AND en.legacy_id = s.participant_id
        ON CONFLICT (entry_id, name) DO UPDATE SET distance_m = EXCLUDED.distance_m,
            chip_ms = EXCLUDED.chip_ms
        WHERE (splits.distance_m, splits.chip_ms) IS DISTINCT FROM (EXCLUDED.distance_m, EXCLUDED.chip_ms)
        RETURNING (xmax = 0)"""),
)


def driver_connection(session: Session) -> psycopg.Connection:
    """The psycopg connection under the session's transaction (for COPY)."""
    conn = session.connection().connection.driver_connection
    assert isinstance(conn, psycopg.Connection)
    return conn


def create_staging(session: Session) -> None:
    for name, columns in STAGING.items():
        session.execute(text(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP"))


def copy_rows(session: Session, table: str, rows: Iterable[tuple]) -> None:
    conn = driver_connection(session)
    with conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def analyze_staging(session: Session) -> None:
    for name in STAGING:
        session.execute(text(f"ANALYZE {name}"))


def merge(session: Session, sql: str) -> tuple[int, int]:
    """Run one upsert; (inserted, updated) row counts."""
    flags = session.execute(text(sql)).scalars().all()
    inserted = sum(1 for f in flags if f)
    return inserted, len(flags) - inserted


def touched_races(session: Session) -> list[int]:
    """Races of the bundle, by local id, for scoring after import."""
    return list(
        session.execute(
            text(
                "SELECT r.id FROM stg_races s JOIN organizations o ON o.legacy_id = s.org_id "
                "JOIN races r ON r.org_id = o.id AND r.legacy_id = s.race_id ORDER BY r.id"
            )
        ).scalars()
    )


LOADED_TABLES = ("editions", "races", "persons", "entries", "results", "splits", "awards")


def analyze_loaded(conn: Connection) -> None:
    for table in LOADED_TABLES:
        conn.execute(text(f"ANALYZE {table}"))
