"""Copernico (timingsense) API shapes, as far as RaceHub reads and writes them.

Verified: `x-api-key` auth, race slugs, `GET /api/races/{race}/leaders/{event}/gender:male` rows
`{dorsal, name, surname, club, category, time (ms), pos, split, nationality}`, athlete fields
(`dorsal, chip, category, team, gunTime, status finished|dnf|dsq|withdrawn, times, rankings`), and
`POST /race-registrations/{raceId}` with `{id, name, surname, birthdate, dorsal, gender, eventId, club}`.
Unverified (kept only here): the race summary, the paged athletes list of an event, the `times` item
shape, the push answer, and the scoring trigger and job endpoints.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from racehub.integrations.base import ResultStatus, ScoringState, Sex

# public-api.copernico.cloud
PUBLIC_ROUTES = {
    "race": "/api/races/{race}",
    "athletes": "/api/races/{race}/athletes/{event}",
    "leaders": "/api/races/{race}/leaders/{event}/{filter}",
}
# api.copernico.cloud
API_ROUTES = {
    "registrations": "/race-registrations/{race}",
    "score": "/races/{race}/events/{event}/classifications",
    "job": "/races/{race}/classifications/{job}",
}
API_KEY_HEADER = "x-api-key"
FINISH_POINT = "FINISH"
GENDERS: dict[str, Sex] = {"male": "M", "female": "F", "mixed": "X"}
GENDER_NAMES: dict[Sex, str] = {"M": "male", "F": "female", "X": "mixed"}
STATUSES: dict[str, ResultStatus] = {"finished": "FIN", "dnf": "DNF", "dsq": "DQ", "withdrawn": "DNS"}
JOB_STATES: dict[str, ScoringState] = {
    "queued": "queued",
    "pending": "queued",
    "running": "running",
    "processing": "running",
    "done": "done",
    "completed": "done",
    "failed": "failed",
    "error": "failed",
}


class _Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore")


class EventInfo(_Vendor):
    id: str | int
    name: str
    distance: float | None = None
    startTime: str | None = None


class RaceInfo(_Vendor):
    id: str
    name: str
    events: list[EventInfo] = []


class PointTime(_Vendor):
    point: str
    distance: float | None = None
    time: int | None = None


class Athlete(_Vendor):
    id: str | int
    dorsal: str | int | None = None
    chip: str | None = None
    name: str
    surname: str
    gender: str | None = None
    birthdate: str | None = None
    age: int | None = None
    category: str | None = None
    team: str | None = None
    nationality: str | None = None
    status: str | None = None
    gunTime: int | None = None
    times: list[PointTime] = []


class AthletesPage(_Vendor):
    athletes: list[Athlete]
    page: int
    pages: int
    total: int | None = None


class LeaderRow(_Vendor):
    dorsal: str | int | None = None
    name: str = ""
    surname: str = ""
    club: str | None = None
    category: str | None = None
    time: int | None = None
    pos: int | None = None
    split: str | None = None
    nationality: str | None = None


LeadersResponse = list[LeaderRow]


class PushResult(_Vendor):
    received: int | None = None
    created: int = 0
    updated: int = 0


class Job(_Vendor):
    jobId: str
    status: str
    detail: str | None = None
