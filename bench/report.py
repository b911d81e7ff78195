"""Province-year reports over 5,000,000 ledger entries vs a DuckDB GROUP BY on Parquet.

Runs on PostgreSQL (BENCH_DATABASE_URL, else DATABASE_URL, else the machine's local `test`
database). BENCH_N sets the number of entries.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import median_time, write_result

N = int(os.environ.get("BENCH_N", "5000000"))


def _setup() -> str:
    os.environ.setdefault(
        "BENCH_DATABASE_URL",
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    from bench._common import setup_django

    return setup_django("report")


def _history(n: int) -> Any:
    """n entries over 2024 and 2025 at every office and point, one shift a unit and a day,
    posted as past days' shifts through the counter's bulk door."""
    import datetime as dt

    from django.utils import timezone

    from buudien.core.models import Role, User
    from buudien.counter import services
    from buudien.counter.models import Service
    from buudien.network.models import PostUnit

    units = list(
        PostUnit.objects.filter(kind__in=["office", "commune_point"], path__startswith="/BDT04/")
    )
    clerks = {u.home_unit_id: u for u in User.objects.filter(role=Role.CLERK, home_unit__in=units)}
    codes = list(Service.objects.order_by("code").values_list("code", "kind"))
    tz = timezone.get_current_timezone()
    days = [dt.date(2024, 1, 1) + dt.timedelta(d) for d in range(731)]
    per_shift = -(-n // (len(units) * len(days)))
    g = 0
    for day in days:
        at = dt.datetime.combine(day, dt.time(10), tz)
        for unit in units:
            requests = []
            for _ in range(min(per_shift, n - g)):
                g += 1
                code, kind = codes[(g * 17) % len(codes)]
                priced = kind in {"fee", "sale"}
                requests.append(
                    services.EntryRequest(
                        idempotency_key=f"bench-{g}",
                        service_code=code,
                        amount=None if priced else 1000 * (50 + (g * 7919) % 5000),
                        occurred_at=at,
                    )
                )
            if requests:
                yield services.PastShift(
                    unit=unit, clerk=clerks[unit.pk], business_date=day, requests=requests
                )


def build(n: int) -> None:
    from buudien.core import reference
    from buudien.core.models import User
    from buudien.counter import services
    from buudien.counter.models import CounterSession, LedgerEntry
    from buudien.network import demo as network_demo
    from buudien.plans import demo as plans_demo

    reference.load()
    network_demo.build()
    if LedgerEntry.objects.filter(idempotency_key__startswith="bench-").count() >= n:
        _ensure_rollups()
        plans_demo.build()
        return
    LedgerEntry.objects.all().delete()
    CounterSession.objects.all().delete()
    admin = User.objects.get(username="admin")
    services.import_shifts(actor=admin, shifts=_history(n))
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE counter_ledgerentry")
    plans_demo.build()


def _ensure_rollups() -> None:
    from django.db.models import Sum

    from buudien.counter.models import DailyRollup, LedgerEntry, MonthlyRollup, UnitMonthRollup
    from buudien.counter.services import rebuild_rollups

    raw = LedgerEntry.objects.aggregate(r=Sum("revenue"))["r"]
    if (
        UnitMonthRollup.objects.aggregate(r=Sum("revenue"))["r"] != raw
        or DailyRollup.objects.aggregate(r=Sum("revenue"))["r"] != raw
        or MonthlyRollup.objects.aggregate(r=Sum("revenue"))["r"] != raw
    ):
        rebuild_rollups()


def export_parquet(target: Path) -> None:
    import duckdb
    from django.db import connection

    csv = target.with_suffix(".csv")
    units_csv = target.with_name("units.csv")
    with (
        connection.cursor() as cur,
        open(csv, "wb") as f,
        cur.copy(
            "COPY (SELECT unit_id, line, business_date, revenue FROM "
            "counter_ledgerentry) TO STDOUT WITH CSV HEADER"
        ) as copy,
    ):
        for data in copy:
            f.write(data)
    with (
        connection.cursor() as cur,
        open(units_csv, "wb") as f,
        cur.copy(
            "COPY (SELECT id, path, kind FROM network_postunit) TO STDOUT WITH CSV HEADER"
        ) as copy,
    ):
        for data in copy:
            f.write(data)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv_auto('{csv}')) TO '{target}' (FORMAT PARQUET)")
    con.execute(
        f"COPY (SELECT * FROM read_csv_auto('{units_csv}')) TO "
        f"'{target.with_name('units.parquet')}' (FORMAT PARQUET)"
    )
    csv.unlink()
    units_csv.unlink()


def main() -> None:
    database = _setup()
    start = time.perf_counter()
    build(N)
    print(f"  data ready in {time.perf_counter() - start:.0f} s")
    import duckdb

    from buudien.core.models import User
    from buudien.counter.models import LedgerEntry
    from buudien.network.models import PostUnit
    from buudien.plans.periods import Period
    from buudien.reports.builders import network_report, plan_vs_actual
    from buudien.reports.narrative import network_text, plan_vs_actual_text

    n = LedgerEntry.objects.count()
    user = User.objects.get(username="tinh")
    province = PostUnit.objects.get(code="BDT04")
    period = Period(2025, "year", 12)

    def plan_actual() -> None:
        report = plan_vs_actual(user, province, period)
        assert plan_vs_actual_text(report)

    def network() -> None:
        report = network_report(user, province, period)
        assert network_text(report)

    with tempfile.TemporaryDirectory() as tmp:
        parquet = Path(tmp) / "entries.parquet"
        export_parquet(parquet)
        units = parquet.with_name("units.parquet")
        con = duckdb.connect()

        def duck_plan_actual() -> None:
            con.execute(f"""
                SELECT split_part(u.path, '/', 3) AS area, e.line,
                       year(e.business_date) AS y, sum(e.revenue)
                FROM '{parquet}' e JOIN '{units}' u ON u.id = e.unit_id
                WHERE e.business_date BETWEEN DATE '2024-01-01' AND DATE '2025-12-31'
                GROUP BY ALL""").fetchall()

        def duck_network() -> None:
            con.execute(f"""
                SELECT e.unit_id, sum(e.revenue) FROM '{parquet}' e
                JOIN '{units}' u ON u.id = e.unit_id
                WHERE u.kind = 'commune_point'
                  AND e.business_date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'
                GROUP BY ALL""").fetchall()

        base_pa = median_time(duck_plan_actual, repeat=9)
        base_net = median_time(duck_network, repeat=9)
    ours_pa = median_time(plan_actual, repeat=9)
    ours_net = median_time(network, repeat=9)
    write_result(
        name="report_plan_actual",
        database=database,
        n=n,
        median_s=ours_pa,
        baseline="DuckDB GROUP BY over the raw entries in Parquet",
        baseline_median_s=base_pa,
    )
    write_result(
        name="report_network",
        database=database,
        n=n,
        median_s=ours_net,
        baseline="DuckDB GROUP BY over the raw entries in Parquet",
        baseline_median_s=base_net,
    )


if __name__ == "__main__":
    main()
