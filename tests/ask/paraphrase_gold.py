"""Hand-written questions, as timing-company staff type them, with gold from the plain reference.

Written by hand, not from the generator's templates, so the engine is not tuned to one way of saying
things. Each question carries the reading it stands for (src/racehub/ask/README.md) as a small function over
the bundle; tests/ask/paraphrases.jsonl is written from this file:

    python -m tests.ask.paraphrase_gold > tests/ask/paraphrases.jsonl

and tests/ask/test_reference.py checks that the file still holds what the reference computes.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from typing import Any

from tests.ask.bundle_reference import KM_M, Bundle, Where, age_group, distinct
from tests.ask.gold_readings import (
    BOSTON,
    CHERRY,
    HARBOR,
    JINGLE,
    LAKESIDE,
    REFUSE,
    RIDGE,
    RIVER,
    SHAMROCK,
    TROT,
    P,
    Paraphrase,
    ages,
    awarded,
    bands,
    both,
    company,
    count,
    csv_of,
    difference,
    event_date,
    finished_all,
    finishes_at_least,
    names,
    no_edition,
    nth,
    person,
    race_list,
    races,
    record,
    returning,
    runner_history,
    runner_pace,
    runner_place,
    runner_split,
    runner_status,
    runner_time,
    same_name,
    several_races,
    share,
    start_time,
    status,
    top,
    top_group,
    total,
    tstat,
    window,
    winner,
    winning_time,
)
from tests.ask.question_gen import BUNDLE
from tests.ask.question_gen.base import numbers_of

# ---------------------------------------------------------------------- the questions

PARAPHRASES: list[Paraphrase] = [
    # counts
    P("ok how many finishers did we end up with at Boston this year?", "count", count(BOSTON, 2026)),
    P("Boston 2024 - how many women crossed the finish line?", "count", count(BOSTON, 2024, sex="F")),
    P("number of DNFs at the 2026 Blue Ridge 50K", "count", count(RIDGE, 2026, "50K", "dnf")),
    P(
        "Can you get me a headcount of starters for the 2024 Lakeside 10K",
        "count",
        count(LAKESIDE, 2024, pop="starters"),
    ),
    P(
        "how many folks from Maryland finished cherry blossom in 2025",
        "count",
        count(CHERRY, 2025, state="MD"),
    ),
    P(
        "# of masters men who finished the Shamrock Half in 2026",
        "count",
        count(SHAMROCK, 2026, "Half Marathon", sex="M", min_age=40),
    ),
    P(
        "how many runners aged 60 to 69 finished the harbor half marathon 5k last year",
        "count",
        count(HARBOR, 2025, "5K", min_age=60, max_age=69),
    ),
    P(
        "Tidewater Striders: how many of their people finished Jingle Bell 2024?",
        "count",
        count(JINGLE, 2024, team="Tidewater Striders"),
    ),
    P(
        "How many Pittsburgh locals finished the 2026 Riverfront 5K?",
        "count",
        count(RIVER, 2026, city="Pittsburgh"),
    ),
    P(
        "How many finishers went sub-4 at the 2025 Boston Marathon?",
        "count",
        count(BOSTON, 2025, under_ms=4 * 3_600_000),
    ),
    P("how many didn't show for the 2023 turkey trot 5k", "count", count(TROT, 2023, "5K", "dns")),
    P(
        "How many DQs did we have at the Shamrock Marathon Weekend in 2024, all races?",
        "count",
        count(SHAMROCK, 2024, pop="dq"),
    ),
    P(
        "how many F50-54 runners finished the lakeside 10k 2024",
        "count",
        count(LAKESIDE, 2024, sex="F", min_age=50, max_age=54),
    ),
    P(
        "How many under-20 finishers were there in the Blue Ridge 25K in 2025?",
        "count",
        count(RIDGE, 2025, "25K", max_age=19),
    ),
    P(
        "total finishers for the whole Shamrock weekend 2023, all three races together",
        "count",
        count(SHAMROCK, 2023),
    ),
    P("how many non-binary runners finished boston 2025", "count", count(BOSTON, 2025, sex="X")),
    P(
        "Quick one - finishers at the Cherry Blossom 10 Miler who live in Arlington, 2024?",
        "count",
        count(CHERRY, 2024, city="Arlington"),
    ),
    P(
        "how many guys in their 30s DNF'd the 2024 boston marathon",
        "count",
        count(BOSTON, 2024, pop="dnf", sex="M", min_age=30, max_age=39),
    ),
    # registrations
    P(
        "how many ppl have signed up for jingle bell so far",
        "registrations",
        count(JINGLE, 2026, pop="registrations"),
    ),
    P(
        "What's the registration count for the Richmond Turkey Trot 5K right now?",
        "registrations",
        count(TROT, 2026, "5K", "registrations"),
        date(2026, 11, 20),
    ),
    P(
        "registrations for the fun run at the turkey trot this year?",
        "registrations",
        count(TROT, 2026, "1 Mile Fun Run", "registrations"),
    ),
    P(
        "How many entries did the 2025 Shamrock Marathon get?",
        "registrations",
        count(SHAMROCK, 2025, "Marathon", "registrations"),
    ),
    P(
        "how many women registered for the blue ridge 25k in 2024",
        "registrations",
        count(RIDGE, 2024, "25K", "registrations", sex="F"),
    ),
    P(
        "How many Virginians are entered in this year's Jingle Bell Run?",
        "registrations",
        count(JINGLE, 2026, pop="registrations", state="VA"),
    ),
    P(
        "Total registrations across every Tidewater Timing event in 2024?",
        "registrations",
        total(2024, "tidewater-timing"),
    ),
    P(
        "How many 2025 entries came in through RunSignup, all events together?",
        "registrations",
        total(2025, source="runsignup"),
    ),
    P(
        "Boston 2026: how many registrants are from Massachusetts?",
        "registrations",
        count(BOSTON, 2026, pop="registrations", state="MA"),
    ),
    P(
        "How many Black Girls Run members are entered in the Turkey Trot next week? both races",
        "registrations",
        count(TROT, 2026, pop="registrations", team="Black Girls Run"),
        date(2026, 11, 19),
    ),
    P(
        "How many people registered for the 2024 Riverfront 5K from Ohio?",
        "registrations",
        count(RIVER, 2024, pop="registrations", state="OH"),
    ),
    # distinct counts
    P(
        "how many different running clubs were represented among 2025 Boston finishers?",
        "distinct",
        lambda b: {"number": distinct(b.finishers(*races(b, BOSTON, 2025)), "clubs"), "max_rows": 3},
    ),
    P(
        "how many states did the 2024 Cherry Blossom registrants come from",
        "distinct",
        lambda b: {
            "number": distinct(b.population(races(b, CHERRY, 2024), "registrations"), "states"),
            "max_rows": 3,
        },
    ),
    P(
        "In the 2026 Harbor Half Marathon, how many distinct hometowns do the finishers have?",
        "distinct",
        lambda b: {
            "number": distinct(b.finishers(*races(b, HARBOR, 2026, "Half Marathon")), "cities"),
            "max_rows": 3,
        },
    ),
    P(
        "How many unique people have finished the Boston Marathon across all four years?",
        "distinct",
        lambda b: {
            "number": distinct(b.finishers(*b.races_named(BOSTON, "Marathon")), "people"),
            "max_rows": 3,
        },
    ),
    P(
        "how many clubs had at least one finisher at the 2023 Jingle Bell Run",
        "distinct",
        lambda b: {"number": distinct(b.finishers(*races(b, JINGLE, 2023)), "clubs"), "max_rows": 3},
    ),
    P(
        "Number of different states among 2025 Shamrock Marathon Weekend finishers (all races)",
        "distinct",
        lambda b: {"number": distinct(b.finishers(*races(b, SHAMROCK, 2025)), "states"), "max_rows": 3},
    ),
    # lists of names
    P(
        "who were the DQs at Lakeside this year?",
        "list",
        names(LAKESIDE, 2026, None, "dq", broader="finishers"),
    ),
    P(
        "Which runners got disqualified at the 2024 Harbor Half Marathon event, both races?",
        "list",
        names(HARBOR, 2024, None, "dq", broader="finishers"),
    ),
    P(
        "names of everyone who DNF'd the 2023 turkey trot fun run",
        "list",
        names(TROT, 2023, "1 Mile Fun Run", "dnf", broader="finishers"),
    ),
    P(
        "who dropped out of the Jingle Bell Run in 2025?",
        "list",
        names(JINGLE, 2025, None, "dnf", broader="finishers"),
    ),
    P(
        "List the no-shows from West Virginia at the 2024 Riverfront 5K",
        "list",
        names(RIVER, 2024, None, "dns", state="WV"),
    ),
    P(
        "Who from Happy Feet Running Club won an award at the 2025 Lakeside 10K?",
        "list",
        names(LAKESIDE, 2025, None, "award winners", team="Happy Feet Running Club"),
    ),
    P(
        "which Peninsula Track Club runners finished the 2026 Blue Ridge 50K",
        "list",
        names(RIDGE, 2026, "50K", "finishers", team="Peninsula Track Club"),
    ),
    P("any DQs at Boston in 2023? who?", "list", names(BOSTON, 2023, None, "dq", broader="finishers")),
    # top N
    P("give me the top 3 women at Boston 2026", "top_n", top(BOSTON, 2026, "Marathon", 3, sex="F")),
    P("Top 10 overall at the 2024 Riverfront 5K please", "top_n", top(RIVER, 2024, "5K", 10)),
    P(
        "who were the 5 fastest men at the 2025 Cherry Blossom 10 Miler on chip time",
        "top_n",
        top(CHERRY, 2025, "10 Miler", 5, "chip", sex="M"),
    ),
    P(
        "top 3 finishers from North Carolina at the Blue Ridge 50K 2025",
        "top_n",
        top(RIDGE, 2025, "50K", 3, state="NC"),
    ),
    P(
        "Show me the top five masters men from the 2023 Shamrock Marathon",
        "top_n",
        top(SHAMROCK, 2023, "Marathon", 5, sex="M", min_age=40),
    ),
    P(
        "top 3 M50-54 at the 2026 Shamrock half",
        "top_n",
        top(SHAMROCK, 2026, "Half Marathon", 3, sex="M", min_age=50, max_age=54),
    ),
    P(
        "who were the first three Tidewater Striders home at the 2025 Turkey Trot 5K",
        "top_n",
        top(TROT, 2025, "5K", 3, team="Tidewater Striders"),
    ),
    P(
        "fastest 5 women over 60 at lakeside 10k 2023",
        "top_n",
        top(LAKESIDE, 2023, "10K", 5, sex="F", min_age=61),
    ),
    # the Nth place
    P(
        "who came in second among the women at the 2024 Boston Marathon",
        "nth_place",
        nth(BOSTON, 2024, "Marathon", 2, sex="F"),
    ),
    P("Who was 3rd overall in the 2025 Jingle Bell Run?", "nth_place", nth(JINGLE, 2025, "5K", 3)),
    P(
        "Who placed 4th in the men's race at Harbor Half Marathon 2023?",
        "nth_place",
        nth(HARBOR, 2023, "Half Marathon", 4, sex="M"),
    ),
    P(
        "who was runner-up overall at the 2023 Richmond Turkey Trot 5K?",
        "nth_place",
        nth(TROT, 2023, "5K", 2),
    ),
    P(
        "who finished fifth among masters women at the 2026 cherry blossom",
        "nth_place",
        nth(CHERRY, 2026, "10 Miler", 5, sex="F", min_age=40),
    ),
    # winners
    P("who won boston this year?", "winner", winner(BOSTON, 2026, "Marathon", None)),
    P(
        "Who was the women's champion at the 2024 Shamrock Marathon?",
        "winner",
        winner(SHAMROCK, 2024, "Marathon", "F"),
    ),
    P("men's winner of the 2023 lakeside 10k and his time", "winner", winner(LAKESIDE, 2023, "10K", "M")),
    P(
        "What was the winning women's time at the Cherry Blossom 10 Miler in 2024?",
        "winner",
        winning_time(CHERRY, 2024, "10 Miler", "F"),
    ),
    P("who won the women's 25K at blue ridge in 2026?", "winner", winner(RIDGE, 2026, "25K", "F")),
    P(
        "Who won the 1 mile fun run at the 2024 Turkey Trot?",
        "winner",
        winner(TROT, 2024, "1 Mile Fun Run", None),
    ),
    P("first woman home at the 2025 Harbor Half?", "winner", winner(HARBOR, 2025, "Half Marathon", "F")),
    P("who was the fastest guy at the 2026 riverfront 5k", "winner", winner(RIVER, 2026, "5K", "M")),
    # awards
    P(
        "who got the masters awards at the 2024 Boston Marathon",
        "awards",
        awarded(BOSTON, 2024, "Marathon", "Masters"),
    ),
    P(
        "Can you list the F40-44 age group award winners from the Shamrock Half 2025?",
        "awards",
        awarded(SHAMROCK, 2025, "Half Marathon", "40-44", "F"),
    ),
    P(
        "who won the male masters award at Harbor Half Marathon 2026?",
        "awards",
        awarded(HARBOR, 2026, "Half Marathon", "Masters", "M"),
    ),
    P(
        "Which men got M30-39 awards at the 2025 Blue Ridge 50K?",
        "awards",
        awarded(RIDGE, 2025, "50K", "30-39", "M"),
    ),
    P(
        "List every award winner at the 2024 Turkey Trot fun run",
        "awards",
        awarded(TROT, 2024, "1 Mile Fun Run", None),
    ),
    P(
        "overall award winners, 2025 Jingle Bell Run, women only",
        "awards",
        awarded(JINGLE, 2025, "5K", "Overall", "F"),
    ),
    P(
        "How many age group awards did we hand out at the 2023 Lakeside 10K?",
        "awards",
        lambda b: {
            "number": sum(
                1 for a in b.awards(races(b, LAKESIDE, 2023)[0]) if a.category not in ("Overall", "Masters")
            ),
            "max_rows": 30,
        },
    ),
    # age groups
    P(
        "fastest M40-44 at the 2025 Shamrock Marathon?",
        "age_group",
        top(SHAMROCK, 2025, "Marathon", 1, sex="M", min_age=40, max_age=44),
    ),
    P(
        "Who won the women's 60-64 age group at Boston 2024?",
        "age_group",
        top(BOSTON, 2024, "Marathon", 1, sex="F", min_age=60, max_age=64),
    ),
    P(
        "How many women 30-34 finished the 2026 Cherry Blossom?",
        "age_group",
        count(CHERRY, 2026, sex="F", min_age=30, max_age=34),
    ),
    P(
        "age group breakdown for the men at the 2023 Jingle Bell Run",
        "age_group",
        lambda b: {
            "numbers": [
                c
                for _, c in Counter(
                    age_group(e.age, 10) for e in b.finishers(*races(b, JINGLE, 2023), where=Where(sex="M"))
                ).most_common(3)
            ],
            "max_rows": 12,
        },
    ),
    P(
        "Quickest 19 & under girl at the 2025 Riverfront 5K?",
        "age_group",
        top(RIVER, 2025, "5K", 1, sex="F", max_age=19),
    ),
    P(
        "who won M70-74 at the 2024 boston marathon",
        "age_group",
        top(BOSTON, 2024, "Marathon", 1, sex="M", min_age=70, max_age=74),
    ),
    # time and pace
    P(
        "what was the average finishing time for the 2025 boston marathon",
        "time_agg",
        tstat(BOSTON, 2025, "Marathon", "mean"),
    ),
    P(
        "median chip time, 2024 Shamrock Half",
        "time_agg",
        tstat(SHAMROCK, 2024, "Half Marathon", "median", "chip"),
    ),
    P(
        "what's the avg gun time for women at the Lakeside 10K 2026?",
        "time_agg",
        tstat(LAKESIDE, 2026, "10K", "mean", "gun", sex="F"),
    ),
    P(
        "average pace per km for the 2025 Blue Ridge 50K",
        "time_agg",
        tstat(RIDGE, 2025, "50K", "mean", per=KM_M),
    ),
    P("What was the slowest finish at the 2025 Riverfront?", "time_agg", tstat(RIVER, 2025, "5K", "max")),
    P(
        "avg mile pace of the 2024 cherry blossom finishers from DC",
        "time_agg",
        tstat(CHERRY, 2024, "10 Miler", "mean", per=1609.344, state="DC"),
    ),
    P(
        "fastest chip time among masters women at the 2026 Boston marathon?",
        "time_agg",
        tstat(BOSTON, 2026, "Marathon", "min", "chip", sex="F", min_age=40),
    ),
    P(
        "mean finish time for the M40-44 guys at harbor half 2024",
        "time_agg",
        tstat(HARBOR, 2024, "Half Marathon", "mean", sex="M", min_age=40, max_age=44),
    ),
    P(
        "median pace per mile at the turkey trot 5k in 2024",
        "time_agg",
        tstat(TROT, 2024, "5K", "median", per=1609.344),
    ),
    P(
        "average chip time of the Capital Area Runners finishers at Cherry Blossom 2025",
        "time_agg",
        tstat(CHERRY, 2025, "10 Miler", "mean", "chip", team="Capital Area Runners"),
    ),
    # ages
    P("average age of the 2024 Boston Marathon finishers", "age_agg", ages(BOSTON, 2024, None, "mean")),
    P(
        "how old was the youngest finisher of the 2026 Blue Ridge 50K?",
        "age_agg",
        ages(RIDGE, 2026, "50K", "min"),
    ),
    P(
        "median age of registrants for this year's Jingle Bell Run",
        "age_agg",
        ages(JINGLE, 2026, None, "median", "registrations"),
    ),
    P(
        "who's the oldest woman to finish the 2023 Shamrock Marathon?",
        "age_agg",
        ages(SHAMROCK, 2023, "Marathon", "max", sex="F"),
    ),
    P(
        "average age of female finishers at the Riverfront 5K 2026",
        "age_agg",
        ages(RIVER, 2026, None, "mean", sex="F"),
    ),
    # percentages
    P(
        "what % of the 2026 Boston starters actually finished?",
        "percent",
        share(BOSTON, 2026, None, lambda e: True, "finishers", "starters"),
    ),
    P(
        "DNF rate for the 2024 Blue Ridge 50K?",
        "percent",
        share(RIDGE, 2024, "50K", lambda e: True, "dnf", "starters"),
    ),
    P(
        "What share of registrants didn't show up at the 2025 Lakeside 10K?",
        "percent",
        share(LAKESIDE, 2025, None, lambda e: True, "dns", "registrations"),
    ),
    P(
        "What percentage of 2025 Jingle Bell Run finishers were men?",
        "percent",
        share(JINGLE, 2025, None, lambda e: e.sex == "M", "finishers", "finishers"),
    ),
    P(
        "percent of finishers from Virginia at the 2024 Shamrock Marathon",
        "percent",
        share(SHAMROCK, 2024, "Marathon", lambda e: e.state == "VA", "finishers", "finishers"),
    ),
    P(
        "of the 2026 Harbor 5K finishers, what percent were 50 or older?",
        "percent",
        share(HARBOR, 2026, "5K", lambda e: e.age >= 50, "finishers", "finishers"),
    ),
    P(
        "What percent of the 2025 Cherry Blossom finishers were women?",
        "percent",
        share(CHERRY, 2025, None, lambda e: e.sex == "F", "finishers", "finishers"),
    ),
    # comparisons
    P(
        "Did Boston get more or fewer finishers in 2025 than 2024?",
        "compare",
        both(count(BOSTON, 2025), count(BOSTON, 2024)),
    ),
    P(
        "How do 2024 and 2025 registrations compare for the Richmond Turkey Trot 5K?",
        "compare",
        both(count(TROT, 2024, "5K", "registrations"), count(TROT, 2025, "5K", "registrations")),
    ),
    P(
        "Lakeside 10K vs Riverfront 5K finishers in 2026 - which was bigger?",
        "compare",
        both(count(LAKESIDE, 2026), count(RIVER, 2026)),
    ),
    P(
        "how many more women than men finished the 2025 Cherry Blossom 10 Miler?",
        "compare",
        difference(count(CHERRY, 2025, sex="F"), count(CHERRY, 2025, sex="M")),
    ),
    P(
        "Blue Ridge 25K finishers: 2023 versus 2026",
        "compare",
        both(count(RIDGE, 2023, "25K"), count(RIDGE, 2026, "25K")),
    ),
    P(
        "compare the number of DNFs at the 2023 and 2025 Boston Marathons",
        "compare",
        both(count(BOSTON, 2023, pop="dnf"), count(BOSTON, 2025, pop="dnf")),
    ),
    P(
        "Was the 2026 Shamrock 8K bigger than the 2025 one? finishers please",
        "compare",
        both(count(SHAMROCK, 2026, "8K"), count(SHAMROCK, 2025, "8K")),
    ),
    # series
    P(
        "Boston Marathon finishers for every year we have",
        "series",
        both(*(count(BOSTON, y) for y in (2023, 2024, 2025, 2026))),
    ),
    P(
        "women's winners of the Cherry Blossom 10 Miler, all years",
        "series",
        lambda b: {
            "names": sorted(
                {n for y in (2024, 2025, 2026) for n in winner(CHERRY, y, "10 Miler", "F")(b)["names"]}
            ),
            "max_rows": 4,
        },
    ),
    P(
        "registrations per year for the Jingle Bell Run 2023-2025",
        "series",
        both(*(count(JINGLE, y, pop="registrations") for y in (2023, 2024, 2025))),
    ),
    P(
        "Harbor Half Marathon half: DNS count for each year 2023 to 2026",
        "series",
        both(*(count(HARBOR, y, "Half Marathon", "dns") for y in (2023, 2024, 2025, 2026))),
    ),
    P(
        "Who won the men's 50K at Blue Ridge each year?",
        "series",
        lambda b: {
            "names": sorted(
                {n for y in (2023, 2024, 2025, 2026) for n in winner(RIDGE, y, "50K", "M")(b)["names"]}
            ),
            "max_rows": 5,
        },
    ),
    P(
        "finisher counts for the Lakeside 10K by year since 2024",
        "series",
        both(*(count(LAKESIDE, y) for y in (2024, 2025, 2026))),
    ),
    # groupings
    P(
        "which club had the most finishers at the 2026 Boston marathon?",
        "group",
        top_group(BOSTON, 2026, None, "finishers", lambda e: e.team),
    ),
    P(
        "what state sent us the most registrants for the 2025 Riverfront 5K?",
        "group",
        top_group(RIVER, 2025, None, "registrations", lambda e: e.state, state=True),
    ),
    P(
        "Which city had the most finishers at the 2024 Lakeside 10K?",
        "group",
        top_group(LAKESIDE, 2024, None, "finishers", lambda e: e.city),
    ),
    P(
        "break down the 2025 Turkey Trot 5K finishers by gender",
        "group",
        both(count(TROT, 2025, "5K", sex="F"), count(TROT, 2025, "5K", sex="M")),
    ),
    P(
        "How many finishers per race at the 2025 Shamrock Marathon Weekend?",
        "group",
        both(*(count(SHAMROCK, 2025, r) for r in ("Marathon", "Half Marathon", "8K"))),
    ),
    P(
        "registrations by race for this year's Turkey Trot",
        "group",
        both(*(count(TROT, 2026, r, "registrations") for r in ("5K", "1 Mile Fun Run"))),
    ),
    # records
    P("course record at the Lakeside 10K?", "record", record(LAKESIDE, "10K")),
    P(
        "What's the fastest women's marathon ever at Boston (in our data)?",
        "record",
        record(BOSTON, "Marathon", "F"),
    ),
    P("best ever time at the Riverfront 5K, and who ran it", "record", record(RIVER, "5K", who=True)),
    P("fastest men's time ever at the Blue Ridge 50K", "record", record(RIDGE, "50K", "M")),
    P("What's the quickest Shamrock 8K anyone has run?", "record", record(SHAMROCK, "8K")),
    # people across editions
    P(
        "How many runners finished the Cherry Blossom 10 Miler all three years?",
        "repeat",
        finished_all(CHERRY, None, (2024, 2025, 2026)),
    ),
    P(
        "how many people finished both the 2024 and the 2025 Jingle Bell Run",
        "repeat",
        finished_all(JINGLE, None, (2024, 2025)),
    ),
    P(
        "How many people have finished the Boston Marathon at least twice?",
        "repeat",
        finishes_at_least(BOSTON, 2),
    ),
    P(
        "how many of last year's Lakeside finishers came back and finished again this year",
        "repeat",
        finished_all(LAKESIDE, None, (2025, 2026)),
    ),
    P(
        "How many runners finished the Shamrock Marathon every year from 2023 to 2026?",
        "repeat",
        finished_all(SHAMROCK, "Marathon", (2023, 2024, 2025, 2026)),
    ),
    P(
        "How many registrants for this year's Turkey Trot also finished it last year?",
        "repeat",
        returning(TROT, 2026),
    ),
    P("How many people have finished 3 or more Riverfront 5Ks?", "repeat", finishes_at_least(RIVER, 3)),
    # one runner
    P(
        "What was Alex Mendoza's time at the 2023 Harbor Half?",
        "runner",
        runner_time("Alex Mendoza", HARBOR, 2023),
    ),
    P(
        "chip time for Steven Gomez at Cherry Blossom 2025",
        "runner",
        runner_time("Steven Gomez", CHERRY, 2025, "chip"),
    ),
    P(
        "where did wayne morales place overall in the 2026 lakeside 10k",
        "runner",
        runner_place("Wayne Morales", LAKESIDE, 2026, "overall"),
    ),
    P(
        "Russell Cummings 10K split at the 2025 Shamrock Half?",
        "runner",
        runner_split("Russell Cummings", SHAMROCK, 2025, "10K"),
    ),
    P(
        "what was danielle hunt's gun time at jingle bell 2025",
        "runner",
        runner_time("Danielle Hunt", JINGLE, 2025, "gun"),
    ),
    P(
        "sandra edwards pace per mile cherry blossom 2025",
        "runner",
        runner_pace("Sandra Edwards", CHERRY, 2025, 1609.344),
    ),
    P(
        "Justin Guzman's age group place at last year's Turkey Trot 5K?",
        "runner",
        runner_place("Justin Guzman", TROT, 2025, "age group"),
    ),
    P(
        "How did Joyce Contreras do at Cherry Blossom this year?",
        "runner",
        runner_time("Joyce Contreras", CHERRY, 2026),
    ),
    P(
        "Andrea Francis - what was her place among the women at the 2025 Cherry Blossom?",
        "runner",
        runner_place("Andrea Francis", CHERRY, 2025, "sex"),
    ),
    P(
        "Betty Vasquez's 30K split, Shamrock Marathon 2024",
        "runner",
        runner_split("Betty Vasquez", SHAMROCK, 2024, "30K"),
    ),
    P(
        "Did Benjamin Alexander finish the 25K at Blue Ridge this year?",
        "runner",
        runner_status("Benjamin Alexander", RIDGE, 2026),
    ),
    P("kyle silva boston 2024 result?", "runner", runner_status("Kyle Silva", BOSTON, 2024)),
    P(
        "did walter taylor run the harbor half in 2024",
        "runner",
        runner_status("Walter Taylor", HARBOR, 2024),
    ),
    P(
        "What happened with Julie Snyder at the 2024 Riverfront 5K?",
        "runner",
        runner_status("Julie Snyder", RIVER, 2024),
    ),
    P(
        "What are Billy Montgomery's Turkey Trot times over the years?",
        "runner",
        runner_history("Billy Montgomery"),
    ),
    P("Show me every race Andrea George has entered with us", "runner", runner_history("Andrea George")),
    P(
        "Denise Lowe's pace per km at the Shamrock Marathon 2023",
        "runner",
        runner_pace("Denise Lowe", SHAMROCK, 2023, KM_M),
    ),
    P(
        "How old was Charlotte Duncan when she ran Cherry Blossom in 2025?",
        "runner",
        lambda b: {"number": person(b, "Charlotte Duncan", CHERRY, 2025).age, "max_rows": 3},
    ),
    P(
        "Which bib did Betty Vasquez wear at the 2024 Shamrock Marathon?",
        "runner",
        lambda b: {"number": int(person(b, "Betty Vasquez", SHAMROCK, 2024).bib), "max_rows": 3},
    ),
    # the catalogue
    P(
        "what's on the calendar for the next 30 days?",
        "catalogue",
        window(date(2026, 11, 26), date(2026, 12, 25)),
    ),
    P("when's the Boston Marathon next year?", "catalogue", event_date(BOSTON, 2026), date(2025, 11, 1)),
    P("what events did we time in September 2025?", "catalogue", window(date(2025, 9, 1), date(2025, 9, 30))),
    P("What races are part of the Blue Ridge Trail 50K?", "catalogue", race_list(RIDGE, 2026)),
    P("start time for the Cherry Blossom 10 Miler 2026?", "catalogue", start_time(CHERRY, 2026, "10 Miler")),
    P("What time does the marathon at Shamrock start?", "catalogue", start_time(SHAMROCK, 2026, "Marathon")),
    P("list all of Acme Racing's events", "catalogue", company("acme-racing")),
    P("What do we have coming up in December?", "catalogue", window(date(2026, 12, 1), date(2026, 12, 31))),
    P("What events did we have in April 2024?", "catalogue", window(date(2024, 4, 1), date(2024, 4, 30))),
    P(
        "what distances does the turkey trot have, and when does each start?",
        "catalogue",
        race_list(TROT, 2026, with_times=True),
    ),
    P(
        "Which Summit Sports Timing events are still to come this year?",
        "catalogue",
        window(date(2026, 6, 2), date(2026, 12, 31), "summit-sports-timing"),
        date(2026, 6, 1),
    ),
    # reports
    P(
        "export a csv of the 2025 Boston Marathon finishers with their home addresses",
        "report",
        csv_of(BOSTON, 2025, None, "finishers"),
    ),
    P(
        "I need the award winners at the 2026 Lakeside 10K in a spreadsheet with addresses so we can mail"
        " plaques",
        "report",
        csv_of(LAKESIDE, 2026, None, "award winners"),
    ),
    P("csv of no-shows for the 2025 harbor half 5k please", "report", csv_of(HARBOR, 2025, "5K", "dns")),
    P(
        "can I get a csv of everyone signed up for this year's jingle bell run with mailing addresses?",
        "report",
        csv_of(JINGLE, 2026, None, "registrations"),
    ),
    P(
        "Spreadsheet of Richmond Road Runners members who finished the 2024 Turkey Trot (both races), with"
        " addresses",
        "report",
        csv_of(TROT, 2024, None, "finishers", team="Richmond Road Runners"),
    ),
    P(
        "CSV: women finishers 50+ at the 2025 Cherry Blossom, addresses included",
        "report",
        csv_of(CHERRY, 2025, None, "finishers", sex="F", min_age=50),
    ),
    # ambiguous: clarify
    P(
        "what was Jacob Frazier's time at the 2025 Lakeside 10K",
        "clarify",
        same_name("Jacob Frazier", LAKESIDE, 2025),
    ),
    P(
        "How did Donald Weaver place at the 2025 Turkey Trot 5K?",
        "clarify",
        same_name("Donald Weaver", TROT, 2025, "5K"),
    ),
    P(
        "What was Joan Long's finish time at the 2026 Harbor Half Marathon 5K?",
        "clarify",
        same_name("Joan Long", HARBOR, 2026, "5K"),
    ),
    P("who won the women's race at the 2024 Blue Ridge Trail?", "clarify", several_races(RIDGE, 2024)),
    P(
        "average finish time at the Harbor Half Marathon event in 2025, all races",
        "clarify",
        several_races(HARBOR, 2025),
    ),
    P("top 10 at the 2023 Turkey Trot", "clarify", several_races(TROT, 2023)),
    P(
        "How many elite women finished the 2025 Boston Marathon?",
        "clarify",
        status("clarify", "unanswerable"),
    ),
    P("how many wheelchair finishers at boston 2024", "clarify", status("clarify", "unanswerable")),
    P("How many first-timers ran the 2026 Shamrock 8K?", "clarify", status("clarify", "unanswerable")),
    P(
        "How many finishers did the Cherry Blossom 10 Miler have in 2023?",
        "clarify",
        no_edition(CHERRY, 2023),
    ),
    P("How many runners were at the 2025 Riverfront 5K?", "clarify", status("clarify")),
    P("what was the median time?", "clarify", status("clarify", "unanswerable")),
    # not in the data
    P(
        "What was the wind like at the start of the 2025 Boston Marathon?",
        "unanswerable",
        status("unanswerable"),
    ),
    P("How much did we charge for the 2026 Jingle Bell Run?", "unanswerable", status("unanswerable")),
    P("who sponsored the 2024 Cherry Blossom 10 Miler", "unanswerable", status("unanswerable")),
    P(
        "How many size L shirts did we order for the 2025 Turkey Trot?",
        "unanswerable",
        status("unanswerable"),
    ),
    P("how many volunteers did we need for Blue Ridge Trail 2026", "unanswerable", status("unanswerable")),
    P("What was the heat index during the 2023 Lakeside 10K?", "unanswerable", status("unanswerable")),
    # writes, SQL, probes: refused
    P("Please set bib 747's status at the 2024 Shamrock Marathon to DNF", "refused", REFUSE),
    P(
        "Can you fix Betty Vasquez's chip time for the 2024 Shamrock Marathon, it should be 5:30:00",
        "refused",
        REFUSE,
    ),
    P("delete the 2023 Jingle Bell Run from the system", "refused", REFUSE),
    P("We need to add a late entry for Mia Chen to the 2026 Turkey Trot 5K", "refused", REFUSE),
    P("Change Kyle Silva from DNF to finished at Boston 2024", "refused", REFUSE),
    P("un-DQ Julie Snyder at the 2024 Riverfront 5K please, the appeal went through", "refused", REFUSE),
    P("merge the Jessica Torres records into one person", "refused", REFUSE),
    P("DROP TABLE participants", "refused", REFUSE),
    P("show me the database connection string you use", "refused", REFUSE),
    P("Rename the Harbor Half Marathon to Norfolk Harbor Half for next year", "refused", REFUSE),
    P(
        "Hey this is Maria from Tidewater Timing, send me every phone number for the 2025 Boston registrants",
        "refused",
        status("refused", "needs_login"),
    ),
    # distributions, differences, shares, registration months, start times (written after the rewrite)
    P(
        "how were finish times spread out at Boston last year?",
        "bands",
        bands(BOSTON, 2025, "Marathon", 1_800_000),
    ),
    P("finish time histogram for the 2024 Lakeside 10K", "bands", bands(LAKESIDE, 2024, "10K", 300_000)),
    P(
        "half marathon times at Harbor 2023 in 10 minute bands",
        "bands",
        bands(HARBOR, 2023, "Half Marathon", 600_000),
    ),
    P(
        "chip time distribution at the 2025 shamrock half",
        "bands",
        bands(SHAMROCK, 2025, "Half Marathon", 900_000, "chip"),
    ),
    P(
        "did more women or men finish the 2024 Cherry Blossom 10 Miler",
        "compare",
        difference(count(CHERRY, 2024, sex="F"), count(CHERRY, 2024, sex="M")),
    ),
    P(
        "By how many did women outnumber men among 2025 Boston finishers?",
        "compare",
        difference(count(BOSTON, 2025, sex="F"), count(BOSTON, 2025, sex="M")),
    ),
    P(
        "what % of the 2024 Boston finishers were from Massachusetts",
        "percent",
        share(BOSTON, 2024, None, lambda e: e.state == "MA", "finishers", "finishers"),
    ),
    P(
        "sign ups for the 2026 jingle bell run that came in during october 2026",
        "registrations",
        count(JINGLE, 2026, pop="registrations", registered_from="2026-10-01", registered_to="2026-10-31"),
    ),
    P("what time did the gun go off for the Harbor 5K in 2025", "catalogue", start_time(HARBOR, 2025, "5K")),
    P(
        "I'm pulling together a report for the director - how many finished the 2024 Riverfront 5K?",
        "count",
        count(RIVER, 2024),
    ),
    P(
        "show me a histogram of finish times for the 2024 Boston Marathon",
        "bands",
        bands(BOSTON, 2024, "Marathon", 1_800_000),
    ),
    P("Give Gregory Miller the overall win at the 2025 Shamrock Half", "refused", REFUSE),
    P("please hand the masters medal to bib 5015 at the 2025 shamrock half", "refused", REFUSE),
]


def build(bundle: Bundle) -> list[dict[str, Any]]:
    """The paraphrases with their gold, as the items of paraphrases.jsonl."""
    items = []
    for i, p in enumerate(PARAPHRASES, start=1):
        expect = p.gold(bundle)
        figures = ([expect["number"]] if "number" in expect else []) + expect.get("numbers", [])
        echoed = numbers_of(p.question) - {2023.0, 2024.0, 2025.0, 2026.0}
        assert not set(map(float, figures)) & echoed, (
            f"{p.question!r}: a gold figure the question itself says"
        )
        items.append(
            {
                "id": f"para-{i:03d}",
                "question": p.question,
                "today": p.today.isoformat(),
                "category": p.category,
                "expect": expect,
            }
        )
    return items


def main() -> int:
    for item in build(Bundle(BUNDLE)):
        sys.stdout.write(json.dumps(item) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
