"""An erased participant stays erased: later registration and result syncs leave them out."""

from __future__ import annotations

from sqlalchemy import text

from racehub.audit.service import Actor
from racehub.db import Scope
from racehub.participants.erasure import erase
from tests.workflows.bundle_rows import edition_rows, synced_entries, synced_results
from tests.workflows.conftest import Harness


class TestSyncsAfterAnErasure:
    def test_registrations_and_results_do_not_bring_them_back(self, harness: Harness) -> None:
        registrations, results = harness.simulator("raceroster"), harness.simulator("ctlive")
        org_id, edition_id = harness.edition("61202")  # Jingle Bell Run 2023: RaceRoster + CTLive
        harness.store_credentials(org_id, "raceroster")
        harness.store_credentials(org_id, "ctlive")
        assert harness.run_to_end("sync_registrations", edition_id).state == "succeeded"
        assert harness.run_to_end("sync_results", edition_id).state == "succeeded"
        finishers = synced_results(harness.db, org_id, "ctlive")
        erased_id, bystander_id = sorted(finishers)[:2]
        runner = synced_entries(harness.db, org_id, "raceroster")[erased_id]
        with harness.db.session(Scope.tenant(org_id)) as session:
            entry_id, person_id = session.execute(
                text(
                    "SELECT e.id, e.person_id FROM external_refs x JOIN entries e ON e.id = x.local_id "
                    "WHERE x.provider = 'raceroster' AND x.kind = 'entry' AND x.external_id = :x"
                ),
                {"x": erased_id},
            ).one()
            if person_id is not None:
                erase(session, Actor(via="test"), person_id=person_id)
            else:
                erase(session, Actor(via="test"), entry_id=entry_id)
        before = synced_results(harness.db, org_id, "ctlive")
        # The vendor still has them, and something about the bystander changed.
        registrations.change(bystander_id, team="Jingle Joggers")

        again = harness.run_to_end("sync_registrations", edition_id, full=True)
        results_again = harness.run_to_end("sync_results", edition_id)

        assert (again.state, results_again.state) == ("succeeded", "succeeded")
        assert (again.inserted, again.updated) == (0, 1)
        skipped = sum(d.get("erased_skipped", 0) for d in again.progress.values() if isinstance(d, dict))
        assert skipped == 1
        assert results_again.inserted == 0
        assert erased_id not in synced_entries(harness.db, org_id, "raceroster")
        assert erased_id not in synced_results(harness.db, org_id, "ctlive")
        assert synced_results(harness.db, org_id, "ctlive") == before
        assert synced_entries(harness.db, org_id, "raceroster")[bystander_id]["team"] == "Jingle Joggers"
        with harness.db.session(Scope.operator()) as session:
            same_name = session.execute(
                text(
                    "SELECT count(*) FROM entries WHERE org_id = :org AND first_name = :f AND last_name = :l"
                ),
                {"org": org_id, "f": runner["first_name"], "l": runner["last_name"]},
            ).scalar_one()
        assert same_name == 0
        assert results.requests_to() > 0

        # A registration for a later race is new data: it comes in, whoever it names.
        _, later = harness.edition("61248")  # Jingle Bell Run 2026, same company
        newcomer = sorted(edition_rows("61248").entries)[0]
        names = {"first_name": runner["first_name"], "last_name": runner["last_name"]}
        registrations.change(newcomer, **names)
        assert harness.run_to_end("sync_registrations", later).state == "succeeded"
        synced = synced_entries(harness.db, org_id, "raceroster")[newcomer]
        assert {k: synced[k] for k in names} == names
