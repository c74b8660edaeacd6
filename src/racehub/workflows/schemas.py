"""Workflow kinds and states, and the API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

WorkflowKind = Literal["sync_registrations", "sync_results", "score_copernico"]
RunState = Literal["planned", "queued", "running", "succeeded", "failed", "cancelled"]
Trigger = Literal["api", "chat", "cli", "schedule"]

KINDS: tuple[str, ...] = get_args(WorkflowKind)
TERMINAL_STATES = frozenset({"succeeded", "failed", "cancelled"})
ACTIVE_STATES = frozenset({"queued", "running"})


class WorkflowRequest(BaseModel):
    """What to run, for which edition: its id, or the event name and year (this year's by default)."""

    # Unknown fields (org_id, state, requested_by, ...) are refused, not ignored.
    model_config = ConfigDict(extra="forbid")

    kind: WorkflowKind
    edition_id: int | None = Field(None, ge=1, le=2**63 - 1)
    event: str | None = Field(
        None, min_length=1, max_length=200, description="event name, e.g. Boston Marathon"
    )
    year: int | None = Field(None, ge=1900, le=2200)
    full: bool = Field(False, description="registration sync: fetch every registration, not only changes")

    @model_validator(mode="after")
    def _names_an_edition(self) -> WorkflowRequest:
        if self.edition_id is None and not (self.event and self.event.strip()):
            raise ValueError("give edition_id, or event (with an optional year)")
        return self


class RunCounts(BaseModel):
    fetched: int
    inserted: int
    updated: int
    removed: int


class WorkflowRunOut(BaseModel):
    id: int
    kind: WorkflowKind
    state: RunState
    edition_id: int
    event_name: str
    year: int
    plan: str
    trigger: Trigger
    requested_by: int | None
    counts: RunCounts
    error: str | None
    attempts: int
    duplicate_of: int | None = Field(description="the queued or running run this request joined")
    created_at: datetime
    confirmed_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    status_text: str


class WorkflowRunList(BaseModel):
    items: list[WorkflowRunOut]
