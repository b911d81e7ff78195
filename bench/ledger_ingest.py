"""1,000,000 entries through `post_entries` in batches vs a raw bulk insert of the same rows.

BENCH_N sets the number of entries (default 1,000,000); BENCH_BATCH the batch size (1,000).
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid

from bench._common import setup_django, write_result

N = int(os.environ.get("BENCH_N", "1000000"))
BATCH = int(os.environ.get("BENCH_BATCH", "1000"))
PRICED = ["BC-THU", "BC-BK", "BC-EMS", "BC-HCC", "PP-BAO", "PP-OCOP", "PP-TEM"]
PASS = ["TC-DIEN", "TC-NUOC", "TC-BHXH", "TC-THUE", "TC-CT"]


def main() -> None:
    database = setup_django("ledger")
    from django.db import transaction
    from django.utils import timezone

    from buudien.core.models import Role, User
    from buudien.counter import services
    from buudien.counter.catalogue import seed_catalogue
    from buudien.counter.models import (
        CounterSession,
        DailyRollup,
        LedgerEntry,
        MonthlyRollup,
        Service,
    )
    from buudien.counter.services import EntryRequest, _Catalogue, compute
    from buudien.network.models import PostUnit

    LedgerEntry.objects.all().delete()
    DailyRollup.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    CounterSession.objects.all().delete()
    seed_catalogue()
    points = list(PostUnit.objects.filter(kind="commune_point", code__startswith="BLP"))
    if not points:
        root = PostUnit(code="BLROOT", name="Bench", kind="province")
        root.refresh_path()
        root.save()
        area = PostUnit(code="BLA", name="Bench area", kind="area", parent=root)
        area.refresh_path()
        area.save()
        office = PostUnit(code="BLO", name="Bench office", kind="office", parent=area)
        office.refresh_path()
        office.save()
        for i in range(150):
            p = PostUnit(code=f"BLP{i:03d}", name=f"Điểm {i}", kind="commune_point", parent=office)
            p.refresh_path()
            p.save()
            points.append(p)
    clerks = []
    for p in points:
        clerk, _ = User.objects.update_or_create(
            username=f"bench-{p.code}", defaults={"role": Role.CLERK, "home_unit": p}
        )
        clerks.append(clerk)
    rng = random.Random(7)
    batches: list[tuple[int, list[EntryRequest]]] = []
    for b in range(N // BATCH):
        who = b % len(points)
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
        batches.append((who, reqs))
    sessions = [
        CounterSession.objects.create(
            unit=p,
            clerk=c,
            business_date=timezone.localdate(),
            opened_at=timezone.now(),
            opening_cash=0,
        )
        for p, c in zip(points, clerks, strict=True)
    ]
    catalogue = _Catalogue.load({s.code for s in Service.objects.all()})
    now = timezone.now()

    # Baseline: the same rows, already computed, bulk-inserted raw (no checks, no rollups).
    raw_times = []
    for who, reqs in batches:
        session = sessions[who]
        rows = []
        for i, r in enumerate(reqs):
            service = catalogue.services[r.service_code]
            tariff = catalogue.tariff(service, session.business_date)
            assert tariff is not None
            amount, revenue = compute(tariff, amount=r.amount, quantity=r.quantity)
            rows.append(
                LedgerEntry(
                    idempotency_key="raw-" + r.idempotency_key,
                    receipt_no=f"R{i}",
                    unit_id=session.unit_id,
                    clerk_id=session.clerk_id,
                    session=session,
                    service=service,
                    line=service.line,
                    business_date=session.business_date,
                    occurred_at=now,
                    quantity=r.quantity,
                    amount=amount,
                    direction=service.direction,
                    revenue=revenue,
                    method="cash",
                )
            )
        start = time.perf_counter()
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(rows, batch_size=BATCH)
        raw_times.append(time.perf_counter() - start)
    LedgerEntry.objects.all().delete()

    ours = []
    for who, reqs in batches:
        start = time.perf_counter()
        services.post_entries(session=sessions[who], clerk=clerks[who], requests=reqs)
        ours.append(time.perf_counter() - start)
    n = LedgerEntry.objects.count()
    assert n == N // BATCH * BATCH
    rate = n / sum(ours)
    raw_rate = n / sum(raw_times)
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
            "batch": BATCH,
            "rate_ratio": round(raw_rate / rate, 3),
        },
    )
    print(
        f"  {rate:,.0f} entries/s with validation, idempotency and rollups; raw {raw_rate:,.0f}/s"
    )


if __name__ == "__main__":
    main()
