"""Follows: what a person said, resolved in their tenant's events and entries, kept, listed and stopped.

Every reply says exactly what was set up ("I'll notify you when bib 1234 Jane Doe (Shamrock Marathon
Weekend 2026 · Marathon) passes 30K, on your 2 devices"), or asks back when more than one runner, race or
event fits. A bib or name said without an event is looked for in the edition nearest today (that day's,
then the next, then the last). One person follows at most `RACEHUB_PUSH_MAX_FOLLOWS` runners at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from racehub.ask.catalog import Catalog, EditionInfo, RaceInfo, race_kinds
from racehub.errors import Conflict, InvalidInput, NotFound, RaceHubError
from racehub.follows import parse, repository
from racehub.follows.parse import Said
from racehub.follows.schemas import FollowList, FollowOut, FollowReply, LiveTarget
from racehub.push import repository as push_repository
from racehub.push.texts import SEX_WORDS, WORKFLOW_NAMES


class FollowUnclear(RaceHubError):
    """More than one thing fits (or nothing does): ask back, with the options."""

    status = 409

    def __init__(self, message: str, options: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.options = list(options)


class FollowNotFound(NotFound):
    pass


@dataclass(frozen=True)
class Follower:
    org_id: int
    user_id: int


# --- describing ------------------------------------------------------------------------------------------


def _where(row: Mapping[Any, Any]) -> str:
    race = f" · {row['race_name']}" if row.get("race_name") else ""
    return f"{row['event_name']} {row['year']}{race}"


def _runner_words(row: Mapping[Any, Any]) -> str:
    name = f"{row['first_name']} {row['last_name']}"
    return f"bib {row['bib']} {name}" if row.get("bib") else name


def sentence(row: Mapping[Any, Any]) -> str:
    """What a follow tells: "when bib 1234 Jane Doe (Shamrock Marathon Weekend 2026 · Marathon) passes 30K"
    (said after "I'll notify you")."""
    trigger = row["trigger"]
    if row["target"] == "runner":
        who = f"{_runner_words(row)} ({_where(row)})"
        if trigger == "split":
            return f"when {who} passes {row['split_name']}"
        if trigger == "finish":
            return f"when {who} finishes"
        return f"at every timing point and the finish of {who}"
    if trigger == "first_finisher":
        sex = SEX_WORDS.get(row["sex"], "finisher") if row.get("sex") else "finisher"
        return f"when the first {sex} finishes the {_where(row)}"
    if trigger == "final":
        return f"when the {row['event_name']} {row['year']} results are final"
    name = WORKFLOW_NAMES.get(row["workflow"], row["workflow"])
    return f"when the next {name} of {row['event_name']} {row['year']} ends"


def _out(row: Mapping[Any, Any]) -> FollowOut:
    return FollowOut(
        id=row["id"],
        target=row["target"],
        trigger=row["trigger"],
        description=sentence(row)[0].upper() + sentence(row)[1:],
        edition_id=row["edition_id"],
        race_id=row["race_id"],
        entry_id=row["entry_id"],
        bib=row["bib"],
        split_name=row["split_name"],
        once=row["once"],
        created_at=row["created_at"],
    )


# --- resolving -------------------------------------------------------------------------------------------


def _nearest(editions: Sequence[EditionInfo], today: date) -> EditionInfo:
    return min(
        editions,
        key=lambda e: (
            0 if e.start_date == today else 1 if e.start_date > today else 2,
            abs((e.start_date - today).days),
        ),
    )


def resolve_event(
    catalog: Catalog, words: str, year: int | None, today: date
) -> tuple[EditionInfo, RaceInfo | None]:
    """The edition (and race, when one is named or the edition has one) that `words` name."""
    tokens = words.split()
    matches = catalog.match_series(tokens) if tokens else []
    if not matches:
        raise FollowUnclear(f"I don't know an event called {words!r} in your timing company.")
    best = matches[0]
    rivals = [m for m in matches[1:] if (m.score, m.matched) == (best.score, best.matched)]
    if rivals:
        names = [best.series.name, *[m.series.name for m in rivals]]
        raise FollowUnclear(f"Which event do you mean: {' or '.join(names)}?", names)
    editions = list(best.series.editions.values())
    if year is not None:
        chosen = best.series.editions.get(year)
        if chosen is None:
            years = [str(y) for y in sorted(best.series.editions, reverse=True)]
            raise FollowUnclear(
                f"{best.series.name} has no {year} edition; it has {', '.join(years)}.", years
            )
    else:
        chosen = _nearest(editions, today)
    return chosen, _race_in(chosen, words)


def _race_in(edition: EditionInfo, words: str) -> RaceInfo | None:
    kinds = [kind for kind, _, _ in race_kinds(words)]
    if kinds:
        named = [race for race in edition.races if race.kind == kinds[0]]
        if len(named) == 1:
            return named[0]
    return edition.races[0] if len(edition.races) == 1 else None


def _race_needed(edition: EditionInfo, race: RaceInfo | None) -> RaceInfo:
    if race is not None:
        return race
    names = [r.name for r in edition.races]
    raise FollowUnclear(f"Which race of {edition.series} {edition.year}: {' or '.join(names)}?", names)


def _runner(session: Session, said: Said, catalog: Catalog, today: date) -> Mapping[Any, Any]:
    edition: EditionInfo | None = None
    race: RaceInfo | None = None
    if said.event:
        edition, race = resolve_event(catalog, said.event, said.year, today)
    rows = repository.runners(
        session,
        bib=said.bib,
        name=said.name,
        edition_id=edition.edition_id if edition else None,
        around=today,
    )
    if race is not None:
        rows = [r for r in rows if r["race_id"] == race.race_id]
    who = f"bib {said.bib}" if said.bib else said.name
    if not rows:
        where = (
            f" in the {edition.series} {edition.year}" + (f" {race.name}" if race else "") if edition else ""
        )
        raise FollowUnclear(f"I found no runner with {who}{where}.")
    same = [r for r in rows if r["edition_id"] == rows[0]["edition_id"]]
    if len(same) > 1:
        options = [f"{_runner_words(r)} ({r['race_name']})" for r in same[:10]]
        raise FollowUnclear(
            f"More than one runner fits {who} in {same[0]['event_name']} {same[0]['year']}: which one?",
            options,
        )
    return same[0]


def _split(session: Session, race_id: int, race_name: str, said: str) -> str:
    known = repository.split_names(session, race_id)
    folded = {re.sub(r"\s+", "", name.lower()): name for name in known}
    found = folded.get(re.sub(r"\s+", "", said.lower()))
    if found is not None:
        return found
    if known:
        raise FollowUnclear(
            f"The {race_name} has no timing point called {said}; it has {', '.join(known)}.", known
        )
    return said  # a race not run yet: matched by name when its reads come in


# --- the actions -----------------------------------------------------------------------------------------


def _devices_note(session: Session, user_id: int) -> tuple[str, int]:
    devices = push_repository.active_devices(session).get(user_id, [])
    if not devices:
        return (
            " You have no device set up for notifications yet: turn them on under Follows on the RaceHub "
            "page, or sign in on the RaceHub app. The follow is kept meanwhile.",
            0,
        )
    return (f" On your {len(devices)} device{'s' if len(devices) > 1 else ''}.", len(devices))


def follow(
    session: Session, follower: Follower, catalog: Catalog, said: Said, today: date, max_runners: int
) -> FollowReply:
    values: dict[str, Any] = {
        "target": said.target,
        "trigger": said.trigger,
        "race_id": None,
        "entry_id": None,
        "split_name": None,
        "sex": None,
        "workflow": None,
        "once": True,
    }
    if said.target == "runner":
        runner = _runner(session, said, catalog, today)
        values.update(
            edition_id=runner["edition_id"],
            race_id=runner["race_id"],
            entry_id=runner["entry_id"],
            once=said.trigger != "every_split",
        )
        if said.trigger == "split":
            assert said.split is not None
            values["split_name"] = _split(session, runner["race_id"], runner["race_name"], said.split)
    else:
        if not said.event:
            raise FollowUnclear(
                "Which event? For example: tell me when the first woman finishes the Boston Marathon."
            )
        edition, race = resolve_event(catalog, said.event, said.year, today)
        values["edition_id"] = edition.edition_id
        if said.target == "race":
            values.update(race_id=_race_needed(edition, race).race_id, sex=said.sex)
        elif said.target == "workflow":
            values["workflow"] = said.workflow
    repository.lock_user(session, follower.user_id)
    existing = repository.same_follow(session, follower.user_id, values)
    if existing is not None:
        (row,) = repository.described(session, user_id=follower.user_id, ids=[existing])
        return FollowReply(
            kind="already",
            reply=f"You already follow that: I'll notify you {sentence(row)}.",
            follows=[_out(row)],
        )
    if said.target == "runner" and repository.active_runner_count(session, follower.user_id) >= max_runners:
        raise Conflict(f"You follow {max_runners} runners already, the most at once; stop one first.")
    follow_id = repository.insert(session, follower.org_id, follower.user_id, values)
    (row,) = repository.described(session, user_id=follower.user_id, ids=[follow_id])
    note, devices = _devices_note(session, follower.user_id)
    stop = (
        f"bib {row['bib']}"
        if row.get("bib")
        else (f"{row['first_name']} {row['last_name']}" if row["entry_id"] else None)
    )
    reply = f"I'll notify you {sentence(row)}.{note}"
    if stop:
        reply += f' Say "stop notifying me about {stop}" to stop.'
    return FollowReply(kind="followed", reply=reply, follows=[_out(row)], devices=devices)


def unfollow(session: Session, follower: Follower, catalog: Catalog, said: Said, today: date) -> FollowReply:
    rows = repository.described(session, user_id=follower.user_id)
    if said.target == "all":
        gone = list(rows)
    elif said.target == "runner":
        name = said.name.lower() if said.name else None
        gone = [
            r
            for r in rows
            if r["entry_id"] is not None
            and (
                (said.bib is not None and (r["bib"] or "").lower() == said.bib.lower())
                or (name is not None and f"{r['first_name']} {r['last_name']}".lower() == name)
            )
        ]
        if said.event:
            edition, _ = resolve_event(catalog, said.event, said.year, today)
            gone = [r for r in gone if r["edition_id"] == edition.edition_id]
    else:
        assert said.event is not None
        edition, _ = resolve_event(catalog, said.event, said.year, today)
        gone = [r for r in rows if r["edition_id"] == edition.edition_id]
    if not gone:
        return FollowReply(kind="unfollowed", reply="You were not following that, so nothing changed.")
    repository.delete(session, follower.user_id, [r["id"] for r in gone])
    told = "; ".join(sentence(r) for r in gone[:5]) + ("; …" if len(gone) > 5 else "")
    count = f"{len(gone)} follow{'s' if len(gone) > 1 else ''}"
    return FollowReply(
        kind="unfollowed",
        reply=f"Stopped {count}: no more notifications {told}.",
        follows=[_out(r) for r in gone],
    )


def listing(session: Session, follower: Follower) -> FollowReply:
    rows = repository.described(session, user_id=follower.user_id)
    note, devices = _devices_note(session, follower.user_id)
    if not rows:
        return FollowReply(
            kind="list",
            reply="You follow nothing yet. Try: tell me when bib 1234 passes 30K.",
            devices=devices,
        )
    lines = "\n".join(f"- {sentence(r)[0].upper()}{sentence(r)[1:]}" for r in rows)
    return FollowReply(
        kind="list",
        reply=f"You follow {len(rows)}:\n{lines}\n{note.strip()}",
        follows=[_out(r) for r in rows],
        devices=devices,
    )


def live(session: Session, catalog: Catalog, said: Said, today: date) -> FollowReply:
    assert said.event is not None
    edition, race = resolve_event(catalog, said.event, said.year, today)
    races = [race] if race is not None else list(edition.races)
    counts = repository.race_counts(session, [r.race_id for r in races])
    entries = sum(counts.get(r.race_id, (0, 0))[0] for r in races)
    finishers = sum(counts.get(r.race_id, (0, 0))[1] for r in races)
    label = f"{edition.series} {edition.year}" + (f" · {race.name}" if race else "")
    path = f"/#live/race/{race.race_id}" if race else f"/#live/edition/{edition.edition_id}"
    provisional = edition.status != "completed"
    state = "provisional" if provisional else "final"
    reply = f"{label} live: {entries:,} entries, {finishers:,} finishers so far ({state})."
    target = LiveTarget(
        edition_id=edition.edition_id,
        race_id=race.race_id if race else None,
        label=label,
        path=path,
        entries=entries,
        finishers=finishers,
        provisional=provisional,
    )
    return FollowReply(kind="live", reply=reply, live=target)


def say(
    session: Session, follower: Follower, catalog: Catalog, text: str, today: date, max_runners: int
) -> FollowReply | None:
    """Act on a sentence about follows or the live view; None when it is about something else."""
    said = parse.read(text, today)
    if said is None:
        return None
    try:
        if said.action == "list":
            return listing(session, follower)
        if said.action == "unfollow":
            return unfollow(session, follower, catalog, said, today)
        if said.action == "live":
            return live(session, catalog, said, today)
        return follow(session, follower, catalog, said, today, max_runners)
    except FollowUnclear as unclear:
        return FollowReply(kind="question", reply=unclear.message, options=unclear.options)


def list_follows(session: Session, follower: Follower, max_runners: int) -> FollowList:
    return FollowList(
        follows=[_out(r) for r in repository.described(session, user_id=follower.user_id)],
        max_runners=max_runners,
    )


def remove(session: Session, follower: Follower, follow_id: int) -> None:
    if not repository.delete(session, follower.user_id, [follow_id]):
        raise FollowNotFound(f"follow {follow_id} not found")


def require_text(text: str) -> str:
    if not text.strip():
        raise InvalidInput("text: say what to follow, e.g. tell me when bib 1234 passes 30K")
    return text
