"""Vendor value conversions: times to milliseconds, distances to metres, local wall-clock times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from racehub.integrations.base import as_local_naive
from racehub.integrations.convert import (
    distance_m,
    distance_text_m,
    duration_ms,
    duration_text,
    flexible_date,
    us_datetime,
    utc_epoch,
)


class TestDurations:
    @pytest.mark.parametrize(
        ("text", "ms"),
        [
            ("2:35:39.2", 9_339_200),
            ("0:34:36.8", 2_076_800),
            ("25:01", 1_501_000),
            ("10:00:00.0", 36_000_000),
        ],
    )
    def test_vendor_times_become_integer_milliseconds(self, text, ms) -> None:
        assert duration_ms(text) == ms
        assert isinstance(duration_ms(text), int)

    @pytest.mark.parametrize("blank", [None, "", "  "])
    def test_blank_is_no_time(self, blank) -> None:
        assert duration_ms(blank) is None
        assert duration_text(None) == ""

    def test_round_trip(self) -> None:
        assert duration_text(duration_ms("1:02:03.4")) == "1:02:03.4"

    def test_garbage_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="not a time"):
            duration_ms("DNF")


class TestDistances:
    @pytest.mark.parametrize(
        ("text", "metres"),
        [("3.1 Miles", 4988.97), ("21.0975 K", 21097.5), ("16.09344 K", 16093.44), ("26.2 Miles", 42164.81)],
    )
    def test_runsignup_distance_text(self, text, metres) -> None:
        assert distance_text_m(text) == metres

    def test_units(self) -> None:
        assert distance_m("10", "km") == 10000.0
        assert distance_m(1, "mi") == 1609.34
        assert distance_m(None, "km") is None
        with pytest.raises(ValueError, match="unit"):
            distance_m(5, "furlongs")


class TestDates:
    def test_us_wall_clock(self) -> None:
        assert us_datetime("3/9/2023 07:05") == datetime(2023, 3, 9, 7, 5)
        assert flexible_date("4/2/1995").isoformat() == "1995-04-02"
        assert flexible_date("1995-04-02").isoformat() == "1995-04-02"

    def test_as_local_naive(self) -> None:
        aware = datetime(2023, 3, 19, 11, 0, tzinfo=UTC)
        assert as_local_naive(aware, "America/New_York") == datetime(2023, 3, 19, 7, 0)
        offset = datetime(2023, 6, 3, 7, 30, tzinfo=timezone(timedelta(hours=-4)))
        assert as_local_naive(offset, "America/New_York") == datetime(2023, 6, 3, 7, 30)
        assert as_local_naive(datetime(2023, 6, 3, 7, 30), "America/New_York") == datetime(2023, 6, 3, 7, 30)

    def test_cursor_must_be_aware(self) -> None:
        assert utc_epoch(datetime(1970, 1, 1, 0, 1, 5, 900_000, tzinfo=UTC)) == 65
        with pytest.raises(ValueError, match="timezone-aware"):
            utc_epoch(datetime(2023, 1, 1))
