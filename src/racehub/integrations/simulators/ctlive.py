"""A local ChronoTrack Live: the bundle's `results_provider=ctlive` editions behind CTLive's shapes.

Ids: CTLive event id = bundle `results_external_id` (`CT-<event_id>`); `race_id` = bundle `race_id`;
`entry_id` = bundle `participant_id`. Intervals: the race's split points (from the bundle's splits) plus
"Full Course" (`interval_full` "1"). Results: one row per entry per interval crossed; the finish row
carries chip (`results_time`) and gun time and, for finishers, `results_rank` by the race's placement
basis. DNS/DNF/DQ are `entry_status` values; other entries are "CONF".

Replay (race day, at speed): `POST /__control/replay` `{"race_id": "248020", "elapsed_ms": 3600000}` sets a
race's clock (time since its gun); from then on the race shows only what had happened by that time: a split
once the runner's start delay plus split time has passed, a finish once its gun time has, places among the
finishers so far, and no DNS/DNF/DQ status until every finisher is in. `{"race_id": ..., "elapsed_ms": null}`
ends the replay. Data faults for the alarms, in the same body: `"silent_mat": {"name": "30K", "from_ms": T}`
(the mat stops reading at race time T), `"bib_swap": {"entries": ["A", "B"], "mat": "30K"}` (from that mat
on, A's reads come in under B's entry and B's under A's), `"double_read": {"entry": "A", "mat": "Half",
"delta_ms": 4000}` (the mat reads A's chip twice).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Response
from pydantic import BaseModel

from racehub.integrations.convert import duration_text
from racehub.integrations.ctlive import schemas
from racehub.integrations.simulators.bundle import Bundle, BundleEvent, BundleParticipant, BundleRace
from racehub.integrations.simulators.kit import competition_places, require

MAX_PAGE_SIZE = 1000
FULL_COURSE = "Full Course"
_PERSON_FIELDS = frozenset(
    {
        "results_entry_id",
        "results_bib",
        "results_first_name",
        "results_last_name",
        "results_sex",
        "results_age",
    }
)


class SilentMat(BaseModel):
    name: str
    from_ms: int = 0


class BibSwap(BaseModel):
    entries: tuple[str, str]
    mat: str  # from this timing point on (the finish is "Full Course")


class DoubleRead(BaseModel):
    entry: str
    mat: str
    delta_ms: int = 4000


class ReplayControl(BaseModel):
    race_id: str
    elapsed_ms: int | None
    silent_mat: SilentMat | None = None
    bib_swap: BibSwap | None = None
    double_read: DoubleRead | None = None


@dataclass
class RaceReplay:
    elapsed_ms: int
    silent_mat: SilentMat | None = None
    bib_swap: BibSwap | None = None
    double_read: DoubleRead | None = None


@dataclass
class ReplayState:
    """Race clocks set through `/__control/replay` (thread-safe: uvicorn serves on its own thread)."""

    races: dict[str, RaceReplay] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, race_id: str) -> RaceReplay | None:
        with self.lock:
            return self.races.get(race_id)


def _page(rows: list[dict[str, Any]], page: int, size: int, response: Response) -> list[dict[str, Any]]:
    size = min(size, MAX_PAGE_SIZE)
    response.headers[schemas.PAGE_COUNT_HEADER] = str(max(1, -(-len(rows) // size)))
    response.headers[schemas.ROW_COUNT_HEADER] = str(len(rows))
    return rows[(page - 1) * size : page * size]


def build_app(bundle: Bundle, *, client_id: str, user_id: str, password: str) -> FastAPI:
    """The CTLive routes under `/api` (and the replay control)."""
    app = FastAPI(title="ChronoTrack Live simulator", docs_url=None, redoc_url=None)
    replay = ReplayState()
    control = APIRouter(prefix="/__control", include_in_schema=False)

    @control.post("/replay", status_code=204)
    def set_replay(body: ReplayControl) -> None:
        race_of(body.race_id)
        with replay.lock:
            if body.elapsed_ms is None:
                replay.races.pop(body.race_id, None)
            else:
                replay.races[body.race_id] = RaceReplay(
                    body.elapsed_ms, body.silent_mat, body.bib_swap, body.double_read
                )

    app.include_router(control)
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

    def race_over(race: BundleRace, clock: RaceReplay | None) -> bool:
        if clock is None:
            return True
        times = [
            result.gun_ms
            for participant in bundle.participants_by_race.get(race.race_id, [])
            if (result := bundle.results.get(participant.participant_id)) is not None and result.gun_ms
        ]
        return clock.elapsed_ms >= max(times, default=0)

    def entry(participant: BundleParticipant, over: bool = True) -> dict[str, Any]:
        result = bundle.results.get(participant.participant_id)
        status = result.status if result is not None and result.status != "FIN" and over else "CONF"
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
        race = race_of(race_id)
        over = race_over(race, replay.of(race_id))
        rows = [entry(participant, over) for participant in bundle.participants_by_race.get(race.race_id, [])]
        return {"race_entry": _page(rows, page, size, response)}

    cached_rows: dict[str, list[dict[str, Any]]] = {}

    def result_rows(race: BundleRace) -> list[dict[str, Any]]:
        # The bundle never changes under a simulator: build each race's rows once, page from them after.
        if race.race_id not in cached_rows:
            cached_rows[race.race_id] = build_result_rows(race)
        clock = replay.of(race.race_id)
        rows = cached_rows[race.race_id] if clock is None else replayed(race, clock)
        return [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]

    def build_result_rows(race: BundleRace) -> list[dict[str, Any]]:
        """Every row, with `_at` (race time it happens at) and `_basis` (placement time) kept aside."""
        ids = {interval["interval_name"]: interval["interval_id"] for interval in intervals(race)}
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
            # The runner's start delay (gun minus chip) puts their chip-timed splits on the race clock.
            delay = (result.gun_ms - result.chip_ms) if result.gun_ms and result.chip_ms else 0
            for split in result.splits:
                split_rows.append(
                    {
                        **person,
                        "results_time": duration_text(split.chip_ms),
                        "results_gun_time": "",
                        "results_interval_id": ids.get(split.name, ""),
                        "results_interval_name": split.name,
                        "results_interval_full": "0",
                        "_at": delay + split.chip_ms,
                        "_chip": split.chip_ms,
                    }
                )
            if result.status in ("FIN", "DQ") and result.chip_ms is not None:
                basis = result.gun_ms if race.placement_basis == "gun" else result.chip_ms
                finish_rows.append(
                    {
                        **person,
                        "results_time": duration_text(result.chip_ms),
                        "results_gun_time": duration_text(result.gun_ms),
                        "results_interval_id": ids[FULL_COURSE],
                        "results_interval_name": FULL_COURSE,
                        "results_interval_full": "1",
                        "_at": result.gun_ms or result.chip_ms,
                        "_chip": result.chip_ms,
                        "_basis": (basis or 0) if result.status == "FIN" else None,
                    }
                )
        return ranked(finish_rows) + split_rows

    def ranked(finish_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        places = competition_places(
            [(row["results_entry_id"], row["_basis"]) for row in finish_rows if row.get("_basis") is not None]
        )
        for row in finish_rows:
            place = places.get(row["results_entry_id"])
            row["results_rank"] = str(place) if place is not None else ""
        return sorted(finish_rows, key=lambda row: (row["results_rank"] == "", int(row["results_rank"] or 0)))

    def replayed(race: BundleRace, clock: RaceReplay) -> list[dict[str, Any]]:
        """The rows as they stood `clock.elapsed_ms` after the gun, with the clock's data faults."""
        rows = [dict(row) for row in cached_rows[race.race_id] if row["_at"] <= clock.elapsed_ms]
        if clock.silent_mat is not None:
            mat = clock.silent_mat
            rows = [
                r for r in rows if not (r["results_interval_name"] == mat.name and r["_at"] > mat.from_ms)
            ]
        if clock.bib_swap is not None:
            rows = swapped(rows, clock.bib_swap, race)
        if clock.double_read is not None:
            twice = clock.double_read
            for row in list(rows):
                if row["results_entry_id"] == twice.entry and row["results_interval_name"] == twice.mat:
                    again = {**row, "_at": row["_at"] + twice.delta_ms}
                    again["results_time"] = duration_text(row["_chip"] + twice.delta_ms)
                    if again["_at"] <= clock.elapsed_ms:
                        rows.append(again)
        finish = [r for r in rows if r["results_interval_full"] == "1"]
        return ranked(finish) + [r for r in rows if r["results_interval_full"] != "1"]

    def swapped(rows: list[dict[str, Any]], swap: BibSwap, race: BundleRace) -> list[dict[str, Any]]:
        order = [name for name, _ in bundle.race_distances(race.race_id)] + [FULL_COURSE]
        first = order.index(swap.mat) if swap.mat in order else len(order)
        people = {
            row["results_entry_id"]: {k: row[k] for k in row if k in _PERSON_FIELDS}
            for row in cached_rows[race.race_id]
            if row["results_entry_id"] in swap.entries
        }
        a, b = swap.entries
        for row in rows:
            entry = row["results_entry_id"]
            at = order.index(row["results_interval_name"]) if row["results_interval_name"] in order else -1
            if entry in (a, b) and at >= first:
                other = b if entry == a else a
                if other in people:
                    row.update(people[other])
        return rows

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
