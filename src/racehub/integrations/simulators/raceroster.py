"""A local RaceRoster: the bundle's `registration_provider=raceroster` editions behind RaceRoster's shapes.

Ids: RaceRoster `eventId` = bundle `registration_external_id`; race `id` = bundle `race_id`;
`registrationId` = bundle `participant_id`. `createdAt` is `registered_at` in the event's timezone
(with its offset); `updatedAt` (UTC) starts there and moves with `/__control` changes; removed
registrations are listed with `status=cancelled`.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Form, Header, HTTPException, Query

from racehub.integrations.convert import iso_datetime
from racehub.integrations.raceroster import schemas
from racehub.integrations.simulators.bundle import Bundle, BundleEvent, BundleParticipant
from racehub.integrations.simulators.kit import RegistrationStore, require

MAX_PAGE_SIZE = 1000
_GENDERS = {"M": "male", "F": "female", "X": "non-binary"}


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat().replace("+00:00", "Z")


def _registration(
    store: RegistrationStore, event: BundleEvent, participant: BundleParticipant, status: str, updated: float
) -> dict[str, Any]:
    return {
        "registrationId": int(participant.participant_id),
        "raceId": int(participant.race_id),
        "status": status,
        "bib": participant.bib,
        "createdAt": participant.registered_at.replace(tzinfo=event.tz).isoformat(),
        "updatedAt": _utc(updated),
        "participant": {
            "firstName": participant.first_name,
            "lastName": participant.last_name,
            "gender": _GENDERS.get(participant.sex, "non-binary"),
            "dateOfBirth": participant.dob.isoformat(),
            "age": participant.age,
            "email": participant.email,
            "phone": participant.phone,
            "address": {
                "line1": participant.address1,
                "city": participant.city,
                "province": participant.state,
                "postalCode": participant.zip,
                "country": participant.country,
            },
        },
        "team": {"name": participant.team} if participant.team else None,
    }


def build_app(
    bundle: Bundle, store: RegistrationStore, *, credentials: dict[str, str], token_ttl_s: int = 3600
) -> FastAPI:
    """The RaceRoster routes: token at `/api/oauth/authorize`, organizer API under `/api/v1`."""
    app = FastAPI(title="RaceRoster simulator", docs_url=None, redoc_url=None)
    editions = {
        event.registration_external_id: event for event in bundle.editions(registration_provider="raceroster")
    }
    tokens: dict[str, float] = {}
    lock = threading.Lock()

    @app.post(schemas.ROUTES["token"])
    def authorize(
        grant_type: str = Form(""),
        client_id: str = Form(""),
        client_secret: str = Form(""),
        username: str = Form(""),
        password: str = Form(""),
    ) -> dict[str, Any]:
        require(grant_type == "access_token", 400, "unsupported grant_type")
        given = {
            "client_id": client_id,
            "client_secret": client_secret,
            "username": username,
            "password": password,
        }
        require(all(credentials[key] == value for key, value in given.items()), 401, "invalid credentials")
        token = secrets.token_urlsafe(24)
        with lock:
            tokens[token] = time.monotonic() + token_ttl_s
        return {"access_token": token, "token_type": "Bearer", "expires_in": token_ttl_s}

    def edition(event_id: str, authorization: str) -> BundleEvent:
        scheme, _, token = authorization.partition(" ")
        with lock:
            expires = tokens.get(token)
        require(
            scheme.lower() == "bearer" and expires is not None and expires > time.monotonic(),
            401,
            "Unauthenticated.",
        )
        found = editions.get(event_id)
        if found is None:
            raise HTTPException(404, f"Event {event_id} not found.")
        return found

    @app.get(schemas.ROUTES["races"])
    def races(event_id: str, authorization: str = Header("")) -> dict[str, Any]:
        event = edition(event_id, authorization)
        return {
            "data": [
                {
                    "id": int(race.race_id),
                    "name": race.name,
                    "distance": race.distance_m / 1000,
                    "distanceUnit": "km",
                    "startDateTime": race.start_time.replace(tzinfo=event.tz).isoformat(),
                }
                for race in bundle.races_by_event.get(event.event_id, [])
            ]
        }

    @app.get(schemas.ROUTES["registrations"])
    def registrations(
        event_id: str,
        authorization: str = Header(""),
        race_id: str | None = Query(None, alias=schemas.PARAM_RACE),
        page: int = Query(1, ge=1, alias=schemas.PARAM_PAGE),
        per_page: int = Query(100, ge=1, alias=schemas.PARAM_PER_PAGE),
        updated_since: str | None = Query(None, alias=schemas.PARAM_UPDATED_SINCE),
        status: str = Query(schemas.STATUS_ACTIVE, alias=schemas.PARAM_STATUS),
    ) -> dict[str, Any]:
        event = edition(event_id, authorization)
        race_ids = [race.race_id for race in bundle.races_by_event.get(event.event_id, [])]
        if race_id is not None:
            require(race_id in race_ids, 404, f"Race {race_id} is not part of event {event_id}.")
            race_ids = [race_id]
        floor = None
        if updated_since is not None:
            since = iso_datetime(updated_since)
            if since is None or since.tzinfo is None:
                raise HTTPException(422, "updatedSince needs a UTC offset")
            floor = since.timestamp()
        rows: list[tuple[BundleParticipant, float]] = []
        for race in race_ids:
            if status == schemas.STATUS_CANCELLED:
                rows += [(bundle.participants[pid], when) for pid, when in store.removed(race)]
            else:
                rows += [
                    (participant, store.modified_epoch(participant)) for participant in store.active(race)
                ]
        if floor is not None:
            rows = [row for row in rows if row[1] >= floor]
        rows.sort(key=lambda row: int(row[0].participant_id))
        size = min(per_page, MAX_PAGE_SIZE)
        window = rows[(page - 1) * size : page * size]
        return {
            "data": [
                _registration(store, event, participant, status, updated) for participant, updated in window
            ],
            "meta": {
                "pagination": {
                    "currentPage": page,
                    "lastPage": max(1, -(-len(rows) // size)),
                    "perPage": size,
                    "total": len(rows),
                }
            },
        }

    return app
