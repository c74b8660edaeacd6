"""HTTP routes of workflows: plan a sync or a Copernico scoring, confirm it, follow it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from racehub.auth.dependencies import TenantSession, WriterCaller
from racehub.workflows import service
from racehub.workflows.schemas import RunState, WorkflowKind, WorkflowRequest, WorkflowRunList, WorkflowRunOut

router = APIRouter(prefix="/workflows", tags=["workflows"])

RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="workflow run id")]


@router.post("", status_code=status.HTTP_201_CREATED)
def plan_workflow(body: WorkflowRequest, caller: WriterCaller, session: TenantSession) -> WorkflowRunOut:
    """Plan a workflow run (owner or staff): nothing runs until it is confirmed."""
    edition = service.resolve_edition(session, edition_id=body.edition_id, event=body.event, year=body.year)
    run = service.plan(session, caller.scope, body.kind, edition, trigger="api", full=body.full)
    return service.to_out(run)


@router.post("/{run_id}/confirm", status_code=status.HTTP_202_ACCEPTED)
def confirm_workflow(run_id: RunId, caller: WriterCaller, session: TenantSession) -> WorkflowRunOut:
    """Confirm a planned run: it is queued (or joins the same run already queued or running)."""
    return service.to_out(service.confirm(session, caller.scope, run_id))


@router.post("/{run_id}/cancel")
def cancel_workflow(run_id: RunId, caller: WriterCaller, session: TenantSession) -> WorkflowRunOut:
    """Cancel a planned or queued run that has not started."""
    return service.to_out(service.cancel(session, caller.scope, run_id))


@router.get("/{run_id}")
def get_workflow(run_id: RunId, session: TenantSession) -> WorkflowRunOut:
    """One workflow run: state, counts, error and a sentence describing where it stands."""
    return service.to_out(service.get(session, run_id))


@router.get("")
def list_workflows(
    session: TenantSession,
    edition_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    state: RunState | None = None,
    kind: WorkflowKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> WorkflowRunList:
    """Workflow runs of your timing company, newest first."""
    runs = service.list_runs(session, edition_id=edition_id, state=state, kind=kind, limit=limit)
    return WorkflowRunList(items=[service.to_out(run) for run in runs])
