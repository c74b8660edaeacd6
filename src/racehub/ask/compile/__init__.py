"""Compiling a Reading to one parameterised SELECT over the curated q_* views, with the sentence that
answers it. Every measure composes with every filter: the filters are WHERE clauses built in one place
(`common.add_filters`), the measure is the SELECT around them."""

from __future__ import annotations

from datetime import date

from racehub.ask.compile.catalogue import (
    compile_awards,
    compile_events,
    compile_events_grouped,
    compile_races,
)
from racehub.ask.compile.common import NeedsChoice, Query, place_word
from racehub.ask.compile.counts import compile_count, compile_distinct, compile_share
from racehub.ask.compile.people import compile_list, compile_repeat, compile_runner, compile_split
from racehub.ask.compile.ranked import (
    compile_aggregate,
    compile_extreme_age,
    compile_histogram,
    compile_rank,
    compile_record,
)
from racehub.ask.reading import Kind, Reading

__all__ = ["NeedsChoice", "Query", "compile_reading", "place_word"]


def compile_reading(reading: Reading, today: date, *, counting_awards: bool = False) -> Query:
    kind = reading.kind
    if kind == Kind.COUNT:
        return compile_count(reading)
    if kind == Kind.DISTINCT:
        return compile_distinct(reading)
    if kind == Kind.SHARE:
        return compile_share(reading)
    if kind == Kind.RANK:
        return compile_rank(reading)
    if kind == Kind.RECORD:
        return compile_record(reading)
    if kind == Kind.EXTREME_AGE:
        return compile_extreme_age(reading)
    if kind == Kind.AGGREGATE:
        return compile_aggregate(reading)
    if kind == Kind.HISTOGRAM:
        return compile_histogram(reading)
    if kind == Kind.LIST:
        return compile_runner(reading) if reading.person is not None else compile_list(reading)
    if kind == Kind.SPLIT:
        return compile_split(reading)
    if kind == Kind.REPEAT:
        return compile_repeat(reading)
    if kind == Kind.AWARDS:
        return compile_awards(reading, counting=counting_awards)
    if kind == Kind.EVENTS:
        if reading.columns == ("company_events",):
            return compile_events_grouped(reading, today.isoformat())
        return compile_events(reading, today.isoformat())
    if kind == Kind.RACES:
        return compile_races(reading)
    raise NeedsChoice(f"I can't compute a {kind.value} answer.", ())
