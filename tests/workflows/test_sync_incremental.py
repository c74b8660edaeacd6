"""Registration syncs after the first fetch only what changed, and apply changes and removals."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from racehub.db import Scope
from tests.workflows.bundle_rows import edition_rows, synced_entries
from tests.workflows.conftest import Harness


def _first_participants(event_id: str, count: int) -> list[str]:
    return sorted(edition_rows(event_id).entries)[:count]


class TestIncrementalRegistrationSync:
    @pytest.mark.parametrize(
        ("event_id", "vendor"),
        [
            pytest.param("61248", "raceroster", id="raceroster"),
            pytest.param("61629", "runsignup", id="runsignup"),
        ],
    )
    def test_picks_up_a_change_and_a_removal(self, harness: Harness, event_id: str, vendor: str) -> None:
        sim = harness.simulator(vendor)
        org_id, edition_id = harness.edition(event_id)
        harness.store_credentials(org_id, vendor)
        first = harness.run_to_end("sync_registrations", edition_id)
        assert first.state == "succeeded", first.error
        changed, removed = _first_participants(event_id, 2)

        sim.change(changed, first_name="Jo", team="Harbor Striders")
        sim.remove(removed)
        second = harness.run_to_end("sync_registrations", edition_id)

        assert second.state == "succeeded", second.error
        assert (second.inserted, second.updated, second.removed) == (0, 1, 1)
        # Only what changed since the last sync (less an overlap): the bundle's newest registrations carry
        # times after the real clock, so they come along too; the rest of the edition does not.
        assert 2 <= second.fetched < first.fetched
        entries = synced_entries(harness.db, org_id, vendor)
        assert removed not in entries
        assert entries[changed]["first_name"] == "Jo"
        assert entries[changed]["team"] == "Harbor Striders"
        expected = {pid: row for pid, row in edition_rows(event_id).entries.items() if pid != removed}
        expected[changed] = {**expected[changed], "first_name": "Jo", "team": "Harbor Striders"}
        assert entries == expected
        assert all(
            detail.get("incremental") for key, detail in second.progress.items() if key.startswith("reg")
        )

    def test_a_removed_registration_with_a_result_is_kept(self, harness: Harness) -> None:
        sim = harness.simulator("raceroster")
        harness.simulator("ctlive")
        org_id, edition_id = harness.edition("61202")  # Jingle Bell Run 2023: RaceRoster + CTLive
        harness.store_credentials(org_id, "raceroster")
        harness.store_credentials(org_id, "ctlive")
        assert harness.run_to_end("sync_registrations", edition_id).state == "succeeded"
        assert harness.run_to_end("sync_results", edition_id).state == "succeeded"
        finisher = _first_participants("61202", 1)[0]

        sim.remove(finisher)
        run = harness.run_to_end("sync_registrations", edition_id)

        assert (run.state, run.removed) == ("succeeded", 0)
        assert finisher in synced_entries(harness.db, org_id, "raceroster")
        kept = sum(
            detail.get("kept_with_results", 0) for detail in run.progress.values() if isinstance(detail, dict)
        )
        assert kept == 1

    def test_persons_link_entries_across_editions(self, harness: Harness) -> None:
        harness.simulator("runsignup")
        org_id, first = harness.edition("61629")  # Blue Ridge Trail 50K 2023
        _, second = harness.edition("61652")  # and 2024
        harness.store_credentials(org_id, "runsignup")
        assert harness.run_to_end("sync_registrations", first).state == "succeeded"
        assert harness.run_to_end("sync_registrations", second).state == "succeeded"
        with harness.db.session(Scope.operator()) as session:
            repeaters = session.execute(
                text(
                    "SELECT count(*) FROM (SELECT person_id FROM entries "
                    "WHERE org_id = :o AND person_id IS NOT NULL GROUP BY person_id HAVING count(*) > 1) p"
                ),
                {"o": org_id},
            ).scalar_one()
            unlinked = session.execute(
                text("SELECT count(*) FROM entries WHERE org_id = :o AND person_id IS NULL"), {"o": org_id}
            ).scalar_one()
        assert repeaters > 0
        assert unlinked == 0
