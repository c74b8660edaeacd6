#!/usr/bin/env python3
"""Seconds to score a 30,000-finisher marathon, against reading its finishers (the floor).

    python bench/bench_score.py --database-url URL [--finishers 30000] [--json out.json]

URL is the owner URL of any migrated RaceHub database. A timing company of its own gets a marathon of
N finishers (and 5% DNF/DNS), with tied times, chip placement, masters and 5-year age-group awards,
stored as results synced from a timing system are: in a transaction of their own, before scoring. Timed,
each in its own transaction as `racehub score` runs it: the plain SQL that reads the finishers,
`score_race` the first time (every place and award written) and again (nothing to change). The stored
places and awards are then checked against racehub.scoring.rules computed in Python on the same
finishers, and the timing company is deleted (the database is left as it was).

(Scoring in the transaction that stored the results costs more: PostgreSQL re-checks the foreign keys
of every row it updates that the same transaction inserted.)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import open_database

from racehub.db import Database, Scope
from racehub.scoring.rules import AwardRules, Finisher, awards, place_finishers
from racehub.scoring.service import RaceScore, score_race

console = Console(stderr=True)

SETUP = """
WITH org AS (INSERT INTO organizations (slug, name) VALUES ('bench-score-' || :tag, 'Bench Scoring')
             RETURNING id),
series AS (INSERT INTO event_series (org_id, name) SELECT id, 'Bench City Marathon' FROM org
           RETURNING id, org_id),
edition AS (INSERT INTO editions (org_id, series_id, year, start_date, status)
            SELECT org_id, id, 2025, date '2025-10-12', 'completed' FROM series RETURNING id, org_id)
INSERT INTO races (org_id, edition_id, name, distance_m, placement_basis, overall_award_depth,
                   masters_award_depth, masters_min_age, ag_award_depth, age_group_width,
                   exclude_award_winners_from_ag)
SELECT org_id, id, 'Marathon', 42195, 'chip', 3, 3, 40, 3, 5, true FROM edition
RETURNING id, org_id"""

ENTRIES = """
INSERT INTO entries (org_id, race_id, bib, first_name, last_name, sex, age)
SELECT :org, :race, g::text, 'Runner' || g, 'Bench',
       CASE WHEN g % 47 = 0 THEN 'X' WHEN g % 2 = 0 THEN 'F' ELSE 'M' END, 12 + (g * 7919) % 70
FROM generate_series(1, :n) g"""

RESULTS = """
INSERT INTO results (entry_id, org_id, race_id, status, gun_ms, chip_ms)
SELECT e.id, e.org_id, e.race_id, s.status,
       CASE WHEN s.status IN ('FIN', 'DQ') THEN s.chip + (e.id * 31) % 600000 END,
       CASE WHEN s.status IN ('FIN', 'DQ') THEN s.chip END
FROM entries e, LATERAL (SELECT
        CASE WHEN e.bib::int > :finishers THEN (ARRAY['DNF', 'DNS'])[1 + e.bib::int % 2] ELSE 'FIN' END
            AS status,
        7500000 + ((e.bib::bigint * 104729) % 12000) * 1000 + (e.bib::int % 10) * 100 AS chip) s
WHERE e.race_id = :race"""

FINISHERS = """
SELECT re.entry_id, en.sex, en.age, re.chip_ms FROM results re JOIN entries en ON en.id = re.entry_id
WHERE re.race_id = :race AND re.status = 'FIN' AND re.chip_ms IS NOT NULL"""


def _timed(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def _verify(session: Session, race_id: int, finishers: list[Finisher], rules: AwardRules) -> bool:
    placements = place_finishers(finishers, rules.age_group_width)
    stored = {
        r[0]: (r[1], r[2], r[3], r[4])
        for r in session.execute(
            text(
                "SELECT entry_id, overall_place, sex_place, age_group, age_group_place FROM results "
                "WHERE race_id = :r AND overall_place IS NOT NULL"
            ),
            {"r": race_id},
        )
    }
    expected = {
        e: (p.overall_place, p.sex_place, p.age_group, p.age_group_place) for e, p in placements.items()
    }
    won = {(w.entry_id, w.category, w.sex, w.age_group, w.award_place) for w in awards(finishers, rules)}
    rows = session.execute(
        text("SELECT entry_id, category, sex, age_group, award_place FROM awards WHERE race_id = :r"),
        {"r": race_id},
    )
    return stored == expected and {tuple(r) for r in rows} == won


def _score(database: Database, race_id: int) -> RaceScore:
    with database.session(Scope.operator()) as session:
        return score_race(session, race_id)


def run(owner_uri: str, home: Path, *, finishers: int = 30_000) -> dict[str, Any]:
    database = open_database(owner_uri, home)
    entries = finishers + finishers // 20
    org_id = None
    try:
        with database.session(Scope.operator()) as session:
            race_id, org_id = session.execute(text(SETUP), {"tag": str(int(time.time()))}).one()
            session.execute(text(ENTRIES), {"org": org_id, "race": race_id, "n": entries})
            session.execute(text(RESULTS), {"race": race_id, "finishers": finishers})
        with database.session(Scope.operator()) as session:
            read_s, rows = _timed(lambda: session.execute(text(FINISHERS), {"race": race_id}).all())
        first_s, first = _timed(lambda: _score(database, race_id))
        again_s, again = _timed(lambda: _score(database, race_id))
        with database.session(Scope.operator()) as session:
            field = [Finisher(r[0], r[1], r[2], r[3]) for r in rows]
            verified = _verify(session, race_id, field, AwardRules(3, 3, 40, 3, 5, True))
    finally:
        if org_id is not None:  # leave the database as it was
            with database.session(Scope.operator()) as session:
                session.execute(text("DELETE FROM organizations WHERE id = :org"), {"org": org_id})
        database.dispose()
    return {
        "finishers": first.finishers,
        "entries": entries,
        "awards": first.awards,
        "baseline_read_finishers_s": round(read_s, 4),
        "score_s": round(first_s, 4),
        "rows_written": first.changed_rows,
        "rescore_unchanged_s": round(again_s, 4),
        "rows_written_again": again.changed_rows,
        "matches_python_rules": verified,
    }


def show(figures: dict[str, Any]) -> None:
    table = Table("step", "seconds", "note", title=f"scoring a {figures['finishers']:,}-finisher marathon")
    table.add_row("baseline: SQL reading the finishers", f"{figures['baseline_read_finishers_s']:.3f}", "")
    table.add_row(
        "score_race (places + awards)",
        f"{figures['score_s']:.3f}",
        f"{figures['rows_written']:,} rows written, {figures['awards']} awards",
    )
    table.add_row(
        "score_race again",
        f"{figures['rescore_unchanged_s']:.3f}",
        f"{figures['rows_written_again']} rows written",
    )
    console.print(table)
    console.print(f"places and awards match racehub.scoring.rules: {figures['matches_python_rules']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True, help="owner URL of a migrated RaceHub database")
    ap.add_argument("--finishers", type=int, default=30_000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="racehub-bench-") as tmp:
        figures = run(args.database_url, Path(tmp), finishers=args.finishers)
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["matches_python_rules"] else 1


if __name__ == "__main__":
    sys.exit(main())
