"""Follows and the live view in chat, beside the workflow requests and before the question answerer:

    Tell me when bib 1234 passes 30K          → what was set up, on which devices, and how to stop it
    Stop notifying me about 1234 / What am I following?
    Show me Boston live                       → a link that opens the page's live view of that race

Everything acts for the conversation's verified person in their tenant; the audit log records each
request by its kind and the follow ids it touched (never the sentence, which may name a runner).
"""

from __future__ import annotations

from datetime import date

from racehub.ask.catalog import CatalogCache
from racehub.audit import service as audit
from racehub.audit.service import Actor
from racehub.auth.callers import Identity
from racehub.chat.render import escape, escape_prose
from racehub.config import Settings
from racehub.db import Database
from racehub.follows import service as follows


class FollowChat:
    def __init__(self, database: Database, catalogs: CatalogCache, settings: Settings) -> None:
        self.database = database
        self.catalogs = catalogs
        self.settings = settings

    def handle(self, identity: Identity, text: str, today: date, actor: Actor, base_url: str) -> str | None:
        """A reply when `text` is about follows or the live view; None otherwise."""
        if identity.org_id is None:
            return None  # a platform operator follows no tenant's runners
        follower = follows.Follower(identity.org_id, identity.user_id)
        catalog = self.catalogs.get(identity.scope)
        with self.database.session(identity.scope) as session:
            reply = follows.say(session, follower, catalog, text, today, self.settings.push_max_follows)
        if reply is None:
            return None
        audit.record(
            self.database, "follow", reply.kind, actor, detail={"follow_ids": [f.id for f in reply.follows]}
        )
        content = escape_prose(reply.reply)
        if reply.options:
            content += "".join(f"\n- {escape(option)}" for option in reply.options)
        if reply.live is not None:
            link = f"{base_url.rstrip('/')}{reply.live.path}"
            content += f"\n\n[Open {escape(reply.live.label)} live]({link})"
        return content
