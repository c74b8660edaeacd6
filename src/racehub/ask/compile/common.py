"""Shared pieces of compiling an Intent to SQL: the Query, filters, scope and wording."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from racehub.ask.catalog import race_kinds
from racehub.ask.intent import Intent, Scope
from racehub.ask.text import STATE_NAMES, normalize
from racehub.timefmt import format_ms

Summarize = Callable[[list[str], list[list[Any]]], str]


class NeedsChoice(Exception):
    """The question leaves a choice the compiler must not guess (several races, say)."""

    def __init__(self, message: str, choices: Sequence[str]) -> None:
        super().__init__(message)
        self.message = message
        self.choices = tuple(choices)


@dataclass
class Query:
    sql: str
    params: dict[str, Any]
    summarize: Summarize
    title: str = ""
    notes: list[str] = field(default_factory=list)


SUBJECT_WHERE = {
    "finishers": "status = 'FIN'",
    "dnf": "status = 'DNF'",
    "dns": "status = 'DNS'",
    "dq": "status = 'DQ'",
    "starters": "status IN ('FIN', 'DNF', 'DQ')",
    "non_finishers": "status <> 'FIN'",
}

SUBJECT_WORDS = {
    "finishers": "finishers",
    "registered": "registered",
    "dnf": "did not finish",
    "dns": "did not start",
    "dq": "disqualified",
    "starters": "starters",
    "non_finishers": "non-finishers",
}

SEX_WORDS = {"F": "women", "M": "men", "X": "non-binary runners"}

SEX_ADJ = {"F": "women's", "M": "men's", "X": "non-binary"}

SEX_ADJ_PLAIN = {"F": "women", "M": "men", "X": "non-binary"}


def n(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def describe_scope(intent: Intent) -> str:
    scope = intent.scope
    if scope is None:
        return "all your events" + (f" in {intent.years[0]}" if len(intent.years) == 1 else "")
    races = scope.races()
    race_names = sorted({r.name for _, r in races})
    years = sorted({ed.year for ed in scope.editions})
    year_text = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}" if years else ""
    if len(race_names) == 1 and (
        scope.race_explicit
        or len({r.name for ed in scope.editions for r in ed.races}) > 1
        or race_names[0].lower() not in scope.series.name.lower()
    ):
        race = race_names[0]
        if scope.series.name.lower().endswith(race.lower()):
            # "the 2025 Harbor Half Marathon (Half Marathon)", not "... Half Marathon Half Marathon"
            return f"the {year_text} {scope.series.name} ({race})".replace("  ", " ")
        return f"the {year_text} {scope.series.name} {race}".replace("  ", " ")
    return f"the {year_text} {scope.series.name}".replace("  ", " ")


def filter_words(intent: Intent) -> str:
    return " ".join(x for x in (age_words(intent), place_words(intent)) if x)


def age_words(intent: Intent) -> str:
    if intent.age_label == "masters":
        return "masters (40+)"
    if intent.age_min is not None and intent.age_max is not None:
        return f"aged {intent.age_min}-{intent.age_max}"
    if intent.age_min is not None:
        return f"aged {intent.age_min}+"
    if intent.age_max is not None:
        return f"aged {intent.age_max} and under"
    return ""


def place_words(intent: Intent) -> str:
    parts = []
    if intent.state:
        word = "not from" if intent.state_excluded else "from"
        parts.append(f"{word} {STATE_NAMES.get(intent.state, intent.state)}")
    if intent.city:
        parts.append(f"from {intent.city}")
    if intent.team:
        parts.append(f"of {intent.team}")
    if intent.source:
        parts.append(f"via {intent.source}")
    if intent.time_max_ms:
        parts.append(f"under {format_ms(intent.time_max_ms, tenths=False)}")
    if intent.time_min_ms:
        parts.append(f"over {format_ms(intent.time_min_ms, tenths=False)}")
    return " ".join(parts)


# Sorts age-group labels by their lower bound ("14 & under" first, "80 & over" last).
AGE_GROUP_ORDER = (
    "CASE WHEN age_group LIKE '%under' THEN -1 "
    "ELSE coalesce(substring(age_group from '^[0-9]+')::int, 999) END"
)


class Builder:
    """Accumulates WHERE clauses and bind parameters."""

    def __init__(self) -> None:
        self.where: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, clause: str, **params: Any) -> None:
        self.where.append(clause)
        self.params.update(params)

    def sql(self) -> str:
        return " AND ".join(self.where) if self.where else "true"


def scope_races(intent: Intent, *, prefer_namesake: bool) -> list[int] | None:
    """Race ids the question covers; with prefer_namesake an unnamed race means the event's namesake race."""
    scope = intent.scope
    if scope is None:
        return None
    chosen = scope.races()
    if not scope.race_explicit and prefer_namesake:
        names = {r.name for _, r in chosen}
        if len(names) > 1:
            namesake = _namesake(scope)
            if namesake:
                chosen = [(ed, r) for ed, r in chosen if r.kind == namesake]
    return [r.race_id for _, r in chosen]


def _namesake(scope: Scope) -> str | None:
    kinds = [k for k, _, _ in race_kinds(normalize(scope.series.name))]
    available = {r.kind for ed in scope.editions for r in ed.races}
    for kind in kinds:
        if kind in available:
            return kind
    return None


def several_races(intent: Intent, race_ids: list[int]) -> list[str]:
    assert intent.scope is not None
    return sorted({r.name for _, r in intent.scope.races() if r.race_id in race_ids})


def base_filters(
    intent: Intent,
    b: Builder,
    *,
    race_ids: list[int] | None,
    view: str = "q_results",
    subject: str | None = None,
) -> None:
    if race_ids is not None:
        b.add("race_id IN :race_ids", race_ids=race_ids)
    elif intent.years:
        b.add("year IN :years", years=list(intent.years))
    subject = subject or intent.subject
    if view == "q_results" and subject in SUBJECT_WHERE:
        b.add(SUBJECT_WHERE[subject])
    if intent.sex:
        b.add("sex = :sex", sex=intent.sex)
    if intent.age_min is not None:
        b.add("age >= :age_min", age_min=intent.age_min)
    if intent.age_max is not None:
        b.add("age <= :age_max", age_max=intent.age_max)
    if intent.state and intent.state_excluded:
        b.add("state <> :state", state=intent.state)
    elif intent.state:
        b.add("state = :state", state=intent.state)
    if intent.city:
        b.add("lower(city) = lower(:city)", city=intent.city)
    if intent.team:
        b.add("lower(team) = lower(:team)", team=intent.team)
    if intent.source:
        b.add("registration_source = :source", source=intent.source)
    if view == "q_results":
        if intent.time_max_ms is not None:
            b.add("placement_ms < :time_max_ms", time_max_ms=intent.time_max_ms)
        if intent.time_min_ms is not None:
            b.add("placement_ms > :time_min_ms", time_min_ms=intent.time_min_ms)


def _dims(intent: Intent, race_ids: list[int] | None) -> list[str]:
    """Columns that split a figure: the year when several editions, the race when several races."""
    dims = []
    if intent.scope is None:
        dims.append("event_name")
        if len(intent.years) != 1:
            dims.append("year")
        return dims
    if len(intent.scope.editions) > 1:
        dims.append("year")
    if race_ids is not None and len(several_races(intent, race_ids)) > 1:
        dims.append("race_name")
    return dims


def place_word(place: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(place, f"{place}th")
