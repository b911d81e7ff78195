"""Rows written by the bulk path read back exactly as rows saved one by one."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from buudien.core.bulk import insert_rows
from buudien.core.models import Attempt

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 1, 1, 0, 30, tzinfo=HANOI),  # the day before, in UTC
        dt.datetime(2026, 6, 30, 16, 59, 59, 123456, tzinfo=HANOI),
        dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC),
    ],
)
def test_a_bulk_moment_is_the_same_instant_and_found_by_its_day(moment: dt.datetime) -> None:
    Attempt.objects.create(key="orm", at=moment)
    Attempt.objects.filter(key="orm").update(at=moment)
    insert_rows(Attempt, ("key", "at"), [("bulk", moment)])
    orm, bulk = (Attempt.objects.get(key=k).at for k in ("orm", "bulk"))
    assert bulk == orm == moment
    local_day = moment.astimezone(HANOI).date()
    found = Attempt.objects.filter(at__date=local_day, at__gte=moment, at__lte=moment)
    assert sorted(found.values_list("key", flat=True)) == ["bulk", "orm"]
