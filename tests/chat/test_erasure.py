"""Erasure of a participant (security case 24): gone from the tables, job arguments, the audit log and
chat transcripts; everyone else untouched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from racehub.ask.files import FileStore
from racehub.cli import app as cli
from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.imports.service import import_bundle
from tests.chat.world import ChatWorld, bearer, chat, operator_rows, outbox_codes, reply
from tests.conftest import BUNDLE


@dataclass(frozen=True)
class Runner:
    person_id: int
    first: str
    last: str
    email: str
    phone: str
    entry_ids: tuple[int, ...]
    race_ids: tuple[int, ...]

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _runner(database: Database, org_slug: str, *, skip: int = 0) -> Runner:
    """A person of the tenant with an award, splits and more than one entry: the most to erase."""
    row = operator_rows(
        database,
        """
        SELECT p.id, p.first_name, p.last_name, min(en.email), min(en.phone),
               array_agg(en.id ORDER BY en.id), array_agg(DISTINCT en.race_id)
        FROM persons p JOIN organizations o ON o.id = p.org_id JOIN entries en ON en.person_id = p.id
        WHERE o.slug = :slug AND en.email IS NOT NULL AND en.phone IS NOT NULL
        GROUP BY p.id
        HAVING count(*) > 1
           AND bool_or(EXISTS (SELECT 1 FROM awards a WHERE a.entry_id = en.id))
           AND bool_or(EXISTS (SELECT 1 FROM splits s WHERE s.entry_id = en.id))
           AND count(DISTINCT lower(en.first_name || en.last_name)) = 1
        ORDER BY p.id OFFSET :skip LIMIT 1""",
        slug=org_slug,
        skip=skip,
    )[0]
    return Runner(row[0], row[1], row[2], row[3], row[4], tuple(row[5]), tuple(row[6]))


def _owner_rows(database: Database, sql: str, **params: Any) -> list[Any]:
    """Rows as the schema's owner: every table, whatever its grants and row-level security."""
    with database.owner_engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def _everywhere(database: Database, needle: str) -> list[str]:
    """Every table and column, procrastinate's job arguments included, whose text holds `needle`."""
    columns = _owner_rows(
        database,
        """
        SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE t.table_type = 'BASE TABLE' AND c.table_schema = 'public'
          AND c.data_type IN ('text', 'character varying', 'jsonb', 'json')""",
    )
    found = []
    for schema, table, column in columns:
        hits = _owner_rows(
            database,
            f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}"::text ILIKE :n',
            n=f"%{needle}%",
        )[0][0]
        if hits:
            found.append(f"{table}.{column}")
    return found


def _others(database: Database, runner: Runner) -> dict[str, list[Any]]:
    """Everyone else's rows in the runner's races: results with their places, awards, splits, people."""
    ids = list(runner.entry_ids)
    races = list(runner.race_ids)
    return {
        "results": operator_rows(
            database,
            "SELECT * FROM results WHERE race_id = ANY(:r) AND NOT entry_id = ANY(:e) ORDER BY entry_id",
            r=races,
            e=ids,
        ),
        "awards": operator_rows(
            database,
            "SELECT org_id, race_id, entry_id, category, sex, age_group, award_place FROM awards "
            "WHERE race_id = ANY(:r) AND NOT entry_id = ANY(:e) ORDER BY race_id, entry_id, category",
            r=races,
            e=ids,
        ),
        "entries": operator_rows(
            database,
            "SELECT * FROM entries WHERE race_id = ANY(:r) AND NOT id = ANY(:e) ORDER BY id",
            r=races,
            e=ids,
        ),
        "splits": operator_rows(
            database,
            "SELECT s.* FROM splits s JOIN entries en ON en.id = s.entry_id "
            "WHERE en.race_id = ANY(:r) AND NOT s.entry_id = ANY(:e) ORDER BY s.entry_id, s.name",
            r=races,
            e=ids,
        ),
        "persons": operator_rows(
            database,
            "SELECT id, first_name, last_name, dob FROM persons WHERE id <> :p ORDER BY id",
            p=runner.person_id,
        ),
    }


def _login(client: TestClient, database: Database, world: ChatWorld, chat_id: str) -> None:
    chat(client, world.connector_key, "I'm John Carter from Acme Racing", chat_id=chat_id)
    reply(chat(client, world.connector_key, outbox_codes(database, world.john.email)[0], chat_id=chat_id))


class TestErasingAPerson:
    def test_the_person_is_gone_from_every_table_and_text_and_others_are_untouched(
        self, client: TestClient, chat_db: Database, world: ChatWorld, test_settings: Settings
    ) -> None:
        runner, bystander = _runner(chat_db, "acme-racing"), _runner(chat_db, "acme-racing", skip=1)
        # Their name reaches the chat transcript, the audit log (question and SQL), a login still
        # waiting for its code, and the API's audit trail.
        _login(client, chat_db, world, "c1")
        reply(chat(client, world.connector_key, f"Show results for {bystander.name}", chat_id="c1"))
        reply(chat(client, world.connector_key, f"Show results for {runner.name}", chat_id="c1"))
        chat(
            client,
            world.connector_key,
            f"I'm John Carter from Acme Racing. How did {runner.last}, {runner.first} do?",
            chat_id="c3",
        )
        asked = client.post(
            "/v1/ask", json={"question": f"splits of {runner.name.upper()}"}, headers=bearer(world.john.key)
        )
        assert asked.status_code == 200
        for needle in (runner.name, runner.email):
            assert _everywhere(chat_db, needle)
        # A report made minutes ago that names them, and one that does not.
        store = FileStore(test_settings)
        report = store.save("winners.csv", f"place,first_name,last_name\n1,{runner.first},{runner.last}\n")
        kept = store.save("others.csv", f"place,first_name,last_name\n1,{bystander.first},{bystander.last}\n")
        # Their first name on one row and their last name on another: two other runners.
        apart = store.save(
            "apart.csv",
            f"place,first_name,last_name\n1,{runner.first},{bystander.last}\n2,{bystander.first},{runner.last}\n",
        )
        before = _others(chat_db, runner)
        refs = _owner_rows(
            chat_db,
            "SELECT count(*) FROM external_refs WHERE (kind = 'entry' AND local_id = ANY(:e)) "
            "OR (kind = 'person' AND local_id = :p)",
            e=list(runner.entry_ids),
            p=runner.person_id,
        )[0][0]
        counts = {
            table: operator_rows(
                chat_db, f"SELECT count(*) FROM {table} WHERE entry_id = ANY(:e)", e=list(runner.entry_ids)
            )[0][0]
            for table in ("results", "splits", "awards", "follows", "push_messages", "alarm_rows")
        }

        response = client.delete(f"/v1/persons/{runner.person_id}", headers=bearer(world.john.key))

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["person_id"] == runner.person_id
        assert sorted(body["entry_ids"]) == sorted(runner.entry_ids)
        assert body["removed"] == {
            **counts,
            "entries": len(runner.entry_ids),
            "persons": 1,
            "external_refs": refs,
        }
        assert body["redacted"]["audit_log"] >= 2
        assert body["redacted"]["chat_conversations"] == 1
        assert body["redacted"]["login_challenges"] == 1
        assert body["redacted"]["files"] >= 1
        assert not report.path.exists()
        assert kept.path.exists()
        assert apart.path.exists()
        for needle in (runner.name, f"{runner.last}, {runner.first}", runner.email, runner.phone):
            assert _everywhere(chat_db, needle) == [], needle
        assert (
            operator_rows(chat_db, "SELECT count(*) FROM persons WHERE id = :p", p=runner.person_id)[0][0]
            == 0
        )
        for table in ("entries", "results", "splits", "awards"):
            column = "id" if table == "entries" else "entry_id"
            left = operator_rows(
                chat_db, f"SELECT count(*) FROM {table} WHERE {column} = ANY(:e)", e=list(runner.entry_ids)
            )
            assert left[0][0] == 0, table
        # Everyone else: the same rows, places and awards as published; others' questions still read.
        assert _others(chat_db, runner) == before
        assert "audit_log.subject" in _everywhere(chat_db, bystander.name)
        # No job argument ever names a participant: runs are queued by id.
        jobs = _owner_rows(
            chat_db, "SELECT count(*) FROM procrastinate_jobs WHERE args::text ILIKE :n", n=f"%{runner.last}%"
        )
        assert jobs[0][0] == 0
        erasures = _owner_rows(chat_db, "SELECT subject, actor FROM audit_log WHERE kind = 'erasure'")
        assert erasures == [(f"person {runner.person_id}", world.john.email)]
        # The conversation goes on, without them.
        again = reply(chat(client, world.connector_key, f"Show results for {runner.name}", chat_id="c1"))
        assert runner.email not in again

    def test_conversations_started_with_an_api_key_are_reached_too(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        # Issue 11, item 4: such a conversation had no tenant, and the tenant's erasure skipped it.
        runner = _runner(chat_db, "acme-racing")
        said = reply(chat(client, world.john.key, f"Show results for {runner.name}", chat_id="k1"))
        assert runner.last in said
        assert "chat_conversations.last_question" in _everywhere(chat_db, runner.name)
        response = client.delete(f"/v1/persons/{runner.person_id}", headers=bearer(world.john.key))
        assert response.status_code == 200, response.text
        assert response.json()["redacted"]["chat_conversations"] == 1
        assert _everywhere(chat_db, runner.name) == []

    @pytest.mark.parametrize(("who", "status"), [("john_reed", 403), ("maria", 404)])
    def test_only_the_tenants_owner_may_erase(
        self, client: TestClient, chat_db: Database, world: ChatWorld, who: str, status: int
    ) -> None:
        """Staff of the runner's tenant are refused; another tenant's owner cannot even see them."""
        runner = _runner(chat_db, "acme-racing")
        key = getattr(world, who).key
        response = client.delete(f"/v1/persons/{runner.person_id}", headers=bearer(key))
        assert response.status_code == status
        assert operator_rows(
            chat_db, "SELECT count(*) FROM entries WHERE person_id = :p", p=runner.person_id
        )[0][0] == len(runner.entry_ids)
        assert _everywhere(chat_db, runner.email)

    def test_a_failed_erasure_changes_nothing(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        missing = client.delete("/v1/persons/999999999", headers=bearer(world.john.key))
        assert missing.status_code == 404
        assert _owner_rows(chat_db, "SELECT count(*) FROM audit_log WHERE kind = 'erasure'")[0][0] == 0


class TestAnImportAfterAnErasure:
    def test_the_bundle_imported_again_leaves_them_out_and_changes_nothing_else(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        runner = _runner(chat_db, "acme-racing")
        erased = client.delete(f"/v1/persons/{runner.person_id}", headers=bearer(world.john.key))
        assert erased.status_code == 200
        before = _others(chat_db, runner)

        with chat_db.session(Scope.operator()) as session:
            report = import_bundle(session, BUNDLE)

        assert report.erased_skipped == len(runner.entry_ids)
        assert report.changed == 0
        assert _everywhere(chat_db, runner.email) == []
        assert _others(chat_db, runner) == before


class TestErasingFromTheCommandLine:
    def test_one_entry_of_a_person_who_ran_other_races(
        self, as_cli_database: Database, world: ChatWorld
    ) -> None:
        runner = _runner(as_cli_database, "acme-racing")
        entry_id, kept = runner.entry_ids[0], runner.entry_ids[1:]
        refused = CliRunner().invoke(cli, ["participants", "erase", "--entry", str(entry_id)], input="n\n")
        assert refused.exit_code == 1
        assert "This cannot be undone" in refused.output
        assert (
            operator_rows(as_cli_database, "SELECT count(*) FROM entries WHERE id = :e", e=entry_id)[0][0]
            == 1
        )

        done = CliRunner().invoke(cli, ["participants", "erase", "--entry", str(entry_id), "--yes"])

        assert done.exit_code == 0, done.output
        assert (
            operator_rows(as_cli_database, "SELECT count(*) FROM entries WHERE id = :e", e=entry_id)[0][0]
            == 0
        )
        # The person and their other races stay: the entry alone was erased.
        left = operator_rows(
            as_cli_database, "SELECT id FROM entries WHERE person_id = :p ORDER BY id", p=runner.person_id
        )
        assert tuple(r[0] for r in left) == kept

    @pytest.mark.parametrize("args", [[], ["--person", "1", "--entry", "2"]])
    def test_one_of_person_or_entry(self, as_cli_database: Database, args: list[str]) -> None:
        result = CliRunner().invoke(cli, ["participants", "erase", *args])
        assert result.exit_code == 1
        assert "give --person or --entry" in result.output
