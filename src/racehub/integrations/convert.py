"""Conversions from vendor spellings to provider-neutral values (shared by clients and simulators)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from racehub.timefmt import format_ms, parse_time_ms

_METRES_PER_UNIT = {
    "m": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "metres": 1.0,
    "k": 1000.0,
    "km": 1000.0,
    "kilometer": 1000.0,
    "kilometers": 1000.0,
    "kilometres": 1000.0,
    "mi": 1609.344,
    "mile": 1609.344,
    "miles": 1609.344,
}
_DISTANCE_TEXT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\s*$")


def blank_to_none(value: object) -> str | None:
    """Vendors send "", null or numbers for optional text; RaceHub keeps a string or None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def distance_m(value: float | str | None, unit: str | None = "m") -> float | None:
    """Metres for a distance and unit (`42.195`, `"km"`), rounded to the centimetre."""
    if value is None or value == "":
        return None
    factor = _METRES_PER_UNIT.get((unit or "m").strip().lower())
    if factor is None:
        raise ValueError(f"unknown distance unit {unit!r}")
    return round(float(value) * factor, 2)


def distance_text_m(text: str | None) -> float | None:
    """Metres for RunSignUp-style text such as `"3.1 Miles"` or `"21.0975 K"`."""
    if not text:
        return None
    match = _DISTANCE_TEXT.match(text)
    if match is None:
        raise ValueError(f"not a distance: {text!r}")
    return distance_m(match.group(1), match.group(2))


def duration_ms(text: str | None) -> int | None:
    """Milliseconds for a vendor time text (`H:MM:SS.t`, `M:SS`); blank means no time."""
    if text is None or not str(text).strip():
        return None
    return parse_time_ms(str(text))


def duration_text(ms: int | None) -> str:
    """`H:MM:SS.t` for milliseconds; "" for no time (the vendors' spelling of none)."""
    return format_ms(ms) or ""


def epoch_to_utc(value: int | float | str | None) -> datetime | None:
    """An aware UTC datetime for epoch seconds."""
    if value is None or value == "":
        return None
    return datetime.fromtimestamp(float(value), tz=UTC)


def utc_epoch(value: datetime) -> int:
    """Whole epoch seconds (floor) for an aware datetime; naive values are refused, not guessed."""
    if value.tzinfo is None:
        raise ValueError("a sync cursor must be timezone-aware")
    return int(value.timestamp() // 1)


def us_datetime(text: str | None) -> datetime | None:
    """Naive datetime for `M/D/YYYY HH:MM[:SS]` (RunSignUp's local wall-clock spelling)."""
    if not text:
        return None
    for pattern in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    raise ValueError(f"not a M/D/YYYY HH:MM time: {text!r}")


def flexible_date(text: str | None) -> date | None:
    """A date written `YYYY-MM-DD` or `M/D/YYYY`."""
    if not text:
        return None
    text = text.strip()
    if "/" in text:
        return datetime.strptime(text, "%m/%d/%Y").date()
    return date.fromisoformat(text[:10])


def iso_datetime(text: str | None) -> datetime | None:
    """A datetime from ISO 8601 text (`Z` accepted); aware when the text carries an offset."""
    if not text:
        return None
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
