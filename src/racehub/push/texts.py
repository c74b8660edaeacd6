"""What each notification says, in one line a phone shows whole:

    Bib 1234 Jane Doe passed 30K at 2:01:13 — 4:31/km, provisional 12th F

Places are "provisional" until the race is official. Titles and bodies are capped well inside the push
services' limits (Expo 4,096 bytes a message, Web Push about 4,000 bytes of payload).
"""

from __future__ import annotations

from dataclasses import dataclass

from racehub.live.schemas import LiveEvent
from racehub.timefmt import format_ms

MAX_TITLE = 100
MAX_BODY = 300
SEX_WORDS = {"F": "woman", "M": "man", "X": "non-binary finisher"}
WORKFLOW_NAMES = {
    "sync_results": "results sync",
    "sync_registrations": "registrations sync",
    "score_copernico": "Copernico scoring",
}


@dataclass(frozen=True)
class Text:
    title: str
    body: str


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(title: str, body: str) -> Text:
    return Text(_cap(title, MAX_TITLE), _cap(body, MAX_BODY))


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _clock(ms: int | None) -> str:
    return format_ms(ms, tenths=False) or "?"


def _who(event: LiveEvent) -> str:
    assert event.result is not None
    return f"Bib {event.result.bib} {event.result.name}" if event.result.bib else event.result.name


def _title(event: LiveEvent) -> str:
    race = f" · {event.race_name}" if event.race_name else ""
    return f"{event.event_name} {event.year}{race}"


def runner_split(event: LiveEvent, sex_place: int | None) -> Text:
    assert event.result is not None
    assert event.split is not None
    split = event.split
    body = f"{_who(event)} passed {split.name} at {_clock(split.chip_ms)}"
    details = []
    if split.pace_per_km:
        details.append(f"{split.pace_per_km}/km")
    if sex_place:
        details.append(
            f"{'provisional ' if event.provisional else ''}{ordinal(sex_place)} {event.result.sex}"
        )
    if details:
        body += " — " + ", ".join(details)
    return _text(_title(event), body)


def runner_finish(event: LiveEvent) -> Text:
    result = event.result
    assert result is not None
    time = result.chip_ms if result.chip_ms is not None else result.gun_ms
    body = f"{_who(event)} finished in {_clock(time)}"
    details = []
    if result.pace_per_km:
        details.append(f"{result.pace_per_km}/km")
    provisional = "provisional " if event.provisional else ""
    if result.overall_place:
        place = f"{provisional}{ordinal(result.overall_place)} overall"
        if result.sex_place:
            place += f", {ordinal(result.sex_place)} {result.sex}"
        details.append(place)
    if details:
        body += " — " + ", ".join(details)
    return _text(_title(event), body)


def first_finisher(event: LiveEvent, sex: str | None) -> Text:
    result = event.result
    assert result is not None
    who = f"First {SEX_WORDS.get(sex, 'finisher')}" if sex else "First finisher"
    time = result.gun_ms if result.gun_ms is not None else result.chip_ms
    body = f"{who} across the line: {_who(event)} in {_clock(time)}"
    if event.provisional:
        body += " (provisional)"
    return _text(_title(event), body)


def results_final(event: LiveEvent) -> Text:
    return _text(
        f"{event.event_name} {event.year}", f"The {event.event_name} {event.year} results are final."
    )


def workflow_ended(event: LiveEvent, detail: str | None) -> Text:
    assert event.workflow is not None
    name = WORKFLOW_NAMES.get(event.workflow.workflow, event.workflow.workflow)
    outcome = "finished" if event.workflow.state == "succeeded" else event.workflow.state
    body = f"The {name} of {event.event_name} {event.year} (run #{event.workflow.run_id}) {outcome}"
    return _text(f"{event.event_name} {event.year}", body + (f": {detail}" if detail else "."))


def alarm(event: LiveEvent, title: str, why: str) -> Text:
    where = f"{event.event_name} {event.year}" + (f" · {event.race_name}" if event.race_name else "")
    return _text(f"Alarm · {where}", f"{title}. {why}")


def test_message(label: str | None) -> Text:
    return _text("RaceHub", f"Notifications work on {label or 'this device'}.")
