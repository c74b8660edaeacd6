"""Race-day alarms raised by syncs: a chip read twice in the vendor's feed, and a sync that keeps failing."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from racehub.db import Scope
from racehub.integrations.simulators.bundle import load_bundle
from tests.conftest import BUNDLE
from tests.workflows.conftest import Harness

HARBOR_2023 = "61090"  # Harbor Half Marathon 2023 on ChronoTrack Live: a half (with a 10K mat) and a 5K
HALF = "248192"


def _alarms(harness: Harness, org_id: int) -> list[tuple[str, str, str, str]]:
    with harness.db.session(Scope.tenant(org_id)) as session:
        rows = session.execute(text("SELECT kind, subject, state, why FROM alarms ORDER BY id")).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


class TestDoubleRead:
    def test_a_chip_read_twice_at_a_mat_raises_one_alarm_and_the_first_read_counts(
        self, harness: Harness
    ) -> None:
        sim = harness.simulator("ctlive")
        org_id, edition_id = harness.edition(HARBOR_2023, status="upcoming")
        harness.store_credentials(org_id, "ctlive")
        bundle = load_bundle(BUNDLE)
        runner = next(
            p
            for p in bundle.participants_by_race[HALF]
            if (r := bundle.results.get(p.participant_id)) and r.status == "FIN" and r.splits
        )
        ten_k = next(s.chip_ms for s in bundle.results[runner.participant_id].splits if s.name == "10K")
        httpx.post(
            f"{sim.url}/__control/replay",
            json={
                "race_id": HALF,
                "elapsed_ms": 3 * 3_600_000,
                "double_read": {"entry": runner.participant_id, "mat": "10K", "delta_ms": 4000},
            },
        ).raise_for_status()
        run = harness.run_to_end("sync_results", edition_id)
        assert run.state == "succeeded", run.error
        alarms = _alarms(harness, org_id)
        assert [(kind, state) for kind, _, state, _ in alarms] == [("double_read", "open")]
        assert "(4.0 s apart); the first read counts" in alarms[0][3]
        with harness.db.session(Scope.tenant(org_id)) as session:
            stored = session.execute(
                text(
                    "SELECT sp.chip_ms FROM splits sp JOIN entries e ON e.id = sp.entry_id "
                    "WHERE e.bib = :bib AND sp.name = '10K'"
                ),
                {"bib": runner.bib},
            ).scalar_one()
        assert stored == ten_k
        again = harness.run_to_end("sync_results", edition_id)  # the same feed: still one alarm
        assert again.state == "succeeded"
        assert len(_alarms(harness, org_id)) == 1


class TestFailingSync:
    def test_alarms_after_three_failures_in_a_row_and_clears_on_success(self, harness: Harness) -> None:
        sim = harness.simulator("ctlive")
        org_id, edition_id = harness.edition(HARBOR_2023, status="upcoming")
        harness.store_credentials(org_id, "ctlive")
        sim.fault(kind="unavailable")  # every request, until cleared
        failed = harness.run_to_end("sync_results", edition_id)
        assert failed.state == "failed"
        ((kind, subject, state, why),) = _alarms(harness, org_id)
        assert (kind, subject, state) == ("sync_failing", "sync_results", "open")
        assert why.startswith(
            "The ChronoTrack Live results sync failed 3 times in a row. Last error: ctlive GET"
        )
        sim.clear_faults()
        ok = harness.run_to_end("sync_results", edition_id)
        assert ok.state == "succeeded", ok.error
        assert [(k, s) for k, _, s, _ in _alarms(harness, org_id)] == [("sync_failing", "resolved")]
