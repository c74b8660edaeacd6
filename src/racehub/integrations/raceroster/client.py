"""RaceRoster client: OAuth token, then Bearer calls for an event's races and registrations.

RaceRoster's "event" is our edition (bundle `registration_external_id`); its races are our races.
The token is fetched on first use, reused until shortly before it expires, and fetched once more if
the API answers 401 (a revoked or expired token); a second 401 is a VendorAuthError.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx

from racehub.integrations.base import (
    ExternalRace,
    Registration,
    RegistrationProvider,
    Sex,
    VendorAuthError,
)
from racehub.integrations.convert import blank_to_none, distance_m, flexible_date, iso_datetime
from racehub.integrations.http import HttpPolicy, SleepFn, VendorHttp
from racehub.integrations.raceroster import schemas

DEFAULT_BASE_URL = "https://raceroster.com"
DEFAULT_PAGE_SIZE = 500
_TOKEN_MARGIN_S = 30.0
_SEXES: dict[str, Sex] = {"male": "M", "m": "M", "female": "F", "f": "F"}


class RaceRosterClient(RegistrationProvider):
    """RegistrationProvider over RaceRoster's organizer API."""

    vendor = "raceroster"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
        base_url: str = DEFAULT_BASE_URL,
        policy: HttpPolicy | None = None,
        sleep: SleepFn = time.sleep,
        page_size: int = DEFAULT_PAGE_SIZE,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._login = {
            "grant_type": "access_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "username": username,
            "password": password,
        }
        self._page_size = page_size
        self._clock = clock
        self._token: str | None = None
        self._token_expires = 0.0
        self._http = VendorHttp(self.vendor, base_url, policy, sleep=sleep, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _bearer(self, *, renew: bool = False) -> str:
        if renew or self._token is None or self._clock() >= self._token_expires:
            token: schemas.Token = self._http.request_json(
                "POST", schemas.ROUTES["token"], schemas.Token, form=self._login, idempotent=True
            ).body
            self._token = token.access_token
            lifetime = float(token.expires_in) if token.expires_in is not None else 3600.0
            self._token_expires = self._clock() + max(0.0, lifetime - _TOKEN_MARGIN_S)
        return self._token

    def _get(self, path: str, response_type: Any, params: dict[str, str | int] | None = None) -> Any:
        token = self._bearer()
        try:
            return self._http.request_json(
                "GET", path, response_type, params=params, headers={"Authorization": f"Bearer {token}"}
            ).body
        except VendorAuthError:
            token = self._bearer(renew=True)
            return self._http.request_json(
                "GET", path, response_type, params=params, headers={"Authorization": f"Bearer {token}"}
            ).body

    def races(self, edition_external_id: str) -> list[ExternalRace]:
        path = schemas.ROUTES["races"].format(event_id=edition_external_id)
        body: schemas.RacesResponse = self._get(path, schemas.RacesResponse)
        return [
            ExternalRace(
                external_id=str(race.id),
                name=race.name,
                distance_m=distance_m(race.distance, race.distanceUnit),
                start_time=iso_datetime(race.startDateTime),
            )
            for race in body.data
        ]

    def _pages(
        self, edition_external_id: str, race_external_id: str, status: str, since: datetime | None
    ) -> Iterator[schemas.Registration]:
        path = schemas.ROUTES["registrations"].format(event_id=edition_external_id)
        params: dict[str, str | int] = {
            schemas.PARAM_RACE: race_external_id,
            schemas.PARAM_STATUS: status,
            schemas.PARAM_PER_PAGE: self._page_size,
        }
        if since is not None:
            if since.tzinfo is None:
                raise ValueError("a sync cursor must be timezone-aware")
            params[schemas.PARAM_UPDATED_SINCE] = since.isoformat()
        page = 1
        while True:
            params[schemas.PARAM_PAGE] = page
            body: schemas.RegistrationsResponse = self._get(path, schemas.RegistrationsResponse, params)
            for item in body.data:
                if str(item.raceId) == race_external_id:
                    yield item
            if page >= body.meta.pagination.lastPage or not body.data:
                return
            page += 1

    def registrations(
        self,
        edition_external_id: str,
        race_external_id: str,
        modified_since: datetime | None = None,
    ) -> Iterator[Registration]:
        for item in self._pages(edition_external_id, race_external_id, schemas.STATUS_ACTIVE, modified_since):
            yield self._registration(item)

    def removed_registrations(
        self,
        edition_external_id: str,
        race_external_id: str,
        since: datetime | None = None,
    ) -> list[str]:
        return [
            str(item.registrationId)
            for item in self._pages(edition_external_id, race_external_id, schemas.STATUS_CANCELLED, since)
        ]

    def _registration(self, item: schemas.Registration) -> Registration:
        person = item.participant
        address = person.address or schemas.Address()
        return Registration(
            external_id=str(item.registrationId),
            bib=blank_to_none(item.bib),
            first_name=person.firstName,
            last_name=person.lastName,
            sex=_SEXES.get((person.gender or "").strip().lower(), "X"),
            dob=flexible_date(person.dateOfBirth),
            age=person.age,
            email=blank_to_none(person.email),
            phone=blank_to_none(person.phone),
            address1=blank_to_none(address.line1),
            city=blank_to_none(address.city),
            state=blank_to_none(address.province),
            zip=blank_to_none(address.postalCode),
            country=blank_to_none(address.country),
            team=blank_to_none(item.team.name) if item.team else None,
            registered_at=iso_datetime(item.createdAt),
            modified_at=iso_datetime(item.updatedAt),
            source=self.vendor,
        )
