"""Reading identity out of chat text: "I'm John from Acme Racing", a typed code, "password: ...".

What these find is a claim, never an identity: the login service turns a claim into a challenge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from racehub.auth.challenges import AccountClaim, normalize_code

_LEAD = r"^\W*(?:(?:hi|hello|hey|actually|sorry|no|well|ok|okay|oh|wait|and)\W+){0,3}"
_SELF = (
    r"(?:i'?m|i\u2019m|i am|this is|it'?s|my name is|here is|log\s*in as|log me in as|sign in as|"
    r"sign me in as)"
)
_NAME = r"[^\W\d_][\w'\u2019.-]*"
_CLAIM = re.compile(
    _LEAD + _SELF + rf"\s+(?P<first>{_NAME})(?:\s+(?P<last>{_NAME}))?\s+(?:from|at|with|of)\s+"
    r"(?P<org>[^,.;!?\n]+?)\s*(?:[,.;!?\n]+\s*(?P<rest>.*))?$",
    re.IGNORECASE | re.DOTALL,
)
_EMAIL_CLAIM = re.compile(
    _LEAD + _SELF + r"\s+(?P<email>[^\s@,;]+@[^\s@,;]+\.[^\s@,;!?]*[^\s@,;!?.])[\s,.;!?]*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_PASSWORD = re.compile(r"^\s*(?:my\s+)?password(?:\s+is)?\s*[:=]?\s+(?P<password>\S.*?)\s*$", re.I | re.S)
_CODE = re.compile(
    r"^\s*(?:(?:my|the)\s+)?(?:code\s*(?:is)?\s*[:=]?\s*)?(?P<code>\d{3}[\s-]?\d{3})\s*[.!]?\s*$",
    re.IGNORECASE,
)
# Words that follow "I'm" without being a name: "I'm new at this", "I'm looking at results".
_NOT_NAMES = frozenset(
    "new here looking trying interested sorry just not still also back done curious wondering working "
    "asking calling writing a an the on in at from with so very really only glad happy sure confused "
    "lost stuck out over".split()
)


@dataclass(frozen=True)
class ClaimMessage:
    claim: AccountClaim
    rest: str | None  # what else the message asked ("..., show me my events")


def read_claim(message: str) -> ClaimMessage | None:
    """The account a message says its writer is, if it says so."""
    text = message.strip()
    if len(text) > 400:
        return None
    email = _EMAIL_CLAIM.match(text)
    if email:
        return ClaimMessage(AccountClaim(email=email.group("email")), _rest(email.group("rest")))
    named = _CLAIM.match(text)
    if not named or named.group("first").lower() in _NOT_NAMES:
        return None
    org = named.group("org").strip()
    org = re.sub(r"\s+(?:and|please|here|now)$", "", org, flags=re.IGNORECASE).strip()
    if not org:
        return None
    claim = AccountClaim(first_name=named.group("first"), last_name=named.group("last"), organization=org)
    return ClaimMessage(claim, _rest(named.group("rest")))


def _rest(rest: str | None) -> str | None:
    rest = (rest or "").strip(" \t\n,.;!-")
    return rest if len(rest.split()) >= 2 else None


def read_code(message: str) -> str | None:
    match = _CODE.match(message)
    return normalize_code(match.group("code")) if match else None


def read_password(message: str, *, bare: bool) -> str | None:
    """`password: ...`; with `bare`, also a lone word that is not a code (the reply to a challenge)."""
    match = _PASSWORD.match(message)
    if match:
        return match.group("password")
    text = message.strip()
    if bare and text and len(text) <= 200 and not re.search(r"\s", text) and not text.endswith("?"):
        return text
    return None
