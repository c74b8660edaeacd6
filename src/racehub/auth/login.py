"""Logging in, from a chat or the web page: start a challenge, check a code or password, bind or issue.

Rate limits count before any secret is checked, in transactions that commit whatever happens next, and
key on what cannot be reworded or spoofed: the *resolved* account (the users a claim names) and the
real client address (forwarded headers count only from configured proxies, see `racehub.inputs`).

- Challenges (codes mailed): per account and per address.
- Code guesses: per account across all its challenges (a code also dies after a few tries), and per
  address.
- Passwords: per account *and address* together, and per address. Code guesses by an attacker therefore
  never lock the rightful owner out: their password still works, and a new code does after a cool-down.

Every outcome is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from racehub.audit import service as audit
from racehub.audit.service import Actor
from racehub.auth import challenges, ratelimit
from racehub.auth import login_repository as repository
from racehub.auth.challenges import AccountClaim, IssuedChallenge, Lookup, VerifiedLogin
from racehub.auth.mail import code_mail, queue_mail
from racehub.auth.passwords import verify_secret
from racehub.auth.ratelimit import Limit
from racehub.auth.tokens import SESSION_PREFIX, new_token, token_hash
from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.errors import Unauthorized

LOGIN_FAILED = "That code or password is not valid, or it has expired or been used."

# Called with the login's transaction when a code or password passes in a conversation (binds it there).
OnVerified = Callable[[Session, VerifiedLogin], None]


@dataclass(frozen=True)
class WebLogin:
    token: str
    expires_at: datetime
    login: VerifiedLogin


class LoginService:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        window = settings.login_rate_window_s
        self.challenges_per_account = Limit(
            "challenge:account", settings.login_challenges_per_account, window
        )
        self.challenges_per_address = Limit(
            "challenge:address", settings.login_challenges_per_address, window
        )
        self.codes_per_account = Limit("code:account", settings.login_attempts_per_account, window)
        self.attempts_per_address = Limit("attempt:address", settings.login_attempts_per_address, window)
        self.passwords_per_account_address = Limit(
            "password:account-address", settings.login_password_attempts_per_account_address, window
        )

    # ------------------------------------------------------------------------------------------ start

    def start(
        self,
        claim: AccountClaim,
        *,
        address: str,
        via: str,
        conversation_id: int | None = None,
        pending_question: str | None = None,
        openwebui_sub: str | None = None,
    ) -> IssuedChallenge:
        """Send a code to every account the claim names (none, one or a few): same result either way."""
        with self.database.session(Scope.operator()) as session:
            lookup = challenges.look_up(session, claim)
        ratelimit.enforce(
            self.database,
            [(self.challenges_per_account, lookup.account_key), (self.challenges_per_address, address)],
        )
        with self.database.session(Scope.operator()) as session:
            issued = challenges.issue(
                session,
                lookup=lookup,
                method="code",
                ttl_s=self.settings.login_code_ttl_s,
                max_attempts=self.settings.login_code_max_attempts,
                conversation_id=conversation_id,
                client_addr=address,
                pending_question=pending_question,
                openwebui_sub=openwebui_sub,
            )
            ttl = self.settings.login_code_ttl_s
            queue_mail(
                session, self.settings, [code_mail(c.email, c.name, code, ttl) for c, code in issued.codes]
            )
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
        self,
        conversation_id: int,
        *,
        code: str | None,
        password: str | None,
        address: str,
        on_verified: OnVerified,
    ) -> VerifiedLogin | None:
        """Check a reply against the conversation's open challenge; on success `on_verified` binds the
        user in the same transaction (and the Open WebUI account that asked is linked to them)."""
        with self.database.session(Scope.operator()) as session:
            pending = challenges.open_challenge(session, conversation_id)
            if pending is None:
                return None
            account_key, claimed = pending.account_key, pending.claimed or pending.account_key
        self._count_attempt(account_key, address, password=code is None)
        with self.database.session(Scope.operator()) as session:
            challenge = challenges.open_challenge(session, conversation_id)
            login = challenges.verify(session, challenge, code=code, password=password) if challenge else None
            if login is not None and challenge is not None:
                on_verified(session, login)
                if challenge.openwebui_sub and login.method == "code":
                    repository.link_openwebui(
                        session, self.settings.openwebui_jwt_issuer, challenge.openwebui_sub, login.user_id
                    )
        self._audit(login, claimed, address, "chat_login", "code" if code is not None else "password")
        return login

    def verify_token(self, token: str, *, code: str | None, password: str | None, address: str) -> WebLogin:
        """The web page's second step: a challenge token and its code (or the password) → a session."""
        with self.database.session(Scope.operator()) as session:
            found = challenges.challenge_by_token(session, token)
            account_key = found.account_key if found is not None else f"token:{token_hash(token)[:32]}"
            claimed = (found.claimed or found.account_key) if found is not None else "an unknown login"
        self._count_attempt(account_key, address, password=code is None)
        with self.database.session(Scope.operator()) as session:
            challenge = challenges.challenge_by_token(session, token)
            if challenge is None:
                verify_secret(None, code or password or "")  # the same work as a real check
                login = None
            else:
                login = challenges.verify(session, challenge, code=code, password=password)
            web = self._issue_session(session, login) if login is not None else None
        self._audit(login, claimed, address, "session", "code" if code is not None else "password")
        if web is None:
            raise Unauthorized(LOGIN_FAILED)
        return web

    def password_login(self, email: str, password: str, *, address: str) -> WebLogin:
        """Email and password → a session (counted per account and address, same reply for unknown ones)."""
        claim = AccountClaim(email=email)
        with self.database.session(Scope.operator()) as session:
            lookup = challenges.look_up(session, claim)
        self._count_attempt(lookup.account_key, address, password=True)
        with self.database.session(Scope.operator()) as session:
            login = self._check_password(session, lookup, password, address)
            web = self._issue_session(session, login) if login is not None else None
        self._audit(login, lookup.claimed, address, "session", "password")
        if web is None:
            raise Unauthorized(LOGIN_FAILED)
        return web

    def revoke_session(self, token: str) -> bool:
        """End a web session (log out); False when it was not a live session."""
        with self.database.session(Scope.operator()) as session:
            return repository.revoke_session(session, token_hash(token))

    # ------------------------------------------------------------------------------------------ helpers

    def _check_password(
        self, session: Session, lookup: Lookup, password: str, address: str
    ) -> VerifiedLogin | None:
        issued = challenges.issue(
            session, lookup=lookup, method="password", ttl_s=60, max_attempts=1, client_addr=address
        )
        challenge = challenges.challenge_by_token(session, issued.token)
        assert challenge is not None
        return challenges.verify(session, challenge, password=password)

    def _count_attempt(self, account_key: str, address: str, *, password: bool) -> None:
        per_account = (
            (self.passwords_per_account_address, f"{account_key}@{address}")
            if password
            else (self.codes_per_account, account_key)
        )
        ratelimit.enforce(self.database, [per_account, (self.attempts_per_address, address)])

    def _issue_session(self, session: Session, login: VerifiedLogin) -> WebLogin:
        token, expires_at = create_session(
            session,
            user_id=login.user_id,
            org_id=login.org_id,
            via=login.method,
            ttl_s=self.settings.login_session_ttl_s,
        )
        return WebLogin(token, expires_at, login)

    def _audit(self, login: VerifiedLogin | None, claimed: str, address: str, via: str, method: str) -> None:
        if login is None:
            actor = Actor(name=claimed, via=via, client_addr=address)
        else:
            actor = Actor(
                user_id=login.user_id, org_id=login.org_id, name=login.email, via=via, client_addr=address
            )
        audit.record_login(self.database, ok=login is not None, actor=actor, method=method)


def create_session(
    session: Session, *, user_id: int, org_id: int | None, via: str, ttl_s: int
) -> tuple[str, datetime]:
    """A new web session token (returned once, stored as a hash) and when it expires."""
    token = new_token(SESSION_PREFIX, 32)
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl_s)
    repository.add_session(session, token_hash(token), user_id, org_id, via, expires_at)
    return token, expires_at
