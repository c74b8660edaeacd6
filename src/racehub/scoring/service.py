"""Scoring a race: places for every finisher and the award list, by the race's rules.

The work is set-based SQL (`racehub.scoring.repository`), many races per statement; the rules it
implements are `racehub.scoring.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from racehub.errors import RaceNotFound
from racehub.scoring import repository

BATCH_RACES = 2000  # races per statement: bounds the memory of one statement's sorts


@dataclass(frozen=True)
class RaceScore:
    race_id: int
    finishers: int
    awards: int
    changed_rows: int


def score_race(session: Session, race_id: int, *, mark: bool = True) -> RaceScore:
    """Compute and store places and awards for one race."""
    return score_races(session, [race_id], mark=mark)[0]


def score_races(
    session: Session,
    race_ids: Iterable[int],
    *,
    on_race: Callable[[RaceScore], None] | None = None,
    mark: bool = True,
) -> list[RaceScore]:
    """Score these races (in this order); a race whose places or awards changed gets `scored_at`."""
    ids = list(race_ids)
    visible = repository.visible_races(session, ids) if ids else set()
    missing = [r for r in ids if r not in visible]
    if missing:
        raise RaceNotFound(f"race {missing[0]} not found")
    scores: list[RaceScore] = []
    for start in range(0, len(ids), BATCH_RACES):
        batch = repository.score(session, ids[start : start + BATCH_RACES])
        if mark:
            repository.mark_scored(session, [s.race_id for s in batch if s.changed_rows])
        for s in batch:
            score = RaceScore(s.race_id, s.finishers, s.awards, s.changed_rows)
            scores.append(score)
            if on_race:
                on_race(score)
    return scores


def score_edition(session: Session, edition_id: int) -> list[RaceScore]:
    return score_races(session, repository.races_of_edition(session, edition_id))


def race_labels(session: Session, race_ids: Iterable[int]) -> dict[int, str]:
    """Event, year and race name of each race ("Boston Marathon 2025 Marathon"), for people to read."""
    return repository.race_labels(session, list(race_ids))
