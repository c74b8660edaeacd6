"""Runners named in a question: pairs of free words that are a first and a last name in the tenant's data.

Exact pairs are found with one indexed lookup; a misspelt name ("Kimbrly Brewer") is accepted only when
one of its two words is exact and the pair is close to exactly one name that exists.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from racehub.ask.directory import Directory, PersonRow
from racehub.ask.parse.facts import Facts, PersonMention
from racehub.ask.parse.ledger import Ledger
from racehub.ask.parse.lexicon import DOMAIN_WORDS, FILLER
from racehub.db import Scope

NAME_WORD = re.compile(r"^[a-z][a-z'\-]*$")
NOT_NAMES = FILLER | frozenset({"did", "does", "was", "were", "finish", "finished", "place", "time", "bib"})


def _candidate_pairs(ledger: Ledger) -> list[tuple[int, str, str]]:
    pairs = []
    for i in range(len(ledger.tokens) - 1):
        a, b = ledger.tokens[i], ledger.tokens[i + 1]
        if not (ledger.free(i) and ledger.free(i + 1)):
            continue
        if not (NAME_WORD.match(a) and NAME_WORD.match(b)):
            continue
        if a in NOT_NAMES and b in NOT_NAMES:
            continue
        pairs.append((i, a, b))
        # a hyphenated last name was split by the tokenizer: "smith jones" may be "smith-jones"
        if i + 2 < len(ledger.tokens) and ledger.free(i + 2) and NAME_WORD.match(ledger.tokens[i + 2]):
            pairs.append((i, a, f"{b}-{ledger.tokens[i + 2]}"))
    return pairs[:60]


def people(ledger: Ledger, facts: Facts, directory: Directory, scope: Scope, org_ids: Sequence[int]) -> None:
    pairs = _candidate_pairs(ledger)
    if not pairs:
        return
    rows = directory.persons_named(scope, [(a, b) for _, a, b in pairs], org_ids)
    by_name: dict[tuple[str, str], list[PersonRow]] = {}
    for r in rows:
        by_name.setdefault((r.first, r.last), []).append(r)
    for i, a, b in pairs:
        found = by_name.get((a, b))
        if not found:
            continue
        width = 3 if "-" in b and b not in ledger.tokens else 2
        if not all(ledger.free(k) for k in range(i, i + width)):
            continue
        ledger.claim(i, i + width, "person")
        label = f"{found[0].first_name} {found[0].last_name}"
        facts.persons.append(
            PersonMention(a, b, i, i + width, tuple(sorted(r.person_id for r in found)), label)
        )


def misspelt_people(
    ledger: Ledger, facts: Facts, directory: Directory, scope: Scope, org_ids: Sequence[int]
) -> None:
    """A name with one word misspelt, when the rest of the question leaves two unknown words together."""
    pairs = [
        (i, a, b)
        for i, a, b in _candidate_pairs(ledger)
        if "-" not in b and not ({a, b} & (FILLER | DOMAIN_WORDS)) and min(len(a), len(b)) >= 3
    ]
    if not pairs:
        return
    rows = directory.persons_sharing(
        scope, list(itertools.chain.from_iterable((a, b) for _, a, b in pairs)), org_ids
    )
    from racehub.ask.parse import known_words

    known = known_words()
    for i, a, b in pairs:
        said = f"{a} {b}"
        scored: dict[tuple[str, str], float] = {}
        for r in rows:
            if r.first != a and r.last != b:
                continue
            other, real = (b, r.last) if r.first == a else (a, r.first)
            # the misspelt word: not a word RaceHub knows, and close to the name on its own
            if other in known or fuzz.ratio(other, real) < 80:
                continue
            score = fuzz.ratio(said, f"{r.first} {r.last}")
            if score >= 85:
                scored[(r.first, r.last)] = max(score, scored.get((r.first, r.last), 0.0))
        if len(scored) != 1:
            continue
        (first, last), _ = next(iter(scored.items()))
        found = [r for r in rows if (r.first, r.last) == (first, last)]
        ledger.claim(i, i + 2, "person")
        label = f"{found[0].first_name} {found[0].last_name}"
        facts.persons.append(
            PersonMention(first, last, i, i + 2, tuple(sorted(r.person_id for r in found)), label, fuzzy=True)
        )
        facts.notes.append(f"'{said}' read as {label}")
        return
