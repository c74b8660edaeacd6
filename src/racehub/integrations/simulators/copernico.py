"""A local Copernico: the bundle's `results_provider=copernico` editions, with registrations push and scoring.

Ids: Copernico race = bundle `results_external_id` (`CO-<event_id>`), also reachable by the slug of the
event name and year (`richmond-turkey-trot-2023`); event id = bundle `race_id`; athlete id = bundle
`participant_id`. Athlete ids and dorsals (bibs) are unique per event, as in Copernico: a push that gives
a dorsal to a second athlete is refused (409); ids are text (RaceHub-only entries come as `racehub-<id>`).
Athletes carry bundle times (`gunTime`, `times` with a `FINISH` point = chip time).
Leaders are a snapshot taken when the event was last classified: completed editions start classified;
a push changes athletes but not the leaders until a scoring job finishes. A job is done after
`scoring_polls` status reads; asking again while one is pending returns the same job.
"""

from __future__ import annotations

import re
import threading
import uuid
from datetime import date
from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException, Query, Response

from racehub.integrations.copernico import schemas
from racehub.integrations.simulators.bundle import Bundle, BundleEvent, BundleRace
from racehub.integrations.simulators.kit import competition_places, require

MAX_PAGE_SIZE = 1000
_STATUS_NAMES = {"FIN": "finished", "DNF": "dnf", "DQ": "dsq", "DNS": "withdrawn"}
_SEX_OF = {name: sex for sex, name in schemas.GENDER_NAMES.items()}
_GENDER_OF: dict[str, str] = {str(sex): name for sex, name in schemas.GENDER_NAMES.items()}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _age_on(birthdate: str | None, day: date) -> int | None:
    if not birthdate:
        return None
    born = date.fromisoformat(birthdate)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _athlete_order(athlete: dict[str, Any]) -> tuple[int, int, str]:
    """Numeric ids in number order, then any others (Copernico takes the ids it is given, as text)."""
    ident = str(athlete["id"])
    return (0, int(ident), "") if ident.isdigit() else (1, 0, ident)


class CopernicoState:
    """Athletes per (race, event), leader snapshots and scoring jobs, guarded by one lock."""

    def __init__(self, bundle: Bundle, scoring_polls: int) -> None:
        self.bundle = bundle
        self.scoring_polls = scoring_polls
        self.lock = threading.Lock()
        self.editions: dict[str, BundleEvent] = {}
        for event in bundle.editions(results_provider="copernico"):
            self.editions[event.results_external_id] = event
            self.editions[slug(f"{event.name} {event.edition_year}")] = event
        self._athletes: dict[str, dict[str, dict[str, Any]]] = {}
        self._leaders: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}

    def edition(self, race: str) -> BundleEvent:
        found = self.editions.get(race)
        if found is None:
            raise HTTPException(404, f"race {race} not found")
        return found

    def race_of(self, edition: BundleEvent, event_id: str) -> BundleRace:
        race = self.bundle.races.get(event_id)
        if race is None or race.event_id != edition.event_id:
            raise HTTPException(404, f"event {event_id} not found in race")
        return race

    def athletes(self, race: BundleRace) -> dict[str, dict[str, Any]]:
        """The event's athletes by id (built from the bundle on first use). Caller holds the lock."""
        if race.race_id not in self._athletes:
            self._athletes[race.race_id] = {
                participant.participant_id: self._from_bundle(race, participant.participant_id)
                for participant in self.bundle.participants_by_race.get(race.race_id, [])
            }
        return self._athletes[race.race_id]

    def _from_bundle(self, race: BundleRace, participant_id: str) -> dict[str, Any]:
        participant = self.bundle.participants[participant_id]
        result = self.bundle.results.get(participant_id)
        times = [
            {"point": s.name, "distance": s.distance_m, "time": s.chip_ms}
            for s in (result.splits if result else ())
        ]
        if result is not None and result.chip_ms is not None:
            times.append({"point": schemas.FINISH_POINT, "distance": race.distance_m, "time": result.chip_ms})
        return {
            "id": participant_id,
            "dorsal": participant.bib,
            "chip": f"CH{participant_id}",
            "name": participant.first_name,
            "surname": participant.last_name,
            "gender": _GENDER_OF[participant.sex],
            "birthdate": participant.dob.isoformat(),
            "age": participant.age,
            "category": f"{participant.sex}{participant.age // 5 * 5}",
            "team": participant.team or None,
            "nationality": "USA" if participant.country == "US" else participant.country,
            "status": _STATUS_NAMES[result.status] if result is not None else None,
            "gunTime": result.gun_ms if result is not None else None,
            "times": times,
        }

    def leaders(self, race: BundleRace) -> dict[str, list[dict[str, Any]]]:
        """The classified snapshot (computed once for already-timed events). Caller holds the lock."""
        if race.race_id not in self._leaders:
            self._leaders[race.race_id] = self.classify(race)
        return self._leaders[race.race_id]

    def reclassify(self, race: BundleRace) -> int:
        """A scoring run: a fresh snapshot; returns how many athletes it ranked. Caller holds the lock."""
        board = self._leaders[race.race_id] = self.classify(race)
        return sum(len(rows) for rows in board.values())

    def classify(self, race: BundleRace) -> dict[str, list[dict[str, Any]]]:
        board: dict[str, list[dict[str, Any]]] = {}
        for gender in schemas.GENDER_NAMES.values():
            finishers = []
            for athlete in self.athletes(race).values():
                if athlete["gender"] != gender or athlete["status"] != "finished":
                    continue
                chip = next((t["time"] for t in athlete["times"] if t["point"] == schemas.FINISH_POINT), None)
                official = athlete["gunTime"] if race.placement_basis == "gun" else chip
                if official is not None:
                    finishers.append((athlete, official))
            places = competition_places([(athlete["id"], official) for athlete, official in finishers])
            board[gender] = sorted(
                (
                    {
                        "dorsal": athlete["dorsal"],
                        "name": athlete["name"],
                        "surname": athlete["surname"],
                        "club": athlete["team"],
                        "category": athlete["category"],
                        "time": official,
                        "pos": places[athlete["id"]],
                        "split": schemas.FINISH_POINT,
                        "nationality": athlete["nationality"],
                    }
                    for athlete, official in finishers
                ),
                key=lambda row: (row["pos"], str(row["dorsal"])),
            )
        return board

    def push(self, edition: BundleEvent, items: list[dict[str, Any]]) -> dict[str, int]:
        created = updated = 0
        with self.lock:
            for item in items:
                race = self.race_of(edition, str(item.get("eventId", "")))
                require(
                    bool(item.get("id")) and item.get("gender") in _SEX_OF,
                    422,
                    "each athlete needs id and gender",
                )
                athletes = self.athletes(race)
                athlete = athletes.get(str(item["id"]))
                dorsal = item.get("dorsal")
                if dorsal is not None:
                    # Like Copernico: a dorsal belongs to one athlete of an event.
                    holder = next(
                        (a for a in athletes.values() if a["dorsal"] == dorsal and a is not athlete), None
                    )
                    require(
                        holder is None,
                        409,
                        f"dorsal {dorsal} already belongs to athlete {holder['id'] if holder else ''} "
                        f"of event {race.race_id}",
                    )
                if athlete is None:
                    athlete = athletes[str(item["id"])] = {
                        "id": str(item["id"]),
                        "chip": None,
                        "nationality": None,
                        "status": None,
                        "gunTime": None,
                        "times": [],
                    }
                    created += 1
                else:
                    updated += 1
                age = _age_on(item.get("birthdate"), edition.start_date)
                athlete.update(
                    dorsal=item.get("dorsal"),
                    name=item.get("name") or "",
                    surname=item.get("surname") or "",
                    gender=item["gender"],
                    birthdate=item.get("birthdate"),
                    age=age,
                    category=f"{_SEX_OF[item['gender']]}{(age or 0) // 5 * 5}",
                    team=item.get("club"),
                )
        return {"received": len(items), "created": created, "updated": updated}


def build_app(bundle: Bundle, *, api_key: str, scoring_polls: int = 2) -> FastAPI:
    """Copernico's public API (`/api/races/...`) and private API (registrations, scoring) on one server."""
    app = FastAPI(title="Copernico simulator", docs_url=None, redoc_url=None)
    state = CopernicoState(bundle, scoring_polls)
    app.state.copernico = state

    def authorize(given: str) -> None:
        require(given == api_key, 401, "Unauthorized")

    @app.get(schemas.PUBLIC_ROUTES["race"])
    def get_race(race: str, x_api_key: str = Header("")) -> dict[str, Any]:
        authorize(x_api_key)
        edition = state.edition(race)
        return {
            "id": edition.results_external_id,
            "name": f"{edition.name} {edition.edition_year}",
            "date": edition.start_date.isoformat(),
            "events": [
                {
                    "id": r.race_id,
                    "name": r.name,
                    "distance": r.distance_m,
                    "startTime": r.start_time.isoformat(),
                }
                for r in bundle.races_by_event.get(edition.event_id, [])
            ],
        }

    @app.get(schemas.PUBLIC_ROUTES["athletes"])
    def get_athletes(
        race: str,
        event: str,
        x_api_key: str = Header(""),
        page: int = Query(1, ge=1),
        size: int = Query(100, ge=1),
    ) -> dict[str, Any]:
        authorize(x_api_key)
        bundle_race = state.race_of(state.edition(race), event)
        size = min(size, MAX_PAGE_SIZE)
        with state.lock:
            rows = sorted(state.athletes(bundle_race).values(), key=_athlete_order)
            window = [dict(athlete) for athlete in rows[(page - 1) * size : page * size]]
        return {"athletes": window, "page": page, "pages": max(1, -(-len(rows) // size)), "total": len(rows)}

    @app.get(schemas.PUBLIC_ROUTES["leaders"])
    def get_leaders(race: str, event: str, filter: str, x_api_key: str = Header("")) -> list[dict[str, Any]]:
        authorize(x_api_key)
        bundle_race = state.race_of(state.edition(race), event)
        kind, _, gender = filter.partition(":")
        require(kind == "gender" and gender in _SEX_OF, 404, f"unknown leaders filter {filter}")
        with state.lock:
            return list(state.leaders(bundle_race)[gender])

    @app.post(schemas.API_ROUTES["registrations"])
    def push_registrations(
        race: str, items: list[dict[str, Any]] = Body(...), x_api_key: str = Header("")
    ) -> dict[str, int]:
        authorize(x_api_key)
        return state.push(state.edition(race), items)

    @app.post(schemas.API_ROUTES["score"])
    def request_scoring(
        race: str, event: str, response: Response, x_api_key: str = Header("")
    ) -> dict[str, Any]:
        authorize(x_api_key)
        edition = state.edition(race)
        bundle_race = state.race_of(edition, event)
        with state.lock:
            for job in state.jobs.values():
                if job["event"] == bundle_race.race_id and job["status"] in ("queued", "running"):
                    return {"jobId": job["jobId"], "status": job["status"]}
            job = {"jobId": uuid.uuid4().hex, "race": edition.event_id, "event": bundle_race.race_id}
            job.update(status="queued", polls=0, detail=None)
            state.jobs[job["jobId"]] = job
        response.status_code = 202
        return {"jobId": job["jobId"], "status": "queued"}

    @app.get(schemas.API_ROUTES["job"])
    def scoring_job(race: str, job: str, x_api_key: str = Header("")) -> dict[str, Any]:
        authorize(x_api_key)
        edition = state.edition(race)
        with state.lock:
            found = state.jobs.get(job)
            if found is None or found["race"] != edition.event_id:
                raise HTTPException(404, f"job {job} not found")
            if found["status"] in ("queued", "running"):
                found["polls"] += 1
                found["status"] = "running"
                if found["polls"] >= state.scoring_polls:
                    ranked = state.reclassify(bundle.races[found["event"]])
                    found["status"] = "done"
                    found["detail"] = f"{ranked} athletes ranked"
            return {"jobId": found["jobId"], "status": found["status"], "detail": found["detail"]}

    return app
