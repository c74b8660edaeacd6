"""RunSignUp REST response shapes (`format=json`), as far as RaceHub reads them.

Verified against public clients: race/events, participants, result sets and results. Unverified (kept
here only): the body of `/race/{race_id}/removed-participants`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

IntLike = int | str


class _Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ErrorDetail(_Vendor):
    error_code: IntLike | None = None
    error_msg: str = ""


class ErrorEnvelope(_Vendor):
    """RunSignUp reports some failures as a 200 with `{"error": {...}}`."""

    error: ErrorDetail


class Event(_Vendor):
    event_id: IntLike
    name: str
    start_time: str | None = None
    distance: str | None = None


class Race(_Vendor):
    race_id: IntLike
    name: str
    events: list[Event] = []


class RaceResponse(_Vendor):
    race: Race


class Address(_Vendor):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zipcode: str | None = None
    country_code: str | None = None


class User(_Vendor):
    user_id: IntLike | None = None
    first_name: str
    middle_name: str | None = None
    last_name: str
    email: str | None = None
    dob: str | None = None
    gender: str | None = None
    phone: str | None = None
    address: Address | None = None


class Participant(_Vendor):
    registration_id: IntLike
    bib_num: IntLike | None = None
    chip_num: str | None = None
    age: IntLike | None = None
    registration_date: str | None = None
    last_modified: IntLike | None = None
    team_name: str | None = None
    amount_paid: str | None = None
    user: User


class EventRef(_Vendor):
    event_id: IntLike


class EventParticipants(_Vendor):
    event: EventRef
    participants: list[Participant] = []


ParticipantsResponse = list[EventParticipants]


class RemovedParticipant(_Vendor):
    registration_id: IntLike
    event_id: IntLike | None = None
    removed_timestamp: IntLike | None = None


class RemovedResponse(_Vendor):
    removed_participants: list[RemovedParticipant] = []


class ResultSet(_Vendor):
    individual_result_set_id: IntLike
    individual_result_set_name: str | None = None
    results: list[ResultRow] = []


class ResultRow(_Vendor):
    result_id: IntLike
    registration_id: IntLike | None = None
    place: IntLike | None = None
    bib: IntLike | None = None
    first_name: str
    last_name: str
    gender: str | None = None
    age: IntLike | None = None
    clock_time: str | None = None
    chip_time: str | None = None


class ResultSetsResponse(_Vendor):
    individual_results_sets: list[ResultSet] = []


ResultSet.model_rebuild()
