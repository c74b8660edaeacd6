"""The set-based SQL scorer against racehub.scoring.rules, the reference, on random fields with ties.

Added with the move of scoring into SQL (window functions): every place and award the database stores
must be exactly what the pure-Python rules compute, whatever the race's rules.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import text

from racehub.db import Database, Scope
from racehub.models import Race
from racehub.scoring.rules import AwardRules, Finisher, awards, place_finishers
from racehub.scoring.service import score_race
from tests.factories import create_edition, create_entry, create_org, create_race

RULES = [
    pytest.param({}, id="defaults"),
    pytest.param(
        {"placement_basis": "chip", "masters_award_depth": 2, "age_group_width": 10}, id="chip-width-10"
    ),
    pytest.param({"exclude_award_winners_from_ag": False, "masters_award_depth": 1}, id="double-awards"),
    pytest.param({"overall_award_depth": 0, "ag_award_depth": 1, "masters_min_age": 50}, id="no-overall"),
    pytest.param(
        {"overall_award_depth": 5, "masters_award_depth": 0, "ag_award_depth": 0}, id="overall-only"
    ),
]


def _field(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    runners = []
    for _ in range(160):
        status = rng.choices(["FIN", "DNF", "DNS", "DQ"], [85, 6, 5, 4])[0]
        gun = 1_200_000 + rng.randrange(40) * 1000 if status in ("FIN", "DQ") else None  # many ties
        chip = None if gun is None or rng.random() < 0.05 else gun - rng.randrange(3) * 1000
        runners.append(
            {
                "status": status,
                "gun_ms": gun,
                "chip_ms": chip,
                "sex": rng.choice("FFMMX"),
                "age": None if rng.random() < 0.04 else rng.randrange(8, 90),
            }
        )
    return runners


class TestSqlScoringMatchesTheRules:
    @pytest.mark.parametrize("rules", RULES)
    @pytest.mark.parametrize("seed", [1, 2])
    def test_places_and_awards_equal_the_python_rules(
        self, db: Database, rules: dict[str, Any], seed: int
    ) -> None:
        with db.session(Scope.operator()) as session:
            race = create_race(session, create_edition(session, create_org(session)), **rules)
            race_id = race.id
            for runner in _field(seed):
                sex, age = runner.pop("sex"), runner.pop("age")
                if runner["status"] == "FIN" and runner["gun_ms"] is None:
                    continue
                create_entry(session, race, sex=sex, age=age, **runner)
            score_race(session, race_id)
        with db.session(Scope.operator()) as session:
            stored_race = session.get(Race, race_id)
            assert stored_race is not None
            basis = "re.gun_ms" if stored_race.placement_basis == "gun" else "re.chip_ms"
            field = [
                Finisher(r[0], r[1], r[2], r[3])
                for r in session.execute(
                    text(
                        f"SELECT re.entry_id, en.sex, en.age, {basis} FROM results re "
                        "JOIN entries en ON en.id = re.entry_id "
                        f"WHERE re.race_id = :r AND re.status = 'FIN' AND {basis} IS NOT NULL"
                    ),
                    {"r": race_id},
                )
            ]
            award_rules = AwardRules(
                stored_race.overall_award_depth,
                stored_race.masters_award_depth,
                stored_race.masters_min_age,
                stored_race.ag_award_depth,
                stored_race.age_group_width,
                stored_race.exclude_award_winners_from_ag,
            )
            places = {
                r[0]: (r[1], r[2], r[3], r[4])
                for r in session.execute(
                    text(
                        "SELECT entry_id, overall_place, sex_place, age_group, age_group_place FROM results "
                        "WHERE race_id = :r"
                    ),
                    {"r": race_id},
                )
            }
            won = {
                tuple(r)
                for r in session.execute(
                    text(
                        "SELECT entry_id, category, sex, age_group, award_place FROM awards "
                        "WHERE race_id = :r"
                    ),
                    {"r": race_id},
                )
            }
        expected = {
            e: (p.overall_place, p.sex_place, p.age_group, p.age_group_place)
            for e, p in place_finishers(field, award_rules.age_group_width).items()
        }
        unplaced = {e: (None, None, None, None) for e in places if e not in expected}
        assert len(field) > 100
        assert places == {**expected, **unplaced}
        assert won == {
            (w.entry_id, w.category, w.sex, w.age_group, w.award_place) for w in awards(field, award_rules)
        }
