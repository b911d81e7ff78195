"""Periods of cover counted in months as the Civil Code counts them: n months from a day end
on the day before the same day n months on, or on the last day of a month that has no such
day. So 12 months from 1 January end on 31 December, never on 1 January."""

from __future__ import annotations

import calendar
import datetime as dt

ONE_DAY = dt.timedelta(days=1)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the last day of the month where it has no such day, and
    the last day of the month for a day that is itself the last of its month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _month_end(year, month + 1)
    if day == _month_end(day.year, day.month):
        return last
    return last if day.day > last.day else dt.date(year, month + 1, day.day)


def period_end(start: dt.date, months: int) -> dt.date:
    """The last day covered by `months` months from `start` (inclusive)."""
    return add_months(start - ONE_DAY, months)


def month_starts(start: dt.date, months: int) -> list[dt.date]:
    """The first day of each month of cover from `start`."""
    return [start if k == 0 else period_end(start, k) + ONE_DAY for k in range(months)]


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(start: dt.date, end_exclusive: dt.date) -> int:
    """Whole months from the first of start's month to the first of end's month."""
    return (end_exclusive.year - start.year) * 12 + end_exclusive.month - start.month
