"""A question's context for the next message: the clarify choices it offered, and the reading it answered.

After a `clarify`, the next message is first tried as a choice: its number ("2", "#2", "the second one",
"option 2"), the choice's text with or without "the", or a part of it that only that choice has ("the
5K", "1 mile fun run"). A pick answers the original question with the choice applied; anything else is
a new question. After an answer, a short message that changes one thing ("and in 2024?", "what about
the women?") is read against the previous question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from racehub.ask.parse.ledger import words_of
from racehub.ask.reading import Choice, Reading

ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}
FILLER = {
    "the",
    "a",
    "an",
    "one",
    "option",
    "choice",
    "number",
    "no",
    "please",
    "pls",
    "i",
    "mean",
    "meant",
    "it",
    "is",
    "that",
    "this",
    "yes",
    "ok",
    "okay",
    "go",
    "with",
    "take",
    "pick",
    "answer",
    "for",
    "#",
}


@dataclass(frozen=True)
class Context:
    """What the next message in a conversation is read against."""

    question: str
    today: date
    reading: Reading | None = None
    choices: tuple[Choice, ...] = ()
    binding: dict[str, Any] = field(default_factory=dict)


FOLLOW_UP = re.compile(
    r"^(and|what about|how about|same for|same but|same thing for|now|ok|also|then|but|only|just|"
    r"and what about|and how about|what if|for)\b"
)


def pick(message: str, choices: tuple[Choice, ...]) -> Choice | None:
    """The choice a reply names, or None when it names none (or several)."""
    if not choices:
        return None
    words = [w for w in words_of(message) if w not in FILLER]
    text = " ".join(words)
    if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", text):
        k = int(m.group(1))
        return choices[k - 1] if 1 <= k <= len(choices) else None
    if text in ORDINAL_WORDS:
        k = ORDINAL_WORDS[text]
        return choices[k] if k == -1 else (choices[k - 1] if k <= len(choices) else None)
    if not words:
        return None
    labels = [" ".join(w for w in words_of(c.label) if w not in FILLER) for c in choices]
    exact = [c for c, label in zip(choices, labels, strict=True) if label == text]
    if len(exact) == 1:
        return exact[0]
    # what the choice binds, said alone: "the marathon" for the race "Marathon", "2024" for a year
    named = [
        c
        for c in choices
        if any(
            " ".join(w for w in words_of(str(v)) if w not in FILLER) == text
            for v in c.binding.values()
            if isinstance(v, str | int) and not isinstance(v, bool)
        )
    ]
    if len(named) == 1:
        return named[0]
    # The words only one choice has: "the 5K" against "... Turkey Trot 5K" / "... 1 Mile Fun Run".
    sets = [set(label.split()) for label in labels]
    common = set.intersection(*sets) if sets else set()
    asked = set(words) - common
    if not asked:
        return None
    hits = [c for c, s in zip(choices, sets, strict=True) if asked <= s]
    if len(hits) == 1:
        return hits[0]
    # a distance said differently ("fun run" for "1 Mile Fun Run", "half" for "Half Marathon")
    hits = [
        c
        for c, s in zip(choices, sets, strict=True)
        if asked & (s - common) and not asked - s - common - {"race", "run", "marathon", "mile"}
    ]
    return hits[0] if len(hits) == 1 else None


def is_follow_up(message: str) -> bool:
    text = " ".join(words_of(message))
    return bool(FOLLOW_UP.search(text)) or len(text.split()) <= 4
