"""Workflow requests in chat: "Score Boston Marathon in Copernico" → plan → "yes" → queued → status.

Nothing runs until the person who asked confirms in the same conversation. The pending run is kept
per conversation in memory and found again in the database (the asker's latest planned run) when
another process answers the next message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from threading import Lock

from racehub.ask.catalog import CatalogCache
from racehub.audit import service as audit
from racehub.audit.service import Actor
from racehub.auth.callers import Identity
from racehub.chat.render import escape
from racehub.db import Database
from racehub.errors import RaceHubError
from racehub.workflows import service as workflows

PENDING_FOR = timedelta(minutes=30)
STATUS_WORDS = ("how is it going", "how's it going", "status", "progress", "is it done", "did it finish")


class WorkflowChat:
    def __init__(self, database: Database, catalogs: CatalogCache) -> None:
        self.database = database
        self.catalogs = catalogs
        self._pending: dict[int, int] = {}  # conversation id -> planned run id
        self._last: dict[int, int] = {}  # conversation id -> last confirmed run id
        self._lock = Lock()

    def handle(
        self, conversation_id: int, identity: Identity, text: str, today: date, actor: Actor
    ) -> str | None:
        """A reply when `text` is about a workflow in this conversation; None otherwise."""
        scope = identity.scope
        try:
            if workflows.is_confirmation(text):
                return self._confirm(conversation_id, identity, actor)
            intent = workflows.parse_request(text, scope, self.catalogs.get(scope), today=today)
            if intent is None:
                return self._progress(conversation_id, identity, text)
            if intent.question:
                options = "".join(f"\n- {escape(o)}" for o in intent.options)
                return escape(intent.question) + options
            with self.database.session(scope) as session:
                if intent.action == "status":
                    return escape(workflows.latest_status_text(session, intent))
                run = workflows.plan_intent(session, scope, intent, trigger="chat")
            with self._lock:
                self._pending[conversation_id] = run.id
            audit.record_workflow_request(
                self.database,
                actor=actor,
                workflow=run.kind,
                outcome="planned",
                arguments={"edition_id": run.edition_id, "run_id": run.id},
            )
            return f"{escape(run.plan)}\n\nShall I go ahead? Reply **yes** to start it."
        except RaceHubError as exc:
            audit.record_workflow_request(
                self.database, actor=actor, workflow="unknown", outcome="refused", result={"error": exc.name}
            )
            return escape(exc.message)

    def _confirm(self, conversation_id: int, identity: Identity, actor: Actor) -> str | None:
        run_id = self._pending_run(conversation_id, identity)
        if run_id is None:
            return None  # a "yes" with nothing to confirm is an ordinary message
        with self.database.session(identity.scope) as session:
            run = workflows.confirm(session, identity.scope, run_id)
        with self._lock:
            self._pending.pop(conversation_id, None)
            self._last[conversation_id] = run.id
        audit.record_workflow_request(
            self.database,
            actor=actor,
            workflow=run.kind,
            outcome="confirmed",
            arguments={"edition_id": run.edition_id, "run_id": run.id},
            result={"state": run.state},
        )
        return escape(workflows.status_text(run)) + '\n\nAsk me "how is it going?" for progress.'

    def _pending_run(self, conversation_id: int, identity: Identity) -> int | None:
        with self._lock:
            run_id = self._pending.get(conversation_id)
        if run_id is not None:
            return run_id
        since = datetime.now(UTC) - PENDING_FOR
        with self.database.session(identity.scope) as session:
            planned = workflows.list_runs(session, state="planned", limit=20)
        mine = [r for r in planned if r.requested_by == identity.user_id and r.created_at >= since]
        return mine[0].id if mine else None

    def _progress(self, conversation_id: int, identity: Identity, text: str) -> str | None:
        lowered = text.lower()
        with self._lock:
            run_id = self._last.get(conversation_id)
        if run_id is None or not any(w in lowered for w in STATUS_WORDS):
            return None
        with self.database.session(identity.scope) as session:
            return escape(workflows.progress_text(session, run_id))
