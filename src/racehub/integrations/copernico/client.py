"""Copernico client: results of a race's events, and scoring (push entries, classify, pull rankings).

Copernico's "race" (a slug; RaceHub keeps the bundle's `results_external_id`, e.g. `CO-61279`) is our
edition; its "events" are our races. Reads go to the public API host, writes to the API host; both take
the `x-api-key` header.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from racehub.integrations.base import (
    ExternalRace,
    Registration,
    ResultRecord,
    ResultsProvider,
    ScoringProvider,
    ScoringStatus,
    SplitRecord,
    VendorProtocolError,
)
from racehub.integrations.convert import blank_to_none, distance_m, iso_datetime
from racehub.integrations.copernico import schemas
from racehub.integrations.http import HttpPolicy, SleepFn, VendorHttp

DEFAULT_PUBLIC_BASE_URL = "https://public-api.copernico.cloud"
DEFAULT_API_BASE_URL = "https://api.copernico.cloud"
DEFAULT_PAGE_SIZE = 500
# Registrations go up in small batches: Copernico sits behind API Gateway body-size limits.
PUSH_BATCH_SIZE = 250


class CopernicoClient(ResultsProvider, ScoringProvider):
    """ResultsProvider and ScoringProvider over Copernico's public and private APIs."""

    vendor = "copernico"

    def __init__(
        self,
        api_key: str,
        *,
        public_base_url: str = DEFAULT_PUBLIC_BASE_URL,
        api_base_url: str = DEFAULT_API_BASE_URL,
        policy: HttpPolicy | None = None,
        sleep: SleepFn = time.sleep,
        page_size: int = DEFAULT_PAGE_SIZE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._headers = {schemas.API_KEY_HEADER: api_key}
        self._page_size = page_size
        self._public = VendorHttp(self.vendor, public_base_url, policy, sleep=sleep, transport=transport)
        self._api = VendorHttp(self.vendor, api_base_url, policy, sleep=sleep, transport=transport)

    def close(self) -> None:
        self._public.close()
        self._api.close()

    def _read(self, path: str, response_type: Any, **params: str | int) -> Any:
        return self._public.request_json(
            "GET", path, response_type, params=params, headers=self._headers
        ).body

    def races(self, edition_external_id: str) -> list[ExternalRace]:
        race: schemas.RaceInfo = self._read(
            schemas.PUBLIC_ROUTES["race"].format(race=edition_external_id), schemas.RaceInfo
        )
        return [
            ExternalRace(
                external_id=str(event.id),
                name=event.name,
                distance_m=distance_m(event.distance),
                start_time=iso_datetime(event.startTime),
            )
            for event in race.events
        ]

    def _athletes(self, edition_external_id: str, race_external_id: str) -> Iterator[schemas.Athlete]:
        path = schemas.PUBLIC_ROUTES["athletes"].format(race=edition_external_id, event=race_external_id)
        page = 1
        while True:
            body: schemas.AthletesPage = self._read(
                path, schemas.AthletesPage, page=page, size=self._page_size
            )
            yield from body.athletes
            if page >= body.pages or not body.athletes:
                return
            page += 1

    def _record(self, athlete: schemas.Athlete) -> ResultRecord | None:
        status = schemas.STATUSES.get((athlete.status or "").strip().lower())
        if status is None:
            return None  # registered, not yet timed
        finish = next((point for point in athlete.times if point.point == schemas.FINISH_POINT), None)
        timed = status in ("FIN", "DQ")
        splits = tuple(
            SplitRecord(point.point, distance_m(point.distance), point.time)
            for point in sorted(athlete.times, key=lambda point: point.distance or 0.0)
            if point.point != schemas.FINISH_POINT and point.time is not None
        )
        return ResultRecord(
            entry_external_id=str(athlete.id),
            bib=blank_to_none(athlete.dorsal),
            first_name=athlete.name,
            last_name=athlete.surname,
            sex=schemas.GENDERS.get((athlete.gender or "").lower()),
            age=athlete.age,
            status=status,
            gun_ms=athlete.gunTime if timed else None,
            chip_ms=finish.time if timed and finish is not None else None,
            splits=splits if status != "DNS" else (),
        )

    def results(self, edition_external_id: str, race_external_id: str) -> Iterator[ResultRecord]:
        for athlete in self._athletes(edition_external_id, race_external_id):
            record = self._record(athlete)
            if record is not None:
                yield record

    def rankings(self, edition_external_id: str, race_external_id: str) -> Iterator[ResultRecord]:
        by_dorsal = {
            str(athlete.dorsal): athlete
            for athlete in self._athletes(edition_external_id, race_external_id)
            if athlete.dorsal is not None
        }
        for sex, gender in schemas.GENDER_NAMES.items():
            path = schemas.PUBLIC_ROUTES["leaders"].format(
                race=edition_external_id, event=race_external_id, filter=f"gender:{gender}"
            )
            rows: list[schemas.LeaderRow] = self._read(path, schemas.LeadersResponse)
            for row in rows:
                athlete = by_dorsal.get(str(row.dorsal))
                record = self._record(athlete) if athlete is not None else None
                if record is None:
                    raise VendorProtocolError(
                        f"copernico leaders of {race_external_id} rank dorsal {row.dorsal}, "
                        "which has no timed athlete",
                        vendor=self.vendor,
                        retryable=True,
                    )
                # Who and where as classified (the leaderboard snapshot); id, age and times from the athlete.
                yield dataclasses.replace(
                    record,
                    first_name=row.name or record.first_name,
                    last_name=row.surname or record.last_name,
                    sex=sex,
                    sex_place=row.pos,
                )

    def push_registrations(
        self,
        edition_external_id: str,
        race_external_id: str,
        registrations: Iterable[Registration],
    ) -> int:
        path = schemas.API_ROUTES["registrations"].format(race=edition_external_id)
        taken = 0
        batch: list[dict[str, Any]] = []
        for registration in registrations:
            batch.append(
                {
                    "id": registration.external_id,
                    "name": registration.first_name,
                    "surname": registration.last_name,
                    "birthdate": registration.dob.isoformat() if registration.dob else None,
                    "dorsal": registration.bib,
                    "gender": schemas.GENDER_NAMES[registration.sex],
                    "eventId": race_external_id,
                    "club": registration.team,
                }
            )
            if len(batch) == PUSH_BATCH_SIZE:
                taken += self._push(path, batch)
                batch = []
        if batch:
            taken += self._push(path, batch)
        return taken

    def _push(self, path: str, batch: list[dict[str, Any]]) -> int:
        # Upserts by id: sending a batch twice is harmless, so it may be retried.
        result: schemas.PushResult = self._api.request_json(
            "POST", path, schemas.PushResult, json_body=batch, headers=self._headers, idempotent=True
        ).body
        return result.created + result.updated

    def request_scoring(self, edition_external_id: str, race_external_id: str) -> str:
        path = schemas.API_ROUTES["score"].format(race=edition_external_id, event=race_external_id)
        job: schemas.Job = self._api.request_json(
            "POST", path, schemas.Job, json_body={}, headers=self._headers
        ).body
        return job.jobId

    def scoring_status(self, edition_external_id: str, job_id: str) -> ScoringStatus:
        path = schemas.API_ROUTES["job"].format(race=edition_external_id, job=job_id)
        job: schemas.Job = self._api.request_json("GET", path, schemas.Job, headers=self._headers).body
        state = schemas.JOB_STATES.get(job.status.strip().lower())
        if state is None:
            # An unknown state must end a poll loop, not extend it.
            return ScoringStatus(
                job_id=job.jobId, state="failed", detail=f"unknown job status {job.status!r}"
            )
        return ScoringStatus(job_id=job.jobId, state=state, detail=job.detail)
