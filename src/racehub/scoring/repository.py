"""All SQL of scoring: places and awards computed set-based by window functions, written as diffs.

`racehub.scoring.rules` is the reference: `rank()` is its competition ranking (ties share a place, the
next place is skipped), the age-group labels are its labels, and the award pools are its pools:
overall by sex place, then masters among those not awarded overall, then each age group among those
not awarded yet when the race excludes award winners from age groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

AGE_GROUP = """CASE
    WHEN {age} IS NULL THEN NULL
    WHEN {width} = 5 THEN CASE WHEN {age} <= 14 THEN '14 & under' WHEN {age} >= 80 THEN '80 & over'
        ELSE ({age} / 5 * 5)::text || '-' || ({age} / 5 * 5 + 4)::text END
    ELSE CASE WHEN {age} <= 19 THEN '19 & under' WHEN {age} >= 70 THEN '70 & over'
        ELSE ({age} / 10 * 10)::text || '-' || ({age} / 10 * 10 + 9)::text END
    END"""


def placed_rows_sql(source: str) -> str:
    """`source`'s rows with is_fin, age_group and the three places (NULL for anyone not placed).

    `source` has entry_id, org_id, race_id, status, sex, age, ms (the placement time) and the race's
    age_group_width; nothing else of the race rides through the sorts.
    """
    finisher = "(src.status = 'FIN' AND src.ms IS NOT NULL)"
    label = AGE_GROUP.format(age="src.age", width="src.age_group_width")
    return f"""
        SELECT s.*,
            CASE WHEN s.is_fin THEN rank() OVER (PARTITION BY s.race_id, s.is_fin ORDER BY s.ms) END
                AS overall_place,
            CASE WHEN s.is_fin THEN rank() OVER (PARTITION BY s.race_id, s.is_fin, s.sex ORDER BY s.ms) END
                AS sex_place,
            CASE WHEN s.age_group IS NOT NULL THEN
                rank() OVER (PARTITION BY s.race_id, s.is_fin, s.sex, s.age_group ORDER BY s.ms) END
                AS age_group_place
        FROM (SELECT src.*, {finisher} AS is_fin, CASE WHEN {finisher} THEN {label} END AS age_group
              FROM {source} src) s"""


def award_rows_sql(placed: str) -> str:
    """Award rows (org_id, race_id, entry_id, category, sex, age_group, award_place) of placed finishers,
    by the award rules of their races."""
    overall = f"""
        SELECT p.*, r.overall_award_depth, r.masters_award_depth, r.masters_min_age, r.ag_award_depth,
               r.exclude_award_winners_from_ag,
               (r.overall_award_depth > 0 AND p.sex_place <= r.overall_award_depth) AS overall_win
        FROM {placed} p JOIN races r ON r.id = p.race_id WHERE p.is_fin"""
    masters_pool = f"""
        SELECT o.*, (o.age IS NOT NULL AND o.age >= o.masters_min_age AND NOT o.overall_win) AS masters_pool
        FROM ({overall}) o"""
    masters = f"""
        SELECT m.*, (m.masters_pool AND m.masters_award_depth > 0 AND m.masters_rank <= m.masters_award_depth)
                AS masters_win
        FROM (SELECT mp.*, rank() OVER (PARTITION BY mp.race_id, mp.sex, mp.masters_pool ORDER BY mp.ms)
                  AS masters_rank FROM ({masters_pool}) mp) m"""
    age_groups = f"""
        SELECT g.*,
            rank() OVER (PARTITION BY g.race_id, g.sex, g.age_group, g.ag_pool ORDER BY g.ms) AS ag_rank
        FROM (SELECT w.*, (w.age_group IS NOT NULL AND NOT (w.exclude_award_winners_from_ag
                  AND (w.overall_win OR w.masters_win))) AS ag_pool FROM ({masters}) w) g"""
    winners = f"""
        SELECT g.*, (g.ag_pool AND g.ag_award_depth > 0 AND g.ag_rank <= g.ag_award_depth) AS ag_win
        FROM ({age_groups}) g"""
    return f"""
        SELECT a.org_id, a.race_id, a.entry_id, v.category, a.sex, v.age_group, v.award_place
        FROM ({winners}) a
        CROSS JOIN LATERAL (VALUES
            ('overall', NULL::text, a.sex_place, a.overall_win),
            ('masters', NULL::text, a.masters_rank, a.masters_win),
            ('age_group', a.age_group, a.ag_rank, a.ag_win)
        ) AS v(category, age_group, award_place, won)
        WHERE (a.overall_win OR a.masters_win OR a.ag_win) AND v.won"""


SCORE = f"""
    WITH src AS (
        SELECT re.entry_id, re.org_id, re.race_id, re.status, en.sex, en.age,
               CASE r.placement_basis WHEN 'gun' THEN re.gun_ms ELSE re.chip_ms END AS ms, r.age_group_width
        FROM results re JOIN entries en ON en.id = re.entry_id JOIN races r ON r.id = re.race_id
        WHERE re.race_id = ANY(CAST(:races AS bigint[]))),
    placed AS MATERIALIZED ({placed_rows_sql("src")}),
    awarded AS MATERIALIZED ({award_rows_sql("placed")}),
    replaced AS (
        UPDATE results re SET overall_place = p.overall_place, sex_place = p.sex_place,
               age_group = p.age_group, age_group_place = p.age_group_place
        FROM placed p
        WHERE re.entry_id = p.entry_id
          AND (re.overall_place, re.sex_place, re.age_group, re.age_group_place)
              IS DISTINCT FROM (p.overall_place, p.sex_place, p.age_group, p.age_group_place)
        RETURNING re.race_id),
    removed AS (
        DELETE FROM awards a WHERE a.race_id = ANY(CAST(:races AS bigint[])) AND NOT EXISTS (
            SELECT 1 FROM awarded w
            WHERE w.race_id = a.race_id AND w.entry_id = a.entry_id AND w.category = a.category)
        RETURNING a.race_id),
    upserted AS (
        INSERT INTO awards (org_id, race_id, entry_id, category, sex, age_group, award_place)
        SELECT org_id, race_id, entry_id, category, sex, age_group, award_place FROM awarded
        ON CONFLICT (race_id, entry_id, category) DO UPDATE SET sex = EXCLUDED.sex,
            age_group = EXCLUDED.age_group, award_place = EXCLUDED.award_place
        WHERE (awards.sex, awards.age_group, awards.award_place)
            IS DISTINCT FROM (EXCLUDED.sex, EXCLUDED.age_group, EXCLUDED.award_place)
        RETURNING race_id),
    finishers AS (SELECT race_id, count(*) AS n FROM placed WHERE is_fin GROUP BY race_id),
    wins AS (SELECT race_id, count(*) AS n FROM awarded GROUP BY race_id),
    changes AS (
        SELECT race_id, count(*) AS n FROM (
            SELECT race_id FROM replaced UNION ALL SELECT race_id FROM removed
            UNION ALL SELECT race_id FROM upserted) c
        GROUP BY race_id)
    SELECT ids.race_id, coalesce(f.n, 0), coalesce(w.n, 0), coalesce(c.n, 0)
    FROM unnest(CAST(:races AS bigint[])) AS ids(race_id)
    LEFT JOIN finishers f USING (race_id) LEFT JOIN wins w USING (race_id)
    LEFT JOIN changes c USING (race_id)"""


@dataclass(frozen=True)
class ScoredRace:
    race_id: int
    finishers: int
    awards: int
    changed_rows: int


def visible_races(session: Session, race_ids: Sequence[int]) -> set[int]:
    """Which of these races exist for the transaction's tenant."""
    rows = session.execute(text("SELECT id FROM races WHERE id = ANY(:ids)"), {"ids": list(race_ids)})
    return set(rows.scalars())


def score(session: Session, race_ids: Sequence[int]) -> list[ScoredRace]:
    """Place every finisher of these races and rebuild their award lists, writing only differences."""
    rows = session.execute(text(SCORE), {"races": list(race_ids)}).all()
    return [ScoredRace(int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]


def mark_scored(session: Session, race_ids: Sequence[int]) -> None:
    session.execute(text("UPDATE races SET scored_at = now() WHERE id = ANY(:ids)"), {"ids": list(race_ids)})


def races_of_edition(session: Session, edition_id: int) -> list[int]:
    rows = session.execute(text("SELECT id FROM races WHERE edition_id = :e ORDER BY id"), {"e": edition_id})
    return list(rows.scalars())


def race_labels(session: Session, race_ids: Sequence[int]) -> dict[int, str]:
    """How people name these races: "Boston Marathon 2025 Marathon"."""
    rows = session.execute(
        text(
            "SELECT r.id, s.name || ' ' || ed.year || ' ' || r.name FROM races r "
            "JOIN editions ed ON ed.id = r.edition_id JOIN event_series s ON s.id = ed.series_id "
            "WHERE r.id = ANY(:ids)"
        ),
        {"ids": list(race_ids)},
    ).all()
    return {int(row[0]): str(row[1]) for row in rows}
