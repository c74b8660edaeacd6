"""Scoring a race: places for every finisher and the award list, by the race's rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from racehub.errors import RaceNotFound
from racehub.scoring import repository
from racehub.scoring.rules import awards, place_finishers


@dataclass(frozen=True)
class RaceScore:
    race_id: int
    finishers: int
    awards: int
    changed_rows: int


def score_race(session: Session, race_id: int, *, mark: bool = True) -> RaceScore:
    """Compute and store places and awards for one race."""
    found = repository.race_rules(session, race_id)
    if found is None:
        raise RaceNotFound(f"race {race_id} not found")
    org_id, basis, rules = found
    finishers = repository.finishers(session, race_id, basis)
    placements = place_finishers(finishers, rules.age_group_width)
    wins = awards(finishers, rules)
    changed = repository.write_places(session, race_id, placements)
    changed += repository.write_awards(session, org_id, race_id, wins)
    if mark and changed:
        repository.mark_scored(session, race_id)
    return RaceScore(race_id, len(finishers), len(wins), changed)


def score_races(
    session: Session, race_ids: Iterable[int], *, on_race: Callable[[RaceScore], None] | None = None
) -> list[RaceScore]:
    scores = []
    for race_id in race_ids:
        score = score_race(session, race_id)
        scores.append(score)
        if on_race:
            on_race(score)
    return scores


def score_edition(session: Session, edition_id: int) -> list[RaceScore]:
    return score_races(session, repository.races_of_edition(session, edition_id))
