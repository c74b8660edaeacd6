"""The provider-neutral vendor interface: what sync workflows see of RunSignUp, RaceRoster, CTLive, Copernico.

Conventions every provider keeps:
- External ids are strings, exactly as the vendor spells them (`"9100004"`, `"CT-61007"`).
- Times (gun, chip, splits) are integer milliseconds; `None` when the vendor has no time.
- `registered_at` and `ExternalRace.start_time` are either timezone-aware (the vendor gave an instant) or
  naive (the vendor gave race-local wall-clock time); `as_local_naive(value, event_timezone)` turns
  both into the race-local wall clock that RaceHub stores. `modified_at` is always aware (UTC): it is
  a sync cursor, not something shown to people.
- Empty vendor strings become `None`.
- Every failure is a `VendorError` with `retryable` and, where the vendor said so, `retry_after`
  (seconds): a job that catches a retryable error should be retried later, not in a tight loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from racehub.errors import RaceHubError

Sex = Literal["M", "F", "X"]
ResultStatus = Literal["FIN", "DNF", "DNS", "DQ"]
ScoringState = Literal["queued", "running", "done", "failed"]


@dataclass(frozen=True, slots=True)
class ExternalRace:
    """One race (Marathon, 5K, ...) of an edition as a vendor lists it."""

    external_id: str
    name: str
    distance_m: float | None
    start_time: datetime | None


@dataclass(frozen=True, slots=True)
class Registration:
    """One registration (entry) of a participant in a race."""

    external_id: str
    bib: str | None
    first_name: str
    last_name: str
    sex: Sex
    dob: date | None
    age: int | None
    email: str | None
    phone: str | None
    address1: str | None
    city: str | None
    state: str | None
    zip: str | None
    country: str | None
    team: str | None
    registered_at: datetime | None
    modified_at: datetime | None
    source: str


@dataclass(frozen=True, slots=True)
class SplitRecord:
    """A chip time at an intermediate timing point."""

    name: str
    distance_m: float | None
    chip_ms: int


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """One entry's result in a race.

    `overall_place`/`sex_place` are the vendor's own placings where it reports them (informational:
    RaceHub computes its own places from the times).
    """

    entry_external_id: str
    bib: str | None
    first_name: str
    last_name: str
    sex: Sex | None
    age: int | None
    status: ResultStatus
    gun_ms: int | None
    chip_ms: int | None
    splits: tuple[SplitRecord, ...] = ()
    overall_place: int | None = None
    sex_place: int | None = None


@dataclass(frozen=True, slots=True)
class ScoringStatus:
    """Where a vendor-side scoring (classification) job stands."""

    job_id: str
    state: ScoringState
    detail: str | None = None


class VendorError(RaceHubError):
    """A vendor call failed.

    `retryable`: trying again later may succeed; `retry_after`: seconds the vendor asked us to wait;
    `vendor_status`: the vendor's HTTP status, if it answered. `status` is what RaceHub itself reports.
    """

    status = 502

    def __init__(
        self,
        message: str,
        *,
        vendor: str,
        retryable: bool,
        retry_after: float | None = None,
        vendor_status: int | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, status)
        self.vendor = vendor
        self.retryable = retryable
        self.retry_after = retry_after
        self.vendor_status = vendor_status


class VendorAuthError(VendorError):
    """The vendor rejected our credentials (401/403): fix the stored credentials, do not retry."""


class VendorNotFound(VendorError):
    """The vendor does not know the edition, race or job we asked for."""

    status = 404


class VendorUnavailable(VendorError):
    """429, 5xx, timeouts, connection failures that outlasted the client's bounded retries."""

    status = 503


class VendorProtocolError(VendorError):
    """The answer was not what the vendor's API promises: not JSON, truncated, wrong shape, too large."""


class UnsafeDestinationError(VendorError):
    """A request or redirect pointed at an address we never call (private, link-local, metadata)."""


class VendorClient(ABC):
    """Closing and `with` support shared by every vendor client."""

    vendor: ClassVar[str]

    @abstractmethod
    def close(self) -> None:
        """Release the client's connections."""

    def __enter__(self) -> VendorClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RegistrationProvider(VendorClient):
    """A registration platform (RunSignUp, RaceRoster): who entered which race."""

    @abstractmethod
    def races(self, edition_external_id: str) -> list[ExternalRace]:
        """The races of one edition (RunSignUp race id, RaceRoster event id)."""

    @abstractmethod
    def registrations(
        self,
        edition_external_id: str,
        race_external_id: str,
        modified_since: datetime | None = None,
    ) -> Iterator[Registration]:
        """Every active registration of a race, paging internally; only those changed at or after
        `modified_since` (timezone-aware) when given."""

    @abstractmethod
    def removed_registrations(
        self,
        edition_external_id: str,
        race_external_id: str,
        since: datetime | None = None,
    ) -> list[str]:
        """External ids of registrations removed (cancelled, refunded, moved) at or after `since`."""


class ResultsProvider(VendorClient):
    """A timing platform (CTLive, Copernico, RunSignUp results): how each entry finished."""

    @abstractmethod
    def races(self, edition_external_id: str) -> list[ExternalRace]:
        """The races of one edition (CTLive event id, Copernico race slug)."""

    @abstractmethod
    def results(self, edition_external_id: str, race_external_id: str) -> Iterator[ResultRecord]:
        """One record per entry that has a result (FIN, DNF, DNS, DQ), splits included, paging internally.
        Entries the vendor has no outcome for yet (an upcoming race) are not yielded."""


class ScoringProvider(VendorClient):
    """A platform that scores races for us (Copernico): push entries, ask it to classify, pull rankings."""

    @abstractmethod
    def push_registrations(
        self,
        edition_external_id: str,
        race_external_id: str,
        registrations: Iterable[Registration],
    ) -> int:
        """Send a race's final registrations (upserted by external id); returns how many the vendor took."""

    @abstractmethod
    def request_scoring(self, edition_external_id: str, race_external_id: str) -> str:
        """Ask the vendor to compute classifications; returns its job id (the same while one is pending)."""

    @abstractmethod
    def scoring_status(self, edition_external_id: str, job_id: str) -> ScoringStatus:
        """Where a scoring job stands."""

    @abstractmethod
    def rankings(self, edition_external_id: str, race_external_id: str) -> Iterator[ResultRecord]:
        """Placed finishers as the vendor last classified them (names and sex as classified), with
        `sex_place` set. Pushed changes show here only after a scoring run has finished."""


def as_local_naive(value: datetime, timezone: str) -> datetime:
    """Race-local wall-clock time: aware values are converted to `timezone`, naive ones are already local."""
    if value.tzinfo is None:
        return value
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
