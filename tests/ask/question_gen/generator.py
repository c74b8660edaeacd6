"""The generator: every category of question in fixed proportions, in a seeded order."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from tests.ask.bundle_reference import (
    Bundle,
)
from tests.ask.question_gen.base import BUNDLE, Item, Skip
from tests.ask.question_gen.catalogue import CatalogueQuestions
from tests.ask.question_gen.counts import CountQuestions
from tests.ask.question_gen.measures import MeasureQuestions
from tests.ask.question_gen.people import PeopleQuestions
from tests.ask.question_gen.rankings import RankingQuestions
from tests.ask.question_gen.refusals import NotAnsweredQuestions


class Generator(
    CountQuestions,
    RankingQuestions,
    MeasureQuestions,
    PeopleQuestions,
    CatalogueQuestions,
    NotAnsweredQuestions,
):
    """Samples readings over the bundle and writes each as a question with its gold expectation."""

    # (category, share of the questions, the method that writes one)
    CATEGORIES: ClassVar[tuple[tuple[str, int, str], ...]] = (
        ("count", 12, "count"),
        ("registrations", 7, "registrations"),
        ("distinct", 4, "distinct_count"),
        ("list", 4, "names_list"),
        ("top_n", 6, "top_n"),
        ("nth_place", 3, "nth_place"),
        ("winner", 5, "winner"),
        ("awards", 4, "awards"),
        ("age_group", 4, "age_group"),
        ("time_agg", 8, "time_agg"),
        ("bands", 2, "bands"),
        ("age_agg", 3, "age_agg"),
        ("percent", 5, "percentage"),
        ("compare", 4, "compare"),
        ("series", 3, "series"),
        ("group", 3, "group"),
        ("record", 2, "record"),
        ("repeat", 3, "repeat"),
        ("runner", 8, "runner"),
        ("catalogue", 5, "catalogue"),
        ("report", 3, "report"),
        ("clarify", 4, "clarify"),
        ("unanswerable", 2, "unanswerable"),
        ("refused", 3, "refused"),
    )

    def __init__(self, bundle: Bundle, seed: int) -> None:
        super().__init__(bundle, seed)
        self.makers: list[tuple[str, float, Callable[[], Item]]] = [
            (name, weight, getattr(self, method)) for name, weight, method in self.CATEGORIES
        ]

    # ------------------------------------------------------------------ driving

    def items(self, n: int) -> list[Item]:
        """`n` questions, the categories in the makers' proportions, in a seeded order."""
        total = sum(w for _, w, _ in self.makers)
        quotas = [max(1, round(n * w / total)) for _, w, _ in self.makers]
        while sum(quotas) > n:
            quotas[quotas.index(max(quotas))] -= 1
        while sum(quotas) < n:
            quotas[quotas.index(max(quotas))] += 1
        made: list[Item] = []
        seen: set[str] = set()
        for (_, _, maker), quota in zip(self.makers, quotas, strict=True):
            got, tries = 0, 0
            while got < quota:
                tries += 1
                if tries > quota * 200:
                    raise RuntimeError(f"{maker.__name__} cannot make {quota} questions")
                try:
                    item = maker()
                except Skip:
                    continue
                key = item.question.lower()
                if key in seen:
                    continue
                seen.add(key)
                made.append(item)
                got += 1
        self.rng.shuffle(made)
        return made


def generate(n: int, seed: int, bundle: Bundle | None = None) -> list[dict[str, Any]]:
    """`n` questions with gold, the same for the same seed."""
    gen = Generator(bundle or Bundle(BUNDLE), seed)
    return [item.as_json(f"g{seed}-{i:05d}") for i, item in enumerate(gen.items(n))]


def sample(items: Iterable[dict[str, Any]], k: int, seed: int) -> list[dict[str, Any]]:
    """A fixed sample that keeps every category (at least 3 of each where there are)."""
    rng = random.Random(seed)
    by_cat: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_cat[item["category"]].append(item)
    total = sum(len(v) for v in by_cat.values())
    picked: list[dict[str, Any]] = []
    for cat in sorted(by_cat):
        pool = by_cat[cat]
        want = max(3, round(k * len(pool) / total))
        picked += rng.sample(pool, min(want, len(pool)))
    return picked
