"""About 80,000 beneficiaries in three programmes: twelve closed monthly lists with their outcomes
and this month's lists open at the counters."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from buudien.core.bulk import insert_rows
from buudien.core.models import Role, User, uuid7
from buudien.core.text import build_search_text
from buudien.counter import services as counter_services
from buudien.counter.demo import clerks_for
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.counter.services import _Catalogue, compute
from buudien.network.models import PostUnit
from buudien.payouts.models import Beneficiary, Payout, PayoutList, Programme
from buudien.payouts.seed import PROGRAMMES, seed_programmes
from buudien.payouts.services import BENEFICIARY_COLUMNS, PAYOUT_COLUMNS

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SHARE = {"LHUU": 45_000, "BTXH": 25_000, "NCC": 10_000}
MONTHS = [dt.date(2025, 9, 1), dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)]
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu", "Hà", "Lý", "La", "Mạc"]
GIVEN = ["Văn Tài", "Thị Mến", "Văn Hùng", "Thị Lan", "Văn Páo", "Thị Dìn", "Văn Chỉnh"]
HAMLETS = ["Nà Lẹng", "Pác Bó", "Khuổi Nặm", "Lũng Pán", "Bản Giốc", "Nà Rị", "Phia Đén"]


def build(total: int = 80_000, *, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    seed_programmes()
    if PayoutList.objects.exists() or not Programme.objects.exists():
        return []
    generate(total, today=today or timezone.localdate())
    return []


def months(today: dt.date) -> list[tuple[dt.date, bool]]:
    """(month, still open): the closed months, and this month's lists open at the counter
    (or, before the closed months end, the last of them left open)."""
    this = today.replace(day=1)
    if this > MONTHS[-1]:
        return [(m, False) for m in MONTHS] + [(this, True)]
    return [(m, m == MONTHS[-1]) for m in MONTHS]


def _paid_day(
    rng: random.Random, programme: Programme, month: dt.date, today: dt.date
) -> int | None:
    """The day of the window a line was paid; None while it waits (a window still running)."""
    start, end = programme.window_start, programme.window_end
    if (month.year, month.month) == (today.year, today.month):
        end = min(end, today.day - 1)
        if end < start or rng.random() >= (end - start + 1) / (programme.window_end - start + 1):
            return None
    return rng.randint(start, end)


@transaction.atomic
def generate(total: int, *, today: dt.date) -> None:
    rng = random.Random(79)
    points = list(PostUnit.objects.filter(kind="commune_point").order_by("code"))
    manager = (
        User.objects.filter(role=Role.PROVINCE_MANAGER).first()
        or User.objects.filter(role=Role.ADMIN).first()
    )
    if manager is None:
        return
    now = timezone.now()
    people: dict[str, list[tuple[Any, Any, int, str]]] = {}
    rows = []
    n = 0
    scale = total / sum(SHARE.values())
    for code, count in SHARE.items():
        people[code] = []
        for _ in range(int(count * scale)):
            n += 1
            pk = uuid7()
            point = points[rng.randrange(len(points))]
            method = rng.choices(["counter", "home", "account"], [0.55, 0.25, 0.20])[0]
            status = rng.choices(["active", "suspended", "deceased"], [0.985, 0.005, 0.01])[0]
            name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {n}"
            cid = f"004{rng.choice('01')}{rng.randint(30, 70):02d}{n:06d}"
            birth = dt.date(rng.randint(1930, 1968), rng.randint(1, 12), rng.randint(1, 28))
            rows.append(
                (
                    pk,
                    now,
                    now,
                    1,
                    cid,
                    name,
                    birth,
                    rng.choice(["nam", "nữ"]),
                    None,
                    rng.choice(HAMLETS),
                    point.pk,
                    method,
                    "bank" if method == "account" else "",
                    f"8{n:011d}" if method == "account" else "",
                    "",
                    "",
                    None,
                    status,
                    dt.date(2025, rng.randint(1, 12), 1) if status != "active" else None,
                    "Cơ quan BHXH báo" if status != "active" else "",
                    build_search_text(name, cid),
                )
            )
            people[code].append((pk, point.pk, rng.randint(1200, 9000) * 1000, method))
    insert_rows(Beneficiary, BENEFICIARY_COLUMNS, rows)
    status_of = {r[0]: (r[5], r[4], r[17]) for r in rows}
    ledger = _Ledger(points)
    next_id = (Payout.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    for code, members in people.items():
        programme = Programme.objects.get(code=code)
        for month, last in months(today):
            payout_list = PayoutList.objects.create(
                programme=programme,
                month=month,
                imported_by=manager,
                state="open" if last else "closed",
                lines=len(members),
                total=sum(m[2] for m in members),
                source_name=f"{code}-{month:%Y-%m}.xlsx",
                closed_at=None if last else dt.datetime(month.year, month.month, 25, tzinfo=TZ),
            )
            lines = []
            for i, (pk, point_id, amount, method) in enumerate(members, start=2):
                name, cid, state = status_of[pk]
                paid_by, entry_id, paid_at = None, None, None
                day = _paid_day(rng, programme, month, today) if state == "active" else None
                if day is not None and (last or rng.random() < 0.985):
                    status, reason = "paid", ""
                    paid_at = dt.datetime(
                        month.year,
                        month.month,
                        day,
                        rng.randint(7, 16),
                        rng.randint(0, 59),
                        tzinfo=TZ,
                    )
                    paid_by, entry_id = ledger.post(
                        payout_id=next_id,
                        point_id=point_id,
                        service_code=programme.service_code,
                        amount=amount,
                        cash=method != "account",
                        at=paid_at,
                        customer=(name, cid),
                    )
                elif last:
                    status, reason = "pending", ""
                else:
                    status = "returned"
                    reason = (
                        "deceased"
                        if state == "deceased"
                        else rng.choice(["moved", "not_found", "refused"])
                    )
                lines.append(
                    (
                        next_id,
                        payout_list.pk,
                        pk,
                        point_id,
                        i,
                        amount,
                        method,
                        status,
                        "" if status != "paid" else "chính chủ",
                        reason,
                        paid_at,
                        paid_by,
                        entry_id,
                    )
                )
                next_id += 1
            insert_rows(Payout, LINE_COLUMNS, lines)
    ledger.save()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Payout]):
            cursor.execute(sql)
    counter_services.rebuild_rollups(since=MONTHS[0])


# A demo line is an imported line with its id and, once paid, when, by whom and its entry.
LINE_COLUMNS = ["id", *PAYOUT_COLUMNS, "paid_at", "paid_by_id", "entry_id"]
ENTRY_COLUMNS = [
    "id",
    "idempotency_key",
    "request_digest",
    "settles",
    "receipt_no",
    "unit_id",
    "clerk_id",
    "session_id",
    "service_id",
    "line",
    "business_date",
    "occurred_at",
    "quantity",
    "amount",
    "direction",
    "revenue",
    "method",
    "customer_name",
    "customer_phone",
    "customer_id_no",
    "source_type",
    "source_id",
    "reason",
    "created_at",
]


class _Ledger:
    """Each demo line paid becomes what paying it at the counter posts: a cash-out (or an
    account transfer) with the post's commission, in the point clerk's shift of that day."""

    def __init__(self, points: list[PostUnit]) -> None:
        self.catalogue = _Catalogue.load({code for _, _, _, code, _, _ in PROGRAMMES})
        self.clerk_of = {unit: user.pk for unit, user in clerks_for(points).items()}
        self.points = {p.pk: p for p in points}
        self.sessions: dict[tuple[Any, dt.date], CounterSession] = {
            (s.unit_id, s.business_date): s
            for s in CounterSession.objects.filter(
                unit__in=points, business_date__gte=MONTHS[0], clerk__role=Role.CLERK
            )
        }
        self.new_sessions: list[CounterSession] = []
        self.touched: set[Any] = set()
        self.entries: list[tuple[Any, ...]] = []

    def _session(self, point_id: Any, day: dt.date) -> CounterSession:
        found = self.sessions.get((point_id, day))
        if found is None:
            opened = dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=TZ)
            found = CounterSession(
                id=uuid7(),
                unit_id=point_id,
                clerk_id=self.clerk_of[point_id],
                business_date=day,
                status="closed",
                opened_at=opened,
                closed_at=opened + dt.timedelta(hours=10),
                opening_cash=2_000_000,
                counted_cash=2_000_000,
                expected_cash=2_000_000,
            )
            self.sessions[(point_id, day)] = found
            self.new_sessions.append(found)
        self.touched.add(found.pk)
        return found

    def post(
        self,
        *,
        payout_id: int,
        point_id: Any,
        service_code: str,
        amount: int,
        cash: bool,
        at: dt.datetime,
        customer: tuple[str, str],
    ) -> tuple[Any, Any]:
        day = at.date()
        session = self._session(point_id, day)
        service = self.catalogue.services[service_code]
        tariff = self.catalogue.tariff(service, day)
        assert tariff is not None  # noqa: S101 - the seed catalogue prices every day
        moved, revenue = compute(tariff, amount=amount, quantity=1)
        if cash:
            # The shift opened with the cash it paid out; what it counted at the end is unchanged.
            session.opening_cash += moved
            session.cash_out += moved
        session.revenue += revenue
        session.entries_count += 1
        pk = uuid7()
        self.entries.append(
            (
                pk,
                f"payout:{payout_id}",
                "",
                f"payout:{payout_id}",
                f"{self.points[point_id].code}-{day:%y%m%d}-CT{len(self.entries) + 1:06d}",
                point_id,
                session.clerk_id,
                session.pk,
                service.pk,
                service.line,
                day,
                at,
                1,
                moved,
                service.direction,
                revenue,
                "cash" if cash else "account",
                customer[0],
                "",
                customer[1],
                "payout",
                str(payout_id),
                "",
                at,
            )
        )
        return session.clerk_id, pk

    def save(self) -> None:
        CounterSession.objects.bulk_create(self.new_sessions, batch_size=2000)
        fresh = {s.pk for s in self.new_sessions}
        CounterSession.objects.bulk_update(
            [s for s in self.sessions.values() if s.pk in self.touched and s.pk not in fresh],
            ["opening_cash", "cash_out", "revenue", "entries_count"],
            batch_size=2000,
        )
        insert_rows(LedgerEntry, ENTRY_COLUMNS, self.entries)
