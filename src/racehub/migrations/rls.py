"""SQL shared by migrations: roles, grants and row-level security for tenant tables."""

from __future__ import annotations

PLATFORM_ROLE = "racehub_platform"
READER_ROLE = "racehub_reader"

TENANT_EXPR = "nullif(current_setting('app.org_id', true), '')::bigint"
# The reader role (generated SQL) is scoped by a grant row inserted in the same, never-committed
# transaction; a query that rewrites settings cannot name another tenant's grant.
READER_EXPR = "(SELECT racehub_grant_all()) OR {col} = (SELECT racehub_grant_org())"


def create_roles(app_role: str) -> list[str]:
    stmts = []
    for role, login in ((app_role, "LOGIN"), (PLATFORM_ROLE, "NOLOGIN"), (READER_ROLE, "NOLOGIN")):
        stmts.append(
            f"""DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE "{role}" {login} NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
                END IF;
            END $$"""
        )
    # The app role may SET ROLE to the operator and reader roles but must not inherit them: policies
    # granted TO a role apply to every role that inherits it, and the operator's policy is USING (true).
    stmts += [
        f'ALTER ROLE "{app_role}" NOINHERIT',
        f"""DO $$ BEGIN
            IF current_setting('server_version_num')::int >= 160000 THEN
                EXECUTE 'GRANT "{PLATFORM_ROLE}" TO "{app_role}" WITH INHERIT FALSE';
                EXECUTE 'GRANT "{READER_ROLE}" TO "{app_role}" WITH INHERIT FALSE';
            ELSE
                EXECUTE 'GRANT "{PLATFORM_ROLE}" TO "{app_role}"';
                EXECUTE 'GRANT "{READER_ROLE}" TO "{app_role}"';
            END IF;
        END $$""",
        f'GRANT USAGE ON SCHEMA public TO "{app_role}", "{PLATFORM_ROLE}", "{READER_ROLE}"',
    ]
    return stmts


def tenant_table(
    table: str, app_role: str, *, org_column: str = "org_id", readable: bool = True
) -> list[str]:
    """Grants and forced row-level security for a table whose rows belong to one tenant."""
    stmts = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO "{app_role}", "{PLATFORM_ROLE}"',
        f'CREATE POLICY {table}_tenant ON {table} TO "{app_role}" '
        f"USING ({org_column} = {TENANT_EXPR}) WITH CHECK ({org_column} = {TENANT_EXPR})",
        f'CREATE POLICY {table}_platform ON {table} TO "{PLATFORM_ROLE}" USING (true) WITH CHECK (true)',
    ]
    if readable:
        stmts += [
            f'GRANT SELECT ON {table} TO "{READER_ROLE}"',
            f'CREATE POLICY {table}_reader ON {table} FOR SELECT TO "{READER_ROLE}" '
            f"USING ({READER_EXPR.format(col=org_column)})",
        ]
    return stmts


def platform_table(table: str, app_role: str) -> list[str]:
    """Identity tables read before a tenant is known (API keys, users): the app role only."""
    return [f'GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO "{app_role}", "{PLATFORM_ROLE}"']


def grant_sequences(app_role: str) -> str:
    return f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{app_role}", "{PLATFORM_ROLE}"'


def view(name: str, body: str, app_role: str) -> list[str]:
    """A curated read-only view: rows filtered by the caller's own row-level security."""
    return [
        f"CREATE OR REPLACE VIEW {name} WITH (security_invoker = true) AS {body}",
        f'GRANT SELECT ON {name} TO "{READER_ROLE}", "{PLATFORM_ROLE}", "{app_role}"',
    ]
