"""Erasure of a participant: what keeps them erased, and redaction of the text their name left.

`erased_keys` holds, per tenant, SHA-256 digests of what identified an erased participant's entries to
the sources that could bring them back: a vendor's id of the entry, the legacy bundle's participant id,
their name in the race (`racehub_erasure_key(...)`), with the race it was in. Imports and syncs drop
incoming rows that match one (row-level security as for every tenant table). Nothing readable of the
person is kept.

The audit log is append-only for the application (migration 0010 revoked UPDATE), so redaction runs in
`racehub_erase_audit_text(needles, parts)`, owned by the schema's owner, with a fixed search_path. It
only ever touches the rows of the tenant the calling transaction is set to (`app.org_id`), and only
replaces text: a row is redacted where it holds one of `needles` (a full name, an email, a phone
number), and in such a row the name `parts` too (SQL that looked for the first and last name apart).

`racehub_erasure_pattern(needles)` builds the case-insensitive pattern every redaction uses: each
literal needle escaped (and also matched with its quotes doubled, as SQL text holds it), runs of blanks
matching any blanks, whole words only, nothing shorter than four characters (so a redaction cannot
wipe common words).

Revision ID: 0050_erasure
Revises: 0040_first_load
Create Date: 2026-12-05
"""

from alembic import op

from racehub.migrations import rls

revision = "0050_erasure"
down_revision = "0040_first_load"
branch_labels = None
depends_on = None

MIN_NEEDLE = 4

FUNCTIONS = rf"""
CREATE FUNCTION racehub_erasure_key(VARIADIC parts text[]) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT sha256(convert_to(array_to_string(parts, chr(31), ''), 'UTF8'))
$$;

CREATE TABLE erased_keys (
    org_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    digest bytea NOT NULL,
    -- The race of the erased entry: a load checks only the incoming rows of races that lost someone.
    race_id bigint NOT NULL REFERENCES races(id) ON DELETE CASCADE,
    erased_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, digest)
);

CREATE FUNCTION racehub_erasure_pattern(needles text[], min_chars integer DEFAULT {MIN_NEEDLE}) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT '(?<!\w)(?:' || string_agg(p, '|' ORDER BY length(p) DESC, p) || ')(?!\w)'
    FROM (SELECT DISTINCT regexp_replace(
                     regexp_replace(btrim(n), '([][\\.^$*+?(){{}}|-])', '\\\1', 'g'), '\s+', '\\s+', 'g') AS p
          -- Each needle also as SQL quotes it (O'Neil in a statement is 'O''Neil').
          FROM unnest(needles) AS given, LATERAL (VALUES (given), (replace(given, '''', ''''''))) AS v(n)
          WHERE char_length(btrim(n)) >= min_chars) q
$$;

CREATE FUNCTION racehub_erase_audit_text(needles text[], parts text[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tenant bigint := {rls.TENANT_EXPR};
    found text := public.racehub_erasure_pattern(needles);
    every text := public.racehub_erasure_pattern(needles || parts, 2);
    redacted integer;
BEGIN
    IF tenant IS NULL THEN
        RAISE EXCEPTION 'erasure needs a tenant: app.org_id is not set';
    END IF;
    IF found IS NULL THEN
        RETURN 0;
    END IF;
    UPDATE public.audit_log a SET
        subject = regexp_replace(a.subject, every, '[erased]', 'gi'),
        sql = regexp_replace(a.sql, every, '[erased]', 'gi'),
        detail = regexp_replace(a.detail::text, every, '[erased]', 'gi')::jsonb
    WHERE a.org_id = tenant
      AND (a.subject ~* found OR a.sql ~* found OR a.detail::text ~* found);
    GET DIAGNOSTICS redacted = ROW_COUNT;
    RETURN redacted;
END $$;

REVOKE ALL ON FUNCTION racehub_erase_audit_text(text[], text[]) FROM PUBLIC;
"""


def upgrade(app_role: str = "racehub_app") -> None:
    op.execute(FUNCTIONS)
    for stmt in rls.tenant_table("erased_keys", app_role, readable=False):
        op.execute(stmt)
    op.execute(
        f'GRANT EXECUTE ON FUNCTION racehub_erase_audit_text(text[], text[]) TO "{app_role}", '
        f'"{rls.PLATFORM_ROLE}"'
    )
    # The function runs as the owner, whom FORCE ROW LEVEL SECURITY also binds: it may read and
    # rewrite the audit rows of the transaction's tenant, no others.
    op.execute(
        "CREATE POLICY audit_log_erasure ON audit_log TO CURRENT_USER "
        f"USING (org_id = {rls.TENANT_EXPR}) WITH CHECK (org_id = {rls.TENANT_EXPR})"
    )


def downgrade(app_role: str = "racehub_app") -> None:
    op.execute("DROP POLICY audit_log_erasure ON audit_log")
    op.execute("DROP FUNCTION racehub_erase_audit_text(text[], text[])")
    op.execute("DROP FUNCTION racehub_erasure_pattern(text[], integer)")
    op.execute("DROP TABLE erased_keys")
    op.execute("DROP FUNCTION racehub_erasure_key(text[])")
