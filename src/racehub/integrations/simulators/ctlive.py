"""A local ChronoTrack Live: the bundle's `results_provider=ctlive` editions behind CTLive's shapes.

Ids: CTLive event id = bundle `results_external_id` (`CT-<event_id>`); `race_id` = bundle `race_id`;
`entry_id` = bundle `participant_id`. Intervals: the race's split points (from the bundle's splits) plus
"Full Course" (`interval_full` "1"). Results: one row per entry per interval crossed; the finish row
carries chip (`results_time`) and gun time and, for finishers, `results_rank` by the race's placement
basis. DNS/DNF/DQ are `entry_status` values; other entries are "CONF".
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Response

from racehub.integrations.convert import duration_text
from racehub.integrations.ctlive import schemas
from racehub.integrations.simulators.bundle import Bundle, BundleEvent, BundleParticipant, BundleRace
from racehub.integrations.simulators.kit import competition_places, require

MAX_PAGE_SIZE = 1000
FULL_COURSE = "Full Course"


def _page(rows: list[dict[str, Any]], page: int, size: int, response: Response) -> list[dict[str, Any]]:
    size = min(size, MAX_PAGE_SIZE)
    response.headers[schemas.PAGE_COUNT_HEADER] = str(max(1, -(-len(rows) // size)))
    response.headers[schemas.ROW_COUNT_HEADER] = str(len(rows))
    return rows[(page - 1) * size : page * size]


def build_app(bundle: Bundle, *, client_id: str, user_id: str, password: str) -> FastAPI:
    """The CTLive routes under `/api`."""
    app = FastAPI(title="ChronoTrack Live simulator", docs_url=None, redoc_url=None)
    editions = {event.results_external_id: event for event in bundle.editions(results_provider="ctlive")}
    races = {
        race.race_id: race
        for event in editions.values()
        for race in bundle.races_by_event.get(event.event_id, [])
    }
    expected_pass = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest()

    def authorize(given_client: str, given_user: str, given_pass: str, fmt: str) -> None:
        require(
            (given_client, given_user, given_pass.lower()) == (client_id, user_id, expected_pass),
            401,
            "Invalid credentials",
        )
        require(fmt == "json", 400, "format=json is required")

    def edition(event_id: str) -> BundleEvent:
        found = editions.get(event_id)
        if found is None:
            raise HTTPException(404, f"event {event_id} not found")
        return found

    def race_of(race_id: str) -> BundleRace:
        found = races.get(race_id)
        if found is None:
            raise HTTPException(404, f"race {race_id} not found")
        return found

    def intervals(race: BundleRace) -> list[dict[str, Any]]:
        points = [*bundle.race_distances(race.race_id), (FULL_COURSE, race.distance_m)]
        return [
            {
                "interval_id": f"{race.race_id}{index:02d}",
                "interval_name": name,
                "interval_distance": format(distance, ".10g"),
                "interval_distance_unit": "m",
                "interval_full": "1" if name == FULL_COURSE else "0",
            }
            for index, (name, distance) in enumerate(points, start=1)
        ]

    @app.get("/api/event/{event_id}")
    def get_event(
        event_id: str,
        client_id: str = "",
        user_id: str = "",
        user_pass: str = "",
        fmt: str = Query("", alias="format"),
    ) -> dict[str, Any]:
        authorize(client_id, user_id, user_pass, fmt)
        event = edition(event_id)
        first = min(race.start_time for race in bundle.races_by_event.get(event.event_id, []))
        return {
            "event": {
                "event_id": event_id,
                "event_name": f"{event.name} {event.edition_year}",
                "event_start_time": str(int(first.replace(tzinfo=event.tz).timestamp())),
            }
        }

    @app.get("/api/event/{event_id}/race")
    def get_races(
        event_id: str,
        client_id: str = "",
        user_id: str = "",
        user_pass: str = "",
        fmt: str = Query("", alias="format"),
    ) -> dict[str, Any]:
        authorize(client_id, user_id, user_pass, fmt)
        event = edition(event_id)
        return {
            "event_race": [
                {
                    "race_id": race.race_id,
                    "race_name": race.name,
                    "race_distance": format(race.distance_m, ".10g"),
                    "race_distance_unit": "m",
                    "race_planned_start_time": str(int(race.start_time.replace(tzinfo=event.tz).timestamp())),
                }
                for race in bundle.races_by_event.get(event.event_id, [])
            ]
        }

    @app.get("/api/race/{race_id}/interval")
    def get_intervals(
        race_id: str,
        client_id: str = "",
        user_id: str = "",
        user_pass: str = "",
        fmt: str = Query("", alias="format"),
    ) -> dict[str, Any]:
        authorize(client_id, user_id, user_pass, fmt)
        return {"race_interval": intervals(race_of(race_id))}

    def entry(participant: BundleParticipant) -> dict[str, Any]:
        result = bundle.results.get(participant.participant_id)
        status = result.status if result is not None and result.status != "FIN" else "CONF"
        return {
            "entry_id": participant.participant_id,
            "entry_bib": participant.bib,
            "entry_status": status,
            "athlete_first_name": participant.first_name,
            "athlete_last_name": participant.last_name,
            "athlete_sex": participant.sex,
            "entry_race_age": str(participant.age),
            "location_city": participant.city,
            "location_region": participant.state,
            "team_name": participant.team,
            "bracket_name": "Overall",
        }

    @app.get("/api/race/{race_id}/entry")
    def get_entries(
        race_id: str,
        response: Response,
        client_id: str = "",
        user_id: str = "",
        user_pass: str = "",
        fmt: str = Query("", alias="format"),
        page: int = Query(1, ge=1),
        size: int = Query(50, ge=1),
    ) -> dict[str, Any]:
        authorize(client_id, user_id, user_pass, fmt)
        rows = [
            entry(participant)
            for participant in bundle.participants_by_race.get(race_of(race_id).race_id, [])
        ]
        return {"race_entry": _page(rows, page, size, response)}

    cached_rows: dict[str, list[dict[str, Any]]] = {}

    def result_rows(race: BundleRace) -> list[dict[str, Any]]:
        # The bundle never changes under a simulator: build each race's rows once, page from them after.
        if race.race_id not in cached_rows:
            cached_rows[race.race_id] = build_result_rows(race)
        return cached_rows[race.race_id]

    def build_result_rows(race: BundleRace) -> list[dict[str, Any]]:
        ids = {interval["interval_name"]: interval["interval_id"] for interval in intervals(race)}
        finishers: list[tuple[str, int]] = []
        finish_rows: list[dict[str, Any]] = []
        split_rows: list[dict[str, Any]] = []
        for participant in bundle.participants_by_race.get(race.race_id, []):
            result = bundle.results.get(participant.participant_id)
            if result is None:
                continue
            person = {
                "results_entry_id": participant.participant_id,
                "results_bib": participant.bib,
                "results_first_name": participant.first_name,
                "results_last_name": participant.last_name,
                "results_sex": participant.sex,
                "results_age": str(participant.age),
                "results_primary_bracket_name": "Overall",
            }
            for split in result.splits:
                split_rows.append(
                    {
                        **person,
                        "results_time": duration_text(split.chip_ms),
                        "results_gun_time": "",
                        "results_interval_id": ids.get(split.name, ""),
                        "results_interval_name": split.name,
                        "results_interval_full": "0",
                    }
                )
            if result.status in ("FIN", "DQ") and result.chip_ms is not None:
                if result.status == "FIN":
                    basis = result.gun_ms if race.placement_basis == "gun" else result.chip_ms
                    finishers.append((participant.participant_id, basis or 0))
                finish_rows.append(
                    {
                        **person,
                        "results_time": duration_text(result.chip_ms),
                        "results_gun_time": duration_text(result.gun_ms),
                        "results_interval_id": ids[FULL_COURSE],
                        "results_interval_name": FULL_COURSE,
                        "results_interval_full": "1",
                    }
                )
        places = competition_places(finishers)
        for row in finish_rows:
            place = places.get(row["results_entry_id"])
            row["results_rank"] = str(place) if place is not None else ""
        finish_rows.sort(key=lambda row: (row["results_rank"] == "", int(row["results_rank"] or 0)))
        return finish_rows + split_rows

    @app.get("/api/race/{race_id}/results")
    def get_results(
        race_id: str,
        response: Response,
        client_id: str = "",
        user_id: str = "",
        user_pass: str = "",
        fmt: str = Query("", alias="format"),
        page: int = Query(1, ge=1),
        size: int = Query(50, ge=1),
    ) -> dict[str, Any]:
        authorize(client_id, user_id, user_pass, fmt)
        return {"race_results": _page(result_rows(race_of(race_id)), page, size, response)}

    return app
