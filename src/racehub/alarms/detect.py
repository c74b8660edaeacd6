"""What the live data says is wrong on race day: pure functions over one race's timing reads.

- A **silent mat**: a timing point with no reads while runners are due there. Two kinds of evidence, each
  needing `min_runners` runners: most of the latest runners read at a later point have no read at the mat
  (finishers in racedata-v1 never miss a mat), or runners read at the point before are certainly overdue:
  due there (at their own pace so far, 10% slower) more than `quiet_ms` before the race clock, and after
  the mat's last read, even allowing for the largest start delay seen (chip times of different runners
  are apart by their start delays).
- An **impossible pace** between two points at least 1 km apart: faster than `min_pace_ms_per_km`, or a
  time that goes backwards. Usually a bib swap (two runners' reads under each other's bibs) or a missed
  mat; when another runner's reads fit this one's times the other way round, they are named as the likely
  swap partner.
- A **double read**: one chip read twice at one mat within `double_read_ms` (found in a vendor's feed).

Chip times are the runner's own (from their start-mat crossing); the race clock is the latest read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

FINISH = "Finish"
WINDOW = 20  # latest runners at later points looked at for a silent mat
MAJORITY = 0.6
SLOWDOWN = 1.1
MIN_SEGMENT_M = 1000.0


@dataclass(frozen=True)
class Rules:
    quiet_ms: int = 5 * 60_000
    min_runners: int = 5
    min_pace_ms_per_km: float = 150_000.0
    double_read_ms: int = 120_000


@dataclass
class Runner:
    entry_id: int
    reads: dict[str, int] = field(default_factory=dict)  # point name -> chip ms
    start_delay_ms: int | None = None  # gun minus chip, known once finished


@dataclass(frozen=True)
class Point:
    name: str
    distance_m: float


@dataclass(frozen=True)
class Evidence:
    entry_id: int
    detail: dict[str, object]


@dataclass(frozen=True)
class Finding:
    kind: str  # silent_mat | impossible_pace | double_read
    subject: str
    title: str
    why: str
    rows: tuple[Evidence, ...]


def _clock(ms: float) -> str:
    seconds = max(0, round(ms / 1000))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _pace(ms_per_km: float) -> str:
    if ms_per_km <= 0:
        return "a negative time"
    seconds = round(ms_per_km / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}/km"


def silent_mats(points: Sequence[Point], runners: Sequence[Runner], rules: Rules) -> list[Finding]:
    """Mats (in course order, the finish last) that stopped reading while runners were due there."""
    clock = max((t for r in runners for t in r.reads.values()), default=0)
    delays = [r.start_delay_ms for r in runners if r.start_delay_ms is not None]
    margin = max(delays, default=0)
    findings = []
    for index, mat in enumerate(points):
        last = max((r.reads[mat.name] for r in runners if mat.name in r.reads), default=0)
        if clock - last < rules.quiet_ms:
            continue
        later = [p.name for p in points[index + 1 :]]
        skipped = _skipped(mat, later, runners)
        previous = points[index - 1] if index > 0 else None
        overdue = _overdue(mat, previous, later, runners, clock, last, margin, rules)
        # Runners who stopped (DNF) between the previous mat and this one look overdue too; twice as many
        # are needed before overdue runners alone make a mat silent.
        if len(skipped) >= rules.min_runners:
            evidence, how = skipped, "passed a later mat without a read here"
        elif len(overdue) >= 2 * rules.min_runners:
            where = previous.name if previous else "the start"
            evidence, how = overdue, f"passed {where} and are overdue here"
        else:
            continue
        findings.append(
            Finding(
                "silent_mat",
                mat.name,
                f"Timing mat {mat.name} has gone silent",
                f"No read at {mat.name} since {_clock(last)} of race time (now {_clock(clock)}), while "
                f"{len(evidence)} runners {how}.",
                tuple(evidence[:10]),
            )
        )
    return findings


def _skipped(mat: Point, later: list[str], runners: Sequence[Runner]) -> list[Evidence]:
    passed = []
    for runner in runners:
        beyond = [(runner.reads[name], name) for name in later if name in runner.reads]
        if beyond:
            passed.append((min(beyond), runner))
    if not passed:
        return []
    passed.sort(key=lambda item: item[0][0])
    recent = passed[-WINDOW:]
    missing = [(at, r) for at, r in recent if mat.name not in r.reads]
    if len(missing) < MAJORITY * len(recent):
        return []
    return [
        Evidence(r.entry_id, {"point": name, "chip_ms": ms, "missing": mat.name}) for (ms, name), r in missing
    ]


def _overdue(
    mat: Point,
    previous: Point | None,
    later: list[str],
    runners: Sequence[Runner],
    clock: int,
    last: int,
    margin: int,
    rules: Rules,
) -> list[Evidence]:
    if previous is None or previous.distance_m <= 0:
        return []
    found = []
    for runner in runners:
        at = runner.reads.get(previous.name)
        if at is None or mat.name in runner.reads or any(name in runner.reads for name in later):
            continue
        due = at * mat.distance_m / previous.distance_m * SLOWDOWN
        if due + rules.quiet_ms < clock - margin and due > last + margin:
            found.append(
                Evidence(runner.entry_id, {"point": previous.name, "chip_ms": at, "due_ms": round(due)})
            )
    return found


def impossible_paces(points: Sequence[Point], runners: Sequence[Runner], rules: Rules) -> list[Finding]:
    """Runners whose time between two points is faster than humanly possible, or runs backwards."""
    distance = {p.name: p.distance_m for p in points}
    findings = []
    for runner in runners:
        course = sorted(
            ((distance[name], name, ms) for name, ms in runner.reads.items() if name in distance),
        )
        before = (0.0, "the start", 0)
        for here in course:
            meters = here[0] - before[0]
            if meters >= MIN_SEGMENT_M:
                elapsed = here[2] - before[2]
                per_km = elapsed / meters * 1000
                if elapsed <= 0 or per_km < rules.min_pace_ms_per_km:
                    findings.append(_pace_finding(runner, before, here, per_km, runners, distance, rules))
                    break
            before = here
    return findings


def _pace_finding(
    runner: Runner,
    before: tuple[float, str, int],
    here: tuple[float, str, int],
    per_km: float,
    runners: Sequence[Runner],
    distance: dict[str, float],
    rules: Rules,
) -> Finding:
    km = (here[0] - before[0]) / 1000
    rows = [
        Evidence(
            runner.entry_id,
            {
                "role": "runner",
                "from": before[1],
                "from_ms": before[2],
                "to": here[1],
                "to_ms": here[2],
                "pace_ms_per_km": round(per_km),
            },
        )
    ]
    partner = _swap_partner(runner, before, here, runners, rules)
    why = (
        f"{km:.1f} km from {before[1]} to {here[1]} in {_clock(here[2] - before[2])} ({_pace(per_km)}), "
        f"faster than {_pace(rules.min_pace_ms_per_km)}: a bib swap or a missed mat."
    )
    if partner is not None:
        rows.append(
            Evidence(
                partner.entry_id,
                {
                    "role": "swap partner",
                    "from": before[1],
                    "from_ms": partner.reads.get(before[1], 0),
                    "to": here[1],
                    "to_ms": partner.reads[here[1]],
                },
            )
        )
        why += " Another runner's reads at those two points fit these the other way round: a likely bib swap."
    return Finding(
        "impossible_pace",
        f"entry:{runner.entry_id}",
        f"Impossible pace between {before[1]} and {here[1]}",
        why,
        tuple(rows),
    )


def _swap_partner(
    runner: Runner,
    before: tuple[float, str, int],
    here: tuple[float, str, int],
    runners: Sequence[Runner],
    rules: Rules,
) -> Runner | None:
    """The runner whose read at `here` would make both plausible if the two were exchanged."""
    meters = here[0] - before[0]
    best: tuple[float, Runner] | None = None
    for other in runners:
        if other is runner or here[1] not in other.reads:
            continue
        other_before = other.reads.get(before[1], 0) if before[1] != "the start" else 0
        if before[1] != "the start" and before[1] not in other.reads:
            continue
        mine = (other.reads[here[1]] - before[2]) / meters * 1000
        theirs = (here[2] - other_before) / meters * 1000
        if mine < rules.min_pace_ms_per_km or theirs < rules.min_pace_ms_per_km:
            continue
        # Both runners keep about the pace they had before: the smaller the change, the better the fit.
        own = before[2] / before[0] * 1000 if before[0] else mine
        their_own = other_before / before[0] * 1000 if before[0] else theirs
        misfit = abs(mine - own) / own + abs(theirs - their_own) / their_own
        if misfit < 0.5 and (best is None or misfit < best[0]):
            best = (misfit, other)
    return best[1] if best else None


def double_reads(reads: Iterable[tuple[int, str, int]], rules: Rules) -> list[Finding]:
    """(entry id, mat, chip ms) reads from a feed: the same chip read at one mat twice, close together."""
    by_mat: dict[tuple[int, str], list[int]] = {}
    for entry_id, mat, ms in reads:
        by_mat.setdefault((entry_id, mat), []).append(ms)
    findings = []
    for (entry_id, mat), times in sorted(by_mat.items()):
        distinct = sorted(set(times))
        if len(distinct) < 2 or distinct[-1] - distinct[0] > rules.double_read_ms:
            continue
        findings.append(
            Finding(
                "double_read",
                f"{entry_id}:{mat}",
                f"Chip read twice at {mat}",
                f"One chip was read {len(distinct)} times at {mat}, {_clock(distinct[0])} and "
                f"{_clock(distinct[-1])} ({(distinct[-1] - distinct[0]) / 1000:.1f} s apart); the first "
                "read counts.",
                (Evidence(entry_id, {"mat": mat, "reads_ms": distinct}),),
            )
        )
    return findings
