"""RunSignUp REST client: races and events, participants (paged, incremental), removals, result sets.

Auth is the partner pair `api_key`/`api_secret` in the query string (never logged: VendorHttp names
only method and path). RunSignUp's "race" is our edition; its "events" are our races.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from racehub.integrations.base import (
    ExternalRace,
    Registration,
    RegistrationProvider,
    ResultRecord,
    ResultsProvider,
    ResultStatus,
    Sex,
    VendorError,
)
from racehub.integrations.convert import (
    blank_to_none,
    distance_text_m,
    duration_ms,
    epoch_to_utc,
    flexible_date,
    us_datetime,
    utc_epoch,
)
from racehub.integrations.http import HttpPolicy, SleepFn, VendorHttp
from racehub.integrations.runsignup import schemas

DEFAULT_BASE_URL = "https://runsignup.com/Rest"
# RunSignUp allows up to 2,500 per page; 1,000 keeps each answer well under the response cap.
DEFAULT_PAGE_SIZE = 1000
_SEXES: dict[str, Sex] = {"M": "M", "F": "F", "X": "X", "NB": "X"}
_NON_FINISH: dict[str, ResultStatus] = {"DNF": "DNF", "DNS": "DNS", "DQ": "DQ", "DSQ": "DQ"}


def _sex(value: str | None) -> Sex:
    return _SEXES.get((value or "").strip().upper(), "X")


def _int(value: int | str | None) -> int | None:
    text = blank_to_none(value)
    return int(text) if text is not None else None


class RunSignUpClient(RegistrationProvider, ResultsProvider):
    """RegistrationProvider (and ResultsProvider for RunSignUp-published results) over the REST API."""

    vendor = "runsignup"

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        policy: HttpPolicy | None = None,
        sleep: SleepFn = time.sleep,
        page_size: int = DEFAULT_PAGE_SIZE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._auth = {"api_key": api_key, "api_secret": api_secret}
        self._page_size = page_size
        self._http = VendorHttp(self.vendor, base_url, policy, sleep=sleep, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, response_type: Any, **params: str | int) -> Any:
        query: dict[str, str | int] = {"format": "json", **self._auth, **params}
        body = self._http.request_json("GET", path, schemas.ErrorEnvelope | response_type, params=query).body
        if isinstance(body, schemas.ErrorEnvelope):
            raise VendorError(
                f"runsignup GET {path}: error {body.error.error_code}: {body.error.error_msg}",
                vendor=self.vendor,
                retryable=False,
            )
        return body

    def races(self, edition_external_id: str) -> list[ExternalRace]:
        race: schemas.RaceResponse = self._get(f"race/{edition_external_id}", schemas.RaceResponse)
        return [
            ExternalRace(
                external_id=str(event.event_id),
                name=event.name,
                distance_m=distance_text_m(event.distance),
                start_time=us_datetime(event.start_time),
            )
            for event in race.race.events
        ]

    def registrations(
        self,
        edition_external_id: str,
        race_external_id: str,
        modified_since: datetime | None = None,
    ) -> Iterator[Registration]:
        params: dict[str, str | int] = {"event_id": race_external_id, "results_per_page": self._page_size}
        if modified_since is not None:
            params["modified_after_timestamp"] = utc_epoch(modified_since)
        page = 1
        while True:
            groups: list[schemas.EventParticipants] = self._get(
                f"race/{edition_external_id}/participants", schemas.ParticipantsResponse, page=page, **params
            )
            participants = [
                participant
                for group in groups
                if str(group.event.event_id) == race_external_id
                for participant in group.participants
            ]
            for participant in participants:
                yield self._registration(participant)
            if len(participants) < self._page_size:
                return
            page += 1

    def _registration(self, participant: schemas.Participant) -> Registration:
        user = participant.user
        address = user.address or schemas.Address()
        return Registration(
            external_id=str(participant.registration_id),
            bib=blank_to_none(participant.bib_num),
            first_name=user.first_name,
            last_name=user.last_name,
            sex=_sex(user.gender),
            dob=flexible_date(user.dob),
            age=_int(participant.age),
            email=blank_to_none(user.email),
            phone=blank_to_none(user.phone),
            address1=blank_to_none(address.street),
            city=blank_to_none(address.city),
            state=blank_to_none(address.state),
            zip=blank_to_none(address.zipcode),
            country=blank_to_none(address.country_code),
            team=blank_to_none(participant.team_name),
            registered_at=us_datetime(participant.registration_date),
            modified_at=epoch_to_utc(participant.last_modified),
            source=self.vendor,
        )

    def removed_registrations(
        self,
        edition_external_id: str,
        race_external_id: str,
        since: datetime | None = None,
    ) -> list[str]:
        params: dict[str, str | int] = {"event_id": race_external_id}
        floor = utc_epoch(since) if since is not None else None
        if floor is not None:
            params["modified_after_timestamp"] = floor
        body: schemas.RemovedResponse = self._get(
            f"race/{edition_external_id}/removed-participants", schemas.RemovedResponse, **params
        )
        return [
            str(removed.registration_id)
            for removed in body.removed_participants
            if (removed.event_id is None or str(removed.event_id) == race_external_id)
            and (floor is None or (_int(removed.removed_timestamp) or 0) >= floor)
        ]

    def results(self, edition_external_id: str, race_external_id: str) -> Iterator[ResultRecord]:
        sets: schemas.ResultSetsResponse = self._get(
            f"race/{edition_external_id}/results/get-result-sets",
            schemas.ResultSetsResponse,
            event_id=race_external_id,
        )
        seen: set[str] = set()
        for result_set in sets.individual_results_sets:
            page = 1
            while True:
                body: schemas.ResultSetsResponse = self._get(
                    f"race/{edition_external_id}/results/get-results",
                    schemas.ResultSetsResponse,
                    event_id=race_external_id,
                    individual_result_set_id=str(result_set.individual_result_set_id),
                    page=page,
                    results_per_page=self._page_size,
                )
                rows = [row for found in body.individual_results_sets for row in found.results]
                for row in rows:
                    record = self._result(row)
                    if record.entry_external_id not in seen:
                        seen.add(record.entry_external_id)
                        yield record
                if len(rows) < self._page_size:
                    break
                page += 1

    def _result(self, row: schemas.ResultRow) -> ResultRecord:
        marker = (row.clock_time or "").strip().upper()
        status: ResultStatus = _NON_FINISH.get(marker, "FIN")
        timed = status == "FIN"
        return ResultRecord(
            entry_external_id=str(
                row.registration_id if row.registration_id is not None else f"result-{row.result_id}"
            ),
            bib=blank_to_none(row.bib),
            first_name=row.first_name,
            last_name=row.last_name,
            sex=_sex(row.gender) if row.gender else None,
            age=_int(row.age),
            status=status,
            gun_ms=duration_ms(row.clock_time) if timed else None,
            chip_ms=duration_ms(row.chip_time) if timed else None,
            overall_place=_int(row.place),
        )
