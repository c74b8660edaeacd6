"""Tenant isolation in the database (security.md, case 14 and the reader role), checked from pg_catalog."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.db.engine import PLATFORM_ROLE, READER_ROLE, apply_scope
from tests.factories import create_org

# Tables with an org_id that are read before a tenant is known (log-in, API keys, reader grants). They
# are the only tenant-keyed tables allowed without row-level security; the reader role (generated SQL)
# must have no privilege on them at all.
IDENTITY_TABLES = {"memberships", "api_keys", "tenant_grants"}

TENANT_KEYED = """
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND (c.relname = 'organizations' OR EXISTS (
          SELECT 1 FROM pg_attribute a
          WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped))
    ORDER BY c.relname"""

RLS_TABLES = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relrowsecurity
    ORDER BY c.relname"""

QUERY_VIEWS = """
    SELECT c.relname, coalesce(c.reloptions, '{}') FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'v' AND c.relname LIKE 'q\\_%'
    ORDER BY c.relname"""


def catalog(database: Database, sql: str, **params: object) -> list[tuple]:
    with database.owner_engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params).all()]


@contextmanager
def rolled_back(database: Database, scope: Scope) -> Iterator[Session]:
    """A transaction as the application role that never commits, so a shared database stays untouched."""
    with Session(database.engine_for(scope)) as session:
        session.begin()
        try:
            apply_scope(session, scope)
            yield session
        finally:
            session.rollback()


def count(session: Session, relation: str, where: str = "true", **params: object) -> int:
    return int(session.execute(text(f'SELECT count(*) FROM "{relation}" WHERE {where}'), params).scalar_one())


def rls_tables(database: Database) -> list[str]:
    names = [row[0] for row in catalog(database, RLS_TABLES)]
    assert names, "no table has row-level security"
    return names


def tenant_column(table: str) -> str:
    return "id" if table == "organizations" else "org_id"


def sqlstate_of(caught: pytest.ExceptionInfo[DBAPIError]) -> type[psycopg.Error]:
    return type(caught.value.orig)


def org_ids(database: Database) -> list[int]:
    with rolled_back(database, Scope.operator()) as session:
        return list(session.execute(text("SELECT id FROM organizations ORDER BY id")).scalars())


class TestAppRoleIsUnprivileged:
    def test_no_superuser_bypassrls_createrole_or_createdb(
        self, db: Database, test_settings: Settings
    ) -> None:
        rows = catalog(
            db,
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :r",
            r=test_settings.app_db_role,
        )
        assert rows == [(False, False, False, False)]

    def test_owns_no_table_view_sequence_function_or_schema(
        self, db: Database, test_settings: Settings
    ) -> None:
        owned = catalog(
            db,
            """SELECT 'relation', relname FROM pg_class
                   WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = :r)
               UNION ALL SELECT 'function', proname FROM pg_proc
                   WHERE proowner = (SELECT oid FROM pg_roles WHERE rolname = :r)
               UNION ALL SELECT 'schema', nspname FROM pg_namespace
                   WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = :r)""",
            r=test_settings.app_db_role,
        )
        assert owned == []

    def test_does_not_inherit_the_roles_it_may_switch_to(self, db: Database, test_settings: Settings) -> None:
        # A member that inherits racehub_platform gets its USING (true) policies without SET ROLE.
        inherited = catalog(
            db,
            """SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
               JOIN pg_roles u ON u.oid = m.member
               WHERE u.rolname = :r AND pg_has_role(u.oid, g.oid, 'USAGE')""",
            r=test_settings.app_db_role,
        )
        assert inherited == []

    def test_is_no_member_of_the_platform_role(self, db: Database, test_settings: Settings) -> None:
        # Issue 11, item 6: with the membership, SET ROLE racehub_platform saw every tenant.
        members = catalog(
            db,
            """SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
               JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :r""",
            r=test_settings.app_db_role,
        )
        assert PLATFORM_ROLE not in [row[0] for row in members]
        assert catalog(
            db, "SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r", r=PLATFORM_ROLE
        ) == [(True, False, False)]

    @pytest.mark.parametrize(
        "sql",
        [
            pytest.param(f"SET LOCAL ROLE {PLATFORM_ROLE}", id="set-role"),
            pytest.param(f"SELECT set_config('role', '{PLATFORM_ROLE}', true)", id="set-config"),
        ],
    )
    def test_the_reader_transaction_cannot_become_the_platform(self, bundle_db: Database, sql: str) -> None:
        """Security case 4, defence in depth: even SQL the guard let through sees no more."""
        with rolled_back(bundle_db, Scope.tenant(org_ids(bundle_db)[0])) as session:
            session.execute(text(f"SET LOCAL ROLE {READER_ROLE}"))
            with pytest.raises(DBAPIError) as caught:
                session.execute(text(sql))
        assert sqlstate_of(caught) is psycopg.errors.InsufficientPrivilege


class TestTenantTablesForceRowLevelSecurity:
    def test_every_table_keyed_by_tenant_enables_and_forces_rls(self, db: Database) -> None:
        tables = catalog(db, TENANT_KEYED)
        assert {"organizations", "entries", "results", "awards"} <= {t[0] for t in tables}
        unprotected = {name for name, enabled, forced in tables if not (enabled and forced)}
        assert unprotected == IDENTITY_TABLES

    def test_identity_tables_are_out_of_the_readers_reach(self, db: Database) -> None:
        grants = catalog(
            db,
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = :reader AND table_name = ANY(:tables)",
            reader=READER_ROLE,
            tables=sorted(IDENTITY_TABLES),
        )
        assert grants == []

    def test_every_rls_table_has_a_tenant_policy_for_the_app_role(
        self, db: Database, test_settings: Settings
    ) -> None:
        missing = catalog(
            db,
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relrowsecurity AND NOT EXISTS (
                   SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname
                     AND :role = ANY(p.roles) AND p.qual LIKE '%current_setting(''app.org_id''%')""",
            role=test_settings.app_db_role,
        )
        assert missing == []


class TestQueryViewsRunAsTheCaller:
    def test_every_q_view_is_security_invoker(self, db: Database) -> None:
        views = catalog(db, QUERY_VIEWS)
        assert len(views) >= 6
        assert [name for name, options in views if "security_invoker=true" not in options] == []


class TestSecurityDefinerFunctionsPinSearchPath:
    def test_no_security_definer_function_without_a_fixed_search_path(self, db: Database) -> None:
        functions = catalog(
            db,
            """SELECT p.proname, coalesce(p.proconfig, '{}') FROM pg_proc p
               JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')""",
        )
        assert {"racehub_grant_org", "racehub_grant_all"} <= {name for name, _ in functions}
        unpinned = [
            name for name, config in functions if not any(c.startswith("search_path=") for c in config)
        ]
        assert unpinned == []


class TestUnsetTenantSeesNothing:
    def test_every_tenant_table_and_query_view_is_empty_without_a_tenant(self, bundle_db: Database) -> None:
        relations = rls_tables(bundle_db) + [row[0] for row in catalog(bundle_db, QUERY_VIEWS)]
        with rolled_back(bundle_db, Scope.operator()) as session:
            populated = {r for r in relations if count(session, r) > 0}
        assert {"organizations", "entries", "results", "awards", "q_results"} <= populated
        with rolled_back(bundle_db, Scope.nobody()) as session:
            visible = {r: n for r in relations if (n := count(session, r))}
        assert visible == {}


class TestTenantSeesOnlyItsOwnRows:
    def test_each_tenant_sees_all_of_its_rows_and_none_of_the_others(self, bundle_db: Database) -> None:
        tables = rls_tables(bundle_db)
        orgs = org_ids(bundle_db)
        assert len(orgs) >= 2
        for org in orgs:
            with rolled_back(bundle_db, Scope.operator()) as session:
                own = {t: count(session, t, f"{tenant_column(t)} = :org", org=org) for t in tables}
            with rolled_back(bundle_db, Scope.tenant(org)) as session:
                seen = {t: count(session, t) for t in tables}
                foreign = {t: count(session, t, f"{tenant_column(t)} <> :org", org=org) for t in tables}
            assert own["entries"] > 0
            assert seen == own
            assert set(foreign.values()) == {0}


class TestReaderRoleNeedsAGrantRow:
    def readable(self, database: Database) -> list[str]:
        return [
            row[0]
            for row in catalog(
                database,
                "SELECT DISTINCT table_name FROM information_schema.role_table_grants "
                "WHERE grantee = :reader AND privilege_type = 'SELECT' ORDER BY 1",
                reader=READER_ROLE,
            )
        ]

    def test_without_a_grant_row_the_reader_sees_nothing(self, bundle_db: Database) -> None:
        relations = self.readable(bundle_db)
        assert {"entries", "q_results"} <= set(relations)
        with rolled_back(bundle_db, Scope.tenant(org_ids(bundle_db)[0])) as session:
            session.execute(text(f"SET LOCAL ROLE {READER_ROLE}"))
            visible = {r: n for r in relations if (n := count(session, r))}
        assert visible == {}

    def test_a_grant_row_shows_one_tenant_and_settings_cannot_widen_it(self, bundle_db: Database) -> None:
        tables = [t for t in self.readable(bundle_db) if t in set(rls_tables(bundle_db))]
        org, other = org_ids(bundle_db)[:2]
        token = secrets.token_hex(16)
        with rolled_back(bundle_db, Scope.operator()) as session:
            own = {t: count(session, t, f"{tenant_column(t)} = :org", org=org) for t in tables}
        with rolled_back(bundle_db, Scope.nobody()) as session:
            session.execute(
                text("INSERT INTO tenant_grants (token, org_id) VALUES (:t, :org)"), {"t": token, "org": org}
            )
            session.execute(text("SELECT set_config('app.grant_token', :t, true)"), {"t": token})
            session.execute(text(f"SET LOCAL ROLE {READER_ROLE}"))
            granted = {t: count(session, t) for t in tables}
            session.execute(text("SELECT set_config('app.org_id', :o, true)"), {"o": str(other)})
            after_org_switch = {t: count(session, t) for t in tables}
            foreign = {t: count(session, t, f"{tenant_column(t)} <> :org", org=org) for t in tables}
            session.execute(text("SELECT set_config('app.grant_token', 'guess', true)"))
            after_guess = {t: n for t in tables if (n := count(session, t))}
        assert own["entries"] > 0
        assert granted == own
        assert after_org_switch == own
        assert set(foreign.values()) == {0}
        assert after_guess == {}

    def test_the_reader_can_neither_read_nor_write_grant_rows(self, bundle_db: Database) -> None:
        for sql in (
            "SELECT count(*) FROM tenant_grants",
            "INSERT INTO tenant_grants (token, all_orgs) VALUES ('mine', true)",
        ):
            with rolled_back(bundle_db, Scope.nobody()) as session:
                session.execute(text(f"SET LOCAL ROLE {READER_ROLE}"))
                with pytest.raises(DBAPIError) as caught:
                    session.execute(text(sql))
            assert sqlstate_of(caught) is psycopg.errors.InsufficientPrivilege, sql


class TestAppRoleCannotEscalate:
    @pytest.mark.parametrize(
        "sql",
        [
            pytest.param("CREATE TABLE public.sneaky (id int)", id="create-table"),
            pytest.param("SELECT rolname, rolpassword FROM pg_authid", id="read-pg-authid"),
            pytest.param("ALTER TABLE entries DISABLE ROW LEVEL SECURITY", id="disable-rls"),
            pytest.param("ALTER TABLE entries NO FORCE ROW LEVEL SECURITY", id="no-force-rls"),
            pytest.param("DROP POLICY entries_tenant ON entries", id="drop-policy"),
        ],
    )
    @pytest.mark.parametrize("scope", [Scope.tenant(1), Scope.operator()], ids=["app", "platform"])
    def test_statement_is_refused(self, db: Database, scope: Scope, sql: str) -> None:
        with pytest.raises(DBAPIError) as caught, rolled_back(db, scope) as session:
            session.execute(text(sql))
        assert sqlstate_of(caught) is psycopg.errors.InsufficientPrivilege


class TestReadOnlyTransactionBlocksWrites:
    def test_write_allowed_then_refused_once_read_only(self, db: Database) -> None:
        insert = text("INSERT INTO organizations (slug, name) VALUES ('ro-check', 'Read Only Check')")
        with rolled_back(db, Scope.operator()) as session:
            session.execute(insert)
        with rolled_back(db, Scope.operator()) as session:
            session.execute(text("SET LOCAL transaction_read_only = on"))
            with pytest.raises(DBAPIError) as caught:
                session.execute(insert)
        assert sqlstate_of(caught) is psycopg.errors.ReadOnlySqlTransaction


class TestAuditRedaction:
    """`racehub_erase_audit_text` (erasure, case 24) rewrites only the calling tenant's audit text."""

    SUBJECT = "How did Ann O'Neil-Lee (ann+1@example.com) do? And Bo?"
    SQL = "SELECT 1 WHERE name = 'Ann' AND last = 'O''Neil-Lee'"

    @pytest.fixture
    def two_tenants(self, db: Database) -> list[int]:
        with db.session(Scope.operator()) as session:
            orgs = [create_org(session).id for _ in range(2)]
            for org in orgs:
                session.execute(
                    text(
                        "INSERT INTO audit_log (kind, outcome, org_id, subject, sql, detail) "
                        "VALUES ('question', 'answered', :org, :s, :q, CAST(:d AS jsonb))"
                    ),
                    {
                        "org": org,
                        "s": self.SUBJECT,
                        "q": self.SQL,
                        "d": '{"engine": "parser", "who": "Ann O\'Neil-Lee"}',
                    },
                )
        return orgs

    def _audit(self, db: Database) -> list[tuple]:
        return catalog(db, "SELECT org_id, subject, sql, detail::text FROM audit_log ORDER BY org_id")

    def test_redacts_the_tenants_own_rows_only(self, db: Database, two_tenants: list[int]) -> None:
        mine, theirs = two_tenants
        with db.session(Scope.tenant(mine)) as session:
            changed = session.execute(
                text(
                    "SELECT racehub_erase_audit_text(ARRAY['Ann O''Neil-Lee', 'ann+1@example.com'], "
                    "ARRAY['Ann', 'O''Neil-Lee'])"
                )
            ).scalar_one()
        assert changed == 1
        (_, subject, sql, detail), other = self._audit(db)
        assert subject == "How did [erased] ([erased]) do? And Bo?"
        assert sql == "SELECT 1 WHERE name = '[erased]' AND last = '[erased]'"
        assert "Ann" not in detail
        assert '"engine": "parser"' in detail
        assert other == (theirs, self.SUBJECT, self.SQL, '{"who": "Ann O\'Neil-Lee", "engine": "parser"}')

    def test_names_that_appear_only_as_parts_leave_a_row_alone(
        self, db: Database, two_tenants: list[int]
    ) -> None:
        with db.session(Scope.tenant(two_tenants[0])) as session:
            changed = session.execute(
                text("SELECT racehub_erase_audit_text(ARRAY['Ann Smith'], ARRAY['Ann', 'Smith'])")
            ).scalar_one()
        assert changed == 0
        assert self._audit(db)[0][1] == self.SUBJECT

    def test_short_needles_match_nothing(self, db: Database, two_tenants: list[int]) -> None:
        with db.session(Scope.tenant(two_tenants[0])) as session:
            changed = session.execute(text("SELECT racehub_erase_audit_text(ARRAY['Bo', '?', ''], '{}')"))
            assert changed.scalar_one() == 0
        assert [row[1] for row in self._audit(db)] == [self.SUBJECT, self.SUBJECT]

    def test_refused_without_a_tenant(self, db: Database, two_tenants: list[int]) -> None:
        with rolled_back(db, Scope.nobody()) as session, pytest.raises(DBAPIError, match="needs a tenant"):
            session.execute(text("SELECT racehub_erase_audit_text(ARRAY['Ann O''Neil-Lee'], '{}')"))

    def test_the_app_role_still_cannot_update_the_log(self, db: Database, two_tenants: list[int]) -> None:
        with rolled_back(db, Scope.tenant(two_tenants[0])) as session, pytest.raises(DBAPIError) as caught:
            session.execute(text("UPDATE audit_log SET subject = 'nothing happened'"))
        assert sqlstate_of(caught) is psycopg.errors.InsufficientPrivilege
