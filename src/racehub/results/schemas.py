"""What the results API returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from racehub.schemas import Page

Sex = Literal["M", "F", "X"]
ResultStatus = Literal["FIN", "DNF", "DNS", "DQ"]
ResultSort = Literal["place", "sex_place", "name", "bib"]


class RaceRules(BaseModel):
    """How a race is placed and awarded."""

    placement_basis: Literal["gun", "chip"]
    overall_award_depth: int
    masters_award_depth: int
    masters_min_age: int
    ag_award_depth: int
    age_group_width: int
    exclude_award_winners_from_ag: bool


class RaceDetail(BaseModel):
    id: int
    edition_id: int
    event_name: str
    year: int
    start_date: date
    edition_status: str
    name: str
    distance_m: float | None
    start_time: datetime | None
    scored_at: datetime | None
    official: bool = Field(description="places are final; until then they are provisional")
    entry_count: int
    finisher_count: int
    rules: RaceRules


class ResultRow(BaseModel):
    """One entry's result in a race."""

    entry_id: int
    bib: str | None
    name: str
    first_name: str
    last_name: str
    sex: Sex
    age: int | None
    age_group: str | None
    city: str | None
    state: str | None
    team: str | None
    status: ResultStatus
    gun_ms: int | None
    gun_time: str | None
    chip_ms: int | None
    chip_time: str | None
    pace_per_mile: str | None
    overall_place: int | None
    sex_place: int | None
    age_group_place: int | None


class ResultPage(Page[ResultRow]):
    """A race's results, a page at a time."""

    race_id: int


class SplitTime(BaseModel):
    name: str
    distance_m: float | None
    chip_ms: int
    chip_time: str | None
    pace_per_mile: str | None


class ResultDetail(ResultRow):
    race_id: int
    race_name: str
    event_name: str
    year: int
    placement_basis: Literal["gun", "chip"]
    splits: list[SplitTime]


class AwardWinner(BaseModel):
    category: Literal["overall", "masters", "age_group"]
    sex: Sex
    age_group: str | None
    award_place: int
    entry_id: int
    bib: str | None
    name: str
    age: int | None
    time_ms: int | None
    time: str | None


class AwardList(BaseModel):
    race_id: int
    total: int
    awards: list[AwardWinner]


class ResultEdit(BaseModel):
    """A correction by staff: only the fields given change (`null` clears a time). Places follow."""

    model_config = {"extra": "forbid"}

    status: ResultStatus | None = None
    gun_time: str | None = Field(None, max_length=20, description="`H:MM:SS.t`; null clears it")
    chip_time: str | None = Field(None, max_length=20, description="`H:MM:SS.t`; null clears it")
    bib: str | None = Field(
        None, min_length=1, max_length=20, description="the entry's bib (a swap put right)"
    )


class ScoreReport(BaseModel):
    race_id: int
    finishers: int
    awards: int
    changed_rows: int
