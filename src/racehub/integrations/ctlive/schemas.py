"""ChronoTrack Live API shapes (`format=json`), as far as RaceHub reads them.

Verified: auth query params, `page`/`size` paging with `X-Ctlive-Page-Count`/`X-Ctlive-Row-Count`,
bodies wrapping lists in a key named after the resource, the event/race/entry/results field names and
`results_interval_full` ("1" = the finish). Unverified (kept only here): the interval list's field
names and the `entry_status` spellings in `ENTRY_STATUSES`. CTLive sends most numbers as strings.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from racehub.integrations.base import ResultStatus

ROUTES = {
    "event": "event/{event_id}",
    "races": "event/{event_id}/race",
    "entries": "race/{race_id}/entry",
    "intervals": "race/{race_id}/interval",
    "results": "race/{race_id}/results",
}
PAGE_COUNT_HEADER = "X-Ctlive-Page-Count"
ROW_COUNT_HEADER = "X-Ctlive-Row-Count"
FULL_INTERVAL = "1"
# entry_status spellings that decide an outcome on their own (unverified; anything else: "entered").
ENTRY_STATUSES: dict[str, ResultStatus] = {"DNS": "DNS", "DNF": "DNF", "DQ": "DQ", "DSQ": "DQ"}


class _Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class Event(_Vendor):
    event_id: str
    event_name: str
    event_start_time: str | None = None


class EventResponse(_Vendor):
    event: Event


class Race(_Vendor):
    race_id: str
    race_name: str
    race_distance: str | None = None
    race_distance_unit: str | None = None
    race_planned_start_time: str | None = None


class RacesResponse(_Vendor):
    event_race: list[Race]


class Entry(_Vendor):
    entry_id: str
    entry_bib: str | None = None
    entry_status: str | None = None
    athlete_first_name: str
    athlete_last_name: str
    athlete_sex: str | None = None
    entry_race_age: str | None = None
    location_city: str | None = None
    location_region: str | None = None
    team_name: str | None = None
    bracket_name: str | None = None


class EntriesResponse(_Vendor):
    race_entry: list[Entry]


class Interval(_Vendor):
    interval_id: str
    interval_name: str
    interval_distance: str | None = None
    interval_distance_unit: str | None = None
    interval_full: str = "0"


class IntervalsResponse(_Vendor):
    race_interval: list[Interval]


class Result(_Vendor):
    results_entry_id: str
    results_bib: str | None = None
    results_first_name: str = ""
    results_last_name: str = ""
    results_sex: str | None = None
    results_age: str | None = None
    results_time: str | None = None
    results_gun_time: str | None = None
    results_pace: str | None = None
    results_rank: str | None = None
    results_primary_bracket_name: str | None = None
    results_interval_id: str | None = None
    results_interval_name: str | None = None
    results_interval_full: str | None = None


class ResultsResponse(_Vendor):
    race_results: list[Result]
