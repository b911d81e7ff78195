"""Two full years of counter activity for the demo province, bulk-inserted, rollups rebuilt."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from zoneinfo import ZoneInfo

from django.db import transaction

from buudien.core.models import Role, User, uuid7
from buudien.counter import services
from buudien.counter.catalogue import seed_catalogue
from buudien.counter.models import CounterSession, LedgerEntry, Service, Tariff
from buudien.counter.services import _Catalogue, compute
from buudien.network.models import PostUnit

YEARS = {2024: 104_000_000_000, 2025: 118_000_000_000}
LINE_SHARE = {"delivery": 0.18, "finance": 0.70, "media": 0.12}
# Commission caps and rounding of quantities skew each line; these bring it back to its share.
CALIBRATION = {"delivery": 0.88, "finance": 2.5, "media": 0.88}
SERVICES = {
    "delivery": [
        ("BC-THU", 3),
        ("BC-THUDB", 2),
        ("BC-BK", 4),
        ("BC-EMS", 3),
        ("BC-HCC", 3),
        ("BC-HCC-NHA", 1),
    ],
    "finance": [
        ("TC-LHUU", 5),
        ("TC-BTXH", 3),
        ("TC-DIEN", 2),
        ("TC-NUOC", 1),
        ("TC-THUE", 1),
        ("TC-BHXH", 3),
        ("TC-TK", 2),
        ("TC-CT", 2),
    ],
    "media": [("PP-BAO", 2), ("PP-HANG", 4), ("PP-OCOP", 3), ("PP-QC", 1), ("PP-TEM", 1)],
}
ENTRIES_PER_YEAR = 240_000
# From this day the payouts demo posts the pension and allowance payouts itself, one entry per
# line paid, so that its lists reconcile with the ledger; the counter demo stops inventing them.
PAYOUTS_POSTED_FROM = dt.date(2025, 9, 1)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Lunar new year (Tết) days: shopping peaks before, the counters close during.
TET = {2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29)}


def _season(day: dt.date) -> float:
    tet = TET[day.year]
    delta = (day - tet).days
    if -14 <= delta < 0:
        return 1.8
    if 0 <= delta <= 4:
        return 0.0
    if day.weekday() == 6:
        return 0.3
    factor = 1.0 + 0.15 * (day.month in {11, 12})
    if 2 <= day.day <= 10:
        factor *= 1.3  # pension days
    return factor


@transaction.atomic
def build() -> list[tuple[str, str, str]]:
    """Seed the catalogue and, once, two years of entries; returns no new logins."""
    seed_catalogue()
    if LedgerEntry.objects.filter(source_type="demo").exists():
        return []
    rng = random.Random(2024)
    units = list(
        PostUnit.objects.filter(
            kind__in=["office", "commune_point"], path__startswith="/BDT04/"
        ).order_by("code")
    )
    clerks = clerks_for(units)
    weight = {u.pk: (6.0 if u.kind == "office" else rng.lognormvariate(0, 0.6)) for u in units}
    total_w = sum(weight.values())
    catalogue = _Catalogue.load({c for line in SERVICES.values() for c, _ in line})
    for year, target in YEARS.items():
        days = [dt.date(year, 1, 1) + dt.timedelta(d) for d in range(366 if year % 4 == 0 else 365)]
        day_w = {d: _season(d) for d in days}
        sum_day = sum(day_w.values())
        per_entry = target / ENTRIES_PER_YEAR
        for unit in units:
            sessions: list[CounterSession] = []
            rows: list[LedgerEntry] = []
            for day in days:
                day_rows: list[LedgerEntry] = []
                for line, share in LINE_SHARE.items():
                    choices, weights = zip(*SERVICES[line], strict=True)
                    expected = (
                        ENTRIES_PER_YEAR * share * weight[unit.pk] / total_w * day_w[day] / sum_day
                    )
                    count = int(expected) + (rng.random() < expected - int(expected))
                    for _ in range(count):
                        code = rng.choices(choices, weights)[0]
                        if (
                            day >= PAYOUTS_POSTED_FROM
                            and catalogue.services[code].kind == Service.Kind.PAYOUT
                        ):
                            continue
                        day_rows.append(
                            _entry(
                                rng,
                                catalogue=catalogue,
                                unit=unit,
                                clerk=clerks[unit.pk],
                                code=code,
                                day=day,
                                per_entry=per_entry * CALIBRATION[line],
                            )
                        )
                if day_rows:
                    sessions.append(_session(unit, clerks[unit.pk], day, day_rows))
                    rows.extend(day_rows)
            CounterSession.objects.bulk_create(sessions, batch_size=2000)
            LedgerEntry.objects.bulk_create(rows, batch_size=5000)
    services.rebuild_rollups()
    return []


def clerks_for(units: list[PostUnit]) -> dict[object, User]:
    """The clerk of each unit (by unit pk), created with no password where missing."""
    existing = {
        u.home_unit_id: u for u in User.objects.filter(role=Role.CLERK, home_unit__in=units)
    }
    new = []
    for unit in units:
        if unit.pk not in existing:
            user = User(
                username=f"nv-{unit.code.lower()}",
                role=Role.CLERK,
                home_unit=unit,
                full_name=f"Nhân viên {unit.name}",
            )
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new)
    return {u.home_unit_id: u for u in User.objects.filter(role=Role.CLERK, home_unit__in=units)}


def _entry(
    rng: random.Random,
    *,
    catalogue: _Catalogue,
    unit: PostUnit,
    clerk: User,
    code: str,
    day: dt.date,
    per_entry: float,
) -> LedgerEntry:
    service = catalogue.services[code]
    tariff = catalogue.tariff(service, day)
    assert tariff is not None  # noqa: S101 - the seed catalogue has a tariff for every day
    target = per_entry * rng.lognormvariate(0, 0.5)
    if tariff.rule in {Tariff.Rule.UNIT_PRICE, Tariff.Rule.FIXED_FEE}:
        quantity = max(1, round(target / tariff.price))
        amount, revenue = compute(tariff, amount=None, quantity=quantity)
    elif tariff.rule == Tariff.Rule.COMMISSION_FIXED:
        quantity = max(1, round(target / tariff.price))
        amount, revenue = compute(
            tariff, amount=rng.randint(200, 900) * 1000 * quantity, quantity=quantity
        )
    else:
        quantity = 1
        amount = max(1000, int(target * 10_000 / max(tariff.rate_bp, 1)) // 1000 * 1000)
        amount, revenue = compute(tariff, amount=amount, quantity=1)
    at = dt.datetime(
        day.year, day.month, day.day, rng.randint(7, 16), rng.randint(0, 59), tzinfo=TZ
    )
    return LedgerEntry(
        id=uuid7(),
        idempotency_key=f"demo:{uuid.UUID(int=rng.getrandbits(128))}",
        receipt_no="",
        unit=unit,
        clerk=clerk,
        service=service,
        line=service.line,
        business_date=day,
        occurred_at=at,
        quantity=quantity,
        amount=amount,
        direction=service.direction,
        revenue=revenue,
        method=rng.choices(["cash", "transfer", "qr"], [0.8, 0.12, 0.08])[0],
        source_type="demo",
    )


def _session(unit: PostUnit, clerk: User, day: dt.date, rows: list[LedgerEntry]) -> CounterSession:
    """A closed, balanced shift holding one day's entries, with their receipt numbers."""
    cash_in = sum(e.amount for e in rows if e.method == "cash" and e.direction == "in")
    cash_out = sum(e.amount for e in rows if e.method == "cash" and e.direction == "out")
    opening = cash_out + 2_000_000
    at = dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=TZ)
    session = CounterSession(
        id=uuid7(),
        unit=unit,
        clerk=clerk,
        business_date=day,
        status="closed",
        opened_at=at,
        closed_at=at + dt.timedelta(hours=10),
        opening_cash=opening,
        cash_in=cash_in,
        cash_out=cash_out,
        entries_count=len(rows),
        revenue=sum(e.revenue for e in rows),
        counted_cash=opening + cash_in - cash_out,
        expected_cash=opening + cash_in - cash_out,
    )
    prefix = f"{unit.code}-{day:%y%m%d}-{str(session.pk)[-4:].upper()}"
    for n, entry in enumerate(sorted(rows, key=lambda e: e.occurred_at), start=1):
        entry.session = session
        entry.receipt_no = f"{prefix}-{n:04d}"
    return session
