"""How long to wait before trying again: one formula for vendor calls and for workflow attempts."""

from __future__ import annotations

import random


def equal_jitter(attempt: int, base_s: float, cap_s: float, rng: random.Random | None = None) -> float:
    """Seconds before try `attempt + 1`: exponential from `base_s` (doubling per attempt, at most
    `cap_s`), with "equal jitter": at least half the step, so that retries never bunch at zero."""
    ceiling: float = min(cap_s, base_s * 2 ** (attempt - 1))
    jitter: float = (rng or random.Random()).uniform(0, ceiling / 2)
    return ceiling / 2 + jitter
