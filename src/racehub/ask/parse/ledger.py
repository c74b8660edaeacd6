"""A question's words and which recogniser used each one.

The question becomes tokens (lower case, accents and contractions unfolded). Recognisers search the
tokens that are still free and claim the ones they use; what is left at the end must be words that
carry nothing here (`lexicon.FILLER`), or the reading is incomplete and is never answered as it stands.

Recognisers search with regular expressions over `Ledger.text()`: the free tokens joined by single
spaces, each claimed token written as `_`, so a pattern cannot run across a word another recogniser
already used.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "`": "'"}
)

# Contractions unfolded before splitting ("didn't" -> "did not"); possessive 's is dropped.
_CONTRACTIONS = [
    (re.compile(r"\b(can)'?t\b"), r"\1 not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
    (re.compile(r"\b(what|who|where|when|how|that|there|it|here)'s\b"), r"\1 is"),
    (re.compile(r"\b(i)'m\b"), r"\1 am"),
    (re.compile(r"\b(\w+)'re\b"), r"\1 are"),
    (re.compile(r"\b(\w+)'ve\b"), r"\1 have"),
    (re.compile(r"\b(\w+)'ll\b"), r"\1 will"),
    (re.compile(r"\b(dq|dnf|dns)'?(?:e?d)\b"), r"\1d"),
    (re.compile(r"\b(i|we|you|they|who|he|she)'d\b"), r"\1 would"),
    (re.compile(r"(\w)'s\b"), r"\1"),
    (re.compile(r"(\w)s'(?=\s|$)"), r"\1s"),
]

# One token: a time (1:25:18.3), a division code (m40-44), a range (40-44, 2023-2025), a number with a
# unit or suffix (5k, 13.1, 2nd, 50+, 25%), a word (with inner apostrophes or hyphens), or & # $ %.
_TOKEN = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"|[mfwx]\s?\d{1,2}\s?-\s?\d{1,2}(?![\d:])"
    r"|\d{1,4}\s?-\s?\d{1,4}(?![\d:])"
    r"|\d[\d,]*(?:\.\d+)?(?:[a-z]+|%|\+)?"
    r"|[a-z]+(?:['\-][a-z]+)*"
    r"|[&#$%+/]"
)


def fold(text: str) -> str:
    """Lower case, no accents, straight quotes and plain dashes."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def words_of(text: str) -> list[str]:
    """The tokens of a text (a question, an event's name, a club's name), as the parser sees them."""
    text = fold(text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        token = re.sub(r"\s+", "", m.group(0))
        if re.fullmatch(r"\d{1,3}(,\d{3})+", token):
            token = token.replace(",", "")
        elif "," in token:
            token = token.rstrip(",")
        if "-" in token and re.fullmatch(r"[a-z]+(-[a-z]+)+", token):
            # "half-marathon", "sign-ups", "non-binary": hyphenated words are compared joined and apart
            joined = token.replace("-", "")
            if joined in _JOINED:
                out.append(joined)
            else:
                out.extend(token.split("-"))
            continue
        out.append(token)
    return out


# Hyphenated words that are one word here.
_JOINED = frozenset({"nonbinary", "signups", "noshows", "noshow", "dropouts", "finishline", "startline"})


@dataclass
class Claim:
    start: int
    end: int  # exclusive
    by: str


@dataclass
class Ledger:
    """The tokens of one question and the spans each recogniser claimed."""

    tokens: list[str]
    claims: list[Claim] = field(default_factory=list)
    _owner: list[str | None] = field(default_factory=list)
    sentence_starts: frozenset[int] = frozenset({0})  # token indices that open a sentence

    @classmethod
    def of(cls, question: str) -> Ledger:
        tokens: list[str] = []
        starts = {0}
        for sentence in re.split(r"(?<=[.?!])\s+|\n+", question):
            starts.add(len(tokens))
            tokens.extend(words_of(sentence))
        return cls(tokens, [], [None] * len(tokens), frozenset(starts))

    # ------------------------------------------------------------------ reading

    def free(self, i: int) -> bool:
        return self._owner[i] is None

    def owner(self, i: int) -> str | None:
        return self._owner[i]

    def text(self) -> str:
        """Free tokens joined by spaces; claimed ones as `_`."""
        return " ".join(t if o is None else "_" for t, o in zip(self.tokens, self._owner, strict=True))

    def _offsets(self) -> list[int]:
        offsets, pos = [], 0
        for i, t in enumerate(self.tokens):
            offsets.append(pos)
            pos += (len(t) if self._owner[i] is None else 1) + 1
        return offsets

    def span_of(self, start_char: int, end_char: int) -> tuple[int, int]:
        """Token indices [a, b) covered by a character span of `text()`."""
        offsets = self._offsets()
        a = next(i for i, o in enumerate(offsets) if o >= start_char) if start_char else 0
        b = a
        while b < len(offsets) and offsets[b] < end_char:
            b += 1
        return a, b

    def search(self, pattern: re.Pattern[str] | str) -> Iterator[tuple[re.Match[str], int, int]]:
        """Matches over the free text that start and end on token boundaries, with their token spans."""
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
        text = self.text()
        for m in compiled.finditer(text):
            if m.group(0)[:1] == " ":
                # an optional part matched nothing but its space: match again from the word itself
                again = compiled.match(text, m.start() + len(m.group(0)) - len(m.group(0).lstrip()))
                if again is None:
                    continue
                m = again
            if m.start() == m.end():
                continue
            # a trailing optional space ("the ") ends the match at the word before it
            end = m.start() + len(m.group(0).rstrip())
            if m.start() > 0 and text[m.start() - 1] != " ":
                continue
            if end < len(text) and text[end] != " ":
                continue
            a, b = self.span_of(m.start(), end)
            # a pattern may step over claimed words (written "_") but must start and end on free ones;
            # claiming leaves the claimed words with their owner
            if self._owner[a] is None and self._owner[b - 1] is None:
                yield m, a, b

    def first(self, pattern: re.Pattern[str] | str) -> tuple[re.Match[str], int, int] | None:
        return next(self.search(pattern), None)

    def take(self, pattern: re.Pattern[str] | str, by: str) -> re.Match[str] | None:
        """Claim the first free match of `pattern`; its match object, or None."""
        hit = self.first(pattern)
        if hit is None:
            return None
        m, a, b = hit
        self.claim(a, b, by)
        return m

    def take_all(self, pattern: re.Pattern[str] | str, by: str) -> list[re.Match[str]]:
        found = []
        while (m := self.take(pattern, by)) is not None:
            found.append(m)
        return found

    def has(self, pattern: re.Pattern[str] | str) -> bool:
        """Whether a free match exists (claims nothing)."""
        return self.first(pattern) is not None

    def anywhere(self, pattern: str) -> bool:
        """Whether the pattern matches the whole question, claimed words included."""
        return re.search(rf"(?<![\w']){pattern}(?![\w'])", " ".join(self.tokens)) is not None

    # ------------------------------------------------------------------ claiming

    def claim(self, start: int, end: int, by: str) -> None:
        for i in range(start, end):
            if self._owner[i] is None:
                self._owner[i] = by
        self.claims.append(Claim(start, end, by))

    def claim_words(self, words: frozenset[str] | set[str], by: str) -> None:
        for i, t in enumerate(self.tokens):
            if self._owner[i] is None and t in words:
                self._owner[i] = by

    def left(self) -> list[tuple[int, str]]:
        return [(i, t) for i, t in enumerate(self.tokens) if self._owner[i] is None]

    def used_by(self, by: str) -> list[str]:
        return [t for t, o in zip(self.tokens, self._owner, strict=True) if o == by]
