"""ChronoTrack Live client: an event's races, and each race's results from entries, intervals and times.

Auth is CTLive's simple scheme: `client_id`, `user_id` (account email) and `user_pass` = SHA-1 hex of the
password, as query parameters on every call (never logged). CTLive's "event" is our edition
(`results_external_id`, e.g. `CT-61007`); its races are our races.

An entry's outcome: an explicit DNS/DNF/DQ `entry_status` wins; otherwise a finish-interval time makes it
a finisher and intermediate times alone make it a DNF; an entry with neither has no result yet.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx

from racehub.integrations.base import (
    ExternalRace,
    ResultRecord,
    ResultsProvider,
    ResultStatus,
    Sex,
    SplitRecord,
)
from racehub.integrations.convert import blank_to_none, distance_m, duration_ms, epoch_to_utc
from racehub.integrations.ctlive import schemas
from racehub.integrations.http import HttpPolicy, SleepFn, VendorHttp

DEFAULT_BASE_URL = "https://api.chronotrack.com/api"
DEFAULT_PAGE_SIZE = 1000
_SEXES: dict[str, Sex] = {"M": "M", "F": "F", "X": "X", "MALE": "M", "FEMALE": "F"}


def _sex(value: str | None) -> Sex | None:
    text = (value or "").strip().upper()
    return _SEXES.get(text, "X") if text else None


def _int(value: str | None) -> int | None:
    text = blank_to_none(value)
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


class CTLiveClient(ResultsProvider):
    """ResultsProvider over the CTLive REST API."""

    vendor = "ctlive"

    def __init__(
        self,
        *,
        client_id: str,
        user_id: str,
        password: str,
        base_url: str = DEFAULT_BASE_URL,
        policy: HttpPolicy | None = None,
        sleep: SleepFn = time.sleep,
        page_size: int = DEFAULT_PAGE_SIZE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._auth = {
            "client_id": client_id,
            "user_id": user_id,
            "user_pass": hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest(),
        }
        self._page_size = page_size
        self._http = VendorHttp(self.vendor, base_url, policy, sleep=sleep, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, response_type: Any, **params: str | int) -> tuple[Any, httpx.Headers]:
        response = self._http.request_json(
            "GET", path, response_type, params={"format": "json", **self._auth, **params}
        )
        return response.body, response.headers

    def _paged(self, path: str, response_type: Any, key: str) -> Iterator[Any]:
        page = 1
        while True:
            body, headers = self._get(path, response_type, page=page, size=self._page_size)
            rows = getattr(body, key)
            yield from rows
            pages = _int(headers.get(schemas.PAGE_COUNT_HEADER))
            done = page >= pages if pages is not None else len(rows) < self._page_size
            if done or not rows:
                return
            page += 1

    def races(self, edition_external_id: str) -> list[ExternalRace]:
        body, _ = self._get(
            schemas.ROUTES["races"].format(event_id=edition_external_id), schemas.RacesResponse
        )
        return [
            ExternalRace(
                external_id=race.race_id,
                name=race.race_name,
                distance_m=distance_m(race.race_distance, race.race_distance_unit),
                start_time=epoch_to_utc(race.race_planned_start_time),
            )
            for race in body.event_race
        ]

    def results(self, edition_external_id: str, race_external_id: str) -> Iterator[ResultRecord]:
        intervals_body, _ = self._get(
            schemas.ROUTES["intervals"].format(race_id=race_external_id), schemas.IntervalsResponse
        )
        intervals = {interval.interval_id: interval for interval in intervals_body.race_interval}
        by_name = {interval.interval_name: interval for interval in intervals_body.race_interval}
        entries: list[schemas.Entry] = list(
            self._paged(
                schemas.ROUTES["entries"].format(race_id=race_external_id),
                schemas.EntriesResponse,
                "race_entry",
            )
        )
        finish: dict[str, schemas.Result] = {}
        splits: dict[str, list[SplitRecord]] = defaultdict(list)
        rows = self._paged(
            schemas.ROUTES["results"].format(race_id=race_external_id),
            schemas.ResultsResponse,
            "race_results",
        )
        for row in rows:
            if row.results_interval_full == schemas.FULL_INTERVAL:
                finish[row.results_entry_id] = row
                continue
            chip = duration_ms(row.results_time)
            if chip is None:
                continue
            interval = intervals.get(row.results_interval_id or "") or by_name.get(
                row.results_interval_name or ""
            )
            distance = (
                distance_m(interval.interval_distance, interval.interval_distance_unit) if interval else None
            )
            splits[row.results_entry_id].append(SplitRecord(row.results_interval_name or "", distance, chip))
        for entry in entries:
            record = self._record(entry, finish.get(entry.entry_id), splits.get(entry.entry_id, []))
            if record is not None:
                yield record

    def _record(
        self, entry: schemas.Entry, finish: schemas.Result | None, splits: list[SplitRecord]
    ) -> ResultRecord | None:
        explicit = schemas.ENTRY_STATUSES.get((entry.entry_status or "").strip().upper())
        status: ResultStatus
        if explicit is not None:
            status = explicit
        elif finish is not None:
            status = "FIN"
        elif splits:
            status = "DNF"
        else:
            return None
        timed = finish is not None and status in ("FIN", "DQ")
        ordered = sorted(
            splits, key=lambda split: (split.distance_m is None, split.distance_m or 0.0, split.chip_ms)
        )
        return ResultRecord(
            entry_external_id=entry.entry_id,
            bib=blank_to_none(entry.entry_bib),
            first_name=entry.athlete_first_name,
            last_name=entry.athlete_last_name,
            sex=_sex(entry.athlete_sex),
            age=_int(entry.entry_race_age),
            status=status,
            gun_ms=duration_ms(finish.results_gun_time) if timed and finish else None,
            chip_ms=duration_ms(finish.results_time) if timed and finish else None,
            splits=tuple(ordered) if status != "DNS" else (),
            overall_place=_int(finish.results_rank) if finish is not None and status == "FIN" else None,
        )
