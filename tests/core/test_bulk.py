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


@pytest.mark.django_db(transaction=True)
def test_a_bulk_loading_gives_the_connection_its_usual_settings_back() -> None:
    """The demo loads with SQLite's bulk settings; the pages after it run with the safe ones."""
    from django.db import connection

    from buudien.core.bulk import loading

    def pragma(name: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name}")
            return int(cursor.fetchone()[0])

    if connection.vendor != "sqlite":
        with loading():  # nothing to change on PostgreSQL, and nothing breaks
            assert connection.vendor == "postgresql"
        return
    before = (pragma("synchronous"), pragma("cache_size"))
    with loading():
        assert pragma("synchronous") == 0
        assert pragma("cache_size") == -262144
    assert (pragma("synchronous"), pragma("cache_size")) == before
