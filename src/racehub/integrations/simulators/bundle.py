"""Read a racedata-v1 bundle directory for the vendor simulators (read-only, loaded once per directory)."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from racehub.integrations.convert import duration_ms


@dataclass(frozen=True, slots=True)
class BundleEvent:
    event_id: str
    org_id: str
    name: str
    edition_year: int
    start_date: date
    timezone: str
    registration_provider: str
    registration_external_id: str
    results_provider: str
    results_external_id: str
    status: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class BundleRace:
    race_id: str
    event_id: str
    name: str
    distance_m: float
    start_time: datetime
    placement_basis: str


@dataclass(frozen=True, slots=True)
class BundleParticipant:
    participant_id: str
    race_id: str
    bib: str
    first_name: str
    last_name: str
    sex: str
    dob: date
    age: int
    email: str
    phone: str
    address1: str
    city: str
    state: str
    zip: str
    country: str
    team: str
    registered_at: datetime
    registration_source: str


@dataclass(frozen=True, slots=True)
class BundleSplit:
    name: str
    distance_m: float
    chip_ms: int


@dataclass(frozen=True, slots=True)
class BundleResult:
    participant_id: str
    status: str
    gun_ms: int | None
    chip_ms: int | None
    splits: tuple[BundleSplit, ...]


@dataclass(frozen=True)
class Bundle:
    events: dict[str, BundleEvent]
    races: dict[str, BundleRace]
    participants: dict[str, BundleParticipant]
    results: dict[str, BundleResult]
    races_by_event: dict[str, list[BundleRace]] = field(default_factory=dict)
    participants_by_race: dict[str, list[BundleParticipant]] = field(default_factory=dict)

    def editions(
        self, *, registration_provider: str | None = None, results_provider: str | None = None
    ) -> list[BundleEvent]:
        """Editions served by a vendor, in bundle order."""
        return [
            event
            for event in self.events.values()
            if (registration_provider is None or event.registration_provider == registration_provider)
            and (results_provider is None or event.results_provider == results_provider)
        ]

    def race_distances(self, race_id: str) -> list[tuple[str, float]]:
        """The split points of a race (name, metres), ordered by distance, as its entries crossed them."""
        points: dict[str, float] = {}
        for participant in self.participants_by_race.get(race_id, []):
            result = self.results.get(participant.participant_id)
            for split in result.splits if result else ():
                points[split.name] = split.distance_m
        return sorted(points.items(), key=lambda item: item[1])


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=4)
def load_bundle(directory: Path) -> Bundle:
    """All bundle rows, typed and indexed. Cached: the simulators never change it."""
    directory = Path(directory)
    events = {
        row["event_id"]: BundleEvent(
            event_id=row["event_id"],
            org_id=row["org_id"],
            name=row["name"],
            edition_year=int(row["edition_year"]),
            start_date=date.fromisoformat(row["start_date"]),
            timezone=row["timezone"],
            registration_provider=row["registration_provider"],
            registration_external_id=row["registration_external_id"],
            results_provider=row["results_provider"],
            results_external_id=row["results_external_id"],
            status=row["status"],
        )
        for row in _rows(directory, "ct_events.csv")
    }
    races = {
        row["race_id"]: BundleRace(
            race_id=row["race_id"],
            event_id=row["event_id"],
            name=row["name"],
            distance_m=float(row["distance_m"]),
            start_time=datetime.fromisoformat(row["start_time"]),
            placement_basis=row["placement_basis"],
        )
        for row in _rows(directory, "ct_races.csv")
    }
    participants = {
        row["participant_id"]: BundleParticipant(
            participant_id=row["participant_id"],
            race_id=row["race_id"],
            bib=row["bib"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            sex=row["sex"],
            dob=date.fromisoformat(row["dob"]),
            age=int(row["age"]),
            email=row["email"],
            phone=row["phone"],
            address1=row["address1"],
            city=row["city"],
            state=row["state"],
            zip=row["zip"],
            country=row["country"],
            team=row["team"],
            registered_at=datetime.fromisoformat(row["registered_at"]),
            registration_source=row["registration_source"],
        )
        for row in _rows(directory, "ct_participants.csv")
    }
    splits: dict[str, list[BundleSplit]] = defaultdict(list)
    for row in _rows(directory, "ct_splits.csv"):
        chip = duration_ms(row["chip_elapsed"])
        if chip is not None:
            splits[row["participant_id"]].append(
                BundleSplit(row["split_name"], float(row["distance_m"]), chip)
            )
    results = {
        row["participant_id"]: BundleResult(
            participant_id=row["participant_id"],
            status=row["status"],
            gun_ms=duration_ms(row["gun_time"]),
            chip_ms=duration_ms(row["chip_time"]),
            splits=tuple(sorted(splits.get(row["participant_id"], []), key=lambda split: split.distance_m)),
        )
        for row in _rows(directory, "ct_results.csv")
    }
    races_by_event: dict[str, list[BundleRace]] = defaultdict(list)
    for race in races.values():
        races_by_event[race.event_id].append(race)
    participants_by_race: dict[str, list[BundleParticipant]] = defaultdict(list)
    for participant in participants.values():
        participants_by_race[participant.race_id].append(participant)
    return Bundle(events, races, participants, results, dict(races_by_event), dict(participants_by_race))
