"""From numbered changes to messages: who follows what changed, and what to tell them.

Runs in the tenant's `racehub.live.process` job, in one transaction per batch of changes: the messages are
queued, the follows that fire once are marked, the tenant's `dispatched_seq` moves past the batch, and the
delivery job is deferred, all together; a retried job picks up where the last commit left off. Each message
is keyed by what it reports (`finish:<entry>`, `split:<entry>:<mat>`, `first:<race>:<sex>`, `final:<edition>`,
`run:<id>`, `alarm:<id>`), so one device is told of one event once, however often the data is corrected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from racehub.follows import repository
from racehub.follows.repository import FollowRow
from racehub.live import repository as live_repository
from racehub.live import service as live
from racehub.live.schemas import LiveEvent
from racehub.push import repository as push_repository
from racehub.push import texts
from racehub.push.repository import Device, NewMessage
from racehub.push.texts import Text

BATCH = 1000


@dataclass(frozen=True)
class Dispatched:
    changes: int
    messages: int
    upto: int


def _same_point(a: str | None, b: str | None) -> bool:
    fold = re.compile(r"\s+")
    return a is not None and b is not None and fold.sub("", a.lower()) == fold.sub("", b.lower())


def _finished(event: LiveEvent) -> bool:
    return event.kind == "result" and event.result is not None and event.result.status == "FIN"


def _for_follow(session: Session, follow: FollowRow, event: LiveEvent) -> tuple[str, Text] | None:
    """(event key, text) when `event` is what `follow` waits for."""
    if follow.target == "runner":
        if event.entry_id != follow.entry_id or event.result is None:
            return None
        if event.kind == "split" and event.split is not None and not event.split.removed and event.race_id:
            if follow.trigger == "every_split" or (
                follow.trigger == "split" and _same_point(event.split.name, follow.split_name)
            ):
                place = repository.sex_place_at_split(
                    session, event.race_id, follow.entry_id or 0, event.split.name
                )
                return f"split:{event.entry_id}:{event.split.name}", texts.runner_split(event, place)
        if _finished(event) and follow.trigger in ("every_split", "finish"):
            return f"finish:{event.entry_id}", texts.runner_finish(event)
        return None
    if follow.target == "race":
        if follow.race_id != event.race_id or not _finished(event) or event.result is None:
            return None
        first = event.result.sex_place == 1 if follow.sex else event.result.overall_place == 1
        if first and (follow.sex is None or event.result.sex == follow.sex):
            return f"first:{follow.race_id}:{follow.sex or 'all'}", texts.first_finisher(event, follow.sex)
        return None
    if follow.target == "edition":
        if (
            event.kind == "race"
            and event.edition_id == follow.edition_id
            and event.race
            and event.race.official
        ):
            if live_repository.edition_final(session, follow.edition_id):
                return f"final:{follow.edition_id}", texts.results_final(event)
        return None
    if follow.target == "workflow" and event.kind == "workflow" and event.workflow is not None:
        ended = event.workflow.state in ("succeeded", "failed")
        if ended and event.edition_id == follow.edition_id and event.workflow.workflow == follow.workflow:
            summary = repository.run_summary(session, event.workflow.run_id)
            detail = None
            if summary is not None:
                detail = (
                    summary["error"]
                    if event.workflow.state == "failed"
                    else f"{summary['fetched']:,} fetched, {summary['inserted']:,} new, "
                    f"{summary['updated']:,} updated"
                )
            return f"run:{event.workflow.run_id}", texts.workflow_ended(event, detail)
    return None


def _messages(
    org_id: int, devices: Sequence[Device], key: str, text: Text, event: LiveEvent, **ids: int | None
) -> list[NewMessage]:
    data = {
        "kind": event.kind,
        "seq": event.seq,
        "edition_id": event.edition_id,
        "race_id": event.race_id,
        "entry_id": event.entry_id,
    }
    return [NewMessage(org_id, d.id, key, text.title, text.body, data, **ids) for d in devices]


def dispatch(session: Session, org_id: int, *, batch: int = BATCH) -> Dispatched:
    """Work out the messages of the tenant's next numbered changes (the transaction's tenant scope)."""
    head = live_repository.lock_head(session, org_id)
    if head.dispatched_seq >= head.last_seq:
        return Dispatched(0, 0, head.dispatched_seq)
    follows = repository.active(session)
    devices = push_repository.active_devices(session)
    watchers = any(devices.get(f.user_id) for f in follows)
    alarm_devices = push_repository.alarm_devices(session, org_id)
    if not watchers and not alarm_devices:  # nobody to tell: nothing to read
        live_repository.set_dispatched(session, org_id, head.last_seq)
        return Dispatched(head.last_seq - head.dispatched_seq, 0, head.last_seq)
    rows = live_repository.changes(session, org_id, head.dispatched_seq, head.last_seq, None, batch)
    queued: list[NewMessage] = []
    fired: list[int] = []
    for row in rows:
        event = live.event_of(row)
        if (
            event.kind == "alarm"
            and event.alarm is not None
            and event.alarm.state == "open"
            and alarm_devices
        ):
            found = repository.alarm_text(session, event.alarm.alarm_id)
            if found is not None:
                text = texts.alarm(event, *found)
                queued += _messages(
                    org_id,
                    alarm_devices,
                    f"alarm:{event.alarm.alarm_id}",
                    text,
                    event,
                    alarm_id=event.alarm.alarm_id,
                )
        if not watchers:
            continue
        for follow in follows:
            if follow.id in fired or event.at < follow.created_at:
                continue  # fired already, or a change from before the follow
            matched = _for_follow(session, follow, event)
            if matched is None:
                continue
            key, text = matched
            queued += _messages(
                org_id,
                devices.get(follow.user_id, []),
                key,
                text,
                event,
                follow_id=follow.id,
                entry_id=event.entry_id if follow.target in ("runner", "race") else None,
            )
            if follow.once:
                fired.append(follow.id)
    inserted = push_repository.insert_messages(session, queued)
    repository.mark_fired(session, fired)
    upto = int(rows[-1]["seq"]) if rows else head.last_seq
    if len(rows) < batch:
        upto = max(upto, head.last_seq)
    live_repository.set_dispatched(session, org_id, upto)
    return Dispatched(len(rows), inserted, upto)
