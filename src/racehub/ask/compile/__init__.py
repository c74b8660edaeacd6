"""Compiling an Intent to parameterised SQL over the curated q_* views, with the sentence that answers it."""

from racehub.ask.compile.common import Builder, NeedsChoice, Query, describe_scope, scope_races
from racehub.ask.compile.counts import compile_count, compile_group, compile_repeat
from racehub.ask.compile.listings import compile_awards, compile_events, compile_race_info
from racehub.ask.compile.measures import compile_aggregate, compile_superlative
from racehub.ask.compile.people import compile_person, compile_person_entries, compile_split, split_names_in
from racehub.ask.compile.ranked import compile_ranked, compile_record, compile_winner

__all__ = [
    "Builder",
    "NeedsChoice",
    "Query",
    "compile_aggregate",
    "compile_awards",
    "compile_count",
    "compile_events",
    "compile_group",
    "compile_person",
    "compile_person_entries",
    "compile_race_info",
    "compile_ranked",
    "compile_record",
    "compile_repeat",
    "compile_split",
    "compile_superlative",
    "compile_winner",
    "describe_scope",
    "scope_races",
    "split_names_in",
]
