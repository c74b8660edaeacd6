"""HTTP routes of races: rules, results, splits, awards and scoring."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from racehub.alarms import service as alarms
from racehub.audit import service as audit
from racehub.auth.dependencies import TenantSession, WriterCaller, client_host
from racehub.results import service
from racehub.results.repository import ResultFilters
from racehub.results.schemas import (
    AwardList,
    RaceDetail,
    ResultDetail,
    ResultEdit,
    ResultPage,
    ResultSort,
    ResultStatus,
    ScoreReport,
    Sex,
)

router = APIRouter(prefix="/races", tags=["results"])

RaceId = Annotated[int, Path(ge=1, le=2**63 - 1, description="race id")]
EntryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="entry id")]


@router.get("/{race_id}")
def get_race(session: TenantSession, race_id: RaceId) -> RaceDetail:
    """A race with its edition, placement and award rules, and counts."""
    return service.race_detail(session, race_id)


@router.get("/{race_id}/results")
def list_results(
    session: TenantSession,
    race_id: RaceId,
    sex: Sex | None = None,
    age_group: Annotated[str | None, Query(min_length=1, max_length=20, description="e.g. `40-44`")] = None,
    status: ResultStatus | None = None,
    sort: ResultSort = "place",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ResultPage:
    """A page of a race's results: by overall place (non-finishers last), sex place, name or bib."""
    filters = ResultFilters(sex=sex, age_group=age_group, status=status)
    return service.results_page(session, race_id, filters, sort=sort, limit=limit, offset=offset)


@router.get("/{race_id}/results/{entry_id}")
def get_result(session: TenantSession, race_id: RaceId, entry_id: EntryId) -> ResultDetail:
    """One entry's result in a race, with its split times."""
    return service.result_detail(session, race_id, entry_id)


@router.get("/{race_id}/awards")
def list_awards(session: TenantSession, race_id: RaceId) -> AwardList:
    """The race's award winners: per sex F, M, X, overall, then masters, then age groups."""
    return service.award_list(session, race_id)


@router.patch("/{race_id}/results/{entry_id}")
def edit_result(
    writer: WriterCaller,
    session: TenantSession,
    race_id: RaceId,
    entry_id: EntryId,
    body: ResultEdit,
    request: Request,
) -> ResultDetail:
    """Correct one result by hand (owner or staff): status, gun and chip time, bib. The race is re-placed
    and live clients see the change. Audited."""
    detail = service.edit_result(session, race_id, entry_id, body)
    alarms.check_race(session, race_id, alarms.rules_from(request.app.state.settings))
    audit.record_edit(
        session,
        writer.actor("api", client_host(request)),
        org_id=writer.org_id,
        what=f"result of entry {entry_id} in race {race_id}",
        detail={"race_id": race_id, "entry_id": entry_id, "fields": sorted(body.model_fields_set)},
    )
    return detail


@router.post("/{race_id}/score")
def score_race(writer: WriterCaller, session: TenantSession, race_id: RaceId) -> ScoreReport:
    """Recompute places and awards of a race (owner or staff)."""
    return service.score(session, race_id)
