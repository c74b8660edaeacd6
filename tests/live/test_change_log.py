"""The change log: every writer adds rows in its own transaction, numbered per tenant in commit order."""

from __future__ import annotations

import threading

import psycopg
import pytest
import sqlalchemy.exc
from sqlalchemy import text

from racehub.db import Database, Scope
from racehub.db.engine import libpq_uri
from racehub.live import service
from racehub.models import Race
from racehub.scoring.service import score_race
from tests.api.world import World, build_world
from tests.factories import create_entry


def _changes(db: Database, org_id: int, after: int = 0) -> list[tuple[int, str, int | None, str | None]]:
    with db.session(Scope.tenant(org_id)) as session:
        service.sequence(session, org_id)
    with db.session(Scope.tenant(org_id)) as session:
        rows = session.execute(
            text("SELECT seq, kind, entry_id, split_name FROM change_log WHERE seq > :a ORDER BY seq"),
            {"a": after},
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _head(db: Database, org_id: int) -> int:
    with db.session(Scope.tenant(org_id)) as session:
        service.sequence(session, org_id)
        return int(session.execute(text("SELECT coalesce(max(seq), 0) FROM change_log")).scalar_one())


class TestWritersLogTheirChanges:
    def test_a_result_its_splits_and_the_places_that_follow(self, db: Database) -> None:
        world = build_world(db)
        a = world.a
        start = _head(db, a.org_id)
        with db.session(Scope.tenant(a.org_id)) as session:
            race = session.get(Race, a.race_id)
            assert race is not None
            entry = create_entry(session, race, gun_ms=16 * 60_000, splits={"1 mile": 300_000}, bib="777")
            score_race(session, race.id)
        changes = _changes(db, a.org_id, start)
        assert changes[0][1:] == ("result", entry.id, None)
        assert changes[1][1:] == ("split", entry.id, "1 mile")
        kinds = {kind for _, kind, _, _ in changes[2:]}
        assert kinds == {"places"}  # everyone behind the new winner moved down one place
        assert [seq for seq, *_ in changes] == list(range(start + 1, start + 1 + len(changes)))

    def test_an_unchanged_rescore_logs_nothing(self, db: Database) -> None:
        world = build_world(db)
        start = _head(db, world.a.org_id)
        with db.session(Scope.tenant(world.a.org_id)) as session:
            score_race(session, world.a.race_id)
        assert _changes(db, world.a.org_id, start) == []

    def test_a_rolled_back_write_leaves_no_change_and_no_job(self, db: Database) -> None:
        world = build_world(db)
        start = _head(db, world.a.org_id)
        with db.session(Scope.operator()) as session:
            jobs_before = session.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
        try:
            with db.session(Scope.tenant(world.a.org_id)) as session:
                session.execute(
                    text("UPDATE results SET gun_ms = gun_ms + 1 WHERE race_id = :r"), {"r": world.a.race_id}
                )
                raise RuntimeError("abandon")
        except RuntimeError:
            pass
        assert _changes(db, world.a.org_id, start) == []
        with db.session(Scope.operator()) as session:
            assert (
                session.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one() == jobs_before
            )

    def test_one_processing_job_per_transaction_and_tenant(self, db: Database) -> None:
        world = build_world(db)
        with db.session(Scope.operator()) as session:
            session.execute(text("DELETE FROM procrastinate_jobs"))
        with db.session(Scope.tenant(world.a.org_id)) as session:
            for _ in range(3):
                session.execute(
                    text("UPDATE results SET gun_ms = gun_ms + 1 WHERE race_id = :r"), {"r": world.a.race_id}
                )
        with db.session(Scope.operator()) as session:
            jobs = session.execute(
                text("SELECT task_name, lock, args->>'org_id' FROM procrastinate_jobs")
            ).all()
        assert [tuple(j) for j in jobs] == [
            ("racehub.live.process", f"live:{world.a.org_id}", str(world.a.org_id))
        ]

    def test_a_big_statement_is_logged_as_one_race_reload(self, db: Database) -> None:
        world = build_world(db)
        start = _head(db, world.a.org_id)
        with db.session(Scope.tenant(world.a.org_id)) as session:
            session.execute(text("SELECT set_config('racehub.change_rollup', '3', true)"))
            session.execute(
                text("UPDATE results SET gun_ms = gun_ms + 1 WHERE race_id = :r"), {"r": world.a.race_id}
            )
        assert [c[1:] for c in _changes(db, world.a.org_id, start)] == [("race", None, None)]


class TestOrder:
    def test_numbers_follow_commit_order_not_start_order(self, db: Database) -> None:
        """A transaction that wrote first but commits last is numbered last: a reader that asked for
        everything after n in between misses nothing."""
        world = build_world(db)
        org = world.a.org_id
        start = _head(db, org)
        url = libpq_uri(db.app_url)
        with psycopg.connect(url) as slow, psycopg.connect(url) as fast:
            for conn in (slow, fast):
                conn.execute("SELECT set_config('app.org_id', %s, true)", (str(org),))
            slow.execute(
                "UPDATE splits SET chip_ms = chip_ms + 1 WHERE org_id = %s AND entry_id = %s",
                (org, world.a.entry_ids["Ana Pérez"]),
            )
            fast.execute(
                "UPDATE splits SET chip_ms = chip_ms + 1 WHERE org_id = %s AND entry_id = %s",
                (org, world.a.entry_ids["José Núñez"]),
            )
            fast.commit()
            seen = _changes(db, org, start)
            assert [c[2] for c in seen] == [world.a.entry_ids["José Núñez"]]
            slow.commit()
        later = _changes(db, org, seen[-1][0])
        assert [c[2] for c in later] == [world.a.entry_ids["Ana Pérez"]]

    def test_concurrent_sequencers_give_each_change_one_number(self, db: Database) -> None:
        world = build_world(db)
        org = world.a.org_id
        with db.session(Scope.tenant(org)) as session:
            for _ in range(20):
                session.execute(
                    text("UPDATE results SET gun_ms = gun_ms + 1 WHERE race_id = :r"), {"r": world.a.race_id}
                )

        def number() -> None:
            with db.session(Scope.tenant(org)) as session:
                service.sequence(session, org)

        threads = [threading.Thread(target=number) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with db.session(Scope.tenant(org)) as session:
            seqs = session.execute(text("SELECT seq FROM change_log ORDER BY seq")).scalars().all()
            head = session.execute(text("SELECT last_seq FROM change_heads")).scalar_one()
        assert None not in seqs
        assert seqs == list(range(1, len(seqs) + 1))
        assert head == len(seqs)


class TestTenants:
    def test_each_tenant_numbers_and_sees_only_its_own(self, db: Database) -> None:
        world: World = build_world(db)
        for tenant in (world.a, world.b):
            with db.session(Scope.tenant(tenant.org_id)) as session:
                session.execute(
                    text("UPDATE results SET gun_ms = gun_ms + 1 WHERE race_id = :r"), {"r": tenant.race_id}
                )
        a_changes = _changes(db, world.a.org_id)
        b_changes = _changes(db, world.b.org_id)
        a_entries = {c[2] for c in a_changes if c[2] is not None}
        b_entries = {c[2] for c in b_changes if c[2] is not None}
        assert a_entries
        assert b_entries
        assert not a_entries & b_entries
        assert (a_changes[0][0], b_changes[0][0]) == (1, 1)  # numbered per tenant
        with db.session(Scope.nobody()) as session:
            assert session.execute(text("SELECT count(*) FROM change_log")).scalar_one() == 0


class TestImports:
    def test_a_first_load_logs_each_race_once_not_each_row(self, bundle_db: Database) -> None:
        with bundle_db.session(Scope.operator()) as session:
            kinds = session.execute(
                text("SELECT kind, detail->>'reloaded', count(*) FROM change_log GROUP BY 1, 2")
            ).all()
            races = session.execute(text("SELECT count(*) FROM races")).scalar_one()
        assert [tuple(k) for k in kinds] == [("race", "true", races)]

    def test_a_pause_left_open_is_refused_at_commit(self, db: Database) -> None:
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="still paused"):
            with db.session(Scope.operator()) as session:
                assert session.execute(text("SELECT racehub_changes_pause()")).scalar_one() is True
        with db.session(Scope.operator()) as session:  # nothing stayed disabled
            assert service.pause_for_first_load(session) is True
            service.resume_after_first_load(session, [])

    def test_tables_with_rows_cannot_be_paused(self, db: Database) -> None:
        build_world(db)
        with db.session(Scope.operator()) as session:
            assert service.pause_for_first_load(session) is False

    def test_other_tables_keys_on_entries_are_back_after_a_first_load(self, bundle_db: Database) -> None:
        """The pause took them off so the bulk load could rebuild the entry tables' primary keys."""
        with bundle_db.owner_engine.connect() as conn:
            keys = (
                conn.execute(
                    text(
                        "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
                        "AND confrelid = 'entries'::regclass AND conrelid <> ALL(ARRAY['entries', 'results', "
                        "'splits', 'awards']::regclass[]) ORDER BY 1"
                    )
                )
                .scalars()
                .all()
            )
        assert keys == ["alarm_rows", "follows", "push_messages"]
