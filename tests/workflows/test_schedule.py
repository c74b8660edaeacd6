"""The sync schedule, a pure function, table by table; then the tick that queues what is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from racehub.db import Scope
from racehub.workflows import schedule, scheduling
from racehub.workflows.schedule import (
    DAILY,
    EVERY_5_MIN,
    EVERY_15_MIN,
    EVERY_MIN,
    HOURLY,
    registration_due,
    registration_interval,
    results_due,
    results_interval,
)
from tests.workflows.conftest import Harness

NY = ZoneInfo("America/New_York")
START = datetime(2026, 3, 15, 7, 30, tzinfo=NY)  # Shamrock Marathon 2026, race-local 07:30
H = timedelta(hours=1)
D = timedelta(days=1)


class TestRegistrationInterval:
    @pytest.mark.parametrize(
        ("before_start", "interval"),
        [
            (400 * D, DAILY),
            (30 * D, DAILY),
            (7 * D + timedelta(minutes=1), DAILY),
            (7 * D, HOURLY),
            (2 * D, HOURLY),
            (D + timedelta(seconds=1), HOURLY),
            (D, EVERY_5_MIN),
            (12 * H, EVERY_5_MIN),
            (7 * H + timedelta(minutes=31), EVERY_5_MIN),  # 23:59 the evening before
            (7 * H + timedelta(minutes=30), EVERY_MIN),  # race-local midnight: race morning
            (H, EVERY_MIN),
            (timedelta(seconds=1), EVERY_MIN),
            (timedelta(0), None),  # the start: registrations stop
            (-H, None),
            (-30 * D, None),
        ],
    )
    def test_cadence_by_time_left(self, before_start: timedelta, interval: timedelta | None) -> None:
        assert registration_interval(START, START - before_start) == interval

    def test_race_morning_follows_the_race_timezone_not_utc(self) -> None:
        # 03:00 UTC on race day is 23:00 the day before in New York: still the last day, not race morning.
        assert registration_interval(START, datetime(2026, 3, 15, 3, 0, tzinfo=UTC)) == EVERY_5_MIN
        assert registration_interval(START, datetime(2026, 3, 15, 4, 30, tzinfo=UTC)) == EVERY_MIN

    def test_across_a_dst_change_hours_are_real_hours(self) -> None:
        start = datetime(2026, 3, 8, 7, 0, tzinfo=NY)  # clocks went forward at 02:00 that morning
        assert registration_interval(start, datetime(2026, 3, 8, 0, 30, tzinfo=NY)) == EVERY_MIN
        # 06:30 the day before is 24.5 h earlier on the wall clock but 23.5 h in real time.
        assert registration_interval(start, datetime(2026, 3, 7, 6, 30, tzinfo=NY)) == EVERY_5_MIN
        assert registration_interval(start, datetime(2026, 3, 7, 5, 30, tzinfo=NY)) == HOURLY

    def test_naive_times_are_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            registration_interval(START, datetime(2026, 3, 1, 12, 0))


class TestResultsInterval:
    @pytest.mark.parametrize(
        ("after_start", "interval"),
        [
            (-timedelta(seconds=1), None),
            (-D, None),
            (timedelta(0), EVERY_MIN),
            (3 * H, EVERY_MIN),
            (6 * H - timedelta(seconds=1), EVERY_MIN),
            (6 * H, EVERY_15_MIN),
            (D, EVERY_15_MIN),
            (2 * D, HOURLY),
            (13 * D, HOURLY),
            (14 * D, None),
            (60 * D, None),
        ],
    )
    def test_cadence_by_time_since_the_start(
        self, after_start: timedelta, interval: timedelta | None
    ) -> None:
        assert results_interval(START, START + after_start) == interval


class TestDue:
    @pytest.mark.parametrize(
        ("now", "last", "status", "due"),
        [
            (START - 30 * D, None, "upcoming", True),  # never synced
            (START - 30 * D, START - 30 * D - 23 * H, "upcoming", False),  # daily, 23 h ago
            (START - 30 * D, START - 30 * D - D, "upcoming", True),
            (START - 30 * D, START - 30 * D - D + timedelta(seconds=29), "upcoming", True),  # within slack
            (START - 30 * D, START - 30 * D - D + timedelta(seconds=31), "upcoming", False),
            (START - 3 * D, START - 3 * D - 50 * timedelta(minutes=1), "upcoming", False),  # hourly
            (START - 3 * D, START - 3 * D - H, "upcoming", True),
            (START - 12 * H, START - 12 * H - timedelta(minutes=4), "upcoming", False),  # every 5 min
            (START - 12 * H, START - 12 * H - timedelta(minutes=5), "upcoming", True),
            (START - H, START - H - timedelta(seconds=59), "upcoming", True),  # every min, 6 s slack
            (START - H, START - H - timedelta(seconds=50), "upcoming", False),
            (START - 30 * D, None, "cancelled", False),
            (START + H, None, "upcoming", False),  # started: registrations are done
        ],
    )
    def test_registrations(self, now: datetime, last: datetime | None, status: str, due: bool) -> None:
        assert registration_due(START, now, last, status=status).due is due

    @pytest.mark.parametrize(
        ("now", "last", "status", "due"),
        [
            (START - H, None, "upcoming", False),  # not started
            (START + H, None, "upcoming", True),
            (START + H, START + H - timedelta(seconds=30), "upcoming", False),
            (START + H, START + H - timedelta(minutes=1), "upcoming", True),
            (START + D, START + D - timedelta(minutes=10), "upcoming", False),  # every 15 min
            (START + D, START + D - timedelta(minutes=15), "upcoming", True),
            (START + 5 * D, START + 5 * D - H, "upcoming", True),
            (START + H, None, "completed", False),  # final results
            (START + H, None, "cancelled", False),
            (START + 20 * D, None, "upcoming", False),  # past the horizon
        ],
    )
    def test_results(self, now: datetime, last: datetime | None, status: str, due: bool) -> None:
        assert results_due(START, now, last, status=status).due is due

    def test_a_decision_says_why(self) -> None:
        decision = registration_due(START, START - 3 * D, START - 3 * D - 20 * timedelta(minutes=1))
        assert (decision.due, decision.interval, decision.reason) == (False, HOURLY, "next in 40 min")
        assert results_due(START, START - H, None).reason == "the race has not started"


class TestEventStart:
    def test_the_earliest_race_or_seven_in_the_morning(self) -> None:
        first = datetime(2026, 3, 15, 7, 30)
        assert schedule.event_start(first, date(2026, 3, 15), "America/New_York") == START
        assert schedule.event_start(None, date(2026, 3, 15), "America/New_York") == datetime(
            2026, 3, 15, 7, 0, tzinfo=NY
        )


class TestScheduleTick:
    def test_queues_what_is_due_once_and_only_with_credentials(self, harness: Harness) -> None:
        today = datetime.now(UTC).date()
        org_a, upcoming = harness.edition(
            "61248", start_date=today + timedelta(days=10)
        )  # RaceRoster + CTLive
        _, raced = harness.edition("61202", start_date=today - timedelta(days=1), status="upcoming")
        _, final = harness.edition("61229", start_date=today - timedelta(days=1), status="completed")
        _, no_credentials = harness.edition("61734", start_date=today + timedelta(days=3))
        harness.store_credentials(org_a, "raceroster")
        harness.store_credentials(org_a, "ctlive")
        now = datetime.now(UTC)

        with harness.db.session(Scope.operator()) as session:
            first = scheduling.queue_due_syncs(session, now)
        with harness.db.session(Scope.operator()) as session:
            second = scheduling.queue_due_syncs(session, now + timedelta(days=2))

        # Registrations of the upcoming edition; results (not registrations) of the one raced yesterday.
        assert sorted((s.kind, s.edition_id) for s in first) == [
            ("sync_registrations", upcoming),
            ("sync_results", raced),
        ]
        assert all(s.edition_id not in (final, no_credentials) for s in first)
        assert second == []  # due again two days on, but the first runs are still queued
        runs = [harness.run(s.run_id) for s in first]
        assert {(r.state, r.trigger, r.requested_by) for r in runs} == {("queued", "schedule", None)}
        assert "Scheduled: never synced." in runs[0].plan


class TestLivePolling:
    """While a race is on, results are polled at the configured cadence (e.g. every 20 s)."""

    def test_a_race_window_polls_at_the_live_cadence(self) -> None:
        every = timedelta(seconds=20)
        assert results_interval(START, START + H, live_every=every) == every
        assert results_interval(START, START + 6 * H, live_every=every) == EVERY_15_MIN
        assert results_interval(START, START + 2 * H, live_every=every, live_window=H) == EVERY_15_MIN

    @pytest.mark.parametrize(
        ("since_last", "due"), [(timedelta(seconds=10), False), (timedelta(seconds=19), True)]
    )
    def test_due_again_after_the_live_cadence(self, since_last: timedelta, due: bool) -> None:
        now = START + H
        decision = results_due(START, now, now - since_last, live_every=timedelta(seconds=20))
        assert decision.due is due
