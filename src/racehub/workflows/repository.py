"""All SQL of workflow runs: editions they act on, the run rows, and the queue state they depend on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from racehub.workflows.schemas import KINDS


@dataclass(frozen=True)
class EditionRow:
    id: int
    org_id: int
    event_name: str
    year: int
    start_date: date
    timezone: str
    status: str
    registration_provider: str | None
    registration_external_id: str | None
    results_provider: str | None
    results_external_id: str | None
    first_start: datetime | None  # earliest race start, race-local wall clock
    races: int
    entries: int


@dataclass(frozen=True)
class RunRow:
    id: int
    org_id: int
    kind: str
    edition_id: int
    event_name: str
    year: int
    timezone: str
    requested_by: int | None
    trigger: str
    state: str
    plan: str
    params: dict[str, Any]
    fetched: int
    inserted: int
    updated: int
    removed: int
    progress: dict[str, Any]
    error: str | None
    attempts: int
    job_id: int | None
    duplicate_of: int | None
    created_at: datetime
    confirmed_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


_EDITION = """
    SELECT ed.id, ed.org_id, s.name, ed.year, ed.start_date, ed.timezone, ed.status,
           ed.registration_provider, ed.registration_external_id, ed.results_provider,
           ed.results_external_id,
           (SELECT min(r.start_time) FROM races r WHERE r.edition_id = ed.id),
           (SELECT count(*) FROM races r WHERE r.edition_id = ed.id),
           (SELECT count(*) FROM entries en JOIN races r ON r.id = en.race_id WHERE r.edition_id = ed.id)
    FROM editions ed JOIN event_series s ON s.id = ed.series_id"""

_RUN = """
    SELECT w.id, w.org_id, w.kind, w.edition_id, s.name, ed.year, ed.timezone, w.requested_by, w.trigger,
           w.state, w.plan, w.params, w.fetched, w.inserted, w.updated, w.removed, w.progress, w.error,
           w.attempts, w.job_id, w.duplicate_of, w.created_at, w.confirmed_at, w.started_at,
           w.finished_at, w.updated_at
    FROM workflow_runs w JOIN editions ed ON ed.id = w.edition_id
    JOIN event_series s ON s.id = ed.series_id"""


def _edition(row: Any) -> EditionRow:
    return EditionRow(*row)


def _run(row: Any) -> RunRow:
    return RunRow(*row)


def edition(session: Session, edition_id: int) -> EditionRow | None:
    row = session.execute(text(f"{_EDITION} WHERE ed.id = :id"), {"id": edition_id}).one_or_none()
    return _edition(row) if row is not None else None


def editions_named(session: Session, words: str, year: int | None) -> list[EditionRow]:
    """Editions whose event name contains `words` (case-insensitive), newest first."""
    rows = session.execute(
        text(
            f"{_EDITION} WHERE s.name ILIKE '%' || :words || '%' "
            "AND (CAST(:year AS int) IS NULL OR ed.year = :year) ORDER BY ed.start_date DESC"
        ),
        {"words": words, "year": year},
    ).all()
    return [_edition(row) for row in rows]


def schedulable_editions(session: Session, window_from: date, window_to: date) -> list[EditionRow]:
    """Editions with a vendor to sync from and stored credentials for it, dated inside the window."""
    rows = session.execute(
        text(
            f"""{_EDITION}
            WHERE ed.status <> 'cancelled' AND ed.start_date BETWEEN :lo AND :hi
              AND EXISTS (SELECT 1 FROM credentials c WHERE c.org_id = ed.org_id
                          AND c.provider IN (ed.registration_provider, ed.results_provider))
            ORDER BY ed.start_date, ed.id"""
        ),
        {"lo": window_from, "hi": window_to},
    ).all()
    return [_edition(row) for row in rows]


def has_credentials(session: Session, org_id: int, provider: str | None) -> bool:
    if provider is None:
        return False
    found = session.execute(
        text("SELECT 1 FROM credentials WHERE org_id = :org AND provider = :provider"),
        {"org": org_id, "provider": provider},
    ).first()
    return found is not None


def insert_run(
    session: Session,
    *,
    org_id: int,
    kind: str,
    edition_id: int,
    requested_by: int | None,
    trigger: str,
    plan: str,
    params: dict[str, Any],
) -> int:
    assert kind in KINDS
    run_id = session.execute(
        text(
            """
            INSERT INTO workflow_runs (org_id, kind, edition_id, requested_by, trigger, plan, params)
            VALUES (:org, :kind, :edition, :user, :trigger, :plan, CAST(:params AS jsonb)) RETURNING id
            """
        ),
        {
            "org": org_id,
            "kind": kind,
            "edition": edition_id,
            "user": requested_by,
            "trigger": trigger,
            "plan": plan,
            "params": json.dumps(params),
        },
    ).scalar_one()
    return int(run_id)


def run(session: Session, run_id: int, *, for_update: bool = False) -> RunRow | None:
    lock = " FOR UPDATE OF w" if for_update else ""
    row = session.execute(text(f"{_RUN} WHERE w.id = :id{lock}"), {"id": run_id}).one_or_none()
    return _run(row) if row is not None else None


def runs(
    session: Session, *, edition_id: int | None, state: str | None, kind: str | None, limit: int
) -> list[RunRow]:
    rows = session.execute(
        text(
            f"""{_RUN}
            WHERE (CAST(:edition AS bigint) IS NULL OR w.edition_id = :edition)
              AND (CAST(:state AS text) IS NULL OR w.state = :state)
              AND (CAST(:kind AS text) IS NULL OR w.kind = :kind)
            ORDER BY w.created_at DESC, w.id DESC LIMIT :limit"""
        ),
        {"edition": edition_id, "state": state, "kind": kind, "limit": limit},
    ).all()
    return [_run(row) for row in rows]


def latest_run(session: Session, edition_id: int, kind: str) -> RunRow | None:
    """The newest run that was actually started (confirmed), not a mere plan."""
    row = session.execute(
        text(
            f"""{_RUN} WHERE w.edition_id = :edition AND w.kind = :kind AND w.state <> 'planned'
                AND w.duplicate_of IS NULL ORDER BY w.created_at DESC, w.id DESC LIMIT 1"""
        ),
        {"edition": edition_id, "kind": kind},
    ).one_or_none()
    return _run(row) if row is not None else None


def last_requested_at(session: Session, edition_id: int, kind: str) -> datetime | None:
    """When a run of this kind was last queued for the edition (by anyone), for the schedule."""
    value = session.execute(
        text(
            "SELECT max(coalesce(confirmed_at, created_at)) FROM workflow_runs "
            "WHERE edition_id = :edition AND kind = :kind AND state <> 'planned'"
        ),
        {"edition": edition_id, "kind": kind},
    ).scalar()
    return value if isinstance(value, datetime) else None


def last_success_started_at(session: Session, edition_id: int, kind: str) -> datetime | None:
    value = session.execute(
        text(
            "SELECT max(started_at) FROM workflow_runs "
            "WHERE edition_id = :edition AND kind = :kind AND state = 'succeeded'"
        ),
        {"edition": edition_id, "kind": kind},
    ).scalar()
    return value if isinstance(value, datetime) else None


def set_queued(session: Session, run_id: int, job_id: int) -> None:
    session.execute(
        text(
            "UPDATE workflow_runs SET state = 'queued', job_id = :job, confirmed_at = now(), "
            "updated_at = now() "
            "WHERE id = :id"
        ),
        {"id": run_id, "job": job_id},
    )


def set_joined(session: Session, run_id: int, joined: int) -> None:
    session.execute(
        text(
            "UPDATE workflow_runs SET state = 'cancelled', duplicate_of = :joined, confirmed_at = now(), "
            "finished_at = now(), updated_at = now() WHERE id = :id"
        ),
        {"id": run_id, "joined": joined},
    )


def set_cancelled(session: Session, run_id: int, reason: str) -> None:
    session.execute(
        text(
            "UPDATE workflow_runs SET state = 'cancelled', error = :reason, finished_at = now(), "
            "updated_at = now() WHERE id = :id"
        ),
        {"id": run_id, "reason": reason},
    )


def set_running(session: Session, run_id: int, attempt: int, job_id: int | None) -> None:
    session.execute(
        text(
            """
            UPDATE workflow_runs SET state = 'running', attempts = :attempt, job_id = coalesce(:job, job_id),
                started_at = coalesce(started_at, now()), updated_at = now()
            WHERE id = :id
            """
        ),
        {"id": run_id, "attempt": attempt, "job": job_id},
    )


def set_retrying(session: Session, run_id: int, error: str, *, only_attempt: int | None = None) -> bool:
    """Back to queued after a failed attempt, the reason kept in `error` and added to the run's list of
    failed attempts (`progress._failures`); with `only_attempt`, only if that attempt is current."""
    result = session.execute(
        text(
            """
            UPDATE workflow_runs SET state = 'queued', error = :error, updated_at = now(),
                progress = progress || jsonb_build_object('_failures',
                    coalesce(progress -> '_failures', '[]'::jsonb) || to_jsonb(CAST(:error AS text)))
            WHERE id = :id AND state IN ('queued', 'running')
              AND (CAST(:attempt AS int) IS NULL OR attempts = :attempt)
            RETURNING 1
            """
        ),
        {"id": run_id, "error": error, "attempt": only_attempt},
    )
    return result.first() is not None


def set_finished(session: Session, run_id: int, state: str, error: str | None) -> None:
    assert state in ("succeeded", "failed")
    session.execute(
        text(
            "UPDATE workflow_runs SET state = :state, error = :error, finished_at = now(), "
            "updated_at = now() "
            "WHERE id = :id AND state NOT IN ('succeeded', 'failed', 'cancelled')"
        ),
        {"id": run_id, "state": state, "error": error},
    )


def checkpoint(
    session: Session, run_id: int, key: str, counts: tuple[int, int, int, int], detail: dict[str, Any]
) -> None:
    """Record one finished step (a race, a push, ...) and add its counts, in the step's own transaction."""
    fetched, inserted, updated, removed = counts
    session.execute(
        text(
            """
            UPDATE workflow_runs
            SET progress = progress || jsonb_build_object(CAST(:key AS text), CAST(:detail AS jsonb)),
                fetched = fetched + :fetched, inserted = inserted + :inserted, updated = updated + :updated,
                removed = removed + :removed, updated_at = now()
            WHERE id = :id
            """
        ),
        {
            "id": run_id,
            "key": key,
            "detail": json.dumps(detail),
            "fetched": fetched,
            "inserted": inserted,
            "updated": updated,
            "removed": removed,
        },
    )


def advisory_lock(session: Session, key: str) -> None:
    """Serialise, until the transaction ends, everyone who enqueues work under `key`."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"racehub:{key}"}
    )


def active_job(session: Session, lock: str) -> tuple[int, int | None] | None:
    """(job id, run id) of the queued or running job holding `lock`, if any."""
    row = session.execute(
        text(
            "SELECT id, (args->>'run_id')::bigint FROM procrastinate_jobs "
            "WHERE lock = :lock AND status IN ('todo', 'doing') ORDER BY id LIMIT 1"
        ),
        {"lock": lock},
    ).one_or_none()
    return (int(row[0]), row[1]) if row is not None else None


def orphaned_runs(session: Session, older_than_s: float) -> list[tuple[int, str | None]]:
    """Runs still queued or running whose queue job has ended (or vanished): (run id, job status)."""
    rows = session.execute(
        text(
            """
            SELECT w.id, j.status::text FROM workflow_runs w
            LEFT JOIN procrastinate_jobs j ON j.id = w.job_id
            WHERE w.state IN ('queued', 'running') AND w.job_id IS NOT NULL
              AND (j.id IS NULL OR j.status NOT IN ('todo', 'doing'))
              AND w.updated_at < now() - make_interval(secs => :age)
            """
        ),
        {"age": older_than_s},
    ).all()
    return [(int(r[0]), r[1]) for r in rows]


def live_workers(session: Session, within_s: float) -> int:
    """Workers that sent a heartbeat recently."""
    value = session.execute(
        text(
            "SELECT count(*) FROM procrastinate_workers "
            "WHERE last_heartbeat > now() - make_interval(secs => :within)"
        ),
        {"within": within_s},
    ).scalar_one()
    return int(value)
