"""One chat turn: find the conversation, settle who is asking, then log in or answer.

Identity, in order: a user API key or web session names its person (chat text never changes it); for
a connector key, the person a login inside this conversation verified (while it has not expired, and
only for a request that brings the conversation's secret back), else the RaceHub user Open WebUI's
signed header names once that Open WebUI account has been linked by a one-time code, else nobody, and
nobody sees no data. "I'm Maria from Tidewater" only starts a challenge; whoever the conversation acts
for stays until a code or password passes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from racehub.ask.answer import Answer
from racehub.ask.conversation import Context, is_follow_up
from racehub.ask.engine import AskEngine, engine_for
from racehub.audit import service as audit
from racehub.audit.service import Actor
from racehub.auth.callers import ChatCaller, Identity
from racehub.auth.challenges import AccountClaim, VerifiedLogin
from racehub.auth.claims import read_claim, read_code, read_password
from racehub.auth.identity import bound_identity
from racehub.auth.login import LoginService
from racehub.auth.tokens import token_hash
from racehub.chat import conversations
from racehub.chat import repository as chats
from racehub.chat.assistant import Assistant
from racehub.chat.conversations import ContextMemory
from racehub.chat.follows import FollowChat
from racehub.chat.render import escape, render_answer
from racehub.chat.repository import ConversationRow
from racehub.chat.workflows import WorkflowChat
from racehub.config import Settings
from racehub.db import Database, Scope

TASK_PROMPT = re.compile(r"^\s*###\s*Task:", re.IGNORECASE)
TASK_REPLY = '{"title": "RaceHub chat", "tags": ["RaceHub"], "follow_ups": []}'
LOGIN_HOWTO = (
    'Say who you are, for example "I\'m Jane from Acme Racing" or your email address, and I will send a '
    "one-time code to the email on file; reply with the code (or `password: ...`)."
)
NEEDS_LOGIN = "I answer questions about your timing company's races once I know who you are. " + LOGIN_HOWTO
CODE_SENT = (
    "If {claim} has a RaceHub account, a 6-digit login code is on its way to the email on file. "
    "Reply here with the code, or with `password: ...`. The code works once and expires in {minutes} minutes."
)
LINK_SENT = (
    "Your Open WebUI account says you are {email}. To link it to your RaceHub account (once), I sent a "
    "6-digit code to that address: reply here with it. It works once and expires in {minutes} minutes."
)
LINK_PENDING = "Reply with the 6-digit code sent to {email} to link your Open WebUI account to RaceHub."
EXPIRED = "Your sign-in in this conversation has expired. "
LOGIN_FAILED = (
    "That code or password is not valid, or it has expired or been used. "
    "Say who you are again to get a new code."
)
NO_CHALLENGE = "No login is waiting for a code in this conversation. " + LOGIN_HOWTO


@dataclass(frozen=True)
class ChatTurn:
    question: str
    chat_id: str | None  # Open WebUI's chat id, or the client's conversation id
    first_user: str  # the conversation's first user message
    first_reply: str | None  # the first assistant message, once there is one
    base_url: str
    today: date
    replies: tuple[str, ...] = ()  # every assistant message of the history, as the client sent them


@dataclass(frozen=True)
class ChatResult:
    content: str
    status: str


class ChatService:
    def __init__(self, database: Database, settings: Settings, engine: AskEngine | None = None) -> None:
        self.database = database
        self.settings = settings
        self.engine = engine or engine_for(database, settings)
        self.login = LoginService(database, settings)
        self.memory = ContextMemory()
        self.workflows = WorkflowChat(database, self.engine.catalogs)
        self.follows = FollowChat(database, self.engine.catalogs, settings)
        llm = self.engine.llm if settings.llm_enabled else None
        self.assistant = Assistant(self.engine, llm) if llm is not None else None

    def respond(self, caller: ChatCaller, turn: ChatTurn, emit: Emit | None = None) -> ChatResult:
        """The reply to one chat turn. `emit`, when given, is handed each leading part of the reply as
        soon as it is made (a sign-in's welcome before the answer it was waiting for, each table the
        assistant's tools produce): the parts joined are always the start of the final content."""
        if TASK_PROMPT.match(turn.question):
            # Open WebUI's own housekeeping (titles, tags): no conversation, no data.
            return ChatResult(TASK_REPLY, "task")
        with self.database.session(Scope.operator()) as session:
            conversation, fresh_secret = self._open(session, caller, turn)
            identity, lead = self._identity(session, caller, conversation)
        emit = emit or _ignore
        if lead:
            emit(lead)  # the parts emitted are always the start of the content
        result = self._turn(caller, conversation, identity, turn, emit)
        if lead:
            result = ChatResult(lead + result.content, result.status)
        if fresh_secret is not None:
            result = ChatResult(result.content + conversations.secret_mark(fresh_secret), result.status)
        elif caller.kind != "connector" and turn.chat_id is None and turn.first_reply is None:
            key = conversations.conversation_key(caller.credential, None, turn.first_user, result.content)
            with self.database.session(Scope.operator()) as session:
                chats.rekey(session, conversation.id, key)
        return result

    # ------------------------------------------------------------------------------------------ steps

    def _open(
        self, session: Session, caller: ChatCaller, turn: ChatTurn
    ) -> tuple[ConversationRow, str | None]:
        """The conversation, and a new secret to hand out when the request brought none that fits."""
        if caller.kind != "connector":
            key = conversations.conversation_key(
                caller.credential, turn.chat_id, turn.first_user, turn.first_reply
            )
            return chats.open_conversation(session, key, None), None
        presented = conversations.find_secret(list(turn.replies))
        if turn.chat_id:
            key = conversations.conversation_key(caller.credential, turn.chat_id, "", None)
        elif presented:
            key = conversations.secret_key(caller.credential, presented)
        else:
            fresh = conversations.new_secret()
            key = conversations.secret_key(caller.credential, fresh)
            return chats.open_conversation(session, key, token_hash(fresh)), fresh
        conversation = chats.open_conversation(session, key, token_hash(presented) if presented else None)
        if presented and conversation.secret_hash == token_hash(presented):
            return conversation, None
        # No secret, or not this conversation's: whoever this is starts afresh, signed in as nobody.
        fresh = conversations.new_secret()
        chats.restart(session, conversation.id, token_hash(fresh))
        self.memory.forget(conversation.id)
        empty = replace(conversation, user_id=None, org_id=None, verified_via=None, last_question=None)
        return empty, fresh

    def _identity(
        self, session: Session, caller: ChatCaller, conversation: ConversationRow
    ) -> tuple[Identity | None, str]:
        """Who the turn acts for, and a line to start the reply with (a sign-in that just expired)."""
        if caller.kind != "connector":
            return caller.identity, ""
        if conversation.verified_via == "chat_login" and conversation.user_id and conversation.org_id:
            if self._expired(conversation):
                chats.unbind(session, conversation.id)
                self.memory.forget(conversation.id)
                return caller.identity, EXPIRED
            bound = bound_identity(session, conversation.user_id, conversation.org_id, "chat_login")
            if bound is not None:
                chats.seen(session, conversation.id)
                return bound, ""
        return caller.identity, ""

    def _expired(self, conversation: ConversationRow) -> bool:
        now = datetime.now(UTC)
        verified = conversation.verified_at or now
        last_seen = conversation.last_seen_at or verified
        return now - verified > timedelta(
            seconds=self.settings.chat_login_max_s
        ) or now - last_seen > timedelta(seconds=self.settings.chat_login_idle_s)

    def _turn(
        self,
        caller: ChatCaller,
        conversation: ConversationRow,
        identity: Identity | None,
        turn: ChatTurn,
        emit: Emit,
    ) -> ChatResult:
        question = turn.question.strip()
        claimed = read_claim(question)
        if claimed is not None:
            if caller.kind != "connector" and identity is not None:
                door = "this session" if caller.kind == "session" else "an API key"
                return ChatResult(
                    f"You are signed in as {escape(identity.describe())} with {door}; "
                    "chat cannot change that. To act as someone else, sign out and log in as them.",
                    "identity",
                )
            self.login.start(
                claimed.claim,
                address=caller.limiter_addr,
                via="chat_login",
                conversation_id=conversation.id,
                pending_question=claimed.rest,
            )
            text = CODE_SENT.format(
                claim=escape(claimed.claim.describe()), minutes=max(self.settings.login_code_ttl_s // 60, 1)
            )
            return ChatResult(text + _still(identity), "challenge")
        if caller.kind == "connector":
            code = read_code(question)
            password = None if code is not None else read_password(question, bare=identity is None)
            if code is not None or password is not None:
                if self.login.has_open_challenge(conversation.id):
                    return self._verify(caller, conversation, identity, turn, code, password, emit)
                if code is not None and identity is None:
                    return ChatResult(NO_CHALLENGE, "needs_login")
        if identity is None:
            if caller.openwebui is not None and caller.unlinked is not None:
                return self._link(caller, conversation, question)
            lead = ""
            if caller.openwebui is not None:
                lead = f"Your Open WebUI account ({escape(caller.openwebui.email)}) is not a RaceHub user. "
            return ChatResult(lead + NEEDS_LOGIN, "needs_login")
        return self._ask(caller, conversation, identity, question, turn, emit)

    def _link(self, caller: ChatCaller, conversation: ConversationRow, question: str) -> ChatResult:
        """An Open WebUI account seen for the first time: a code to the email on file links it."""
        assert caller.openwebui is not None
        assert caller.unlinked is not None
        email = caller.unlinked.email
        if self.login.has_open_challenge(conversation.id):
            return ChatResult(LINK_PENDING.format(email=escape(email)), "needs_login")
        self.login.start(
            AccountClaim(email=email),
            address=caller.limiter_addr,
            via="openwebui_link",
            conversation_id=conversation.id,
            pending_question=question if len(question.split()) >= 2 else None,
            openwebui_sub=caller.openwebui.sub,
        )
        minutes = max(self.settings.login_code_ttl_s // 60, 1)
        return ChatResult(LINK_SENT.format(email=escape(email), minutes=minutes), "challenge")

    def _verify(
        self,
        caller: ChatCaller,
        conversation: ConversationRow,
        identity: Identity | None,
        turn: ChatTurn,
        code: str | None,
        password: str | None,
        emit: Emit,
    ) -> ChatResult:
        def bind(session: Session, login: VerifiedLogin) -> None:
            chats.bind_identity(session, conversation.id, login.user_id, login.org_id, "chat_login")

        login = self.login.verify_in_conversation(
            conversation.id, code=code, password=password, address=caller.limiter_addr, on_verified=bind
        )
        if login is None:
            return ChatResult(LOGIN_FAILED + _still(identity), "login_failed")
        with self.database.session(Scope.operator()) as session:
            verified = bound_identity(session, login.user_id, login.org_id, "chat_login")
        if verified is None:
            return ChatResult(LOGIN_FAILED + _still(identity), "login_failed")
        text = f"Thanks, you are signed in as {escape(verified.describe())}. Ask me about your races."
        if login.pending_question:
            emit(text)  # the welcome now; the question they asked before signing in takes longer
            bound = replace(
                conversation,
                user_id=login.user_id,
                org_id=login.org_id,
                verified_via="chat_login",
                last_question=None,
            )
            answered = self._ask(caller, bound, verified, login.pending_question, turn, _after(emit))
            return ChatResult(f"{text}\n\n{answered.content}", answered.status)
        return ChatResult(text, "login")

    def _ask(
        self,
        caller: ChatCaller,
        conversation: ConversationRow,
        identity: Identity,
        question: str,
        turn: ChatTurn,
        emit: Emit,
    ) -> ChatResult:
        started = time.perf_counter()
        actor = Actor(identity.user_id, identity.org_id, identity.email, identity.via, caller.client_addr)
        follow_reply = self.follows.handle(identity, question, turn.today, actor, turn.base_url)
        if follow_reply is not None:
            return ChatResult(follow_reply, "follow")
        workflow_reply = self.workflows.handle(conversation.id, identity, question, turn.today, actor)
        if workflow_reply is not None:
            return ChatResult(workflow_reply, "workflow")
        previous = self._previous(conversation, identity, question)
        answer = self.engine.ask(question, scope=identity.scope, today=turn.today, previous=previous)
        content, status = render_answer(answer, turn.base_url), str(answer.status)
        shown = [answer]
        if answer.status == "unanswerable" and self.assistant is not None:
            # Each table the model's tools produce is shown as soon as it is made; its own words follow.
            tables = _Parts(emit)
            reply = self.assistant.reply(
                question,
                identity,
                turn.today,
                on_answer=lambda a: tables.add(render_answer(a, turn.base_url)),
            )
            if reply is not None:
                shown = reply.answers
                content, status = tables.end(reply.content), "assistant"
        if answer.context is not None:
            self.memory.put(conversation.id, identity.org_id, answer.context)
            if identity.org_id is not None:  # a platform operator's conversation belongs to no tenant
                with self.database.session(Scope.operator()) as session:
                    chats.remember_question(
                        session,
                        conversation.id,
                        identity.user_id,
                        identity.org_id,
                        identity.via,
                        answer.context.question,
                        turn.today,
                    )
        audit.record_question(
            self.database,
            actor=actor,
            question=question,
            status=status,
            sql=";\n".join(a.sql for a in shown if a.sql) or None,
            row_count=sum(len(a.rows) for a in shown if a.status == "answered"),
            elapsed_ms=(time.perf_counter() - started) * 1000,
            engine="llm" if status == "assistant" else answer.engine,
        )
        return ChatResult(content, status)

    def _previous(self, conversation: ConversationRow, identity: Identity, question: str) -> Context | None:
        remembered = self.memory.get(conversation.id, identity.org_id)
        if remembered is not None or not conversation.last_question:
            return remembered
        if not is_follow_up(question):
            return None
        # Another process answered the last question: ask it again (as this identity) for its context
        # (the reading it answered, or the choices of the clarify it asked).
        replayed: Answer = self.engine.ask(
            conversation.last_question, scope=identity.scope, today=conversation.last_asked_on or date.today()
        )
        return replayed.context


Emit = Callable[[str], None]


def _ignore(text: str) -> None:
    """An `emit` for replies nobody streams."""


def _after(emit: Emit) -> Emit:
    """`emit` for what follows a part already emitted: with the blank line between them."""
    return lambda text: emit("\n\n" + text)


class _Parts:
    """Parts of a reply joined by blank lines, each emitted as it is added."""

    def __init__(self, emit: Emit) -> None:
        self.emit, self.text = emit, ""

    def add(self, part: str) -> None:
        if part:
            piece = f"\n\n{part}" if self.text else part
            self.text += piece
            self.emit(piece)

    def end(self, last: str) -> str:
        """The whole text, `last` after the parts."""
        if not last:
            return self.text
        return f"{self.text}\n\n{last}" if self.text else last


def _still(identity: Identity | None) -> str:
    if identity is None:
        return " Until then I show no data."
    return f" Until then I keep acting for {escape(identity.describe())}."
