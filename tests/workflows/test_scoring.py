"""Scoring in Copernico: push the final registrations, score, pull rankings back, re-score, tell the hook;
the same scoring asked for 50 times runs once (security.md case 21)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI, Request, Response
from sqlalchemy import text

from racehub.auth.service import add_user
from racehub.db import Scope
from racehub.db.migrate import alembic_config
from racehub.imports.service import import_bundle
from racehub.integrations.simulators.kit import RunningServer, start_server_thread
from racehub.workflows import service
from tests.conftest import BUNDLE
from tests.imports.bundle_files import write_subset
from tests.workflows.bundle_rows import edition_rows, snapshot, synced_results, table_counts
from tests.workflows.conftest import Harness, Simulator

LAKESIDE_2023 = "61357"  # RaceRoster registrations, Copernico timing; one race (10K, race id 248540)
CLASSIFY = "/races/CO-61357/events/248540/classifications"


def _athlete_ids(copernico: Simulator) -> set[str]:
    """The ids of the athletes the simulator holds for the Lakeside 10K event."""
    state = copernico.server.app.state.copernico
    with state.lock:
        return set(state.athletes(state.bundle.races["248540"]))


class HookReceiver:
    """A post-scoring hook endpoint that records what it is told; it can fail its first calls."""

    def __init__(self, failures: int = 0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.failures = failures
        app = FastAPI()

        @app.post("/scored")
        async def scored(request: Request) -> Response:
            self.calls.append(await request.json())
            if len(self.calls) <= self.failures:
                return Response(status_code=503)
            return Response(status_code=204)

        self.server: RunningServer = start_server_thread(app)

    @property
    def url(self) -> str:
        return f"{self.server.url}/scored"


@pytest.fixture
def hook() -> Iterator[HookReceiver]:
    receiver = HookReceiver(failures=2)
    yield receiver
    receiver.server.stop()


def _lakeside(harness: Harness, hook_url: str | None = None) -> tuple[int, int]:
    harness.simulator("raceroster")
    harness.simulator("copernico", scoring_polls=3)
    org_id, edition_id = harness.edition(LAKESIDE_2023)
    harness.store_credentials(org_id, "raceroster")
    harness.store_credentials(org_id, "copernico", **({"post_scoring_hook": hook_url} if hook_url else {}))
    assert harness.run_to_end("sync_registrations", edition_id).state == "succeeded"
    return org_id, edition_id


class TestScoreInCopernico:
    def test_pushes_scores_pulls_rankings_rescores_and_tells_the_hook(
        self, harness: Harness, hook: HookReceiver
    ) -> None:
        org_id, edition_id = _lakeside(harness, hook.url)
        copernico = harness.simulators["copernico"]

        run = harness.run_to_end("score_copernico", edition_id)

        assert run.state == "succeeded", run.error
        expected = edition_rows(LAKESIDE_2023)
        finishers = {pid for pid, (status, _g, _c) in expected.results.items() if status == "FIN"}
        assert run.attempts == 2  # the hook answered 503 twice (both client tries): the job ran again ...
        # ... but only its hook step: 705 entries pushed once in batches of 250, one scoring job.
        assert copernico.requests_to("/race-registrations/CO-61357") == 3
        assert copernico.requests_to(CLASSIFY) == 1
        assert run.fetched == len(finishers)
        assert run.inserted == len(finishers)
        pulled = synced_results(harness.db, org_id, "copernico")
        assert pulled == {pid: expected.results[pid] for pid in finishers}
        assert table_counts(harness.db, org_id)["awards"] > 0
        detail = next(v for k, v in run.progress.items() if k.startswith("rankings:"))
        assert detail["sex_places_compared"] == len(finishers)
        assert [call["job_id"] for call in hook.calls] == [
            run.progress["score:copernico:248540"]["job_id"]
        ] * 3
        assert hook.calls[-1]["type"] == "scoring.completed"

    def test_the_same_scoring_asked_50_times_runs_once_and_equals_one_run(self, harness: Harness) -> None:
        org_id, edition_id = _lakeside(harness)
        with harness.db.session(Scope.operator()) as session:
            user = add_user(
                session,
                email="maria@tidewater.example",
                name="Maria",
                org_slug="tidewater-timing",
                role="staff",
            )
            scope = Scope.tenant(org_id, user.id, "staff")
        runs: list[int] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def ask() -> None:
            try:
                with harness.db.session(scope) as session:
                    edition = service.resolve_edition(session, edition_id=edition_id)
                    planned = service.plan(session, scope, "score_copernico", edition, trigger="chat")
                    confirmed = service.confirm(session, scope, planned.id)
                with lock:
                    runs.append(confirmed.id)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        rows = [harness.run(run_id) for run_id in runs]
        leaders = [row for row in rows if row.duplicate_of is None]
        assert len(rows) == 50
        assert len(leaders) == 1
        assert {row.duplicate_of for row in rows if row.duplicate_of is not None} == {leaders[0].id}
        assert all(row.state == "cancelled" for row in rows if row.duplicate_of is not None)

        harness.work(harness.finished(leaders[0].id))
        assert harness.run(leaders[0].id).state == "succeeded"
        assert harness.simulators["copernico"].requests_to(CLASSIFY) == 1
        once = snapshot(harness.db, org_id)

        again = harness.run_to_end("score_copernico", edition_id)
        assert (again.state, again.inserted, again.updated, again.removed) == ("succeeded", 0, 0, 0)
        assert snapshot(harness.db, org_id) == once

    def test_scoring_still_running_past_the_poll_limit_resumes_the_same_vendor_job_later(
        self, harness: Harness
    ) -> None:
        _org, edition_id = _lakeside(harness)
        copernico = harness.simulators["copernico"]
        # Copernico finishes after three status reads; one attempt may wait for one read only.
        harness.settings = harness.settings.model_copy(update={"scoring_poll_limit_s": 0.5})

        run = harness.run_to_end("score_copernico", edition_id)

        assert run.state == "succeeded", run.error
        assert run.attempts == 3
        assert (
            len(copernico.server.app.state.copernico.jobs) == 1
        )  # every attempt asked again and got the same pending job back
        assert copernico.requests_to("/race-registrations/CO-61357") == 3  # pushed once, not per attempt


def _imported_lakeside(harness: Harness, tmp_path: Path) -> tuple[int, int]:
    """Lakeside 10K 2023 as `racehub import racedata` leaves it: entries with their legacy ids, results,
    and no registration sync ever run."""
    bundle = write_subset(BUNDLE, tmp_path / "lakeside", [("Lakeside 10K", 2023)])
    with harness.db.session(Scope.operator()) as session:
        import_bundle(session, bundle)
    org_id = harness.org("2")
    with harness.db.session(Scope.operator()) as session:
        edition = service.resolve_edition(session, event="Lakeside 10K", year=2023)
    harness.store_credentials(org_id, "copernico")
    return org_id, edition.id


def _copernico_links(harness: Harness, org_id: int) -> dict[str, int]:
    with harness.db.session(Scope.tenant(org_id)) as session:
        rows = session.execute(
            text(
                "SELECT external_id, local_id FROM external_refs "
                "WHERE provider = 'copernico' AND kind = 'entry'"
            )
        ).all()
    return {row[0]: row[1] for row in rows}


class TestScoringAnEditionNeverSynced:
    def test_imported_entries_go_under_the_athlete_ids_copernico_knows_and_score(
        self, harness: Harness, tmp_path: Path
    ) -> None:
        org_id, edition_id = _imported_lakeside(harness, tmp_path)
        copernico = harness.simulator("copernico", scoring_polls=2)
        expected = edition_rows(LAKESIDE_2023)
        finishers = {pid for pid, (status, _g, _c) in expected.results.items() if status == "FIN"}

        run = harness.run_to_end("score_copernico", edition_id)
        again = harness.run_to_end("score_copernico", edition_id)

        assert run.state == "succeeded", run.error
        assert run.attempts == 1
        assert _athlete_ids(copernico) == set(expected.entries)  # no second athlete under a made-up id
        assert run.fetched == len(finishers)
        links = _copernico_links(harness, org_id)
        assert set(links) == set(expected.entries)
        assert again.state == "succeeded", again.error
        assert (again.inserted, again.removed) == (0, 0)
        assert _athlete_ids(copernico) == set(expected.entries)

    def test_links_stored_as_racehub_ids_are_repaired_by_migration_0060(
        self, harness: Harness, tmp_path: Path
    ) -> None:
        org_id, _edition_id = _imported_lakeside(harness, tmp_path)
        with harness.db.session(Scope.tenant(org_id)) as session:
            entries = session.execute(
                text("SELECT id, legacy_id FROM entries WHERE org_id = :o ORDER BY id LIMIT 3"), {"o": org_id}
            ).all()
        command.downgrade(alembic_config(harness.db), "0050_erasure")
        with harness.db.session(Scope.tenant(org_id)) as session:
            for entry_id, _legacy in entries:  # what the pushes before the fix stored
                session.execute(
                    text(
                        "INSERT INTO external_refs (org_id, provider, kind, external_id, local_id) "
                        "VALUES (:o, 'copernico', 'entry', :x, :e)"
                    ),
                    {"o": org_id, "x": f"racehub-{entry_id}", "e": entry_id},
                )
            # One entry already has its right link too: the wrong one just goes.
            session.execute(
                text(
                    "INSERT INTO external_refs (org_id, provider, kind, external_id, local_id) "
                    "VALUES (:o, 'copernico', 'entry', :x, :e)"
                ),
                {"o": org_id, "x": str(entries[0][1]), "e": entries[0][0]},
            )

        harness.db.upgrade()

        assert _copernico_links(harness, org_id) == {str(legacy): entry_id for entry_id, legacy in entries}
