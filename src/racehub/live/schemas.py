"""What the live stream (`GET /v1/live`) sends: one `LiveEvent` per change, as JSON in an SSE `data:` line."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from racehub.results.schemas import ResultRow

ChangeKind = Literal["result", "places", "split", "removed", "race", "alarm", "workflow"]
CHANGE_KINDS: tuple[str, ...] = ("result", "places", "split", "removed", "race", "alarm", "workflow")


class LiveResult(ResultRow):
    """An entry's result as the timing company's staff see it now (a results page row, and more); places
    are provisional until the race is official."""

    pace_per_km: str | None
    provisional: bool = Field(description="true until the race is official: places may still change")


class LiveSplit(BaseModel):
    """A timing point an entry crossed (chip time from their own start)."""

    name: str
    distance_m: float | None
    chip_ms: int | None
    chip_time: str | None
    pace_per_km: str | None
    removed: bool = False


class LiveRace(BaseModel):
    official: bool
    reloaded: bool = Field(False, description="many rows changed at once: reload the race's results")


class LiveWorkflow(BaseModel):
    run_id: int
    workflow: str
    state: str


class LiveAlarm(BaseModel):
    alarm_id: int
    alarm: str
    state: str


class LiveEvent(BaseModel):
    """One change of the tenant's race data, in order (`seq` is also the SSE event id)."""

    seq: int = Field(description="the tenant's change number: send it back as Last-Event-ID to resume")
    kind: ChangeKind
    at: datetime
    edition_id: int
    event_name: str
    year: int
    race_id: int | None
    race_name: str | None
    entry_id: int | None
    bib: str | None = None
    provisional: bool
    result: LiveResult | None = None
    split: LiveSplit | None = None
    race: LiveRace | None = None
    workflow: LiveWorkflow | None = None
    alarm: LiveAlarm | None = None


class OfficialOut(BaseModel):
    race_id: int
    edition_id: int
    official: bool
    edition_final: bool = Field(description="every race of the edition is official: its results are final")
