"""Periods of cover counted by the Civil Code: n months from a day end the day before the same
day n months on, or on the last day of a month without that day."""

from __future__ import annotations

import datetime as dt

import pytest

from buudien.insurance.periods import month_starts, period_end

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        (D(2026, 1, 1), 12, D(2026, 12, 31)),  # never 1 January: one day too long
        (D(2026, 1, 15), 12, D(2027, 1, 14)),
        (D(2026, 2, 1), 1, D(2026, 2, 28)),
        (D(2028, 2, 1), 1, D(2028, 2, 29)),  # a leap year
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # February has no 30th
        (D(2026, 12, 1), 3, D(2027, 2, 28)),
        (D(2026, 3, 1), 60, D(2031, 2, 28)),
    ],
)
def test_a_period_of_months_ends_on_the_civil_code_day(
    start: dt.date, months: int, last: dt.date
) -> None:
    assert period_end(start, months) == last


def test_consecutive_periods_neither_overlap_nor_leave_a_gap() -> None:
    start = D(2026, 1, 31)
    for _ in range(24):
        end = period_end(start, 1)
        assert end >= start
        start = end + dt.timedelta(days=1)
    assert month_starts(D(2026, 1, 1), 3) == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
