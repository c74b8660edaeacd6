"""The benchmark's question mix, filled in with events that exist in the database under test.

Each template names the kind of question it stands for; events are picked from the data (the busiest
timing company's biggest marathon series, a marathon weekend with a half, a 5K, a runner who came back)
and a template is kept only if the engine answers it, so the mix works on any generated bundle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text

from racehub.ask.engine import AskEngine
from racehub.ask.text import STATE_NAMES
from racehub.db import Database, Scope

TEMPLATES: list[tuple[str, str]] = [
    ("count", "How many runners finished the {Y} {M}?"),
    ("registrations", "How many participants registered for the {WY} {W} across all races?"),
    ("winner", "Who won the women's race at the {Y} {M}?"),
    ("top", "Show the top 5 men at the {WY} {H}."),
    ("person", "What was {P}'s finish time at the {Y} {M}?"),
    ("aggregate", "What was the average finish time of the {Y} {M}?"),
    ("trend", "How did the number of finishers in the {M} change from {Y2} to {Y}?"),
    ("filter", "How many finishers of the {WY} {H} were from {ST}?"),
    ("age-group winner", "Who was the fastest woman aged 40-44 at the {Y1} {M}?"),
    ("repeat", "How many people finished the {M} in both {Y1} and {Y}?"),
    ("superlative", "Who was the oldest finisher of the {Y} {M}?"),
    ("split", "What was the men's winner's {SPLIT} split at the {Y} {M}?"),
    ("events", "Which events are scheduled in December 2026?"),
    ("group", "Which running club had the most finishers at the {WY} {W}?"),
    ("record", "What is the fastest marathon time ever run at the {M}?"),
    ("median", "What was the median finish time at the {Y1} {M}?"),
    ("count by sex", "how many women finished the {F} in {FY}"),
    ("age groups", "finishers by age group at the {FY} {F}"),
]

SERIES_RACES = """
    SELECT s.name, r.name AS race, array_agg(DISTINCT ed.year ORDER BY ed.year) AS years,
           count(re.entry_id) AS results
    FROM event_series s JOIN editions ed ON ed.series_id = s.id AND ed.status = 'completed'
    JOIN races r ON r.edition_id = ed.id LEFT JOIN results re ON re.race_id = r.id
    WHERE s.org_id = :org GROUP BY s.name, r.name ORDER BY results DESC, s.name"""


@dataclass
class Mix:
    questions: list[tuple[str, str]] = field(default_factory=list)  # (kind, question)
    dropped: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


def _values(database: Database, org_id: int) -> dict[str, Any]:
    with database.session(Scope.operator()) as session:
        rows = session.execute(text(SERIES_RACES), {"org": org_id}).all()
        values: dict[str, Any] = {}
        marathon = next((r for r in rows if r.race == "Marathon" and len(r.years) >= 3), None)
        marathon = marathon or next((r for r in rows if r.race == "Marathon"), None)
        if marathon is not None:
            m = marathon.name.removesuffix(" Weekend")
            years = marathon.years
            values.update(
                M=m,
                Y=years[-1],
                Y1=years[-2] if len(years) > 1 else years[-1],
                Y2=years[max(0, len(years) - 3)],
            )
            person = session.execute(
                text(
                    "SELECT en.first_name, en.last_name FROM entries en "
                    "JOIN results re ON re.entry_id = en.id "
                    "JOIN races r ON r.id = en.race_id JOIN editions ed ON ed.id = r.edition_id "
                    "JOIN event_series s ON s.id = ed.series_id WHERE s.name = :s AND s.org_id = :org "
                    "AND ed.year = :y AND r.name = 'Marathon' AND re.status = 'FIN' "
                    "GROUP BY 1, 2 HAVING count(*) = 1 ORDER BY min(re.overall_place) LIMIT 1"
                ),
                {"s": marathon.name, "org": org_id, "y": years[-1]},
            ).first()
            if person is not None:
                values["P"] = f"{person[0]} {person[1]}"
            split = session.execute(
                text(
                    "SELECT sp.name FROM splits sp JOIN entries en ON en.id = sp.entry_id "
                    "JOIN races r ON r.id = en.race_id JOIN editions ed ON ed.id = r.edition_id "
                    "JOIN event_series s ON s.id = ed.series_id WHERE s.name = :s AND s.org_id = :org "
                    "AND ed.year = :y AND r.name = 'Marathon' AND sp.name ~ '^[0-9]+K$' "
                    "GROUP BY 1 ORDER BY max(sp.distance_m) DESC LIMIT 1"
                ),
                {"s": marathon.name, "org": org_id, "y": years[-1]},
            ).scalar()
            if split:
                values["SPLIT"] = split
        weekend = next(
            (r for r in rows if r.race == "Half Marathon" and r.name.endswith("Marathon Weekend")), None
        )
        if weekend is not None:
            values.update(W=weekend.name, WY=weekend.years[-1])
            values["H"] = weekend.name.removesuffix(" Weekend").replace("Marathon", "Half Marathon")
            state = session.execute(
                text(
                    "SELECT en.state FROM entries en JOIN races r ON r.id = en.race_id "
                    "JOIN editions ed ON ed.id = r.edition_id JOIN event_series s ON s.id = ed.series_id "
                    "WHERE s.name = :s AND s.org_id = :org AND ed.year = :y AND en.state IS NOT NULL "
                    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
                ),
                {"s": weekend.name, "org": org_id, "y": weekend.years[-1]},
            ).scalar()
            if state in STATE_NAMES:
                values["ST"] = STATE_NAMES[state]
        five = next((r for r in rows if r.race == "5K" and r.name.endswith("5K")), None)
        if five is not None:
            values.update(F=five.name, FY=five.years[-1])
    return values


def pick(engine: AskEngine, database: Database, org_id: int, scope: Scope, today: date) -> Mix:
    """Templates filled with this database's events, kept when the engine answers them with rows."""
    mix = Mix(values=_values(database, org_id))
    for kind, template in TEMPLATES:
        try:
            question = template.format(**mix.values)
        except KeyError:
            mix.dropped.append(f"{kind}: no event to fill it")
            continue
        answer = engine.ask(question, scope=scope, today=today)
        if answer.status == "answered" and answer.rows and answer.sql:
            mix.questions.append((kind, question))
        else:
            mix.dropped.append(f"{kind}: {answer.status}: {answer.answer[:80]}")
    return mix
