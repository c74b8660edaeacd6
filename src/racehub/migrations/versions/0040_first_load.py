"""First load and deletes: keys built once, fresh statistics mid-load, cheaper folded names, the index
entry deletes need, and none that nobody could use.

- `racehub_bulk_load_begin()` now also drops the primary keys of the empty entry tables (every foreign
  key that references them is one of theirs, dropped first) and `racehub_bulk_load_finish()` adds them
  back before anything else. Keeping a primary key up to date row by row cost a first load more than
  building it once (1.4 s against 0.3 s per million results inserted in place order).
- `racehub_bulk_load_finish()` no longer analyzes the five tables: `racehub import racedata` (and
  `racehub demo`) vacuum and analyze them once the load has committed, so statistics were gathered twice
  (5 s at 7.6M results).
- `racehub_bulk_load_analyze(table)` refreshes the statistics of one of those tables inside the load's
  transaction, so the statement after it is planned for the rows just written (the persons of a load,
  joined to millions of entries) rather than for an empty table.
- The folded names persons keep for search (`search_first_name`, `search_last_name`, migration 0002) skip
  `translate()` for names that are plain ASCII, which nothing in its table can change: same values,
  and writing 5.9 million persons takes 6 s instead of 19 s (translate walks the 55-letter table for
  every character).
- `awards_entry_idx (entry_id)`: deleting an entry (a registration removed by a sync, a participant
  erased) looked for its awards by reading every award, once per entry deleted.
- `entries_race_idx (race_id)` repeats the leading column of `entries_race_org_idx (race_id, org_id)`.
- `entries_name_idx (org_id, lower(last_name), lower(first_name))` can serve no query of the roles that
  read entries: under row-level security a condition on `lower()` (not leakproof) is never an index
  condition. Both cost every first load 10 s of index building at 7.6 million entries.

Revision ID: 0040_first_load
Revises: 0030_scale_indexes
Create Date: 2026-12-05
"""

from alembic import op

from racehub.migrations import rls

revision = "0040_first_load"
down_revision = "0030_scale_indexes"
branch_labels = None
depends_on = None

BULK_TABLES = "'public.persons', 'public.entries', 'public.results', 'public.splits', 'public.awards'"


def _begin(primary_keys: bool) -> str:
    """racehub_bulk_load_begin(): stage 0 primary keys, 1 indexes, 2 unique constraints, 3 foreign keys."""
    kinds = "('p', 'u')" if primary_keys else "('u')"
    return f"""
CREATE OR REPLACE FUNCTION racehub_bulk_load_begin() RETURNS boolean
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
        WHERE c.conrelid = ANY(bulk) AND (c.contype = 'f' OR (c.contype IN {kinds} AND NOT EXISTS (
            SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid
              AND NOT f.conrelid = ANY(bulk))))
        ORDER BY c.contype <> 'f', c.conrelid, c.conname
    LOOP
        INSERT INTO public.racehub_bulk_ddl (stage, statement) VALUES (
            CASE item.contype WHEN 'p' THEN 0 WHEN 'u' THEN 2 ELSE 3 END,
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
END $$"""


def _finish(analyze: bool) -> str:
    """racehub_bulk_load_finish(): rebuild what begin dropped, in stage order."""
    statistics = "ANALYZE public.persons, public.entries, public.results, public.splits, public.awards;"
    return f"""
CREATE OR REPLACE FUNCTION racehub_bulk_load_finish() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT statement FROM public.racehub_bulk_ddl ORDER BY stage, position LOOP
        EXECUTE item.statement;
    END LOOP;
    DELETE FROM public.racehub_bulk_ddl;
    {statistics if analyze else ""}
END $$"""


ANALYZE = f"""
CREATE FUNCTION racehub_bulk_load_analyze(tbl regclass) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT tbl = ANY(ARRAY[{BULK_TABLES}]::regclass[]) THEN
        RAISE EXCEPTION '% is not a table of the bulk load', tbl;
    END IF;
    EXECUTE format('ANALYZE %s', tbl);
END $$;
REVOKE ALL ON FUNCTION racehub_bulk_load_analyze(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION racehub_bulk_load_analyze(regclass) TO "{rls.PLATFORM_ROLE}"
"""


# Accent folding as in migration 0002 and racehub.participants.repository; keep them identical.
ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ"
PLAIN = "aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooooouuuuuuuuyyy"


def _folded_names(ascii_shortcut: bool) -> str:
    """Replace both generated search columns (one rewrite of persons) and their indexes."""
    columns = ("first_name", "last_name")

    def folded(column: str) -> str:
        translated = f"translate({column}, '{ACCENTED}', '{PLAIN}')"
        if ascii_shortcut:  # in UTF-8 a name is ASCII exactly when it has as many bytes as characters
            ascii_name = f"octet_length({column}) = char_length({column})"
            translated = f"CASE WHEN {ascii_name} THEN {column} ELSE {translated} END"
        return f"lower({translated})"

    drops = ", ".join(f"DROP COLUMN search_{c}" for c in columns)
    adds = ", ".join(f"ADD COLUMN search_{c} text GENERATED ALWAYS AS ({folded(c)}) STORED" for c in columns)
    indexes = "; ".join(
        f"CREATE INDEX persons_search_{c}_idx ON persons (org_id, search_{c} text_pattern_ops)"
        for c in columns
    )
    return f"ALTER TABLE persons {drops}, {adds}; {indexes}"


def upgrade(app_role: str = "racehub_app") -> None:
    op.execute(_begin(primary_keys=True))
    op.execute(_finish(analyze=False))
    op.execute(ANALYZE)
    op.execute(_folded_names(ascii_shortcut=True))
    op.execute("DROP INDEX entries_race_idx, entries_name_idx")
    op.execute("CREATE INDEX awards_entry_idx ON awards (entry_id)")


def downgrade(app_role: str = "racehub_app") -> None:
    op.execute("DROP INDEX awards_entry_idx")
    op.execute("CREATE INDEX entries_race_idx ON entries (race_id)")
    op.execute("CREATE INDEX entries_name_idx ON entries (org_id, lower(last_name), lower(first_name))")
    op.execute(_folded_names(ascii_shortcut=False))
    op.execute("DROP FUNCTION racehub_bulk_load_analyze(regclass)")
    op.execute(_finish(analyze=True))
    op.execute(_begin(primary_keys=False))
