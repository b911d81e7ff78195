"""Dossier deadlines under the Civil Code (art. 147-148): day 1 is the first working day after
the day of receipt, whatever day the receipt was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from buudien.dossiers.calendar import add_working_days, calendar, working_days_late
from buudien.dossiers.models import Holiday

TET_2026 = [dt.date(2026, 2, 14) + dt.timedelta(days=d) for d in range(9)]  # 14-22 February


@pytest.fixture
def tet_2026(db: None) -> Iterator[None]:
    """Tết Bính Ngọ as the government decided it: Saturday 14 to Sunday 22 February 2026."""
    Holiday.objects.bulk_create(
        [
            Holiday(date=d, name="Tết Nguyên đán Bính Ngọ", kind=Holiday.Kind.HOLIDAY)
            for d in TET_2026
        ]
        + [
            Holiday(date=dt.date(2026, 4, 30), name="Ngày Giải phóng", kind=Holiday.Kind.HOLIDAY),
            Holiday(date=dt.date(2026, 5, 1), name="Quốc tế Lao động", kind=Holiday.Kind.HOLIDAY),
        ]
    )
    calendar.cache_clear()
    yield
    calendar.cache_clear()


@pytest.mark.usefixtures("tet_2026")
@pytest.mark.parametrize(
    ("received", "days", "due", "why"),
    [
        (dt.date(2026, 3, 11), 5, dt.date(2026, 3, 18), "Wednesday: day 1 is Thursday 12"),
        (dt.date(2026, 3, 13), 1, dt.date(2026, 3, 16), "Friday: day 1 is Monday 16"),
        (dt.date(2026, 3, 14), 3, dt.date(2026, 3, 18), "Saturday: day 1 is Monday 16"),
        (dt.date(2026, 3, 15), 1, dt.date(2026, 3, 16), "Sunday: day 1 is Monday 16"),
        (dt.date(2026, 2, 13), 5, dt.date(2026, 2, 27), "eve of Tết: day 1 is Monday 23"),
        (dt.date(2026, 2, 17), 1, dt.date(2026, 2, 23), "Tết: day 1 is Monday 23"),
        (dt.date(2026, 2, 22), 2, dt.date(2026, 2, 24), "last day of Tết: day 1 is Monday 23"),
        (dt.date(2026, 4, 29), 2, dt.date(2026, 5, 5), "eve of 30/4: day 1 is Monday 4 May"),
    ],
)
def test_day_one_is_the_first_working_day_after_the_receipt(
    received: dt.date, days: int, due: dt.date, why: str
) -> None:
    assert add_working_days(received, days) == due, why


@pytest.mark.usefixtures("tet_2026")
def test_a_receipt_on_a_day_off_is_not_a_day_later_than_one_on_the_working_day_before() -> None:
    friday, saturday, in_tet = dt.date(2026, 3, 13), dt.date(2026, 3, 14), dt.date(2026, 2, 18)
    assert add_working_days(saturday, 5) == add_working_days(friday, 5) == dt.date(2026, 3, 20)
    assert add_working_days(in_tet, 5) == add_working_days(dt.date(2026, 2, 13), 5)


@pytest.mark.usefixtures("tet_2026")
def test_a_same_day_procedure_received_on_a_day_off_is_due_the_next_working_day() -> None:
    assert add_working_days(dt.date(2026, 3, 11), 0) == dt.date(2026, 3, 11)
    assert add_working_days(dt.date(2026, 2, 20), 0) == dt.date(2026, 2, 23)


@pytest.mark.usefixtures("tet_2026")
def test_days_late_count_only_working_days_after_the_due_date() -> None:
    due = dt.date(2026, 2, 12)  # Thursday before Tết
    assert working_days_late(due, dt.date(2026, 2, 12)) == 0
    assert working_days_late(due, dt.date(2026, 2, 22)) == 1  # Friday 13 only
    assert working_days_late(due, dt.date(2026, 2, 24)) == 3
