"""Login challenges: "I'm John from Acme Racing" names accounts; a one-time code or a password proves one.

A challenge is created whether or not the named account exists, with one target per matching account
(each with its own code, so two Johns at one company cannot log in as each other). Codes are six digits,
hashed with argon2id, expire, die after a few wrong tries and work once. Verification does the same
hashing work whether or not there is anything to match, so timing does not tell whether an account
exists. The SQL of the two challenge tables lives here with the logic: it is small and owned by it.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from racehub.auth.passwords import hash_secret, verify_secret
from racehub.auth.tokens import new_token, token_hash
from racehub.models import LoginChallenge, LoginChallengeTarget

CODE_DIGITS = 6
ORG_MATCH_CUTOFF = 85
_ORG_NOISE = re.compile(r"\b(inc|llc|ltd|co|company|corp|the)\b")


@dataclass(frozen=True)
class AccountClaim:
    """Who someone says they are: an email, or a first (and maybe last) name at a named company."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    organization: str | None = None

    @property
    def account_key(self) -> str:
        """The claim in a normal form: rate limits count per claimed account, existing or not."""
        if self.email:
            return self.email.strip().lower()
        parts = (_fold(self.organization or ""), _fold(self.first_name or ""), _fold(self.last_name or ""))
        return "|".join(parts)

    def describe(self) -> str:
        if self.email:
            return self.email
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return f"{name} from {self.organization}"


@dataclass(frozen=True)
class Candidate:
    """An account a claim may mean: a user and the organization they would act for."""

    user_id: int
    email: str
    name: str
    org_id: int
    org_name: str


@dataclass(frozen=True)
class IssuedChallenge:
    challenge_id: int
    token: str  # given to the web page once; stored only as a hash
    codes: list[tuple[Candidate, str]]  # the codes to deliver, one per candidate
    expires_at: datetime


@dataclass(frozen=True)
class VerifiedLogin:
    user_id: int
    email: str
    name: str
    org_id: int
    org_name: str
    role: str
    method: str  # code | password
    pending_question: str | None


def _fold(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9@.]+", " ", value).split())


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalize_code(value: str) -> str | None:
    """The six digits of a typed code ("123 456", "123-456"), None when it is not one."""
    digits = re.sub(r"[\s-]", "", value.strip())
    return digits if re.fullmatch(rf"\d{{{CODE_DIGITS}}}", digits) else None


# ---------------------------------------------------------------------------------------------- lookup


def find_candidates(session: Session, claim: AccountClaim) -> list[Candidate]:
    """Accounts the claim names (needs a session that may read organizations: the platform role)."""
    if claim.email:
        rows = session.execute(
            text(
                """
                SELECT DISTINCT ON (u.id) u.id, u.email, u.name, o.id, o.name
                FROM users u JOIN memberships m ON m.user_id = u.id JOIN organizations o ON o.id = m.org_id
                WHERE lower(u.email) = lower(:email) ORDER BY u.id, o.id
                """
            ),
            {"email": claim.email.strip()},
        ).all()
        return [Candidate(r[0], r[1], r[2], r[3], r[4]) for r in rows]
    org = _match_organization(session, claim.organization or "")
    if org is None or not claim.first_name:
        return []
    members = session.execute(
        text(
            "SELECT u.id, u.email, u.name FROM users u JOIN memberships m ON m.user_id = u.id "
            "WHERE m.org_id = :org ORDER BY u.id"
        ),
        {"org": org[0]},
    ).all()
    first, last = _fold(claim.first_name), _fold(claim.last_name or "")
    found = []
    for user_id, email, name in members:
        words = _fold(name).split()
        if words and words[0] == first and (not last or last in words[1:]):
            found.append(Candidate(user_id, email, name, org[0], org[1]))
    return found


def _match_organization(session: Session, named: str) -> tuple[int, str] | None:
    wanted = _ORG_NOISE.sub(" ", _fold(named)).strip()
    if not wanted:
        return None
    orgs = session.execute(text("SELECT id, slug, name FROM organizations ORDER BY id")).all()
    choices: dict[str, tuple[int, str]] = {}
    for org_id, slug, name in orgs:
        for label in (slug.replace("-", " "), name):
            choices.setdefault(_ORG_NOISE.sub(" ", _fold(label)).strip(), (org_id, name))
    if wanted in choices:
        return choices[wanted]
    hit = process.extractOne(wanted, list(choices), scorer=fuzz.WRatio, score_cutoff=ORG_MATCH_CUTOFF)
    return choices[hit[0]] if hit else None


# ---------------------------------------------------------------------------------------------- issue


def issue(
    session: Session,
    *,
    claim: AccountClaim,
    candidates: list[Candidate],
    method: str,
    ttl_s: int,
    max_attempts: int,
    conversation_id: int | None = None,
    client_addr: str | None = None,
    pending_question: str | None = None,
) -> IssuedChallenge:
    """Create a challenge for the claim (replacing the conversation's open one); codes come back to send."""
    if conversation_id is not None:
        retire_open(session, conversation_id)
    token = new_token()
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl_s)
    challenge = LoginChallenge(
        token_hash=token_hash(token),
        conversation_id=conversation_id,
        method=method,
        account_key=claim.account_key,
        client_addr=client_addr,
        pending_question=pending_question,
        attempts=0,
        max_attempts=max_attempts,
        expires_at=expires_at,
    )
    session.add(challenge)
    session.flush()
    codes: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        code = new_code() if method == "code" else None
        session.add(
            LoginChallengeTarget(
                challenge_id=challenge.id,
                user_id=candidate.user_id,
                org_id=candidate.org_id,
                code_hash=hash_secret(code) if code else None,
            )
        )
        if code:
            codes.append((candidate, code))
    if method == "code" and not candidates:
        hash_secret(new_code())  # the same work as for an existing account
    session.flush()
    return IssuedChallenge(challenge.id, token, codes, expires_at)


def retire_open(session: Session, conversation_id: int) -> None:
    session.execute(
        update(LoginChallenge)
        .where(LoginChallenge.conversation_id == conversation_id, LoginChallenge.used_at.is_(None))
        .values(used_at=datetime.now(UTC))
    )


def open_challenge(session: Session, conversation_id: int) -> LoginChallenge | None:
    """The conversation's newest challenge not yet used up (it may have expired)."""
    return (
        session.query(LoginChallenge)
        .filter(LoginChallenge.conversation_id == conversation_id, LoginChallenge.used_at.is_(None))
        .order_by(LoginChallenge.id.desc())
        .with_for_update()
        .first()
    )


def challenge_by_token(session: Session, token: str) -> LoginChallenge | None:
    return (
        session.query(LoginChallenge)
        .filter(LoginChallenge.token_hash == token_hash(token))
        .with_for_update()
        .one_or_none()
    )


# ---------------------------------------------------------------------------------------------- verify


def verify(
    session: Session, challenge: LoginChallenge, *, code: str | None = None, password: str | None = None
) -> VerifiedLogin | None:
    """The login a code or password proves, or None; every call counts as an attempt."""
    secret = code if code is not None else (password or "")
    now = datetime.now(UTC)
    live = (
        challenge.used_at is None
        and challenge.expires_at > now
        and challenge.attempts < challenge.max_attempts
    )
    challenge.attempts += 1
    if not live:
        verify_secret(None, secret)
        session.flush()
        return None
    targets = session.execute(
        text(
            """
            SELECT t.user_id, u.email, u.name, t.org_id, o.name, m.role, t.code_hash, u.password_hash
            FROM login_challenge_targets t JOIN users u ON u.id = t.user_id
            JOIN organizations o ON o.id = t.org_id
            JOIN memberships m ON m.user_id = t.user_id AND m.org_id = t.org_id
            WHERE t.challenge_id = :c ORDER BY t.user_id
            """
        ),
        {"c": challenge.id},
    ).all()
    if not targets:
        verify_secret(None, secret)
    for user_id, email, name, org_id, org_name, role, code_hash, password_hash in targets:
        stored = code_hash if code is not None else password_hash
        if verify_secret(stored, secret):
            challenge.used_at = now
            session.flush()
            method = "code" if code is not None else "password"
            return VerifiedLogin(
                user_id, email, name, org_id, org_name, role, method, challenge.pending_question
            )
    if challenge.attempts >= challenge.max_attempts:
        challenge.used_at = now  # dead: a new challenge is needed
    session.flush()
    return None
