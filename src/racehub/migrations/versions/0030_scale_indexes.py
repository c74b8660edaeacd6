"""Scale: indexes for answers at millions of results, and a first load that builds indexes once.

Bulk load. A first import into empty entry tables spends most of its time keeping secondary indexes
and checking foreign keys row by row (3 checks for each of 7.6 million entries). Two owner functions
let the operator role drop them for the load and rebuild them at the end, all inside the import's own
transaction: `racehub_bulk_load_begin()` locks persons, entries, results, splits and awards, and only
when every one of them is empty (no page at all) drops their foreign keys, unique constraints that no
foreign key uses, and other non-primary indexes, keeping each definition in `racehub_bulk_ddl` (owner
only: the application can neither read nor write it). `racehub_bulk_load_finish()` rebuilds them in
order (indexes, unique constraints, then foreign keys, each validated by one scan) and refreshes the
statistics. A rollback restores everything; a commit with the definitions still pending is refused by
a deferred constraint trigger, so the tables can never be left without their indexes.

Revision ID: 0030_scale_indexes
Revises: 0020_workflows
Create Date: 2026-11-25
"""

from alembic import op

from racehub.migrations import rls

revision = "0030_scale_indexes"
down_revision = "0020_workflows"
branch_labels = None
depends_on = None

BULK_TABLES = "'public.persons', 'public.entries', 'public.results', 'public.splits', 'public.awards'"

BULK_LOAD = f"""
CREATE TABLE racehub_bulk_ddl (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stage integer NOT NULL,
    statement text NOT NULL
);
REVOKE ALL ON racehub_bulk_ddl FROM PUBLIC;

CREATE FUNCTION racehub_bulk_load_begin() RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    bulk regclass[] := ARRAY[{BULK_TABLES}]::regclass[];
    tbl regclass;
    item record;
BEGIN
    IF EXISTS (SELECT 1 FROM public.racehub_bulk_ddl) THEN
        RAISE EXCEPTION 'a bulk load is already under way (racehub_bulk_ddl is not empty)';
    END IF;
    LOCK TABLE public.persons, public.entries, public.results, public.splits, public.awards
        IN ACCESS EXCLUSIVE MODE;
    FOREACH tbl IN ARRAY bulk LOOP
        IF pg_relation_size(tbl) > 0 THEN
            RETURN false;
        END IF;
    END LOOP;
    FOR item IN
        SELECT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def, c.contype
        FROM pg_constraint c
        WHERE c.conrelid = ANY(bulk) AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS (
            SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)))
        ORDER BY c.contype = 'u', c.conrelid, c.conname
    LOOP
        INSERT INTO public.racehub_bulk_ddl (stage, statement) VALUES (
            CASE item.contype WHEN 'u' THEN 2 ELSE 3 END,
            format('ALTER TABLE %s ADD CONSTRAINT %I %s', item.tbl, item.conname, item.def));
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.tbl, item.conname);
    END LOOP;
    FOR item IN
        SELECT i.indexrelid::regclass AS idx, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i
        WHERE i.indrelid = ANY(bulk) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY i.indrelid, i.indexrelid
    LOOP
        INSERT INTO public.racehub_bulk_ddl (stage, statement) VALUES (1, item.def);
        EXECUTE format('DROP INDEX %s', item.idx);
    END LOOP;
    RETURN true;
END $$;

CREATE FUNCTION racehub_bulk_load_finish() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT statement FROM public.racehub_bulk_ddl ORDER BY stage, position LOOP
        EXECUTE item.statement;
    END LOOP;
    DELETE FROM public.racehub_bulk_ddl;
    ANALYZE public.persons, public.entries, public.results, public.splits, public.awards;
END $$;

CREATE FUNCTION racehub_bulk_load_pending() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM public.racehub_bulk_ddl) THEN
        RAISE EXCEPTION 'bulk load not finished: call racehub_bulk_load_finish() before commit';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER racehub_bulk_load_pending AFTER INSERT ON racehub_bulk_ddl
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION racehub_bulk_load_pending();

REVOKE ALL ON FUNCTION racehub_bulk_load_begin(), racehub_bulk_load_finish(), racehub_bulk_load_pending()
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION racehub_bulk_load_begin(), racehub_bulk_load_finish() TO "{rls.PLATFORM_ROLE}";
"""


_ENTRY_COLUMNS = """
    r.edition_id, s.name AS event_name, ed.year, ed.start_date,
    r.name AS race_name, r.distance_m, en.person_id, en.bib, en.first_name, en.last_name,
    en.first_name || ' ' || en.last_name AS full_name, en.sex, en.age, en.dob, en.email, en.phone,
    en.address1, en.city, en.state, en.zip, en.country, en.team, en.registered_at,
    en.registration_source,
    re.status, re.status = 'FIN' AS finished, re.gun_ms, re.chip_ms,
    CASE r.placement_basis WHEN 'gun' THEN re.gun_ms ELSE re.chip_ms END AS placement_ms,
    re.overall_place, re.sex_place, re.age_group, re.age_group_place"""

# Answers filter q_results by race_id. From the entry, that filter reached only entries: every result
# of every race was then joined to find them (6 s for one edition at 7.6M results). From the result
# it is an index range on results. Every result has exactly one entry (a NOT NULL foreign key, same
# tenant), so the LEFT JOIN returns the same rows and lets PostgreSQL skip entries when a question
# needs none of its columns (a count).
Q_RESULTS = f"""
    SELECT re.entry_id, re.race_id, {_ENTRY_COLUMNS}
    FROM results re LEFT JOIN entries en ON en.id = re.entry_id JOIN races r ON r.id = re.race_id
    JOIN editions ed ON ed.id = r.edition_id JOIN event_series s ON s.id = ed.series_id"""
Q_RESULTS_0001 = f"""
    SELECT en.id AS entry_id, en.race_id, {_ENTRY_COLUMNS}
    FROM results re JOIN entries en ON en.id = re.entry_id JOIN races r ON r.id = re.race_id
    JOIN editions ed ON ed.id = r.edition_id JOIN event_series s ON s.id = ed.series_id"""


# A race's results counted (results pages, answers) from the index alone: row-level security needs the
# tenant column, so it rides along; pages stay all-visible because the import vacuums after a load.
INDEXES = """
DROP INDEX results_race_status_idx;
CREATE INDEX results_race_status_idx ON results (race_id, status) INCLUDE (org_id);
"""
INDEXES_0001 = """
DROP INDEX results_race_status_idx;
CREATE INDEX results_race_status_idx ON results (race_id, status);
"""


def upgrade(app_role: str = "racehub_app") -> None:
    op.execute(BULK_LOAD)
    op.execute(INDEXES)
    for stmt in rls.view("q_results", Q_RESULTS, app_role):
        op.execute(stmt)


def downgrade(app_role: str = "racehub_app") -> None:
    op.execute(INDEXES_0001)
    for stmt in rls.view("q_results", Q_RESULTS_0001, app_role):
        op.execute(stmt)
    op.execute("DROP TRIGGER IF EXISTS racehub_bulk_load_pending ON racehub_bulk_ddl")
    op.execute(
        "DROP FUNCTION IF EXISTS racehub_bulk_load_begin(), racehub_bulk_load_finish(), "
        "racehub_bulk_load_pending()"
    )
    op.execute("DROP TABLE IF EXISTS racehub_bulk_ddl")
