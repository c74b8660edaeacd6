"""The scoring rules: places by placement time with competition ranking, age groups, and awards.

Pure functions over plain values so every rule can be checked by hand-built cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SEX_ORDER = {"F": 0, "M": 1, "X": 2}
CATEGORY_ORDER = {"overall": 0, "masters": 1, "age_group": 2}


@dataclass(frozen=True)
class AwardRules:
    overall_award_depth: int = 3
    masters_award_depth: int = 0
    masters_min_age: int = 40
    ag_award_depth: int = 3
    age_group_width: int = 5
    exclude_award_winners_from_ag: bool = True


@dataclass(frozen=True)
class Finisher:
    entry_id: int
    sex: str
    age: int | None
    placement_ms: int


@dataclass(frozen=True)
class Placement:
    overall_place: int
    sex_place: int
    age_group: str | None
    age_group_place: int | None


@dataclass(frozen=True)
class AwardWin:
    entry_id: int
    category: str  # overall | masters | age_group
    sex: str
    age_group: str | None
    award_place: int


def age_group(age: int | None, width: int) -> str | None:
    """The age-group label for an age on race day (5- or 10-year bands)."""
    if age is None:
        return None
    if width == 5:
        if age <= 14:
            return "14 & under"
        if age >= 80:
            return "80 & over"
        low = age // 5 * 5
        return f"{low}-{low + 4}"
    if width == 10:
        if age <= 19:
            return "19 & under"
        if age >= 70:
            return "70 & over"
        low = age // 10 * 10
        return f"{low}-{low + 9}"
    raise ValueError(f"age_group_width must be 5 or 10, got {width}")


def age_group_sort_key(label: str | None) -> int:
    """Sort age-group labels by their lower bound."""
    if not label:
        return 999
    if label.endswith("& under"):
        return -1
    return int(label.split("-")[0].split(" ")[0])


def competition_ranks(finishers: Sequence[Finisher]) -> dict[int, int]:
    """Places 1, 2, 2, 4 by placement time; `finishers` in any order."""
    ordered = sorted(finishers, key=lambda f: (f.placement_ms, f.entry_id))
    ranks: dict[int, int] = {}
    previous_ms: int | None = None
    place = 0
    for position, f in enumerate(ordered, start=1):
        if f.placement_ms != previous_ms:
            place = position
            previous_ms = f.placement_ms
        ranks[f.entry_id] = place
    return ranks


def place_finishers(finishers: Sequence[Finisher], width: int) -> dict[int, Placement]:
    """Overall, sex and age-group places of a race's finishers."""
    overall = competition_ranks(finishers)
    by_sex: dict[str, list[Finisher]] = defaultdict(list)
    by_group: dict[tuple[str, str | None], list[Finisher]] = defaultdict(list)
    groups = {f.entry_id: age_group(f.age, width) for f in finishers}
    for f in finishers:
        by_sex[f.sex].append(f)
        by_group[(f.sex, groups[f.entry_id])].append(f)
    sex_places: dict[int, int] = {}
    for members in by_sex.values():
        sex_places.update(competition_ranks(members))
    group_places: dict[int, int] = {}
    for (_, label), members in by_group.items():
        if label is not None:
            group_places.update(competition_ranks(members))
    return {
        f.entry_id: Placement(
            overall_place=overall[f.entry_id],
            sex_place=sex_places[f.entry_id],
            age_group=groups[f.entry_id],
            age_group_place=group_places.get(f.entry_id),
        )
        for f in finishers
    }


def _top(members: Iterable[Finisher], depth: int) -> list[tuple[Finisher, int]]:
    pool = list(members)
    if depth <= 0 or not pool:
        return []
    ranks = competition_ranks(pool)
    chosen = [(f, ranks[f.entry_id]) for f in pool if ranks[f.entry_id] <= depth]
    return sorted(chosen, key=lambda pair: (pair[1], pair[0].entry_id))


def awards(finishers: Sequence[Finisher], rules: AwardRules) -> list[AwardWin]:
    """Award winners per sex: overall, then masters, then age groups (no double awards if excluded)."""
    wins: list[AwardWin] = []
    by_sex: dict[str, list[Finisher]] = defaultdict(list)
    for f in finishers:
        by_sex[f.sex].append(f)
    for sex in sorted(by_sex, key=lambda s: SEX_ORDER.get(s, 9)):
        members = by_sex[sex]
        awarded: set[int] = set()
        for f, place in _top(members, rules.overall_award_depth):
            wins.append(AwardWin(f.entry_id, "overall", sex, None, place))
            awarded.add(f.entry_id)
        masters_pool = [
            f
            for f in members
            if f.age is not None and f.age >= rules.masters_min_age and f.entry_id not in awarded
        ]
        for f, place in _top(masters_pool, rules.masters_award_depth):
            wins.append(AwardWin(f.entry_id, "masters", sex, None, place))
            awarded.add(f.entry_id)
        groups: dict[str, list[Finisher]] = defaultdict(list)
        for f in members:
            label = age_group(f.age, rules.age_group_width)
            if label is None:
                continue
            if rules.exclude_award_winners_from_ag and f.entry_id in awarded:
                continue
            groups[label].append(f)
        for label in sorted(groups, key=age_group_sort_key):
            for f, place in _top(groups[label], rules.ag_award_depth):
                wins.append(AwardWin(f.entry_id, "age_group", sex, label, place))
    return wins
