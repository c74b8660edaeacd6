"""Reading a workflow request in chat: "Score Boston Marathon in Copernico", "Sync Shamrock registrations
now", "Sync the Harbor results", "Did the Harbor results sync finish?".

The event is found in the tenant's catalogue (fuzzy, as the question answerer does); the edition is this
year's unless a year is said ("2025", "last year"). When that is unclear the intent carries a question
to ask back instead of an edition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, Protocol, TypeVar

from racehub.ask.catalog import Catalog
from racehub.ask.text import normalize
from racehub.db import Scope
from racehub.errors import RaceHubError

Action = Literal["start", "status"]

_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_NOISE = re.compile(r"\b(now|please|right away|asap|today|for me|again)\b")
_STATUS_WORDS = re.compile(
    r"\b(did|has|have|is|was|were)\b.*\b(sync\w*|scoring)\b.*\b(finish\w*|complete\w*|done|succeed\w*|"
    r"work\w*|go(?:ne)? through|run|ok|fail\w*)\b|\bstatus of\b.*\b(sync\w*|scoring)\b"
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "score_copernico",
        re.compile(r"\bscore\s+(?P<event>.+?)\s+(?:in|with|on|via|using|through)\s+copernico\b"),
    ),
    ("sync_registrations", re.compile(r"\bsync\w*\s+(?:the\s+)?registrations?\s+(?:for|of)\s+(?P<event>.+)")),
    ("sync_registrations", re.compile(r"\bsync\w*\s+(?P<event>.+?)\s+registrations?\b")),
    ("sync_results", re.compile(r"\bsync\w*\s+(?:the\s+)?results?\s+(?:for|of)\s+(?P<event>.+)")),
    ("sync_results", re.compile(r"\bsync\w*\s+(?P<event>.+?)\s+results?\b")),
]
_STATUS_EVENT = re.compile(
    r"\b(?:did|has|have|is|was|were|status of)\s+(?:the\s+)?(?P<event>.+?)\s+"
    r"(?P<what>results?\s+sync\w*|registrations?\s+sync\w*|(?:copernico\s+)?scoring|scoring in copernico)\b"
)
_STATUS_KIND = {"result": "sync_results", "registration": "sync_registrations", "scoring": "score_copernico"}
_CONFIRM = re.compile(
    r"^\s*(yes|yep|yeah|yup|y|ok|okay|sure|confirm\w*|go ahead|go|do it|run it|please do|proceed|start it)\b"
)
_REFUSE = re.compile(r"\b(no|not|don'?t|cancel|stop|wait)\b")


class EditionUnclear(RaceHubError):
    """More than one event or edition fits; `options` lists them for the person to choose."""

    status = 409

    def __init__(self, message: str, options: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.options = tuple(options)


@dataclass(frozen=True)
class WorkflowIntent:
    """A recognised workflow request. `edition_id` is set when the edition is clear; otherwise
    `question` says what to ask back (and `options` what to choose from)."""

    action: Action
    kind: str | None
    mention: str
    year: int | None
    edition_id: int | None = None
    event_name: str | None = None
    full: bool = False
    question: str | None = None
    options: tuple[str, ...] = ()


class _Edition(Protocol):
    @property
    def year(self) -> int: ...


class _Named(_Edition, Protocol):
    @property
    def event_name(self) -> str: ...


E = TypeVar("E", bound=_Edition)
N = TypeVar("N", bound=_Named)


def is_confirmation(text: str) -> bool:
    """Whether a chat reply says yes to a pending plan ("yes", "go ahead", "confirm")."""
    lowered = text.lower()
    return bool(_CONFIRM.match(lowered)) and not _REFUSE.search(lowered)


def _year_words(text: str, today: date) -> tuple[str, int | None]:
    year: int | None = None
    if re.search(r"\blast year\b", text):
        year, text = today.year - 1, re.sub(r"\blast year\W*", " ", text)
    elif re.search(r"\bthis year\b", text):
        year, text = today.year, re.sub(r"\bthis year\W*", " ", text)
    found = _YEAR.search(text)
    if found:
        year, text = int(found.group(1)), _YEAR.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(), year


def _clean_event(words: str) -> str:
    words = _NOISE.sub(" ", words)
    words = re.sub(r"^(?:the|our)\s+|'s$|\s+(?:event|edition)$", "", words.strip())
    return re.sub(r"\s+", " ", words).strip(" ,.?!")


def parse_request(
    text: str, scope: Scope, catalog: Catalog, *, today: date | None = None
) -> WorkflowIntent | None:
    """The workflow a chat message asks for, with its edition resolved in `catalog` (the caller's
    tenant: `racehub.ask.catalog.CatalogCache.get(scope)`); None when the message is not one."""
    today = today or datetime.now(UTC).date()
    lowered = normalize(text)
    body, year = _year_words(lowered, today)
    action: Action = "start"
    kind: str | None = None
    event: str | None = None
    if _STATUS_WORDS.search(body):
        found = _STATUS_EVENT.search(body)
        if found:
            action, event = "status", found.group("event")
            what = found.group("what")
            kind = next(k for word, k in _STATUS_KIND.items() if word in what)
    if kind is None:
        for candidate, pattern in _PATTERNS:
            found = pattern.search(body)
            if found:
                kind, event = candidate, found.group("event")
                break
    if kind is None or event is None:
        return None
    mention = _clean_event(event)
    full = action == "start" and bool(re.search(r"\b(full|all|everything|from scratch)\b", body))
    mention = re.sub(r"^(?:full|all)\s+", "", mention)
    return _resolve(WorkflowIntent(action, kind, mention, year, full=full), catalog, today)


def _resolve(intent: WorkflowIntent, catalog: Catalog, today: date) -> WorkflowIntent:
    tokens = intent.mention.split()
    matches = catalog.match_series(tokens) if tokens else []
    if not matches:
        return _ask(intent, f"I don't know an event called {intent.mention!r} in your timing company.")
    best = matches[0]
    rivals = [m for m in matches[1:] if (m.score, m.matched) == (best.score, best.matched)]
    if rivals:
        names = [best.series.name, *[m.series.name for m in rivals]]
        return _ask(intent, f"Which event do you mean: {' or '.join(names)}?", names)
    editions = best.series.editions
    try:
        chosen = pick_year(list(editions.values()), best.series.name, intent.year, today)
    except EditionUnclear as unclear:
        return _ask(intent, unclear.message, unclear.options)
    return WorkflowIntent(
        intent.action,
        intent.kind,
        intent.mention,
        intent.year,
        chosen.edition_id,
        best.series.name,
        intent.full,
    )


def _ask(intent: WorkflowIntent, question: str, options: Sequence[str] = ()) -> WorkflowIntent:
    return WorkflowIntent(
        intent.action,
        intent.kind,
        intent.mention,
        intent.year,
        full=intent.full,
        question=question,
        options=tuple(options),
    )


def pick_year(editions: Sequence[E], name: str, year: int | None, today: date) -> E:
    """The edition of `year`, else this year's; EditionUnclear (listing the years) otherwise."""
    by_year = {edition.year: edition for edition in editions}
    wanted = year if year is not None else today.year
    if wanted in by_year:
        return by_year[wanted]
    years = [str(y) for y in sorted(by_year, reverse=True)]
    if year is not None:
        raise EditionUnclear(f"{name} has no {year} edition; it has {', '.join(years)}. Which one?", years)
    raise EditionUnclear(
        f"{name} has no edition this year ({wanted}); which year: {', '.join(years)}?", years
    )


def pick_edition(candidates: Sequence[N], words: str, year: int | None, today: date) -> N:
    """Among editions whose name contains `words`: one event (an exact name wins), then its year."""
    names = sorted({c.event_name for c in candidates})
    if len(names) > 1:
        exact = [c for c in candidates if c.event_name.lower() == words.lower()]
        if not exact:
            raise EditionUnclear(f"Which event do you mean: {' or '.join(names)}?", names)
        candidates = exact
    return pick_year(candidates, candidates[0].event_name, year, today)
