"""1,000,000 entries through `post_entries` in batches vs a raw bulk insert of the same rows;
and the same requests through the bulk door (`import_shifts`) as closed shifts of past days.

BENCH_N sets the number of entries (default 1,000,000); BENCH_BATCH the batch size (1,000).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
import uuid
from typing import Any

from bench._common import setup_django, write_result

N = int(os.environ.get("BENCH_N", "1000000"))
BATCH = int(os.environ.get("BENCH_BATCH", "1000"))
PRICED = ["BC-THU", "BC-BK", "BC-EMS", "BC-HCC", "PP-BAO", "PP-OCOP", "PP-TEM"]
PASS = ["TC-DIEN", "TC-NUOC", "TC-BHXH", "TC-THUE", "TC-CT"]


def _points() -> list[Any]:
    from buudien.network.models import PostUnit

    points = list(PostUnit.objects.filter(kind="commune_point", code__startswith="BLP"))
    if points:
        return points
    parent = None
    for code, name, kind in (
        ("BLROOT", "Bench", "province"),
        ("BLA", "Bench area", "area"),
        ("BLO", "Bench office", "office"),
    ):
        parent = PostUnit(code=code, name=name, kind=kind, parent=parent)
        parent.refresh_path()
        parent.save()
    for i in range(150):
        p = PostUnit(code=f"BLP{i:03d}", name=f"Điểm {i}", kind="commune_point", parent=parent)
        p.refresh_path()
        p.save()
        points.append(p)
    return points


def _batches(rng: random.Random, n_points: int) -> list[tuple[int, list[Any]]]:
    from buudien.counter.services import EntryRequest

    batches = []
    for b in range(N // BATCH):
        reqs = []
        for _ in range(BATCH):
            if rng.random() < 0.6:
                reqs.append(
                    EntryRequest(
                        idempotency_key=str(uuid.uuid4()),
                        service_code=rng.choice(PRICED),
                        quantity=rng.randint(1, 3),
                    )
                )
            else:
                reqs.append(
                    EntryRequest(
                        idempotency_key=str(uuid.uuid4()),
                        service_code=rng.choice(PASS),
                        amount=rng.randint(50, 5_000) * 1_000,
                    )
                )
        batches.append((b % n_points, reqs))
    return batches


def _clear() -> None:
    from buudien.counter.models import (
        CounterSession,
        DailyRollup,
        LedgerEntry,
        MonthlyRollup,
        UnitMonthRollup,
    )

    for model in (LedgerEntry, DailyRollup, MonthlyRollup, UnitMonthRollup, CounterSession):
        model.objects.all().delete()


def _raw(rows: list[tuple[Any, ...]], columns: list[str]) -> list[float]:
    """Insert the rows the ledger wrote, as they are, batch by batch: no checks, no rollups."""
    from django.db import transaction

    from buudien.core.bulk import insert_rows
    from buudien.counter.models import LedgerEntry

    times = []
    for start in range(0, len(rows), BATCH):
        began = time.perf_counter()
        with transaction.atomic():
            insert_rows(LedgerEntry, columns, rows[start : start + BATCH])
        times.append(time.perf_counter() - began)
    return times


def _bulk(points: list[Any], clerks: list[Any], batches: list[tuple[int, list[Any]]]) -> float:
    """The same requests as closed shifts of past days, one shift a batch, one import."""
    from dataclasses import replace

    from django.utils import timezone

    from buudien.core.models import User
    from buudien.counter import services

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", password=None
    )
    tz = timezone.get_current_timezone()
    first = timezone.localdate() - dt.timedelta(days=len(batches) // len(points) + 2)

    def shifts() -> Any:
        for b, (who, reqs) in enumerate(batches):
            day = first + dt.timedelta(days=b // len(points))
            at = dt.datetime.combine(day, dt.time(9), tz)
            yield services.PastShift(
                unit=points[who],
                clerk=clerks[who],
                business_date=day,
                requests=[replace(r, occurred_at=at) for r in reqs],
            )

    began = time.perf_counter()
    services.import_shifts(actor=admin, shifts=shifts())
    return time.perf_counter() - began


def main() -> None:
    database = setup_django("ledger")
    from django.utils import timezone

    from buudien.core import reference
    from buudien.core.models import Role, User
    from buudien.counter import services
    from buudien.counter.models import LedgerEntry

    _clear()
    reference.load()
    points = _points()
    clerks = [
        User.objects.update_or_create(
            username=f"bench-{p.code}", defaults={"role": Role.CLERK, "home_unit": p}
        )[0]
        for p in points
    ]
    batches = _batches(random.Random(7), len(points))
    sessions = [
        services.open_session(clerk=c, unit=p, opening_cash=0, business_date=timezone.localdate())
        for p, c in zip(points, clerks, strict=True)
    ]

    ours = []
    for who, reqs in batches:
        start = time.perf_counter()
        services.post_entries(session=sessions[who], clerk=clerks[who], requests=reqs)
        ours.append(time.perf_counter() - start)
    n = LedgerEntry.objects.count()
    assert n == N // BATCH * BATCH

    # Baseline: the very rows the ledger wrote, inserted raw (no checks, no rollups).
    columns = [f.attname for f in LedgerEntry._meta.concrete_fields if f.attname != "reverses_id"]
    rows = list(LedgerEntry.objects.order_by("pk").values_list(*columns))
    LedgerEntry.objects.all().delete()
    raw_times = _raw(rows, columns)
    del rows
    _clear()
    bulk_s = _bulk(points, clerks, batches)
    assert LedgerEntry.objects.count() == n

    rate, raw_rate, bulk_rate = n / sum(ours), n / sum(raw_times), n / bulk_s
    write_result(
        name="ledger_ingest",
        database=database,
        n=n,
        median_s=statistics.median(ours),
        baseline=f"raw bulk insert of the same rows, batches of {BATCH}",
        baseline_median_s=statistics.median(raw_times),
        extra={
            "entries_per_s": round(rate),
            "raw_entries_per_s": round(raw_rate),
            "bulk_entries_per_s": round(bulk_rate),
            "batch": BATCH,
            "rate_ratio": round(raw_rate / rate, 3),
            "bulk_rate_ratio": round(raw_rate / bulk_rate, 3),
        },
    )
    print(
        f"  {rate:,.0f} entries/s with validation, idempotency and rollups; "
        f"bulk door {bulk_rate:,.0f}/s; raw {raw_rate:,.0f}/s"
    )


if __name__ == "__main__":
    main()
