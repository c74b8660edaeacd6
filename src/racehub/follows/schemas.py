"""What the follows API takes and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class FollowText(BaseModel):
    """A sentence about follows: "Tell me when bib 1234 passes 30K", "stop notifying me about 1234",
    "what am I following?"."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=300)
    today: date | None = Field(None, description="the day to read 'this year' and the current race against")


class FollowOut(BaseModel):
    id: int
    target: Literal["runner", "race", "edition", "workflow"]
    trigger: Literal["every_split", "split", "finish", "first_finisher", "final", "workflow_done"]
    description: str = Field(description="what it tells you, in a sentence")
    edition_id: int
    race_id: int | None
    entry_id: int | None
    bib: str | None
    split_name: str | None
    once: bool = Field(description="ends after it has told you once")
    created_at: datetime


class LiveTarget(BaseModel):
    edition_id: int
    race_id: int | None
    label: str
    path: str = Field(description="where the page shows it live, e.g. `/#live/race/12`")
    entries: int
    finishers: int
    provisional: bool


class FollowReply(BaseModel):
    """What was understood and done, in a sentence, with the follows it touched."""

    kind: Literal["followed", "already", "unfollowed", "list", "live", "question"]
    reply: str
    follows: list[FollowOut] = []
    options: list[str] = []
    live: LiveTarget | None = None
    devices: int = Field(default=0, description="devices that will be notified")


class FollowList(BaseModel):
    follows: list[FollowOut]
    max_runners: int
