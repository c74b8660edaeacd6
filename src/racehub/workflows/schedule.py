"""When a sync is due: a pure function of the event's start, the time now, and when one last ran.

Registrations, before the start: daily; hourly in the last week; every 5 minutes in the last day; every
minute on race morning (from midnight, race-local, of race day); none once the race has started.
Results, after the start and until the edition is final: while the race is on (the first 6 hours,
`RACEHUB_LIVE_WINDOW_H`) every `RACEHUB_LIVE_RESULTS_POLL_S` (20 s; the pure functions default to a minute),
every 15 minutes until 2 days after, hourly until 14 days after; then none (results that late are final).
A cancelled edition syncs nothing.

The scheduler ticks every minute; "due" allows a tenth of the interval (at most 30 s) of slack, so a run
queued at 10:00:00.6 does not make the 10:01:00.4 tick wait for the next minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAILY = timedelta(days=1)
HOURLY = timedelta(hours=1)
EVERY_5_MIN = timedelta(minutes=5)
EVERY_15_MIN = timedelta(minutes=15)
EVERY_MIN = timedelta(minutes=1)

LAST_WEEK = timedelta(days=7)
LAST_DAY = timedelta(days=1)
LIVE_RESULTS = timedelta(hours=6)
SETTLING_RESULTS = timedelta(days=2)
RESULTS_HORIZON = timedelta(days=14)
MAX_SLACK = timedelta(seconds=30)
# An edition with no race times yet is assumed to start at this race-local hour.
DEFAULT_START = time(7, 0)


@dataclass(frozen=True)
class SyncDecision:
    due: bool
    interval: timedelta | None  # the cadence in force now; None when this sync does not run at all
    reason: str


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def event_start(first_race_start: datetime | None, start_date: date, timezone: str) -> datetime:
    """The edition's start as an instant: its earliest race (race-local wall clock) or DEFAULT_START."""
    local = first_race_start or datetime.combine(start_date, DEFAULT_START)
    return local.replace(tzinfo=ZoneInfo(timezone))


def registration_interval(start: datetime, now: datetime) -> timedelta | None:
    _aware(start, "start")
    _aware(now, "now")
    if now >= start:
        return None
    if now.astimezone(start.tzinfo).date() == start.date():
        return EVERY_MIN
    left = _elapsed(now, start)
    if left <= LAST_DAY:
        return EVERY_5_MIN
    if left <= LAST_WEEK:
        return HOURLY
    return DAILY


def results_interval(
    start: datetime,
    now: datetime,
    *,
    live_every: timedelta = EVERY_MIN,
    live_window: timedelta = LIVE_RESULTS,
) -> timedelta | None:
    """The results cadence: `live_every` while the race is on (`live_window` from the start), then slower."""
    _aware(start, "start")
    _aware(now, "now")
    if now < start:
        return None
    since = _elapsed(start, now)
    if since < live_window:
        return live_every
    if since < max(SETTLING_RESULTS, live_window):
        return EVERY_15_MIN
    if since < RESULTS_HORIZON:
        return HOURLY
    return None


def _decide(interval: timedelta | None, now: datetime, last: datetime | None, idle: str) -> SyncDecision:
    if interval is None:
        return SyncDecision(False, None, idle)
    if last is None:
        return SyncDecision(True, interval, "never synced")
    _aware(last, "last")
    slack = min(interval / 10, MAX_SLACK)
    elapsed = _elapsed(last, now)
    if elapsed >= interval - slack:
        return SyncDecision(True, interval, f"last sync {_span(elapsed)} ago, every {_span(interval)}")
    return SyncDecision(False, interval, f"next in {_span(interval - elapsed)}")


def registration_due(
    start: datetime, now: datetime, last: datetime | None, *, status: str = "upcoming"
) -> SyncDecision:
    """Whether a registration sync should be queued now."""
    if status == "cancelled":
        return SyncDecision(False, None, "edition cancelled")
    return _decide(registration_interval(start, now), now, last, "the race has started")


def results_due(
    start: datetime,
    now: datetime,
    last: datetime | None,
    *,
    status: str = "upcoming",
    live_every: timedelta = EVERY_MIN,
    live_window: timedelta = LIVE_RESULTS,
) -> SyncDecision:
    """Whether a results sync should be queued now; `status` "completed" means the results are final."""
    if status == "cancelled":
        return SyncDecision(False, None, "edition cancelled")
    if status == "completed":
        return SyncDecision(False, None, "results are final")
    interval = results_interval(start, now, live_every=live_every, live_window=live_window)
    idle = "the race has not started" if now < start else "results are past the sync horizon"
    return _decide(interval, now, last, idle)


def _elapsed(earlier: datetime, later: datetime) -> timedelta:
    # Real time, in UTC: Python subtracts two times of one zone by their wall clocks, wrong across DST.
    return later.astimezone(UTC) - earlier.astimezone(UTC)


def _span(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400} d"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"
