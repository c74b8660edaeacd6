"""`score_copernico`: push an edition's final registrations to Copernico, have it classify each race,
pull its rankings back into results, score locally, and tell the configured post-scoring hook.

Each step of each race is checkpointed, so a retry resumes where the last attempt stopped; every step
is also safe to repeat (pushes upsert by id, a pending scoring job is returned again, pulls upsert).
"""

from __future__ import annotations

from contextlib import closing, nullcontext
from typing import Any

from racehub.errors import InvalidInput, RaceHubError
from racehub.integrations.base import ExternalRace, Registration, ResultsProvider, ScoringProvider
from racehub.integrations.copernico.hooks import PostScoringHook, ScoringCompleted
from racehub.workflows.context import RunContext, TransientWorkflowError, utcnow
from racehub.workflows.providers import REGISTRATION_VENDORS
from racehub.workflows.sync import repository, result_repository
from racehub.workflows.sync.common import race_key, resolve_race, write_results

PROVIDER = "copernico"
POLL_FIRST_S = 1.0
POLL_MAX_S = 30.0


class ScoringFailed(RaceHubError):
    """Copernico reported that its scoring job failed: people must look at the event there."""

    status = 502


def _registration(row: dict[str, Any]) -> Registration:
    return Registration(
        external_id=str(row["push_id"]),
        bib=row["bib"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        sex=row["sex"],
        dob=row["dob"],
        age=row["age"],
        email=None,
        phone=None,
        address1=None,
        city=None,
        state=None,
        zip=None,
        country=None,
        team=row["team"],
        registered_at=None,
        modified_at=None,
        source="racehub",
    )


def _wait_for_scoring(
    ctx: RunContext, client: ScoringProvider, edition_ext: str, job_id: str, race: str
) -> str | None:
    """Poll the job with doubling waits; past the limit this attempt gives up (the job retries later)."""
    waited, delay = 0.0, POLL_FIRST_S
    while True:
        status = client.scoring_status(edition_ext, job_id)
        if status.state == "done":
            return status.detail
        if status.state == "failed":
            raise ScoringFailed(f"Copernico could not score {race}: {status.detail or 'no reason given'}")
        if waited + delay > ctx.env.settings.scoring_poll_limit_s:
            raise TransientWorkflowError(f"Copernico was still scoring {race} after {waited:.0f} s")
        ctx.env.sleep(delay)
        waited += delay
        delay = min(delay * 2, POLL_MAX_S)


def score_copernico(ctx: RunContext) -> str:
    edition = ctx.edition
    external_id = edition.results_external_id
    if edition.results_provider != PROVIDER or not external_id:
        raise InvalidInput(f"{edition.event_name} {edition.year} is not timed in Copernico")
    with ctx.transaction() as session:
        client = ctx.env.providers.client(session, ctx.org_id, PROVIDER)
        hook = ctx.env.providers.post_scoring_hook(session, ctx.org_id)
    if not isinstance(client, ResultsProvider) or not isinstance(client, ScoringProvider):
        client.close()
        raise InvalidInput("the Copernico client cannot score")
    pushed = ranked = 0
    with closing(client), closing(hook) if hook is not None else nullcontext():
        vendor_races = client.races(external_id)
        with ctx.transaction() as session:
            matched = [
                (race, resolve_race(session, ctx, PROVIDER, race, create=False)) for race in vendor_races
            ]
        races: list[tuple[ExternalRace, int]] = [(race, race_id) for race, race_id in matched if race_id]
        if not races:
            raise InvalidInput(f"none of Copernico's events for {external_id} matches a race of this edition")
        steps = 4 * len(races)
        for index, (race, race_id) in enumerate(races):
            ctx.report(f"{race.name}: push", 4 * index, steps)
            pushed += _push(ctx, client, external_id, race, race_id)
            ctx.report(f"{race.name}: scoring", 4 * index + 1, steps)
            job_id = _score(ctx, client, external_id, race)
            ctx.report(f"{race.name}: rankings", 4 * index + 2, steps)
            ranked += _pull(ctx, client, external_id, race, race_id)
            ctx.report(f"{race.name}: hook", 4 * index + 3, steps)
            if hook is not None:
                _notify(ctx, hook, external_id, race, job_id)
        ctx.report("scored", steps, steps)
    return f"Copernico scoring: {pushed} pushed, {ranked} ranked, {len(races)} races"


def _push(
    ctx: RunContext, client: ScoringProvider, edition_ext: str, race: ExternalRace, race_id: int
) -> int:
    key = race_key("push", PROVIDER, race.external_id)
    if ctx.done(key):
        return int(ctx.detail(key).get("pushed", 0))
    with ctx.transaction() as session:
        rows = result_repository.race_entries_for_push(
            session, ctx.org_id, race_id, PROVIDER, REGISTRATION_VENDORS
        )
    taken = client.push_registrations(edition_ext, race.external_id, (_registration(row) for row in rows))
    with ctx.transaction() as session:
        repository.lock_edition(session, ctx.edition.id)
        for row in rows:
            repository.link(session, ctx.org_id, PROVIDER, "entry", str(row["push_id"]), int(row["id"]))
        ctx.checkpoint(session, key, (0, 0, 0, 0), {"race": race.name, "pushed": len(rows), "taken": taken})
    return len(rows)


def _score(ctx: RunContext, client: ScoringProvider, edition_ext: str, race: ExternalRace) -> str:
    key = race_key("score", PROVIDER, race.external_id)
    if ctx.done(key):
        return str(ctx.detail(key).get("job_id", ""))
    # Asking again while a job is pending returns that job, so a retried attempt resumes the same one.
    job_id = client.request_scoring(edition_ext, race.external_id)
    detail = _wait_for_scoring(ctx, client, edition_ext, job_id, race.name)
    with ctx.transaction() as session:
        ctx.checkpoint(session, key, (0, 0, 0, 0), {"race": race.name, "job_id": job_id, "detail": detail})
    return job_id


def _pull(
    ctx: RunContext, client: ScoringProvider, edition_ext: str, race: ExternalRace, race_id: int
) -> int:
    key = race_key("rankings", PROVIDER, race.external_id)
    if ctx.done(key):
        return int(ctx.detail(key).get("fetched", 0))
    rankings = list(client.rankings(edition_ext, race.external_id))
    with ctx.transaction() as session:
        repository.lock_edition(session, ctx.edition.id)
        changes = write_results(session, ctx, PROVIDER, race_id, rankings, complete=False)
        ctx.checkpoint(
            session,
            key,
            changes.counts(),
            {
                "race": race.name,
                **changes.detail(),
                "sex_places_agreeing": changes.places_agreeing,
                "sex_places_compared": changes.places_compared,
            },
        )
    return len(rankings)


def _notify(
    ctx: RunContext, hook: PostScoringHook, edition_ext: str, race: ExternalRace, job_id: str
) -> None:
    key = race_key("hook", PROVIDER, race.external_id)
    if ctx.done(key):
        return
    hook.notify(
        ScoringCompleted(
            edition_external_id=edition_ext,
            race_external_id=race.external_id,
            job_id=job_id,
            state="done",
            detail=None,
            completed_at=utcnow(),
        )
    )
    with ctx.transaction() as session:
        ctx.checkpoint(session, key, (0, 0, 0, 0), {"race": race.name, "job_id": job_id})
