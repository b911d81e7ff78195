"""The monthly dossier rollup that the dossier report and the indicators read: kept current
by the intake and the return with one atomic upsert each, and recounted from the dossiers in
the database after a bulk insert or a repair."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from buudien.dossiers.models import Dossier, DossierMonthRollup

KEY = ("month", "point", "agency", "procedure", "channel")
COUNTS = ("received", "returned", "returned_on_time")


def local_date(moment: dt.datetime) -> dt.date:
    """A moment's date in Vietnam, the day the reports count it on."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the month of a moment's date in Vietnam."""
    return local_date(moment).replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def count_received(dossier: Dossier) -> None:
    """One more dossier received in its month (in the intake's own transaction)."""
    _add(dossier, month_of(dossier.received_at), (1, 0, 0))


def count_returned(dossier: Dossier) -> None:
    """One more result returned in its month, on time if returned by the due date (the local
    day of the return against the date promised)."""
    returned_at = dossier.returned_at
    if returned_at is None:
        return
    on_time = int(local_date(returned_at) <= dossier.due_date)
    _add(dossier, month_of(returned_at), (0, 1, on_time))


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def _column(name: str) -> str:
    return connection.ops.quote_name(str(_field(DossierMonthRollup, name).column))


def _add(dossier: Dossier, month: dt.date, counts: tuple[int, int, int]) -> None:
    table = connection.ops.quote_name(DossierMonthRollup._meta.db_table)
    keys = ", ".join(_column(k) for k in KEY)
    counted = ", ".join(_column(c) for c in COUNTS)
    increments = ", ".join(
        f"{_column(c)} = {table}.{_column(c)} + excluded.{_column(c)}" for c in COUNTS
    )
    sql = (
        f"INSERT INTO {table} ({keys}, {counted}) VALUES ({', '.join(['%s'] * 8)}) "  # noqa: S608
        f"ON CONFLICT ({keys}) DO UPDATE SET {increments}"
    )
    values = (month, dossier.point_id, dossier.agency_id, dossier.procedure_id, dossier.channel)
    params = [
        _field(DossierMonthRollup, k).get_db_prep_value(v, connection)
        for k, v in zip(KEY, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *counts])


def _fixed_offset_minutes() -> int | None:
    """The zone's offset from UTC in minutes when it never changed over the dates a post can
    hold (Vietnam: +7:00 since 1975), else None."""
    zone = timezone.get_default_timezone()
    offsets = {
        dt.datetime(year, month, 15, tzinfo=zone).utcoffset()
        for year in (1980, 2000, 2020, 2040)
        for month in (1, 7)
    }
    only = offsets.pop() if len(offsets) == 1 else None
    return None if only is None else int(only.total_seconds() // 60)


def _local_date_sql(column: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL of a stored moment's date in Vietnam, as Django's `__date` lookup counts it.
    On SQLite, for a zone of one fixed offset, SQLite's own date arithmetic: the same dates
    as Django's function, without a call into Python for each of hundreds of thousands of
    rows."""
    minutes = _fixed_offset_minutes() if connection.vendor == "sqlite" else None
    if minutes is not None:
        return f"date({column}, '{minutes:+d} minutes')", ()
    tzname = timezone.get_default_timezone_name()
    sql, params = connection.ops.datetime_cast_date_sql(column, (), tzname)
    return sql, tuple(params)


def _month_sql(column: str) -> tuple[str, tuple[Any, ...]]:
    day, params = _local_date_sql(column)
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {day}) AS date)", params
    return f"date({day}, 'start of month')", params


def _counted(column: str, first: dt.date | None, after: dt.date | None) -> tuple[str, list[Any]]:
    """Dossiers grouped by the month of one of their moments (received or returned), in the
    rollup's columns: received counts for `received_at`, returned and on time otherwise."""
    month, params = _month_sql(column)
    if column == "received_at":
        counts, count_params = "COUNT(*) AS n_in, 0 AS n_out, 0 AS n_ok", ()
    else:
        day, count_params = _local_date_sql(column)
        on_time = f"SUM(CASE WHEN {day} <= due_date THEN 1 ELSE 0 END)"
        counts = f"0 AS n_in, COUNT(*) AS n_out, {on_time} AS n_ok"
    where, where_params = [f"{column} IS NOT NULL"], []
    moment = _field(Dossier, column)
    tz = timezone.get_default_timezone()
    for op, day_ in ((">=", first), ("<", after)):
        if day_ is not None:
            where.append(f"{column} {op} %s")
            start = dt.datetime.combine(day_, dt.time.min, tzinfo=tz)
            where_params.append(moment.get_db_prep_value(start, connection))
    sql = (
        f"SELECT {month} AS m, point_id AS p, agency_id AS a, procedure_id AS r, "  # noqa: S608
        f"channel AS c, {counts} "
        f"FROM {Dossier._meta.db_table} WHERE {' AND '.join(where)} GROUP BY 1, 2, 3, 4, 5"
    )
    return sql, [*params, *count_params, *where_params]


@transaction.atomic
def rebuild_rollups(*, since: dt.date | None = None, until: dt.date | None = None) -> int:
    """Recount the rollup from the dossiers, in the database, for the whole months from
    `since` to `until` (every month when not given); the number of rows written."""
    first = since.replace(day=1) if since else None
    after = next_month(until) if until else None
    stale = DossierMonthRollup.objects.all()
    if first is not None:
        stale = stale.filter(month__gte=first)
    if after is not None:
        stale = stale.filter(month__lt=after)
    stale.delete()
    received, received_params = _counted("received_at", first, after)
    returned, returned_params = _counted("returned_at", first, after)
    table = connection.ops.quote_name(DossierMonthRollup._meta.db_table)
    keys = ", ".join(_column(k) for k in KEY)
    sql = (
        f"INSERT INTO {table} ({keys}, {', '.join(_column(c) for c in COUNTS)}) "  # noqa: S608
        "SELECT m, p, a, r, c, SUM(n_in), SUM(n_out), SUM(n_ok) FROM ("
        f"{received} UNION ALL {returned}) AS counted "
        "GROUP BY m, p, a, r, c"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*received_params, *returned_params])
        return int(cursor.rowcount)


def whole_months(start: dt.date, end: dt.date) -> bool:
    """Whether the days start..end are whole months, which the rollup can count."""
    return start <= end and start.day == 1 and (end + dt.timedelta(days=1)).day == 1
