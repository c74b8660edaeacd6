"""Workflows: plan → confirm → run, for people (API, chat, CLI) and for the schedule.

For the chat (`/v1/chat/completions`), inside the request's tenant transaction (`session`, `scope`):

    from racehub.workflows import service as workflows

    intent = workflows.parse_request(text, scope, catalog)    # catalog: CatalogCache(db).get(scope)
    if intent is None:            -> not a workflow request; answer it some other way
    if intent.question:           -> unclear (which event? which year?): say intent.question
    elif intent.action == "status":
        say workflows.latest_status_text(session, intent)    # "Did the Harbor results sync finish?"
    else:
        run = workflows.plan_intent(session, scope, intent, trigger="chat")   # 403 viewer, 404 other tenant
        say run.plan + " Shall I go ahead?"; remember run.id in the conversation (server-side)
    ...later, when the same user says yes (workflows.is_confirmation(text)):
        run = workflows.confirm(session, scope, run_id)       # only the asker; queued in this transaction
        say workflows.status_text(run)
    ...and "how is it going?": say workflows.status_text(workflows.get(session, run_id))

`scope` is the verified chat identity's tenant scope (`Scope.tenant(org_id, user_id, role)`): the run
records `scope.user_id` as who asked, and only that user may confirm. `parse_request` also takes
`today=` (default: the current UTC date) for "this year's" edition.

Errors are RaceHubError subclasses (Forbidden, EventNotFound, EditionUnclear, Conflict,
CredentialsNotConfigured) with a message meant for the person asking.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from racehub.db import Scope
from racehub.errors import Conflict, EventNotFound, Forbidden, InvalidInput, NotFound
from racehub.integrations import registry
from racehub.workflows import queue, repository
from racehub.workflows.context import LIVE_KEY, STEP_KEY
from racehub.workflows.intent import (
    EditionUnclear,
    WorkflowIntent,
    is_confirmation,
    parse_request,
    pick_edition,
)
from racehub.workflows.repository import EditionRow, RunRow
from racehub.workflows.schemas import KINDS, RunCounts, WorkflowRunOut

__all__ = [
    "EditionUnclear",
    "WorkflowIntent",
    "confirm",
    "get",
    "is_confirmation",
    "latest_status_text",
    "list_runs",
    "parse_request",
    "plan",
    "plan_intent",
    "progress_text",
    "resolve_edition",
    "start",
    "status_text",
]

# A plan quotes counts; confirmed much later they could mislead, so it must be asked for again.
PLAN_TTL = timedelta(hours=1)
KIND_NAMES = {
    "sync_registrations": "registration sync",
    "sync_results": "results sync",
    "score_copernico": "Copernico scoring",
}


class RunNotFound(NotFound):
    pass


def _require_writer(scope: Scope) -> None:
    if not scope.can_write:
        raise Forbidden("only owners and staff of the timing company may run workflows")


def resolve_edition(
    session: Session,
    *,
    edition_id: int | None = None,
    event: str | None = None,
    year: int | None = None,
    today: date | None = None,
) -> EditionRow:
    """The edition by id, or by event name and year (this year's when no year is given)."""
    if edition_id is not None:
        found = repository.edition(session, edition_id)
        if found is None:
            raise EventNotFound(f"event edition {edition_id} not found")
        return found
    words = (event or "").strip()
    if not words:
        raise InvalidInput("name the event edition: edition_id, or event and year")
    candidates = repository.editions_named(session, words, None)
    if not candidates:
        raise EventNotFound(f"no event named like {words!r}")
    return pick_edition(candidates, words, year, today or datetime.now(UTC).date())


def _check_applicable(kind: str, edition: EditionRow) -> str:
    """The provider the workflow talks to; InvalidInput when the edition is not set up for it."""
    label = f"{edition.event_name} {edition.year}"
    if kind == "sync_registrations":
        if not (edition.registration_provider and edition.registration_external_id):
            raise InvalidInput(f"{label} has no registration platform (RunSignUp or RaceRoster) set")
        return edition.registration_provider
    if kind == "sync_results":
        if not (edition.results_provider and edition.results_external_id):
            raise InvalidInput(f"{label} has no results platform (CTLive or Copernico) set")
        return edition.results_provider
    if kind == "score_copernico":
        if edition.results_provider != "copernico" or not edition.results_external_id:
            raise InvalidInput(f"{label} is not timed in Copernico")
        return "copernico"
    raise InvalidInput(f"unknown workflow {kind!r}; expected one of {', '.join(KINDS)}")


def plan_text(kind: str, edition: EditionRow, *, full: bool = False) -> str:
    label = f"{edition.event_name} {edition.year}"
    races = f"{edition.races} race{'s' if edition.races != 1 else ''}"
    if kind == "sync_registrations":
        which = "all registrations" if full else "new and changed registrations"
        return (
            f"Fetch {which} for {label} from {registry.label(edition.registration_provider)} "
            f"(event {edition.registration_external_id}), add new entries, update changed ones and remove "
            f"cancelled ones; {edition.entries:,} entries in {races} on file now."
        )
    if kind == "sync_results":
        return (
            f"Fetch results and splits for {label} from {registry.label(edition.results_provider)} "
            f"({edition.results_external_id}), store each entry's status, times and splits, then re-score "
            f"places and awards ({races})."
        )
    return (
        f"Push {edition.entries:,} registrations to Copernico, request scoring, pull rankings back for "
        f"{label} ({races}), re-score places and awards, then notify the post-scoring hook if one is set."
    )


def plan(
    session: Session,
    scope: Scope,
    kind: str,
    edition: EditionRow,
    *,
    trigger: str = "api",
    full: bool = False,
) -> RunRow:
    """A planned run with its plan text; nothing happens until `confirm`."""
    from racehub.credentials.service import CredentialsNotConfigured

    _require_writer(scope)
    provider = _check_applicable(kind, edition)
    if not repository.has_credentials(session, edition.org_id, provider):
        raise CredentialsNotConfigured(
            f"no {registry.label(provider)} credentials are stored for this timing company; an operator "
            f"can add them with: racehub credentials set --org SLUG --provider {provider}"
        )
    run_id = repository.insert_run(
        session,
        org_id=edition.org_id,
        kind=kind,
        edition_id=edition.id,
        requested_by=scope.user_id,
        trigger=trigger,
        plan=plan_text(kind, edition, full=full),
        params={"full": True} if full else {},
    )
    return get(session, run_id)


def plan_intent(session: Session, scope: Scope, intent: WorkflowIntent, *, trigger: str = "chat") -> RunRow:
    if intent.question or intent.edition_id is None or intent.kind is None:
        raise InvalidInput(intent.question or "which event edition?")
    edition = resolve_edition(session, edition_id=intent.edition_id)
    return plan(session, scope, intent.kind, edition, trigger=trigger, full=intent.full)


def confirm(session: Session, scope: Scope, run_id: int, *, now: datetime | None = None) -> RunRow:
    """Queue a planned run, in the caller's transaction; joins the run of the same kind and edition
    already queued or running, if there is one."""
    _require_writer(scope)
    run = repository.run(session, run_id, for_update=True)
    if run is None:
        raise RunNotFound(f"workflow run {run_id} not found")
    if not scope.platform and run.requested_by != scope.user_id:
        raise Forbidden("only the person who asked for this run can confirm it")
    if run.state != "planned":
        raise Conflict(f"workflow run {run_id} is already {run.state}")
    if (now or datetime.now(UTC)) - run.created_at > PLAN_TTL:
        raise Conflict(f"the plan of run {run_id} is more than an hour old; ask again for a fresh plan")
    enqueued = queue.enqueue(session, run.id, run.kind, run.edition_id)
    if enqueued.joined_run_id is not None and enqueued.joined_run_id != run.id:
        repository.set_joined(session, run.id, enqueued.joined_run_id)
    else:
        repository.set_queued(session, run.id, enqueued.job_id)
    return get(session, run.id)


def start(
    session: Session, scope: Scope, kind: str, edition: EditionRow, *, trigger: str, full: bool = False
) -> RunRow:
    """Plan and confirm at once (`racehub workflows run --yes`)."""
    planned = plan(session, scope, kind, edition, trigger=trigger, full=full)
    return confirm(session, scope, planned.id)


def cancel(session: Session, scope: Scope, run_id: int) -> RunRow:
    """Cancel a run that has not started."""
    _require_writer(scope)
    run = get(session, run_id)
    if run.state == "queued" and run.job_id is not None and not queue.cancel(session, run.job_id):
        raise Conflict(f"workflow run {run_id} has already started")
    if run.state not in ("planned", "queued"):
        raise Conflict(f"workflow run {run_id} is {run.state}; only planned or queued runs can be cancelled")
    repository.set_cancelled(session, run_id, "cancelled before it started")
    return get(session, run_id)


def get(session: Session, run_id: int) -> RunRow:
    run = repository.run(session, run_id)
    if run is None:
        raise RunNotFound(f"workflow run {run_id} not found")
    return run


def live_workers(session: Session, within_s: float) -> int:
    """Workers that sent a heartbeat in the last `within_s` seconds."""
    return repository.live_workers(session, within_s)


def list_runs(
    session: Session,
    *,
    edition_id: int | None = None,
    state: str | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[RunRow]:
    return repository.runs(session, edition_id=edition_id, state=state, kind=kind, limit=limit)


def _when(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return "?"
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%b %d %H:%M %Z").replace(" 0", " ")


def _counts(run: RunRow) -> str:
    return f"{run.fetched:,} fetched, {run.inserted:,} new, {run.updated:,} updated, {run.removed:,} removed"


def _under_way(run: RunRow) -> str:
    """What a running run is doing: its step ("step 2 of 4, Marathon: scoring"), a long fetch's count."""
    said = ""
    step = run.progress.get(STEP_KEY)
    if isinstance(step, dict) and step.get("total"):
        said = f"; step {min(int(step['done']) + 1, int(step['total']))} of {step['total']}: {step['step']}"
    live = run.progress.get(LIVE_KEY)
    if isinstance(live, dict):
        said += f"; now fetching {live['step']} ({live['fetched']:,} so far)"
    return said


def status_text(run: RunRow) -> str:
    """One or two sentences a person can read: where the run stands and what it did."""
    what = f"The {KIND_NAMES.get(run.kind, run.kind)} of {run.event_name} {run.year} (run #{run.id})"
    tz = run.timezone
    if run.state == "planned":
        return f"{what} is planned, not started: {run.plan} It runs once you confirm."
    if run.state == "cancelled":
        if run.duplicate_of is not None:
            return f"{what} joined run #{run.duplicate_of}, which was already queued or running."
        return f"{what} was cancelled ({run.error or 'before it started'})."
    if run.state == "queued":
        retry = f" Last attempt: {run.error}." if run.error else ""
        return f"{what} is queued since {_when(run.confirmed_at or run.created_at, tz)}.{retry}"
    if run.state == "running":
        since = _when(run.started_at, tz)
        return f"{what} is running since {since} (attempt {run.attempts}): {_counts(run)}{_under_way(run)}."
    if run.state == "succeeded":
        tries = f" It took {run.attempts} attempts." if run.attempts > 1 else ""
        return f"{what} finished at {_when(run.finished_at, tz)}: {_counts(run)}.{tries}"
    return f"{what} failed at {_when(run.finished_at, tz)} after {run.attempts} attempt(s): {run.error}."


def followed(session: Session, run: RunRow) -> RunRow:
    """The run that does the work: `run` itself, or the run it joined (same kind and edition)."""
    seen = {run.id}
    while run.duplicate_of is not None and run.duplicate_of not in seen:
        seen.add(run.duplicate_of)
        run = get(session, run.duplicate_of)
    return run


def progress_text(session: Session, run_id: int) -> str:
    """Where run `run_id` stands; for a run that joined another, where that one stands."""
    run = get(session, run_id)
    leader = followed(session, run)
    if leader.id == run.id:
        return status_text(run)
    return f"Run #{run.id} joined run #{leader.id}. {status_text(leader)}"


def latest_status_text(session: Session, intent: WorkflowIntent) -> str:
    """Answer "did the X results sync finish?" from the newest run of that kind."""
    if intent.question or intent.edition_id is None or intent.kind is None:
        return intent.question or "Which event do you mean?"
    run = repository.latest_run(session, intent.edition_id, intent.kind)
    if run is None:
        edition = resolve_edition(session, edition_id=intent.edition_id)
        return f"No {KIND_NAMES[intent.kind]} has run for {edition.event_name} {edition.year} yet."
    answer = {
        "succeeded": "Yes. ",
        "failed": "No, it failed. ",
        "queued": "Not yet. ",
        "running": "Not yet. ",
    }
    return answer.get(run.state, "") + status_text(run)


def to_out(run: RunRow) -> WorkflowRunOut:
    return WorkflowRunOut.model_validate(
        {
            "id": run.id,
            "kind": run.kind,
            "state": run.state,
            "edition_id": run.edition_id,
            "event_name": run.event_name,
            "year": run.year,
            "plan": run.plan,
            "trigger": run.trigger,
            "requested_by": run.requested_by,
            "error": run.error,
            "attempts": run.attempts,
            "duplicate_of": run.duplicate_of,
            "created_at": run.created_at,
            "confirmed_at": run.confirmed_at,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "status_text": status_text(run),
            "counts": RunCounts(
                fetched=run.fetched, inserted=run.inserted, updated=run.updated, removed=run.removed
            ),
        }
    )
