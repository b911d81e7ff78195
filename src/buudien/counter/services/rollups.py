"""The per-day and per-month rollups the reports read: kept current on every post, and
rebuilt from the raw entries in the database after a bulk import or a repair."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from buudien.counter.models import (
    DailyRollup,
    LedgerEntry,
    MonthlyRollup,
    UnitMonthRollup,
    month_start,
)

Sums = dict[tuple[Any, ...], list[int]]


def _deltas(entries: Sequence[LedgerEntry]) -> Sums:
    sums: Sums = {}
    for e in entries:
        sign = -1 if e.reverses_id is not None else 1
        key = (e.unit_id, e.service_id, e.business_date, e.line)
        row = sums.setdefault(key, [0, 0, 0, 0, 0])
        row[0] += sign
        row[1] += sign * e.quantity
        if e.direction == "in":
            row[2] += e.amount
        else:
            row[3] += e.amount
        row[4] += e.revenue
    return sums


def _fold(rows: Sums, key: Any) -> Sums:
    out: Sums = {}
    for k, values in rows.items():
        row = out.setdefault(key(k), [0, 0, 0, 0, 0])
        for i, v in enumerate(values):
            row[i] += v
    return out


def add_to_rollups(entries: Sequence[LedgerEntry]) -> None:
    """Add entries to the rollups with one upsert per touched row (atomic increments)."""
    daily = _deltas(entries)
    monthly = _fold(daily, lambda k: (k[0], k[1], month_start(k[2]), k[3]))
    totals = _fold(monthly, lambda k: (k[0], k[2], k[3]))
    _upsert(DailyRollup._meta.db_table, "business_date", daily)
    _upsert(MonthlyRollup._meta.db_table, "month", monthly)
    _upsert_totals(UnitMonthRollup._meta.db_table, totals)


_INCREMENTS = (
    "count = {t}.count + excluded.count, quantity = {t}.quantity + excluded.quantity, "
    "cash_in = {t}.cash_in + excluded.cash_in, cash_out = {t}.cash_out + excluded.cash_out, "
    "revenue = {t}.revenue + excluded.revenue"
)


def _upsert(table: str, day_column: str, rows: Sums) -> None:
    if not rows:
        return
    uuid_prep = LedgerEntry._meta.get_field("unit").target_field  # type: ignore[union-attr]
    date_prep = DailyRollup._meta.get_field("business_date")
    sql = (
        f"INSERT INTO {table} (unit_id, service_id, {day_column}, line, count, quantity, "  # noqa: S608
        "cash_in, cash_out, revenue) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (unit_id, service_id, {day_column}) DO UPDATE SET "
        + _INCREMENTS.format(t=table)
    )
    params = [
        (
            uuid_prep.get_db_prep_value(unit, connection),
            uuid_prep.get_db_prep_value(service, connection),
            date_prep.get_db_prep_value(day, connection),
            line,
            *values,
        )
        for (unit, service, day, line), values in sorted(rows.items(), key=lambda kv: str(kv[0]))
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _upsert_totals(table: str, rows: Sums) -> None:
    if not rows:
        return
    uuid_prep = LedgerEntry._meta.get_field("unit").target_field  # type: ignore[union-attr]
    date_prep = DailyRollup._meta.get_field("business_date")
    sql = (
        f"INSERT INTO {table} (unit_id, month, line, count, quantity, cash_in, cash_out, "  # noqa: S608
        "revenue) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (unit_id, month, line) DO UPDATE SET " + _INCREMENTS.format(t=table)
    )
    params = [
        (
            uuid_prep.get_db_prep_value(unit, connection),
            date_prep.get_db_prep_value(month, connection),
            line,
            *values,
        )
        for (unit, month, line), values in sorted(rows.items(), key=lambda kv: str(kv[0]))
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _bounds(since: dt.date | None, until: dt.date | None) -> tuple[str, str, list[Any]]:
    """The WHERE clauses on a day column and on a month column, by whole months, and their
    parameters."""
    date_prep = DailyRollup._meta.get_field("business_date")
    day_parts, month_parts, params = [], [], []
    if since is not None:
        day_parts.append("business_date >= %s")
        month_parts.append("month >= %s")
        params.append(date_prep.get_db_prep_value(month_start(since), connection))
    if until is not None:
        following = (month_start(until) + dt.timedelta(days=32)).replace(day=1)
        day_parts.append("business_date < %s")
        month_parts.append("month < %s")
        params.append(date_prep.get_db_prep_value(following, connection))
    where_day = ("WHERE " + " AND ".join(day_parts)) if day_parts else ""
    where_month = ("WHERE " + " AND ".join(month_parts)) if month_parts else ""
    return where_day, where_month, params


@transaction.atomic
def rebuild_rollups(*, since: dt.date | None = None, until: dt.date | None = None) -> int:
    """Recompute the daily and monthly rollups from the raw entries, in the database, for
    the whole months from `since` to `until` (every month when not given)."""
    daily = DailyRollup._meta.db_table
    monthly = MonthlyRollup._meta.db_table
    totals = UnitMonthRollup._meta.db_table
    entries = LedgerEntry._meta.db_table
    where_day, where_month, params = _bounds(since, until)
    if connection.vendor == "postgresql":
        month_of = "date_trunc('month', business_date)::date"
    else:
        month_of = "date(business_date, 'start of month')"
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {daily} {where_day}", params)  # noqa: S608
        cur.execute(f"DELETE FROM {monthly} {where_month}", params)  # noqa: S608
        cur.execute(f"DELETE FROM {totals} {where_month}", params)  # noqa: S608
        cur.execute(
            f"INSERT INTO {daily} (unit_id, service_id, business_date, line, count, quantity, "  # noqa: S608
            "cash_in, cash_out, revenue) "
            "SELECT unit_id, service_id, business_date, line, "
            "SUM(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END), "
            "SUM(CASE WHEN reverses_id IS NULL THEN quantity ELSE -quantity END), "
            "SUM(CASE WHEN direction = 'in' THEN amount ELSE 0 END), "
            "SUM(CASE WHEN direction = 'out' THEN amount ELSE 0 END), "
            f"SUM(revenue) FROM {entries} {where_day} "
            # In the order of the entries' (unit, day) index: the database sorts less.
            "GROUP BY unit_id, business_date, service_id, line",
            params,
        )
        written = cur.rowcount
        cur.execute(
            f"INSERT INTO {monthly} (unit_id, service_id, month, line, count, quantity, "  # noqa: S608
            "cash_in, cash_out, revenue) "
            f"SELECT unit_id, service_id, {month_of}, line, SUM(count), SUM(quantity), "
            f"SUM(cash_in), SUM(cash_out), SUM(revenue) FROM {daily} {where_day} "
            f"GROUP BY unit_id, service_id, {month_of}, line",
            params,
        )
        cur.execute(
            f"INSERT INTO {totals} (unit_id, month, line, count, quantity, cash_in, cash_out, "  # noqa: S608
            f"revenue) SELECT unit_id, month, line, SUM(count), SUM(quantity), SUM(cash_in), "
            f"SUM(cash_out), SUM(revenue) FROM {monthly} {where_month} "
            "GROUP BY unit_id, month, line",
            params,
        )
    return int(written)
