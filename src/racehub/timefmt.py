"""Race times: parse `H:MM:SS.t` into integer milliseconds and format them back."""

from __future__ import annotations


def parse_time_ms(text: str) -> int:
    """Milliseconds for `H:MM:SS(.fff)`, `M:SS(.f)`; raises ValueError naming the problem."""
    parts = text.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"not a time (H:MM:SS.t): {text!r}")
    try:
        seconds = float(parts[-1])
        minutes = int(parts[-2])
        hours = int(parts[0]) if len(parts) == 3 else 0
    except ValueError:
        raise ValueError(f"not a time (H:MM:SS.t): {text!r}") from None
    if not (0 <= seconds < 60 and 0 <= minutes < 60 and hours >= 0):
        raise ValueError(f"time out of range: {text!r}")
    return round(((hours * 60 + minutes) * 60 + seconds) * 1000)


def format_ms(ms: int | float | None, *, tenths: bool = True) -> str | None:
    """`H:MM:SS.t` (or `H:MM:SS` with tenths=False) for a duration in milliseconds."""
    if ms is None:
        return None
    total_tenths = round(ms / 100)
    if not tenths:
        total_tenths = round(ms / 1000) * 10
    seconds, tenth = divmod(total_tenths, 10)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    base = f"{hours}:{minute:02d}:{sec:02d}"
    return f"{base}.{tenth}" if tenths else base


def format_pace(ms: int | None, distance_m: float | None, *, per: str = "mile") -> str | None:
    """Pace as `M:SS` per mile or per km."""
    if ms is None or not distance_m:
        return None
    unit = 1609.344 if per == "mile" else 1000.0
    sec = round(ms / 1000 / (distance_m / unit))
    return f"{sec // 60}:{sec % 60:02d}"
