"""RaceRoster API v1 shapes, as far as RaceHub reads them.

Verified: the token call (`POST /api/oauth/authorize`, form `grant_type=access_token, client_id,
client_secret, username, password`), Bearer auth, `{data: [...]}` lists. Unverified (kept only here and
in `ROUTES`): the races list of an event and the registrations list with its fields and paging meta.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# The one place that spells RaceRoster's paths (see the module docstring for what is unverified).
ROUTES = {
    "token": "/api/oauth/authorize",
    "races": "/api/v1/events/{event_id}/races",
    "registrations": "/api/v1/events/{event_id}/registrations",
}
# Query parameters of the registrations list (unverified).
PARAM_RACE = "raceId"
PARAM_PAGE = "page"
PARAM_PER_PAGE = "perPage"
PARAM_UPDATED_SINCE = "updatedSince"
PARAM_STATUS = "status"
STATUS_ACTIVE = "active"
STATUS_CANCELLED = "cancelled"


class _Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Token(_Vendor):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None


class Race(_Vendor):
    id: int | str
    name: str
    distance: float | None = None
    distanceUnit: str | None = None
    startDateTime: str | None = None


class RacesResponse(_Vendor):
    data: list[Race]


class Address(_Vendor):
    line1: str | None = None
    city: str | None = None
    province: str | None = None
    postalCode: str | None = None
    country: str | None = None


class Person(_Vendor):
    firstName: str
    lastName: str
    gender: str | None = None
    dateOfBirth: str | None = None
    age: int | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None


class Team(_Vendor):
    name: str | None = None


class Registration(_Vendor):
    registrationId: int | str
    raceId: int | str
    status: str = STATUS_ACTIVE
    bib: str | int | None = None
    createdAt: str | None = None
    updatedAt: str | None = None
    participant: Person
    team: Team | None = None


class Pagination(_Vendor):
    currentPage: int
    lastPage: int
    perPage: int | None = None
    total: int | None = None


class Meta(_Vendor):
    pagination: Pagination


class RegistrationsResponse(_Vendor):
    data: list[Registration]
    meta: Meta
