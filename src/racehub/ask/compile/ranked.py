"""Ranked finishers: winners, top N, the Nth place, records."""

from __future__ import annotations

from typing import Any

from racehub.ask.compile.common import (
    SEX_ADJ,
    SEX_WORDS,
    Builder,
    NeedsChoice,
    Query,
    _dims,
    base_filters,
    describe_scope,
    filter_words,
    place_word,
    scope_races,
    several_races,
)
from racehub.ask.intent import Intent

RUNNER_COLUMNS = "first_name, last_name, sex, age, city, state, placement_ms AS time_ms"


def compile_ranked(intent: Intent, *, limit: int, place: int | None = None) -> Query:
    """Top finishers (or the one at `place`) by placement time, within the question's filters."""
    race_ids = scope_races(intent, prefer_namesake=True)
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, subject="finishers")
    partition = _dims(intent, race_ids)
    if (
        intent.scope is not None
        and race_ids is not None
        and "race_name" in partition
        and limit * len(several_races(intent, race_ids)) > 15
    ):
        races = several_races(intent, race_ids)
        raise NeedsChoice(f"{describe_scope(intent)} has {len(races)} races: which one?", races)
    over = f"PARTITION BY {', '.join(partition)} " if partition else ""
    direction = "DESC" if intent.order == "desc" else ""
    cut = "place = :place" if place else "place <= :limit"
    params = {"place": place} if place else {"limit": limit}
    dims = ", ".join(partition) + ", " if partition else ""
    sql = (
        f"SELECT {dims}place, bib, {RUNNER_COLUMNS} FROM ("
        f"SELECT *, rank() OVER ({over}ORDER BY placement_ms {direction}) AS place FROM q_results "
        f"WHERE {b.sql()}) ranked WHERE {cut} ORDER BY {dims}place, last_name LIMIT 50"
    )
    b.params.update(params)
    who = SEX_WORDS.get(intent.sex or "", "finishers")
    extra = filter_words(intent)

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No {who} {extra} finished {describe_scope(intent)}.".replace("  ", " ")
        i = {c: k for k, c in enumerate(columns)}

        def runner(r: list[Any]) -> str:
            return f"{r[i['first_name']]} {r[i['last_name']]} ({r[i['time']]})"

        if place:
            return (
                f"In {place_word(place)} place among {' '.join(x for x in (who, extra) if x)} at "
                f"{describe_scope(intent)}: " + "; ".join(runner(r) for r in rows) + "."
            )
        if limit == 1:
            word = "slowest" if intent.order == "desc" else "fastest"
            return (
                f"The {word} {_singular(who)} {extra} at {describe_scope(intent)}: ".replace("  ", " ")
                + "; ".join(runner(r) for r in rows)
                + "."
            )
        listed = "; ".join(f"{r[i['place']]}. {runner(r)}" for r in rows)
        word = "slowest" if intent.order == "desc" else "top"
        return f"The {word} {limit} {who} {extra} at {describe_scope(intent)}: {listed}.".replace("  ", " ")

    return Query(sql, b.params, summarize)


def _singular(who: str) -> str:
    return {
        "women": "woman",
        "men": "man",
        "finishers": "finisher",
        "non-binary runners": "non-binary runner",
    }.get(who, who)


def _runners_filtered(intent: Intent) -> bool:
    """Whether the question narrows the finishers by more than sex (so stored sex places don't apply)."""
    return any(
        v is not None
        for v in (
            intent.age_min,
            intent.age_max,
            intent.state,
            intent.team,
            intent.city,
            intent.source,
            intent.time_max_ms,
            intent.time_min_ms,
        )
    )


def compile_winner(intent: Intent) -> Query:
    if _runners_filtered(intent):
        return compile_ranked(intent.with_(order="asc"), limit=1)
    race_ids = scope_races(intent, prefer_namesake=True)
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, subject="finishers")
    b.add("sex_place = 1")
    dims = _dims(intent, race_ids)
    order = ", ".join([*dims, "CASE sex WHEN 'F' THEN 0 WHEN 'M' THEN 1 ELSE 2 END"])
    lead = ", ".join(dims) + ", " if dims else ""
    sql = (
        f"SELECT {lead}sex, overall_place, bib, first_name, last_name, age, city, state, "
        f"placement_ms AS time_ms FROM q_results WHERE {b.sql()} ORDER BY {order}"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No finishers are recorded for {describe_scope(intent)}."
        i = {c: k for k, c in enumerate(columns)}
        parts = []
        for r in rows:
            prefix = " ".join(str(r[i[d]]) for d in dims)
            label = f"{SEX_ADJ.get(r[i['sex']], r[i['sex']])} winner"
            overall = " — first overall" if r[i["overall_place"]] == 1 and not intent.sex else ""
            parts.append(
                f"{prefix + ' ' if prefix else ''}{label}: {r[i['first_name']]} {r[i['last_name']]} "
                f"in {r[i['time']]}{overall}"
            )
        return f"{describe_scope(intent)[0].upper()}{describe_scope(intent)[1:]} — " + "; ".join(parts) + "."

    return Query(sql, b.params, summarize)


def compile_record(intent: Intent) -> Query:
    race_ids = scope_races(intent, prefer_namesake=True)
    if intent.scope is not None and race_ids is not None and len(several_races(intent, race_ids)) > 1:
        races = several_races(intent, race_ids)
        raise NeedsChoice(f"{intent.scope.series.name} has {len(races)} races: which one's record?", races)
    b = Builder()
    base_filters(intent, b, race_ids=race_ids, subject="finishers")
    if not _runners_filtered(intent):
        # The fastest of a sex over many editions is the fastest of that sex in its own race: rank only
        # the races' sex winners (stored places, as winner answers use) instead of every finisher.
        b.add("sex_place = 1")
    sexes = "PARTITION BY sex " if not intent.sex else ""
    sql = (
        f"SELECT year, sex, first_name, last_name, age, placement_ms AS time_ms FROM ("
        f"SELECT *, rank() OVER ({sexes}ORDER BY placement_ms) AS record_rank FROM q_results "
        f"WHERE {b.sql()}) ranked WHERE record_rank = 1 ORDER BY placement_ms LIMIT 10"
    )

    def summarize(columns: list[str], rows: list[list[Any]]) -> str:
        if not rows:
            return f"No finishers recorded for {describe_scope(intent)}."
        best = rows[0]
        text = (
            f"The fastest time ever at {describe_scope(intent).replace('the  ', 'the ')} is {best[5]} by "
            f"{best[2]} {best[3]} ({best[0]})."
        )
        others = [r for r in rows[1:]]
        if others:
            text += (
                " "
                + "; ".join(
                    f"{SEX_ADJ.get(r[1], r[1])} record: {r[5]} by {r[2]} {r[3]} ({r[0]})" for r in others
                )
                + "."
            )
        return text

    return Query(sql, b.params, summarize)
