"""The working calendar: weekends, public holidays (lunar Tết, Hùng Kings), swapped days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from buudien.dossiers.models import Holiday


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(d) for d in range((end - start).days + 1)]


@lru_cache(maxsize=1)
def calendar() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off, weekend days that are working days)."""
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    for day, kind in Holiday.objects.values_list("date", "kind"):
        (work if kind == Holiday.Kind.WORKDAY else off).add(day)
    return frozenset(off), frozenset(work)


def is_working_day(day: dt.date) -> bool:
    off, work = calendar()
    if day in work:
        return True
    return day.weekday() < 5 and day not in off


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(received: dt.date, days: int) -> dt.date:
    """The due date of a period of `days` working days that starts with an event on `received`.

    Civil Code art. 147-148: a period starts on the day after the event, so day 1 is the first
    working day after the day of receipt, whatever that day was (a receipt on a Saturday or
    during Tết does not push day 1 one working day further); a period of 0 days ends on the
    day itself, or on the next working day when that is a day off."""
    if days <= 0:
        return next_working_day(received)
    current = received
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_late(due: dt.date, today: dt.date) -> int:
    """Working days after the due date up to today (0 when not late)."""
    if today <= due:
        return 0
    return sum(1 for d in _days(due + dt.timedelta(days=1), today) if is_working_day(d))
