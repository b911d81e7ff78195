"""Province-year reports over 5,000,000 ledger entries vs a DuckDB GROUP BY on Parquet.

Runs on PostgreSQL (BENCH_DATABASE_URL, else DATABASE_URL, else the machine's local `test`
database). BENCH_N sets the number of entries.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench._common import median_time, write_result

N = int(os.environ.get("BENCH_N", "5000000"))


def _setup() -> str:
    os.environ.setdefault(
        "BENCH_DATABASE_URL",
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    from bench._common import setup_django

    return setup_django("report")


def build(n: int) -> None:
    from django.db import connection

    from buudien.counter.catalogue import seed_catalogue
    from buudien.counter.models import CounterSession, LedgerEntry
    from buudien.counter.services import rebuild_rollups
    from buudien.network import demo as network_demo
    from buudien.plans import demo as plans_demo
    from buudien.plans.seed import seed_indicators

    network_demo.build()
    seed_catalogue()
    seed_indicators()
    if LedgerEntry.objects.filter(idempotency_key__startswith="bench-").count() >= n:
        _ensure_rollups()
        plans_demo.build()
        return
    LedgerEntry.objects.all().delete()
    from buudien.core.models import User
    from buudien.network.models import PostUnit

    clerk = User.objects.get(username="admin")
    units = list(
        PostUnit.objects.filter(kind__in=["office", "commune_point"], path__startswith="/BDT04/")
    )
    from django.utils import timezone

    CounterSession.objects.filter(clerk=clerk).delete()
    sessions = [
        CounterSession.objects.create(
            unit=u,
            clerk=clerk,
            business_date=timezone.localdate(),
            opened_at=timezone.now(),
            opening_cash=0,
            status="closed",
        )
        for u in units
    ]
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE bench_units AS SELECT * FROM unnest(%s::uuid[], %s::uuid[])"
            " WITH ORDINALITY AS t(unit_id, session_id, k)",
            [[u.pk for u in units], [s.pk for s in sessions]],
        )
        cur.execute(
            "CREATE TEMP TABLE bench_services AS SELECT id, line, kind, "
            "row_number() OVER (ORDER BY code) AS k FROM counter_service"
        )
        cur.execute("SELECT count(*) FROM bench_units")
        n_units = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM bench_services")
        n_services = cur.fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO counter_ledgerentry (id, idempotency_key, receipt_no, unit_id, clerk_id,
              session_id, service_id, line, business_date, occurred_at, quantity, amount,
              direction, revenue, method, customer_name, customer_phone, customer_id_no,
              source_type, source_id, reason, created_at)
            SELECT gen_random_uuid(), 'bench-' || g, 'B' || g, u.unit_id, %s, u.session_id,
              s.id, s.line, DATE '2024-01-01' + (g %% 731)::int, now(), 1,
              1000 * (50 + (g * 7919) %% 5000),
              CASE WHEN s.kind = 'payout' THEN 'out' ELSE 'in' END,
              1000 * (5 + (g * 104729) %% 200), 'cash', '', '', '', '', '', '', now()
            FROM generate_series(1::bigint, %s::bigint) AS g
            JOIN bench_units u ON u.k = 1 + (g * 31) %% {n_units}
            JOIN bench_services s ON s.k = 1 + (g * 17) %% {n_services}
            """,
            [clerk.pk, n],
        )
        cur.execute("ANALYZE counter_ledgerentry")
    rebuild_rollups()
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
