"""Login challenges: "I'm John from Acme Racing" names accounts; a one-time code or a password proves one.

A challenge is created whether or not the named account exists, with one target per matching account
(each with its own code, so two Johns at one company cannot log in as each other). Codes are six digits,
hashed with argon2id, expire, die after a few wrong tries and work once. Verification does the same
hashing work whether or not there is anything to match, so timing does not tell whether an account
exists. Rate limits count per *resolved* account (the user a claim names, however it is worded), so
"Maria from Tidewater Timing LLC / Inc / the ..." are one account, not three.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from racehub.auth import login_repository as repository
from racehub.auth.passwords import hash_secret, verify_secret
from racehub.auth.tokens import new_token, token_hash
from racehub.models import LoginChallenge

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
        """The claim in a normal form, company noise words left out (for claims that name no account)."""
        if self.email:
            return "email:" + self.email.strip().lower()
        org = _ORG_NOISE.sub(" ", _fold(self.organization or "")).split()
        parts = (" ".join(org), _fold(self.first_name or ""), _fold(self.last_name or ""))
        return "claim:" + "|".join(parts)

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
class Lookup:
    """The accounts a claim names, and the key its rate limits count under."""

    candidates: list[Candidate]
    account_key: str
    claimed: str  # the claim as said (the audit's words)


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


def look_up(session: Session, claim: AccountClaim) -> Lookup:
    """The accounts a claim names (a session that may read organizations: the platform role) and the
    account key its limits count under: the users found, else the organization and name, else the claim."""
    if claim.email:
        rows = repository.accounts_by_email(session, claim.email)
        found = [Candidate(r.user_id, r.email, r.name, r.org_id, r.org_name) for r in rows]
        return Lookup(found, _key(found) or claim.account_key, claim.describe())
    org = _match_organization(session, claim.organization or "")
    first, last = _fold(claim.first_name or ""), _fold(claim.last_name or "")
    if org is None or not first:
        return Lookup([], claim.account_key, claim.describe())
    found = []
    for user_id, email, name in repository.members(session, org[0]):
        words = _fold(name).split()
        if words and words[0] == first and (not last or last in words[1:]):
            found.append(Candidate(user_id, email, name, org[0], org[1]))
    return Lookup(found, _key(found) or f"org:{org[0]}|{first}|{last}", claim.describe())


def _key(candidates: list[Candidate]) -> str | None:
    return "user:" + ",".join(str(i) for i in sorted({c.user_id for c in candidates})) if candidates else None


def find_candidates(session: Session, claim: AccountClaim) -> list[Candidate]:
    """Accounts the claim names."""
    return look_up(session, claim).candidates


def _match_organization(session: Session, named: str) -> tuple[int, str] | None:
    wanted = _ORG_NOISE.sub(" ", _fold(named)).strip()
    if not wanted:
        return None
    choices: dict[str, tuple[int, str]] = {}
    for org_id, slug, name in repository.organizations(session):
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
    lookup: Lookup,
    method: str,
    ttl_s: int,
    max_attempts: int,
    conversation_id: int | None = None,
    client_addr: str | None = None,
    pending_question: str | None = None,
    openwebui_sub: str | None = None,
) -> IssuedChallenge:
    """Create a challenge for the accounts found (replacing the conversation's open one); the codes to
    send come back."""
    now = datetime.now(UTC)
    if conversation_id is not None:
        repository.retire_open(session, conversation_id, now)
    repository.forget_stale_questions(session)
    token = new_token()
    expires_at = now + timedelta(seconds=ttl_s)
    challenge = repository.add_challenge(
        session,
        LoginChallenge(
            token_hash=token_hash(token),
            conversation_id=conversation_id,
            method=method,
            account_key=lookup.account_key,
            claimed=lookup.claimed,
            client_addr=client_addr,
            pending_question=pending_question,
            openwebui_sub=openwebui_sub,
            attempts=0,
            max_attempts=max_attempts,
            expires_at=expires_at,
        ),
    )
    codes: list[tuple[Candidate, str]] = []
    for candidate in lookup.candidates:
        code = new_code() if method == "code" else None
        repository.add_target(
            session, challenge.id, candidate.user_id, candidate.org_id, hash_secret(code) if code else None
        )
        if code:
            codes.append((candidate, code))
    if method == "code" and not lookup.candidates:
        hash_secret(new_code())  # the same work as for an existing account
    return IssuedChallenge(challenge.id, token, codes, expires_at)


def open_challenge(session: Session, conversation_id: int) -> LoginChallenge | None:
    """The conversation's newest challenge not yet used up (it may have expired)."""
    return repository.open_challenge(session, conversation_id)


def challenge_by_token(session: Session, token: str) -> LoginChallenge | None:
    return repository.challenge_by_token_hash(session, token_hash(token))


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
    found = repository.targets(session, challenge.id)
    if not found:
        verify_secret(None, secret)
    for target in found:
        stored = target.code_hash if code is not None else target.password_hash
        if verify_secret(stored, secret):
            challenge.used_at = now
            session.flush()
            return VerifiedLogin(
                target.user_id,
                target.email,
                target.name,
                target.org_id,
                target.org_name,
                target.role,
                "code" if code is not None else "password",
                challenge.pending_question,
            )
    if challenge.attempts >= challenge.max_attempts:
        challenge.used_at = now  # dead: a new challenge is needed
    session.flush()
    return None
