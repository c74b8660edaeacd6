"""The answer contract of `POST /v1/ask` (the same object `racehub ask --json` prints)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000, description="a question in plain English")
    today: date | None = Field(None, description="reference date for 'last year', 'this year', 'upcoming'")


class AnswerFile(BaseModel):
    name: str
    media_type: str
    url: str
    rows: int | None = None


class AnswerOut(BaseModel):
    status: Literal["answered", "refused", "needs_login", "clarify", "unanswerable"]
    answer: str
    interpretation: str | None = Field(
        None, description="how the question was read: population, races, filters, measure, time basis"
    )
    columns: list[str]
    rows: list[list[Any]]
    sql: str | None
    engine: str
    files: list[AnswerFile]
