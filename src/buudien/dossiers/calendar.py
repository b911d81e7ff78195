"""The working calendar: weekends, public holidays (lunar Tết, Hùng Kings), swapped days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.db import transaction

from buudien.dossiers.models import Holiday

H, OFF, WORK = Holiday.Kind.HOLIDAY, Holiday.Kind.DAY_OFF, Holiday.Kind.WORKDAY


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(d) for d in range((end - start).days + 1)]


# The government's holiday decisions for the years in use; an admin edits them in the back office.
SEED: list[tuple[dt.date, str, str]] = [
    (dt.date(2024, 1, 1), "Tết Dương lịch", H),
    *[(d, "Tết Nguyên đán Giáp Thìn", H) for d in _days(dt.date(2024, 2, 8), dt.date(2024, 2, 14))],
    (dt.date(2024, 4, 18), "Giỗ Tổ Hùng Vương", H),
    (dt.date(2024, 4, 29), "Nghỉ hoán đổi (làm bù thứ Bảy 4/5)", OFF),
    (dt.date(2024, 5, 4), "Làm bù cho ngày 29/4", WORK),
    (dt.date(2024, 4, 30), "Ngày Giải phóng miền Nam", H),
    (dt.date(2024, 5, 1), "Ngày Quốc tế Lao động", H),
    (dt.date(2024, 9, 2), "Quốc khánh", H),
    (dt.date(2024, 9, 3), "Quốc khánh", H),
    (dt.date(2025, 1, 1), "Tết Dương lịch", H),
    *[(d, "Tết Nguyên đán Ất Tỵ", H) for d in _days(dt.date(2025, 1, 25), dt.date(2025, 2, 2))],
    (dt.date(2025, 4, 7), "Giỗ Tổ Hùng Vương (nghỉ bù)", H),
    (dt.date(2025, 4, 30), "Ngày Giải phóng miền Nam", H),
    (dt.date(2025, 5, 1), "Ngày Quốc tế Lao động", H),
    (dt.date(2025, 5, 2), "Nghỉ hoán đổi (làm bù thứ Bảy 26/4)", OFF),
    (dt.date(2025, 4, 26), "Làm bù cho ngày 2/5", WORK),
    (dt.date(2025, 9, 1), "Quốc khánh", H),
    (dt.date(2025, 9, 2), "Quốc khánh", H),
    (dt.date(2026, 1, 1), "Tết Dương lịch", H),
    *[(d, "Tết Nguyên đán Bính Ngọ", H) for d in _days(dt.date(2026, 2, 14), dt.date(2026, 2, 22))],
    (dt.date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)", H),
    (dt.date(2026, 4, 30), "Ngày Giải phóng miền Nam", H),
    (dt.date(2026, 5, 1), "Ngày Quốc tế Lao động", H),
    (dt.date(2026, 9, 1), "Quốc khánh", H),
    (dt.date(2026, 9, 2), "Quốc khánh", H),
    (dt.date(2027, 1, 1), "Tết Dương lịch", H),
    *[(d, "Tết Nguyên đán Đinh Mùi", H) for d in _days(dt.date(2027, 2, 4), dt.date(2027, 2, 10))],
    (dt.date(2027, 4, 16), "Giỗ Tổ Hùng Vương", H),
    (dt.date(2027, 4, 30), "Ngày Giải phóng miền Nam", H),
    (dt.date(2027, 5, 3), "Ngày Quốc tế Lao động (nghỉ bù)", H),
    (dt.date(2027, 9, 2), "Quốc khánh", H),
    (dt.date(2027, 9, 3), "Quốc khánh", H),
]


@transaction.atomic
def seed_holidays() -> int:
    for day, name, kind in SEED:
        Holiday.objects.update_or_create(date=day, defaults={"name": name, "kind": kind})
    calendar.cache_clear()
    return len(SEED)


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
    """The due date: a receipt on a day off counts from the next working day; then `days`
    working days after it."""
    current = next_working_day(received)
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
