"""Fixtures for the vendor integration tests: real simulators on 127.0.0.1, the bundle read independently."""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from racehub.integrations.base import Registration, ResultRecord, as_local_naive
from racehub.integrations.http import HttpPolicy
from racehub.integrations.simulators import simulator_client, start_simulator
from racehub.integrations.simulators.kit import RunningServer


def _bundle_dir() -> Path:
    candidates = [
        os.environ.get("RACEHUB_BUNDLE_DIR", ""),
        str(Path(__file__).resolve().parents[3] / "shared" / "data" / "racedata-v1"),
        "/work/shared/data/racedata-v1",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "ct_events.csv").is_file():
            return Path(candidate)
    raise RuntimeError(f"racedata-v1 bundle not found (tried {candidates}); set RACEHUB_BUNDLE_DIR")


BUNDLE_DIR = _bundle_dir()


class RecordingSleep:
    """Stands in for time.sleep: remembers each requested wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class BundleRows:
    """The bundle CSVs as plain rows, read here without the code under test."""

    events: dict[str, dict[str, str]]
    races: dict[str, dict[str, str]]
    races_by_event: dict[str, list[dict[str, str]]]
    participants_by_race: dict[str, list[dict[str, str]]]
    results: dict[str, dict[str, str]]
    splits: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def event_by(self, column: str, value: str) -> dict[str, str]:
        return next(event for event in self.events.values() if event[column] == value)

    @staticmethod
    def hms(ms: int | None) -> str:
        """The bundle's `H:MM:SS.t` spelling of milliseconds (written here, not imported)."""
        if ms is None:
            return ""
        assert ms % 100 == 0, f"bundle times are whole tenths, got {ms} ms"
        tenths = ms // 100
        seconds, tenth = divmod(tenths, 10)
        minutes, second = divmod(seconds, 60)
        hours, minute = divmod(minutes, 60)
        return f"{hours}:{minute:02d}:{second:02d}.{tenth}"

    @staticmethod
    def registration_as_row(registration: Registration, race_id: str, timezone: str) -> dict[str, str]:
        """The ct_participants.csv row a sync into an empty database would write for `registration`."""
        assert registration.registered_at is not None
        return {
            "participant_id": registration.external_id,
            "race_id": race_id,
            "bib": registration.bib or "",
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "sex": registration.sex,
            "dob": registration.dob.isoformat() if registration.dob else "",
            "age": str(registration.age) if registration.age is not None else "",
            "email": registration.email or "",
            "phone": registration.phone or "",
            "address1": registration.address1 or "",
            "city": registration.city or "",
            "state": registration.state or "",
            "zip": registration.zip or "",
            "country": registration.country or "",
            "team": registration.team or "",
            "registered_at": as_local_naive(registration.registered_at, timezone).isoformat(),
            "registration_source": registration.source,
        }

    @staticmethod
    def result_as_rows(record: ResultRecord) -> tuple[dict[str, str], list[dict[str, str]]]:
        """The ct_results.csv row and ct_splits.csv rows for `record`."""
        result = {
            "participant_id": record.entry_external_id,
            "status": record.status,
            "gun_time": BundleRows.hms(record.gun_ms),
            "chip_time": BundleRows.hms(record.chip_ms),
        }
        splits = [
            {
                "participant_id": record.entry_external_id,
                "split_name": split.name,
                "distance_m": str(split.distance_m),
                "chip_elapsed": BundleRows.hms(split.chip_ms),
            }
            for split in record.splits
        ]
        return result, splits


def _read(name: str) -> list[dict[str, str]]:
    with (BUNDLE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def bundle_rows() -> BundleRows:
    races = _read("ct_races.csv")
    by_event: dict[str, list[dict[str, str]]] = defaultdict(list)
    for race in races:
        by_event[race["event_id"]].append(race)
    by_race: dict[str, list[dict[str, str]]] = defaultdict(list)
    for participant in _read("ct_participants.csv"):
        by_race[participant["race_id"]].append(participant)
    splits: dict[str, list[dict[str, str]]] = defaultdict(list)
    for split in _read("ct_splits.csv"):
        splits[split["participant_id"]].append(split)
    return BundleRows(
        events={row["event_id"]: row for row in _read("ct_events.csv")},
        races={row["race_id"]: row for row in races},
        races_by_event=dict(by_event),
        participants_by_race=dict(by_race),
        results={row["participant_id"]: row for row in _read("ct_results.csv")},
        splits=dict(splits),
    )


@dataclass
class Simulator:
    """A running vendor simulator and helpers to steer it over its `/__control` knob."""

    vendor: str
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url

    def fault(self, **fields: Any) -> None:
        httpx.post(f"{self.url}/__control/faults", json=fields).raise_for_status()

    def change(self, participant_id: str, **changes: str) -> None:
        httpx.post(
            f"{self.url}/__control/registrations/{participant_id}", json={"changes": changes}
        ).raise_for_status()

    def remove(self, participant_id: str) -> None:
        httpx.post(f"{self.url}/__control/registrations/{participant_id}/remove").raise_for_status()

    def requests_to(self, prefix: str = "") -> int:
        by_path: dict[str, int] = httpx.get(f"{self.url}/__control/stats").json()["by_path"]
        return sum(count for path, count in by_path.items() if path.startswith(prefix))

    def client(
        self, *, sleep: Callable[[float], None] | None = None, policy: HttpPolicy | None = None, **kw: Any
    ) -> Any:
        return simulator_client(self.vendor, self.url, sleep=sleep or RecordingSleep(), policy=policy, **kw)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def simulator() -> Iterator[Callable[..., Simulator]]:
    """`simulator("ctlive", faults=[...], **settings)` starts a fresh simulator; all stop afterwards."""
    running: list[RunningServer] = []

    def start(vendor: str, **settings: Any) -> Simulator:
        server = start_simulator(vendor, BUNDLE_DIR, **settings)
        running.append(server)
        return Simulator(vendor, server)

    yield start
    for server in running:
        server.stop()
