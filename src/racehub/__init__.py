"""RaceHub: keep, score, sync and question race-timing data."""

__version__ = "0.1.0"
