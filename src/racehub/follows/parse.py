"""Reading what someone wants to be told, in plain English. Nothing is resolved here (no database):

    Tell me when bib 1234 passes 30K                       → follow runner 1234, split "30K"
    Notify me when Jane Doe finishes the Shamrock Marathon → follow runner "Jane Doe", finish
    Follow bib 88 in the Harbor Half                       → follow runner 88, every split and the finish
    Tell me when the first woman finishes Boston           → follow race, first finisher, F
    Notify me when the 2026 Shamrock Marathon results are final → follow edition, final
    Tell me when Boston's scoring is done                  → follow workflow score_copernico
    Stop notifying me about 1234 / Unfollow Jane Doe / Stop all notifications
    What am I following?
    Show me Boston live                                    → open the live view

`read(text)` returns None for anything else, so the question answerer gets it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from racehub.ask.text import normalize

Action = Literal["follow", "unfollow", "list", "live"]
Target = Literal["runner", "race", "edition", "workflow", "all"]


@dataclass(frozen=True)
class Said:
    """A follow request as said: who or what, when to tell, and the event mentioned (words, year)."""

    action: Action
    target: Target | None = None
    trigger: str | None = None  # every_split | split | finish | first_finisher | final | workflow_done
    bib: str | None = None
    name: str | None = None
    split: str | None = None
    sex: str | None = None
    workflow: str | None = None
    event: str | None = None  # normalised words naming the event (and maybe the race)
    year: int | None = None


_ASK = r"(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+)?"
_TELL = re.compile(
    rf"^{_ASK}(?:tell|notify|alert|ping|message|text|let)\s+(?:me|us)\s+(?:know\s+)?"
    r"(?:when|once|as soon as|the moment|if)\s+(?P<rest>.+)$"
)
_FOLLOW = re.compile(
    rf"^{_ASK}(?:follow|track|watch|notify me about|alert me about|keep me posted on)\s+(?P<rest>.+)$"
)
_STOP = re.compile(
    r"^(?:please\s+)?(?P<verb>stop|cancel|end|quit|no more|don'?t|do not|unfollow|unsubscribe)\b(?P<rest>.*)$"
)
_STOP_TARGET = re.compile(
    r"\b(?:about|for|on|following|tracking|watching|unfollow|unsubscribe from|from|of)\s+(?P<who>.+)$"
)
_LIST = re.compile(
    r"\b(?:what|who|which)\b.*\b(?:am i|i am|i m)\b.*\b(?:follow\w*|track\w*|watch\w*|subscribed)\b"
    r"|\b(?:list|show)\b.*\bmy\s+(?:follows|alerts|notifications|subscriptions)\b"
    r"|^my\s+(?:follows|alerts|notifications)\s*$"
)
_LIVE = [
    re.compile(
        r"^(?:(?:show|open|watch|see|bring up|go to|take me to)\s+)?(?:me\s+)?(?:the\s+)?"
        r"(?P<event>.+?)\s+live"
        r"(?:\s+(?:results|view|timing|tracking|feed))?$"
    ),
    re.compile(
        r"^(?:(?:show|open|watch)\s+(?:me\s+)?)?(?:the\s+)?live\s+(?:results|view|timing|tracking|feed)?\s*"
        r"(?:for|of|from|at)\s+(?:the\s+)?(?P<event>.+)$"
    ),
]
_QUESTION = re.compile(r"^(?:what|who|how|is|are|which|when|why|where|does|do|can)\b")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_BIB = re.compile(r"^(?:bib|runner|number|no|#)\s*#?\s*(?P<bib>[a-z0-9][a-z0-9-]{0,9})$|^#?(?P<num>\d{1,7})$")
_EVENT_TAIL = re.compile(r"\s+(?:in|at|during|from|of)\s+(?:the\s+)?(?P<event>[a-z][^,]*)$")
_PASSES = re.compile(
    r"^(?P<who>.+?)\s+(?:passes|reaches|crosses|hits|gets to|gets past|is at|makes it to|arrives at|"
    r"goes through|goes past|clears|runs through|comes through)\s+(?:the\s+)?(?P<point>.+)$"
)
_FINISHES = re.compile(
    r"^(?P<who>.+?)\s+(?:finishes|is done|is finished|completes it|crosses the (?:finish )?line)"
    r"(?:\s+(?:(?:in|at|of)\s+)?(?:the\s+)?(?P<event>[a-z].*))?$"
)
_FINISH_WORDS = re.compile(r"^(?:finish|finish line|line|end)$")
_FIRST = re.compile(
    r"^(?:the\s+)?first\s+"
    r"(?P<who>woman|women|female|lady|girl|man|men|male|guy|non ?binary|finisher|runner|person|one)?"
    r"\s*(?:runner\s+|finisher\s+|overall\s+)?"
    r"(?:finishes|crosses the (?:finish )?line|comes in|is in|arrives|gets in)"
    r"(?:\s+(?:in|at|of)?\s*(?:the\s+)?(?P<event>[a-z0-9].*))?$"
)
_SEXES = {
    "woman": "F",
    "women": "F",
    "female": "F",
    "lady": "F",
    "girl": "F",
    "man": "M",
    "men": "M",
    "male": "M",
    "guy": "M",
    "non binary": "X",
    "nonbinary": "X",
}
_FINAL = [
    re.compile(
        r"^(?:the\s+)?(?P<event>.+?)\s+(?:results\s+)?(?:are|is|get|gets|become|becomes|go|goes)\s+"
        r"(?:final|official|finalized|finalised)\b"
    ),
    re.compile(
        r"^(?:the\s+)?results\s+(?:of|for|from)\s+(?:the\s+)?(?P<event>.+?)\s+(?:are|is|become)\s+"
        r"(?:final|official)\b"
    ),
]
_WORKFLOW = [
    re.compile(
        r"^(?:the\s+)?(?P<event>.+?)\s+(?P<what>copernico scoring|scoring|results sync|registrations? sync|"
        r"sync)\s+(?:is\s+|has\s+|gets\s+)?(?:done|finished|finishes|complete|completed|over|ends|ended|"
        r"succeeds|fails|runs)\b"
    ),
    re.compile(
        r"^(?:the\s+)?(?P<what>copernico scoring|scoring|results sync|registrations? sync)\s+(?:of|for)\s+"
        r"(?:the\s+)?(?P<event>.+?)\s+(?:is\s+|has\s+)?(?:done|finished|finishes|complete|completed|over)\b"
    ),
    re.compile(r"^(?:you\s+)?(?:finish|are done)\s+(?P<what>scoring|syncing)\s+(?:the\s+)?(?P<event>.+)$"),
]
_NOISE = re.compile(r"\b(?:please|for me|right away|now|today)\b")


def _clean(words: str) -> str:
    words = _NOISE.sub(" ", words)
    words = re.sub(r"^(?:the|our)\s+|\s+(?:event|edition|race)$", "", words.strip())
    return re.sub(r"\s+", " ", words).strip(" ,.?!")


def _with_year(said: Said, today: date) -> Said:
    """The year said with the event ("the 2026 Shamrock", "last year") taken out of its words."""
    if said.event is None:
        return said
    words, year = said.event, said.year
    if re.search(r"\blast year\b", words):
        words, year = re.sub(r"\blast year\b", " ", words), today.year - 1
    elif re.search(r"\bthis year\b", words):
        words, year = re.sub(r"\bthis year\b", " ", words), today.year
    found = _YEAR.search(words)
    if found:
        words, year = _YEAR.sub(" ", words), int(found.group(1))
    words = _clean(re.sub(r"\s+", " ", words))
    return replace(said, event=words or None, year=year)


def _runner(who: str, original: str) -> tuple[str | None, str | None] | None:
    """(bib, name) of a runner as said; None when `who` names nobody."""
    who = _clean(who)
    found = _BIB.match(who)
    if found:
        return (found.group("bib") or found.group("num")), None
    if not re.fullmatch(r"[a-z][a-z' .-]{1,60}", who) or len(who.split()) > 4:
        return None
    if who in {"he", "she", "they", "it", "someone", "anyone", "everyone", "my runner", "my friend"}:
        return None
    return None, _as_written(who, original)


def _as_written(words: str, original: str) -> str:
    """`words` (folded, lower case) as the original text wrote them: "ana perez" → "Ana Pérez"."""
    folded, where = [], []
    for index, char in enumerate(original):
        for part in unicodedata.normalize("NFKD", char):
            if not unicodedata.combining(part):
                folded.append(part.lower())
                where.append(index)
    match = re.search(re.escape(words).replace(r"\ ", r"\s+"), "".join(folded))
    if match is None:
        return words.title()
    return original[where[match.start()] : where[match.end() - 1] + 1]


def _point(point: str) -> tuple[str, str | None]:
    """(trigger, split name) for what a runner passes: the finish, or a timing point."""
    point = _clean(point)
    if _FINISH_WORDS.match(point):
        return "finish", None
    if point in (
        "half",
        "halfway",
        "half way",
        "halfway point",
        "the half",
        "half marathon",
        "half marathon mark",
    ):
        return "split", "Half"
    km = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:k|km|kilometers?|kilometres?)(?:\s+mark)?", point)
    if km:
        return "split", f"{km.group(1)}K"
    miles = re.fullmatch(r"(?:mile\s+(\d+)|(\d+)\s*(?:mi|miles?))(?:\s+mark)?", point)
    if miles:
        return "split", f"{miles.group(1) or miles.group(2)} Mile"
    return "split", point


def _tell(rest: str, original: str) -> Said | None:
    rest = _clean(rest)
    first = _FIRST.match(rest)
    if first:
        who = (first.group("who") or "").replace("-", " ")
        event = first.group("event")
        return Said(
            "follow", "race", "first_finisher", sex=_SEXES.get(who), event=_clean(event) if event else None
        )
    for pattern in _WORKFLOW:
        found = pattern.match(rest)
        if found:
            what = found.group("what")
            workflow = (
                "score_copernico"
                if "scor" in what
                else "sync_registrations"
                if "registration" in what
                else "sync_results"
            )
            return Said(
                "follow", "workflow", "workflow_done", workflow=workflow, event=_clean(found.group("event"))
            )
    for pattern in _FINAL:
        found = pattern.match(rest)
        if found:
            return Said("follow", "edition", "final", event=_clean(found.group("event")))
    finishes = _FINISHES.match(rest)
    if finishes:
        runner = _runner(finishes.group("who"), original)
        if runner is None:
            return None
        said_event = finishes.group("event")
        return Said(
            "follow",
            "runner",
            "finish",
            bib=runner[0],
            name=runner[1],
            event=_clean(said_event) if said_event else None,
        )
    event = None
    tail = _EVENT_TAIL.search(rest)
    if tail:
        event, rest = _clean(tail.group("event")), rest[: tail.start()]
    passes = _PASSES.match(rest)
    if passes:
        runner = _runner(passes.group("who"), original)
        if runner is None:
            return None
        trigger, split = _point(passes.group("point"))
        return Said("follow", "runner", trigger, bib=runner[0], name=runner[1], split=split, event=event)
    return None


def _follow(rest: str, original: str) -> Said | None:
    rest = _clean(rest)
    event = None
    tail = _EVENT_TAIL.search(rest)
    if tail:
        event, rest = _clean(tail.group("event")), rest[: tail.start()]
    runner = _runner(rest, original)
    if runner is None:
        return None
    return Said("follow", "runner", "every_split", bib=runner[0], name=runner[1], event=event)


def _stop(verb: str, rest: str, original: str) -> Said | None:
    rest = _clean(rest)
    if verb in ("unfollow", "unsubscribe"):
        who = re.sub(r"^(?:from\s+)?", "", rest)
    else:
        target = _STOP_TARGET.search(rest)
        who = target.group("who") if target else ""
    who = _clean(re.sub(r"^(?:me\s+)?(?:about\s+)?", "", who))
    if not who or re.fullmatch(
        r"(?:all|everything|everyone|anything|all of (?:them|it)|any of (?:them|it))", who
    ):
        return Said("unfollow", "all")
    event = None
    tail = _EVENT_TAIL.search(who)
    if tail:
        event, who = _clean(tail.group("event")), who[: tail.start()]
    runner = _runner(who, original)
    if runner is not None:
        return Said("unfollow", "runner", bib=runner[0], name=runner[1], event=event)
    return Said("unfollow", "edition", event=_clean(who))


def read(text: str, today: date) -> Said | None:
    """What `text` asks about follows or the live view, or None."""
    original = text.strip()
    said_text = normalize(original)
    if not said_text or len(said_text) > 300:
        return None
    if _LIST.search(said_text):
        return Said("list")
    said: Said | None = None
    stop = _STOP.match(said_text)
    tell = _TELL.match(said_text)
    follow = _FOLLOW.match(said_text)
    if stop and re.search(
        r"\b(?:notif\w*|follow\w*|unfollow|unsubscribe|track\w*|alert\w*|tell\w*|updat\w*|"
        r"messag\w*|push\w*|ping\w*|watch\w*)\b",
        said_text,
    ):
        said = _stop(stop.group("verb"), stop.group("rest"), original)
    elif tell:
        said = _tell(tell.group("rest"), original)
    elif follow:
        said = _follow(follow.group("rest"), original)
    else:
        for pattern in _LIVE:
            found = pattern.match(said_text)
            words = found.group("event").strip() if found else ""
            if found and words not in ("", "results") and not _QUESTION.match(words):
                said = Said("live", event=_clean(found.group("event")))
                break
    return _with_year(said, today) if said is not None else None
