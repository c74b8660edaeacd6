"""Vendor failures (security.md cases 12 and 22): retried with bounded backoff honouring Retry-After,
failed cleanly when hopeless, nothing half-written, other tenants unaffected."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from racehub.db import Scope
from racehub.workflows.queue import TASK_RUN
from tests.workflows.bundle_rows import edition_rows, synced_entries, table_counts
from tests.workflows.conftest import Harness


def _attempt_starts(harness: Harness, run_id: int) -> list[float]:
    with harness.db.session(Scope.operator()) as session:
        rows = (
            session.execute(
                text(
                    "SELECT extract(epoch FROM e.at) FROM procrastinate_events e "
                    "JOIN procrastinate_jobs j ON j.id = e.job_id WHERE j.task_name = :task "
                    "AND (j.args->>'run_id')::bigint = :run AND e.type = 'started' ORDER BY e.at"
                ),
                {"task": TASK_RUN, "run": run_id},
            )
            .scalars()
            .all()
        )
    return [float(value) for value in rows]


class TestTransientFailures:
    def test_429_with_retry_after_then_503_are_retried_with_backoff_and_the_sync_completes(
        self, harness: Harness
    ) -> None:
        sim = harness.simulator("raceroster")
        org_id, edition_id = harness.edition("61248")  # Jingle Bell Run 2026, RaceRoster
        harness.store_credentials(org_id, "raceroster")
        registrations = "/api/v1/events/103744/registrations"
        sim.fault(kind="rate_limit", retry_after=1, count=3, path_prefix=registrations)
        sim.fault(kind="unavailable", count=2, path_prefix=registrations)

        run = harness.run_to_end("sync_registrations", edition_id)

        assert run.state == "succeeded", run.error
        assert run.attempts == 3  # two attempts gave up within their bounded vendor retries
        assert 1.0 in harness.client_sleeps  # the client slept as told by Retry-After ...
        starts = _attempt_starts(harness, run.id)
        assert starts[1] - starts[0] >= 1.0  # ... and so did the job's retry
        assert len(synced_entries(harness.db, org_id, "raceroster")) == len(edition_rows("61248").entries)


class TestHopelessFailures:
    def test_503_forever_fails_after_bounded_attempts_without_half_a_race_and_spares_other_tenants(
        self, harness: Harness
    ) -> None:
        sim = harness.simulator("ctlive")
        org_a, failing = harness.edition("61202")  # Acme: Jingle Bell Run 2023 on CTLive
        org_b, healthy = harness.edition("61734")  # Summit: Riverfront 5K 2024 on CTLive
        harness.store_credentials(org_a, "ctlive")
        harness.store_credentials(org_b, "ctlive")
        # Entry pages answer; the race's results never do.
        sim.fault(kind="unavailable", path_prefix="/api/race/248335/results")

        failing_run = harness.start("sync_results", failing)
        healthy_run = harness.start("sync_results", healthy)
        harness.work(harness.finished(failing_run, healthy_run), concurrency=2)

        bad, good = harness.run(failing_run), harness.run(healthy_run)
        assert bad.state == "failed"
        assert bad.attempts == harness.settings.workflow_max_attempts
        assert "HTTP 503" in (bad.error or "")
        assert sim.requests_to("/api/race/248335/entry") > 0  # it did fetch part of the race
        assert table_counts(harness.db, org_a) == dict.fromkeys(table_counts(harness.db, org_a), 0)
        assert good.state == "succeeded", good.error
        assert good.finished_at is not None
        assert bad.finished_at is not None
        assert good.finished_at < bad.finished_at  # not held up by the other tenant's backoff
        assert table_counts(harness.db, org_b)["results"] == len(edition_rows("61734").results)

    def test_a_500_on_every_try_fails_the_run_at_once_with_the_reason(self, harness: Harness) -> None:
        sim = harness.simulator("ctlive")
        org_id, edition_id = harness.edition("61202")
        harness.store_credentials(org_id, "ctlive")
        sim.fault(kind="server_error", path_prefix="/api/race/248335/results")

        run = harness.run_to_end("sync_results", edition_id)

        assert run.state == "failed"
        assert run.attempts == 1  # the vendor cannot process this request: waiting will not heal it
        assert "HTTP 500 (after 2 attempts)" in (run.error or "")
        assert sim.requests_to("/api/race/248335/results") == 2  # the call's own tries, no more
        assert table_counts(harness.db, org_id) == dict.fromkeys(table_counts(harness.db, org_id), 0)

    @pytest.mark.parametrize(
        ("fault", "message", "attempts"),
        [
            pytest.param({"kind": "html"}, "expected JSON", 3, id="html-instead-of-json"),
            pytest.param({"kind": "oversized", "size_bytes": 50 * 1024 * 1024}, "larger than", 1, id="50-mb"),
            pytest.param(
                {"kind": "redirect"}, "redirect to http://169.254.169.254 refused", 1, id="metadata-redirect"
            ),
        ],
    )
    def test_a_bad_answer_fails_the_run_cleanly_and_writes_nothing(
        self, harness: Harness, fault: dict[str, object], message: str, attempts: int
    ) -> None:
        sim = harness.simulator("ctlive")
        org_id, edition_id = harness.edition("61202")
        harness.store_credentials(org_id, "ctlive")
        sim.fault(path_prefix="/api/race/248335/results", **fault)

        run = harness.run_to_end("sync_results", edition_id)

        assert run.state == "failed"
        assert message in (run.error or "")
        assert run.attempts == attempts
        assert table_counts(harness.db, org_id) == dict.fromkeys(table_counts(harness.db, org_id), 0)

    def test_missing_credentials_fail_at_planning_not_in_the_queue(self, harness: Harness) -> None:
        from racehub.credentials.service import CredentialsNotConfigured

        harness.simulator("ctlive")
        _org, edition_id = harness.edition("61202")
        with pytest.raises(CredentialsNotConfigured, match="no ChronoTrack Live credentials"):
            harness.start("sync_results", edition_id)
