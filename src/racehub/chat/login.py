"""Logging in from a chat or the web page: start a challenge, check a code or password, bind or issue.

Rate limits count before any secret is checked, per claimed account and per client address, in
transactions that commit whatever happens next. Every outcome is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from racehub.audit import service as audit
from racehub.audit.service import Actor
from racehub.auth import challenges, ratelimit
from racehub.auth.challenges import AccountClaim, IssuedChallenge, VerifiedLogin
from racehub.auth.passwords import verify_secret
from racehub.auth.ratelimit import Limit
from racehub.auth.sessions import create_session
from racehub.chat import conversations
from racehub.chat.mail import Mailer, code_mail
from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.errors import Unauthorized

LOGIN_FAILED = "That code or password is not valid, or it has expired or been used."


@dataclass(frozen=True)
class WebLogin:
    token: str
    expires_at: datetime
    login: VerifiedLogin


class LoginService:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.mailer = Mailer(settings)
        window = settings.login_rate_window_s
        self.challenges_per_account = Limit(
            "challenge:account", settings.login_challenges_per_account, window
        )
        self.challenges_per_address = Limit(
            "challenge:address", settings.login_challenges_per_address, window
        )
        self.attempts_per_account = Limit("attempt:account", settings.login_attempts_per_account, window)
        self.attempts_per_address = Limit("attempt:address", settings.login_attempts_per_address, window)

    # ------------------------------------------------------------------------------------------ start

    def start(
        self,
        claim: AccountClaim,
        *,
        address: str,
        via: str,
        conversation_id: int | None = None,
        pending_question: str | None = None,
    ) -> IssuedChallenge:
        """Send a code to every account the claim names (none, one or a few): same result either way."""
        ratelimit.enforce(
            self.database,
            [
                (self.challenges_per_account, claim.account_key),
                (self.challenges_per_address, address),
            ],
        )
        with self.database.session(Scope.operator()) as session:
            candidates = challenges.find_candidates(session, claim)
            issued = challenges.issue(
                session,
                claim=claim,
                candidates=candidates,
                method="code",
                ttl_s=self.settings.login_code_ttl_s,
                max_attempts=self.settings.login_code_max_attempts,
                conversation_id=conversation_id,
                client_addr=address,
                pending_question=pending_question,
            )
            mails = [
                code_mail(c.email, c.name, code, self.settings.login_code_ttl_s) for c, code in issued.codes
            ]
            to_send = self.mailer.store(session, mails)
        self.mailer.send_later(to_send)
        audit.record_challenge(
            self.database,
            actor=Actor(name=claim.describe(), via=via, client_addr=address),
            claim=claim.describe(),
            method="code",
        )
        return issued

    # ------------------------------------------------------------------------------------------ verify

    def has_open_challenge(self, conversation_id: int) -> bool:
        with self.database.session(Scope.operator()) as session:
            return challenges.open_challenge(session, conversation_id) is not None

    def verify_in_conversation(
        self, conversation_id: int, *, code: str | None, password: str | None, address: str
    ) -> VerifiedLogin | None:
        """Check a reply against the conversation's open challenge; on success bind the user to it."""
        with self.database.session(Scope.operator()) as session:
            pending = challenges.open_challenge(session, conversation_id)
            account_key = pending.account_key if pending is not None else None
        if account_key is None:
            return None
        self._count_attempt(account_key, address)
        with self.database.session(Scope.operator()) as session:
            challenge = challenges.open_challenge(session, conversation_id)
            login = challenges.verify(session, challenge, code=code, password=password) if challenge else None
            if login is not None:
                conversations.bind_identity(
                    session, conversation_id, login.user_id, login.org_id, "chat_login"
                )
        self._audit(login, account_key, address, "chat_login", "code" if code is not None else "password")
        return login

    def verify_token(self, token: str, *, code: str | None, password: str | None, address: str) -> WebLogin:
        """The web page's second step: a challenge token and its code (or the password) → a session."""
        with self.database.session(Scope.operator()) as session:
            found = challenges.challenge_by_token(session, token)
            account_key = found.account_key if found is not None else f"token:{token[:64]}"
        self._count_attempt(account_key, address)
        with self.database.session(Scope.operator()) as session:
            challenge = challenges.challenge_by_token(session, token)
            if challenge is None:
                verify_secret(None, code or password or "")  # the same work as a real check
                login = None
            else:
                login = challenges.verify(session, challenge, code=code, password=password)
            web = self._issue_session(session, login) if login is not None else None
        self._audit(login, account_key, address, "session", "code" if code is not None else "password")
        if web is None:
            raise Unauthorized(LOGIN_FAILED)
        return web

    def password_login(self, email: str, password: str, *, address: str) -> WebLogin:
        """Email and password → a session (counted like a code attempt, same reply for unknown accounts)."""
        claim = AccountClaim(email=email)
        self._count_attempt(claim.account_key, address)
        with self.database.session(Scope.operator()) as session:
            candidates = challenges.find_candidates(session, claim)
            issued = challenges.issue(
                session,
                claim=claim,
                candidates=candidates,
                method="password",
                ttl_s=60,
                max_attempts=1,
                client_addr=address,
            )
            challenge = challenges.challenge_by_token(session, issued.token)
            assert challenge is not None
            login = challenges.verify(session, challenge, password=password)
            web = self._issue_session(session, login) if login is not None else None
        self._audit(login, claim.account_key, address, "session", "password")
        if web is None:
            raise Unauthorized(LOGIN_FAILED)
        return web

    # ------------------------------------------------------------------------------------------ helpers

    def _count_attempt(self, account_key: str, address: str) -> None:
        ratelimit.enforce(
            self.database,
            [
                (self.attempts_per_account, account_key),
                (self.attempts_per_address, address),
            ],
        )

    def _issue_session(self, session: Session, login: VerifiedLogin) -> WebLogin:
        token, expires_at = create_session(
            session,
            user_id=login.user_id,
            org_id=login.org_id,
            via=login.method,
            ttl_s=self.settings.login_session_ttl_s,
        )
        return WebLogin(token, expires_at, login)

    def _audit(
        self, login: VerifiedLogin | None, account_key: str, address: str, via: str, method: str
    ) -> None:
        if login is None:
            actor = Actor(name=account_key, via=via, client_addr=address)
        else:
            actor = Actor(
                user_id=login.user_id, org_id=login.org_id, name=login.email, via=via, client_addr=address
            )
        audit.record_login(self.database, ok=login is not None, actor=actor, method=method)
