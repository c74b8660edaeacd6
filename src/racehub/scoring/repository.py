"""All SQL of scoring: read a race's finishers, write places and awards back as diffs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, Result, text
from sqlalchemy.orm import Session

from racehub.imports.repository import driver_connection
from racehub.scoring.rules import AwardRules, AwardWin, Finisher, Placement


def _rowcount(result: Result[Any]) -> int:
    """Rows a DML statement touched (its result is a CursorResult)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)


def race_rules(session: Session, race_id: int) -> tuple[int, str, AwardRules] | None:
    row = session.execute(
        text(
            "SELECT org_id, placement_basis, overall_award_depth, masters_award_depth, masters_min_age, "
            "ag_award_depth, age_group_width, exclude_award_winners_from_ag FROM races WHERE id = :id"
        ),
        {"id": race_id},
    ).one_or_none()
    if row is None:
        return None
    return row[0], row[1], AwardRules(*row[2:])


def finishers(session: Session, race_id: int, basis: str) -> list[Finisher]:
    column = "re.gun_ms" if basis == "gun" else "re.chip_ms"
    rows = session.execute(
        text(
            f"SELECT re.entry_id, en.sex, en.age, {column} FROM results re "
            "JOIN entries en ON en.id = re.entry_id "
            f"WHERE re.race_id = :race AND re.status = 'FIN' AND {column} IS NOT NULL"
        ),
        {"race": race_id},
    ).all()
    return [Finisher(r[0], r[1], r[2], r[3]) for r in rows]


def write_places(session: Session, race_id: int, placements: dict[int, Placement]) -> int:
    """Store places; entries not placed (DNF, DNS, DQ) lose any old place. Returns rows changed."""
    session.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS score_places (entry_id bigint PRIMARY KEY, overall_place int, "
            "sex_place int, age_group text, age_group_place int) ON COMMIT DROP"
        )
    )
    session.execute(text("TRUNCATE score_places"))
    conn = driver_connection(session)
    with conn.cursor() as cur, cur.copy("COPY score_places FROM STDIN") as copy:
        for entry_id, p in placements.items():
            copy.write_row((entry_id, p.overall_place, p.sex_place, p.age_group, p.age_group_place))
    changed = _rowcount(session.execute(
        text(
            """
            UPDATE results re SET overall_place = sp.overall_place, sex_place = sp.sex_place,
                   age_group = sp.age_group, age_group_place = sp.age_group_place
            FROM (SELECT r.entry_id, p.overall_place, p.sex_place, p.age_group, p.age_group_place
                  FROM results r LEFT JOIN score_places p ON p.entry_id = r.entry_id
                  WHERE r.race_id = :race) sp
            WHERE sp.entry_id = re.entry_id
              AND (re.overall_place, re.sex_place, re.age_group, re.age_group_place)
                  IS DISTINCT FROM (sp.overall_place, sp.sex_place, sp.age_group, sp.age_group_place)
            """
        ),
        {"race": race_id},
    ))
    return changed


def write_awards(session: Session, org_id: int, race_id: int, wins: Sequence[AwardWin]) -> int:
    """Replace the race's award list by `wins`, touching only rows that differ."""
    keep = [(w.entry_id, w.category) for w in wins]
    removed = _rowcount(session.execute(
        text(
            "DELETE FROM awards WHERE race_id = :race AND (entry_id, category) NOT IN "
            "(SELECT * FROM unnest(CAST(:ids AS bigint[]), CAST(:cats AS text[])))"
        ),
        {"race": race_id, "ids": [k[0] for k in keep], "cats": [k[1] for k in keep]},
    ))
    upserted = 0
    if wins:
        upserted = _rowcount(session.execute(
            text(
                """
                INSERT INTO awards (org_id, race_id, entry_id, category, sex, age_group, award_place)
                SELECT :org, :race, * FROM unnest(CAST(:ids AS bigint[]), CAST(:cats AS text[]),
                    CAST(:sexes AS text[]), CAST(:groups AS text[]), CAST(:places AS int[]))
                ON CONFLICT (race_id, entry_id, category) DO UPDATE SET sex = EXCLUDED.sex,
                    age_group = EXCLUDED.age_group, award_place = EXCLUDED.award_place
                WHERE (awards.sex, awards.age_group, awards.award_place)
                    IS DISTINCT FROM (EXCLUDED.sex, EXCLUDED.age_group, EXCLUDED.award_place)
                """
            ),
            {
                "org": org_id, "race": race_id,
                "ids": [w.entry_id for w in wins], "cats": [w.category for w in wins],
                "sexes": [w.sex for w in wins], "groups": [w.age_group for w in wins],
                "places": [w.award_place for w in wins],
            },
        ))
    return removed + upserted


def mark_scored(session: Session, race_id: int) -> None:
    session.execute(text("UPDATE races SET scored_at = now() WHERE id = :id"), {"id": race_id})


def races_of_edition(session: Session, edition_id: int) -> list[int]:
    rows = session.execute(text("SELECT id FROM races WHERE edition_id = :e ORDER BY id"), {"e": edition_id})
    return list(rows.scalars())
