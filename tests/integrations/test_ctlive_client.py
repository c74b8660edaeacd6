"""CTLiveClient against the ChronoTrack Live simulator on 127.0.0.1."""

from __future__ import annotations

from collections import Counter

import pytest

from racehub.integrations.base import VendorAuthError, VendorUnavailable, as_local_naive

EDITION = "CT-61629"  # Blue Ridge Trail 50K 2023: 50K with aid-station splits, 25K
TZ = "America/New_York"


def _expected(bundle_rows, race_id: str) -> tuple[dict[str, dict[str, str]], list[dict[str, str]]]:
    ids = [row["participant_id"] for row in bundle_rows.participants_by_race[race_id]]
    results = {pid: bundle_rows.results[pid] for pid in ids if pid in bundle_rows.results}
    splits = [split for pid in ids for split in bundle_rows.splits.get(pid, [])]
    return results, splits


class TestFullPull:
    def test_races_match_the_bundle(self, simulator, bundle_rows) -> None:
        sim = simulator("ctlive")
        with sim.client() as client:
            races = client.races(EDITION)
        expected = bundle_rows.races_by_event["61629"]
        assert [(race.external_id, race.name, race.distance_m) for race in races] == [
            (race["race_id"], race["name"], float(race["distance_m"])) for race in expected
        ]
        assert [as_local_naive(race.start_time, TZ).isoformat() for race in races] == [
            race["start_time"] for race in expected
        ]

    @pytest.mark.parametrize("race_id", ["248721", "248745"])
    def test_results_and_splits_reproduce_the_bundle_rows(self, simulator, bundle_rows, race_id) -> None:
        sim = simulator("ctlive")
        with sim.client() as client:
            records = list(client.results(EDITION, race_id))
        expected_results, expected_splits = _expected(bundle_rows, race_id)
        pulled_results: dict[str, dict[str, str]] = {}
        pulled_splits: list[dict[str, str]] = []
        for record in records:
            result_row, split_rows = bundle_rows.result_as_rows(record)
            pulled_results[record.entry_external_id] = result_row
            pulled_splits += split_rows
        assert len(records) == len(expected_results)
        assert pulled_results == expected_results

        def key(row: dict[str, str]) -> tuple[str, float]:
            return (row["participant_id"], float(row["distance_m"]))

        assert sorted(pulled_splits, key=key) == sorted(expected_splits, key=key)
        statuses = Counter(record.status for record in records)
        assert statuses == Counter(row["status"] for row in expected_results.values())

    def test_outcomes_follow_entry_status_and_times(self, simulator, bundle_rows) -> None:
        sim = simulator("ctlive")
        with sim.client() as client:
            records = {record.entry_external_id: record for record in client.results(EDITION, "248721")}
        for record in records.values():
            if record.status == "FIN":
                assert None not in (record.gun_ms, record.chip_ms, record.overall_place)
            if record.status in ("DNF", "DNS"):
                assert (record.gun_ms, record.chip_ms, record.overall_place) == (None, None, None)
            if record.status == "DNS":
                assert record.splits == ()
        # a DNF that reached an aid station keeps that split
        assert any(record.status == "DNF" and record.splits for record in records.values())
        finishers = sorted(
            (r for r in records.values() if r.status == "FIN"), key=lambda r: r.overall_place or 0
        )
        assert finishers[0].overall_place == 1
        assert [r.gun_ms for r in finishers] == sorted(r.gun_ms for r in finishers)  # gun-time race

    def test_upcoming_edition_has_no_results_yet(self, simulator, bundle_rows) -> None:
        sim = simulator("ctlive")
        with sim.client() as client:
            races = client.races("CT-61248")  # Jingle Bell Run 2026: registrations only
            assert races
            assert list(client.results("CT-61248", races[0].external_id)) == []
        assert len(bundle_rows.participants_by_race[races[0].external_id]) > 0


class TestPaging:
    def test_page_count_header_drives_paging(self, simulator, bundle_rows) -> None:
        sim = simulator("ctlive")
        with sim.client(page_size=1000) as full_client:
            full = list(full_client.results(EDITION, "248745"))
        assert sim.requests_to("/api/race/248745/entry") == 1
        with sim.client(page_size=7) as paged_client:
            paged = list(paged_client.results(EDITION, "248745"))
        assert paged == full
        entries = len(bundle_rows.participants_by_race["248745"])
        # X-Ctlive-Page-Count says when to stop: no trailing empty page is asked for
        assert sim.requests_to("/api/race/248745/entry") == 1 + -(-entries // 7)


class TestAuth:
    def test_wrong_password_hash_is_an_auth_error(self, simulator) -> None:
        sim = simulator("ctlive")
        with sim.client(credentials={"password": "not-it"}) as client, pytest.raises(VendorAuthError):
            client.races(EDITION)


class TestUnavailable:
    def test_503_is_retried_then_succeeds(self, simulator, sleeps) -> None:
        sim = simulator("ctlive")
        sim.fault(kind="unavailable", count=2, path_prefix="/api/event/")
        with sim.client(sleep=sleeps) as client:
            races = client.races(EDITION)
        assert len(races) == 2
        assert len(sleeps.waits) == 2
        # 0.5 s base doubling per attempt, "equal jitter" keeps each wait in [step/2, step]
        assert 0.25 <= sleeps.waits[0] <= 0.5
        assert 0.5 <= sleeps.waits[1] <= 1.0

    def test_503_for_good_gives_up_after_the_attempt_limit(self, simulator, sleeps) -> None:
        sim = simulator("ctlive")
        sim.fault(kind="unavailable", retry_after=30, path_prefix="/api/")
        with sim.client(sleep=sleeps) as client, pytest.raises(VendorUnavailable) as caught:
            client.races(EDITION)
        assert caught.value.retryable is True
        assert caught.value.retry_after == 30
        assert caught.value.vendor_status == 503
        assert sleeps.waits == [30.0] * 4
        assert sim.requests_to("/api/") == 5
