"""A local RunSignUp: the bundle's `registration_provider=runsignup` editions behind RunSignUp's REST shapes.

Ids: RunSignUp `race_id` = the bundle's `registration_external_id` (one per edition); `event_id` = the
bundle `race_id`; `registration_id` = the bundle `participant_id`. `last_modified` starts at
`registered_at` (event timezone) and moves when `/__control` changes a registration. Result sets:
one "Overall" set per race of a completed edition, finishers only, placed by the race's placement basis.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Query

from racehub.integrations.convert import duration_text
from racehub.integrations.simulators.bundle import Bundle, BundleEvent, BundleParticipant
from racehub.integrations.simulators.kit import RegistrationStore, competition_places, require

MAX_PAGE_SIZE = 2500


def _us(value: datetime) -> str:
    return f"{value.month}/{value.day}/{value.year} {value:%H:%M}"


def _participant(store: RegistrationStore, participant: BundleParticipant) -> dict[str, Any]:
    person = f"{participant.first_name}|{participant.last_name}|{participant.dob}"
    return {
        "registration_id": int(participant.participant_id),
        "bib_num": int(participant.bib) if participant.bib.isdigit() else participant.bib,
        "chip_num": f"RS{participant.participant_id}",
        "age": participant.age,
        "registration_date": _us(participant.registered_at),
        "last_modified": int(store.modified_epoch(participant)),
        "team_name": participant.team or None,
        "amount_paid": "$45.00",
        "user": {
            "user_id": zlib.crc32(person.encode()) % 10_000_000,
            "first_name": participant.first_name,
            "middle_name": None,
            "last_name": participant.last_name,
            "email": participant.email,
            "dob": participant.dob.isoformat(),
            "gender": participant.sex,
            "phone": participant.phone,
            "address": {
                "street": participant.address1,
                "city": participant.city,
                "state": participant.state,
                "zipcode": participant.zip,
                "country_code": participant.country,
            },
        },
    }


def build_app(bundle: Bundle, store: RegistrationStore, *, api_key: str, api_secret: str) -> FastAPI:
    """The RunSignUp REST routes under `/Rest`."""
    app = FastAPI(title="RunSignUp simulator", docs_url=None, redoc_url=None)
    editions = {
        event.registration_external_id: event for event in bundle.editions(registration_provider="runsignup")
    }

    def edition(race_id: str, key: str, secret: str, fmt: str) -> BundleEvent:
        require(key == api_key and secret == api_secret, 401, "Invalid API key or secret.")
        require(fmt == "json", 400, "format=json is required")
        found = editions.get(race_id)
        if found is None:
            raise HTTPException(404, f"Race {race_id} not found.")
        return found

    def race_ids(event: BundleEvent) -> set[str]:
        return {race.race_id for race in bundle.races_by_event.get(event.event_id, [])}

    @app.get("/Rest/race/{race_id}")
    def get_race(
        race_id: str, api_key: str = "", api_secret: str = "", fmt: str = Query("", alias="format")
    ) -> dict[str, Any]:
        event = edition(race_id, api_key, api_secret, fmt)
        races = bundle.races_by_event.get(event.event_id, [])
        return {
            "race": {
                "race_id": int(race_id),
                "name": event.name,
                "next_date": f"{event.start_date:%m/%d/%Y}",
                "events": [
                    {
                        "event_id": int(race.race_id),
                        "name": race.name,
                        "start_time": _us(race.start_time),
                        "distance": f"{format(race.distance_m / 1000, '.10g')} K",
                    }
                    for race in races
                ],
            }
        }

    @app.get("/Rest/race/{race_id}/participants")
    def participants(
        race_id: str,
        event_id: str,
        api_key: str = "",
        api_secret: str = "",
        fmt: str = Query("", alias="format"),
        page: int = Query(1, ge=1),
        results_per_page: int = Query(50, ge=1),
        modified_after_timestamp: int | None = None,
    ) -> list[dict[str, Any]]:
        event = edition(race_id, api_key, api_secret, fmt)
        require(event_id in race_ids(event), 404, f"Event {event_id} is not part of race {race_id}.")
        per_page = min(results_per_page, MAX_PAGE_SIZE)
        rows = sorted(store.active(event_id), key=lambda participant: int(participant.participant_id))
        if modified_after_timestamp is not None:
            # Inclusive: a cursor taken in the same second as a change must still see it.
            rows = [row for row in rows if int(store.modified_epoch(row)) >= modified_after_timestamp]
        window = rows[(page - 1) * per_page : page * per_page]
        return [
            {
                "event": {"event_id": int(event_id)},
                "participants": [_participant(store, row) for row in window],
            }
        ]

    @app.get("/Rest/race/{race_id}/removed-participants")
    def removed(
        race_id: str,
        event_id: str,
        api_key: str = "",
        api_secret: str = "",
        fmt: str = Query("", alias="format"),
        modified_after_timestamp: int | None = None,
    ) -> dict[str, Any]:
        event = edition(race_id, api_key, api_secret, fmt)
        require(event_id in race_ids(event), 404, f"Event {event_id} is not part of race {race_id}.")
        return {
            "removed_participants": [
                {
                    "registration_id": int(participant_id),
                    "event_id": int(event_id),
                    "removed_timestamp": int(when),
                }
                for participant_id, when in store.removed(event_id)
                if modified_after_timestamp is None or int(when) >= modified_after_timestamp
            ]
        }

    def finishers(event_id: str) -> list[tuple[BundleParticipant, int | None, int | None, int]]:
        race = bundle.races[event_id]
        timed: list[tuple[BundleParticipant, int | None, int | None]] = []
        official: list[tuple[str, int]] = []
        for participant in bundle.participants_by_race.get(event_id, []):
            result = bundle.results.get(participant.participant_id)
            if result is not None and result.status == "FIN":
                timed.append((participant, result.gun_ms, result.chip_ms))
                basis = result.gun_ms if race.placement_basis == "gun" else result.chip_ms
                official.append((participant.participant_id, basis or 0))
        places = competition_places(official)
        rows = [
            (participant, gun, chip, places[participant.participant_id]) for participant, gun, chip in timed
        ]
        return sorted(rows, key=lambda row: (row[3], int(row[0].participant_id)))

    @app.get("/Rest/race/{race_id}/results/get-result-sets")
    def result_sets(
        race_id: str,
        event_id: str,
        api_key: str = "",
        api_secret: str = "",
        fmt: str = Query("", alias="format"),
    ) -> dict[str, Any]:
        event = edition(race_id, api_key, api_secret, fmt)
        require(event_id in race_ids(event), 404, f"Event {event_id} is not part of race {race_id}.")
        if not finishers(event_id):
            return {"individual_results_sets": []}
        return {
            "individual_results_sets": [
                {
                    "individual_result_set_id": int(event_id) * 10 + 1,
                    "individual_result_set_name": "Overall Results",
                }
            ]
        }

    @app.get("/Rest/race/{race_id}/results/get-results")
    def results(
        race_id: str,
        event_id: str,
        individual_result_set_id: int,
        api_key: str = "",
        api_secret: str = "",
        fmt: str = Query("", alias="format"),
        page: int = Query(1, ge=1),
        results_per_page: int = Query(100, ge=1),
    ) -> dict[str, Any]:
        event = edition(race_id, api_key, api_secret, fmt)
        require(event_id in race_ids(event), 404, f"Event {event_id} is not part of race {race_id}.")
        require(individual_result_set_id == int(event_id) * 10 + 1, 404, "Result set not found.")
        per_page = min(results_per_page, MAX_PAGE_SIZE)
        window = finishers(event_id)[(page - 1) * per_page : page * per_page]
        rows = [
            {
                "result_id": int(participant.participant_id) + 500_000_000,
                "registration_id": int(participant.participant_id),
                "place": place,
                "bib": int(participant.bib) if participant.bib.isdigit() else participant.bib,
                "first_name": participant.first_name,
                "last_name": participant.last_name,
                "gender": participant.sex,
                "age": participant.age,
                "city": participant.city,
                "state": participant.state,
                "clock_time": duration_text(gun),
                "chip_time": duration_text(chip),
                "pace": "",
            }
            for participant, gun, chip, place in window
        ]
        return {
            "individual_results_sets": [
                {
                    "individual_result_set_id": individual_result_set_id,
                    "individual_result_set_name": "Overall Results",
                    "results": rows,
                }
            ]
        }

    return app
