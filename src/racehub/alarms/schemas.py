"""What the alarms API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

AlarmKind = Literal["silent_mat", "impossible_pace", "double_read", "sync_failing"]
AlarmState = Literal["open", "resolved"]


class AlarmRow(BaseModel):
    """An entry whose reads raised the alarm, and what they were."""

    entry_id: int
    bib: str | None
    name: str
    text: str = Field(description="the row in a sentence, e.g. `Bib 12 Jane Doe: Half 1:30:00 → 30K 1:40:00`")
    detail: dict[str, Any]


class AlarmOut(BaseModel):
    id: int
    kind: AlarmKind
    state: AlarmState
    title: str
    why: str = Field(description="why it was raised, in a sentence")
    occurrences: int
    raised_at: datetime | None
    updated_at: datetime
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    edition_id: int
    event_name: str
    year: int
    race_id: int | None
    race_name: str | None
    rows: list[AlarmRow]


class AlarmList(BaseModel):
    total: int
    alarms: list[AlarmOut]
