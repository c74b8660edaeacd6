"""A full edition synced from the simulators into an empty database matches the bundle row for row,
and a second sync changes nothing."""

from __future__ import annotations

import pytest

from tests.workflows.bundle_rows import (
    edition_rows,
    snapshot,
    synced_entries,
    synced_results,
    synced_splits,
    table_counts,
)
from tests.workflows.conftest import Harness

# The smallest edition per vendor pair: (event, registration vendor, results vendor).
EDITIONS = [
    pytest.param("61629", "runsignup", "ctlive", id="blue-ridge-2023-runsignup-ctlive"),
    pytest.param("61357", "raceroster", "copernico", id="lakeside-2023-raceroster-copernico"),
]


class TestFullEditionSync:
    @pytest.mark.parametrize(("event_id", "registrations", "results"), EDITIONS)
    def test_matches_the_bundle_row_for_row_and_a_second_sync_changes_nothing(
        self, harness: Harness, event_id: str, registrations: str, results: str
    ) -> None:
        expected = edition_rows(event_id)
        harness.simulator(registrations)
        harness.simulator(results)
        org_id, edition_id = harness.edition(event_id)
        harness.store_credentials(org_id, registrations)
        harness.store_credentials(org_id, results)

        first_reg = harness.run_to_end("sync_registrations", edition_id)
        first_res = harness.run_to_end("sync_results", edition_id)

        assert first_reg.state == "succeeded", first_reg.error
        assert first_res.state == "succeeded", first_res.error
        assert (first_reg.fetched, first_reg.inserted, first_reg.updated, first_reg.removed) == (
            len(expected.entries),
            len(expected.entries),
            0,
            0,
        )
        assert (first_res.fetched, first_res.inserted, first_res.removed) == (
            len(expected.results),
            len(expected.results),
            0,
        )
        assert synced_entries(harness.db, org_id, registrations) == expected.entries
        # The results vendor's ids reach the same entries (matched by bib, then linked).
        assert synced_entries(harness.db, org_id, results) == expected.entries
        assert synced_results(harness.db, org_id, results) == expected.results
        assert synced_splits(harness.db, org_id, results) == expected.splits
        counts = table_counts(harness.db, org_id)
        assert counts["races"] == len(expected.races)
        assert counts["entries"] == len(expected.entries)
        assert counts["results"] == len(expected.results)
        assert counts["splits"] == sum(len(s) for s in expected.splits.values())
        assert counts["awards"] > 0  # the results sync re-scored places and awards

        before = snapshot(harness.db, org_id)
        again_reg = harness.run_to_end("sync_registrations", edition_id, full=True)
        again_res = harness.run_to_end("sync_results", edition_id)
        assert (again_reg.state, again_reg.inserted, again_reg.updated, again_reg.removed) == (
            "succeeded",
            0,
            0,
            0,
        )
        assert again_reg.fetched == len(expected.entries)
        assert (again_res.state, again_res.inserted, again_res.updated, again_res.removed) == (
            "succeeded",
            0,
            0,
            0,
        )
        assert snapshot(harness.db, org_id) == before
