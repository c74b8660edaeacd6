"""SQL of a first load: staged rows straight into empty entry tables, one pass each.

Taken when `bulk_load_begin` found persons, entries, results, splits and awards empty (their secondary
indexes and keys dropped until the end of the load). With nothing to compare against, each statement is
a plain INSERT ... SELECT: no lookups of existing rows, no change detection. What the merges in
`merges.py` would write into empty tables, these write too (a test compares them row for row): the same
persons (the first entry's spelling), entries, placed results and awards. Each statement returns
(inserted, updated, source rows) like a merge.
"""

from __future__ import annotations

from collections.abc import Sequence

from racehub.imports.repository.merges import ENTRY_COLUMNS, MERGES
from racehub.scoring.repository import award_rows_sql, placed_rows_sql

# One person per (tenant, first and last name in any case, date of birth); the first entry's spelling.
# The sort leads with a hash of the folded names: nearly every comparison is then one of two integers
# (the names decide only between equal hashes), a third faster than comparing names at 7.7M entries.
_NAME_HASH = "hashtextextended(lower(p.first_name) || chr(31) || lower(p.last_name), 0)"
_PERSON = f'{_NAME_HASH}, m.org_id, lower(p.first_name) COLLATE "C", lower(p.last_name) COLLATE "C", p.dob'
PERSONS = f"""
    WITH inserted AS (
        INSERT INTO persons (org_id, first_name, last_name, dob, sex)
        SELECT DISTINCT ON ({_PERSON}) m.org_id, p.first_name, p.last_name, p.dob, p.sex
        FROM stg_participants p JOIN map_races m ON m.legacy_id = p.race_id
        WHERE p.dob IS NOT NULL
        ORDER BY {_PERSON}, p.participant_id
        RETURNING 1)
    SELECT count(*), 0, NULL FROM inserted"""


def entries(*, grouped_by_race: bool) -> str:
    """Entries in the file's order when it already keeps each race's rows together (a race's entries,
    and so its results, then share pages), else sorted by race."""
    order = "" if grouped_by_race else "ORDER BY m.race_id, p.participant_id"
    return f"""
    WITH inserted AS (
        INSERT INTO entries (org_id, race_id, person_id, {", ".join(ENTRY_COLUMNS)}, legacy_id)
        SELECT m.org_id, m.race_id, pe.id, {", ".join(f"p.{c}" for c in ENTRY_COLUMNS)}, p.participant_id
        FROM stg_participants p JOIN map_races m ON m.legacy_id = p.race_id
        LEFT JOIN persons pe ON pe.org_id = m.org_id AND pe.dob = p.dob
             AND lower(pe.first_name) = lower(p.first_name) AND lower(pe.last_name) = lower(p.last_name)
        {order}
        RETURNING id, legacy_id, org_id, race_id, sex, age),
    mapped AS (
        INSERT INTO map_entries (participant_id, entry_id, org_id, race_id, sex, age)
        SELECT legacy_id, id, org_id, race_id, sex, age FROM inserted
        RETURNING 1)
    SELECT count(*), 0, count(*) FROM mapped"""


# Every race is new: results are placed as they are inserted (in place order, so a race's results page
# reads consecutive rows) and the award lists written from the same places.
RESULTS = f"""
    WITH incoming AS (
        SELECT m.entry_id, m.org_id, m.race_id, s.status, s.gun_time_ms AS gun_ms,
               s.chip_time_ms AS chip_ms, m.sex, m.age,
               CASE WHEN r.placement_basis = 'gun' THEN s.gun_time_ms ELSE s.chip_time_ms END AS ms,
               r.age_group_width
        FROM stg_results s JOIN map_entries m ON m.participant_id = s.participant_id
        JOIN races r ON r.id = m.race_id),
    placed AS MATERIALIZED ({placed_rows_sql("incoming")}),
    inserted AS (
        INSERT INTO results (entry_id, org_id, race_id, status, gun_ms, chip_ms, overall_place, sex_place,
                             age_group, age_group_place)
        SELECT entry_id, org_id, race_id, status, gun_ms, chip_ms, overall_place, sex_place, age_group,
               age_group_place FROM placed),
    awarded AS (
        INSERT INTO awards (org_id, race_id, entry_id, category, sex, age_group, award_place)
        {award_rows_sql("placed")}),
    placed_races AS (
        INSERT INTO touched_races (race_id, fresh) SELECT DISTINCT race_id, true FROM placed)
    SELECT count(*), 0, count(*) FROM placed"""

SPLITS = """
    WITH inserted AS (
        INSERT INTO splits (entry_id, org_id, name, distance_m, chip_ms)
        SELECT m.entry_id, m.org_id, s.split_name, s.distance_m, s.chip_elapsed_ms
        FROM stg_splits s JOIN map_entries m ON m.participant_id = s.participant_id
        RETURNING 1)
    SELECT count(*), 0, count(*) FROM inserted"""


def first_load_merges(*, grouped_by_race: bool) -> Sequence[tuple[str, str]]:
    """The merges of a first load: the event tables as always, then the entry tables in one pass each."""
    events = [m for m in MERGES if m[0] in ("organizations", "event_series", "editions", "races")]
    return (
        *events,
        ("persons", PERSONS),
        ("entries", entries(grouped_by_race=grouped_by_race)),
        ("results", RESULTS),
        ("splits", SPLITS),
    )
