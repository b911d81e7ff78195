"""About 79,000 beneficiaries of three programmes, paid each month at the counters: the last
months' lists closed with their outcomes, this month's open and paid on the window's past
days. Every line paid is the cash-out (or account transfer) paying it posts, written through
the counter's bulk door, in the shift the point's clerk kept that day.

A pension line is a few million đồng, an allowance half a million to two: the province pays
about 150 tỷ đồng a month, 1,800 tỷ a year, as the published reports say."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from buudien.core import reference, users
from buudien.core.bulk import insert_rows
from buudien.core.text import build_search_text
from buudien.core.uuids import uuid7
from buudien.counter import services as counter_services
from buudien.network import selectors as network_selectors
from buudien.payouts.models import Beneficiary, Payout, PayoutList, Programme
from buudien.payouts.services import BENEFICIARY_COLUMNS, PAYOUT_COLUMNS

if TYPE_CHECKING:
    from buudien.core.models import User

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# How many of the beneficiaries each programme pays (79,000 in all, as in Quảng Trị).
SHARE = {"LHUU": 20_000, "BTXH": 44_000, "NCC": 15_000}
# How many months before this one the demo's lists cover (closed), besides this month's.
CLOSED_MONTHS = 2
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu", "Hà", "Lý", "La", "Mạc"]
GIVEN = ["Văn Tài", "Thị Mến", "Văn Hùng", "Thị Lan", "Văn Páo", "Thị Dìn", "Văn Chỉnh"]
HAMLETS = ["Nà Lẹng", "Pác Bó", "Khuổi Nặm", "Lũng Pán", "Bản Giốc", "Nà Rị", "Phia Đén"]
# A line paid at the counter or at home moves cash; one paid into an account does not.
LINE_COLUMNS = ["id", *PAYOUT_COLUMNS, "paid_at", "paid_by_id", "entry_id"]


def monthly_amount(programme: str, rng: random.Random) -> int:
    """What one person receives a month: a pension of 3 to 10 million đồng (about 5 on
    average), a social allowance of half a million to a million and a half, a merit
    allowance of 1.2 to 2 million."""
    if programme == "LHUU":
        value = min(max(rng.lognormvariate(15.38, 0.3), 3_000_000), 10_000_000)
    elif programme == "BTXH":
        value = rng.choices((500_000, 750_000, 1_000_000, 1_500_000), (40, 30, 20, 10))[0]
    else:
        value = rng.uniform(1_200_000, 2_000_000)
    return int(value) // 1000 * 1000


@dataclass(frozen=True, slots=True)
class Person:
    pk: Any
    point: Any
    programme: str
    amount: int
    method: str
    active: bool
    name: str
    citizen_id: str


def months(today: dt.date) -> list[tuple[dt.date, bool]]:
    """(month, still open): the last closed months, then this month's lists open."""
    this = today.replace(day=1)
    found = [(this, True)]
    for _ in range(CLOSED_MONTHS):
        this = (this - dt.timedelta(days=1)).replace(day=1)
        found.append((this, False))
    return sorted(found)


def days_off() -> frozenset[dt.date]:
    """The holidays of the working calendar shipped as reference data."""
    for model_set in reference.sets():
        if model_set.name == "dossiers.holidays":
            items = model_set.read()[1]
            return frozenset(
                dt.date.fromisoformat(i["date"]) for i in items if i["kind"] != "workday"
            )
    return frozenset()


class _Paying:
    """Which day of the window each line is paid, the window's working days only."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng, self.today, self.off = rng, today, days_off()
        self.windows: dict[tuple[str, dt.date], list[dt.date]] = {}

    def _window(self, programme: Programme, month: dt.date) -> list[dt.date]:
        key = (programme.code, month)
        if key not in self.windows:
            days = [
                month.replace(day=d)
                for d in range(programme.window_start, programme.window_end + 1)
            ]
            self.windows[key] = [d for d in days if d.weekday() != 6 and d not in self.off]
        return self.windows[key]

    def day(self, programme: Programme, month: dt.date) -> dt.date | None:
        """The day a line was paid; None while it waits (this month's window still runs)."""
        window = self._window(programme, month)
        if not window:
            return None
        day = self.rng.choice(window)
        return day if day < self.today else None

    def moment(self, day: dt.date) -> dt.datetime:
        rng = self.rng
        return dt.datetime(
            day.year, day.month, day.day, rng.randint(7, 16), rng.randint(0, 59), tzinfo=TZ
        )


def _people(
    rng: random.Random, points: list[Any], total: int, today: dt.date
) -> tuple[list[Person], list[tuple[Any, ...]]]:
    """The beneficiaries, and their rows as the register holds them."""
    now = timezone.now()
    people, rows = [], []
    scale = total / sum(SHARE.values())
    n = 0
    for code, count in SHARE.items():
        for _ in range(round(count * scale)):
            n += 1
            point = points[rng.randrange(len(points))]
            method = rng.choices(("counter", "home", "account"), (55, 25, 20))[0]
            status = rng.choices(("active", "suspended", "deceased"), (985, 5, 10))[0]
            name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {n}"
            cid = f"004{rng.choice('01')}{rng.randint(30, 70):02d}{n:06d}"
            birth = dt.date(rng.randint(1930, today.year - 58), rng.randint(1, 12), 1)
            pk = uuid7()
            since = dt.date(today.year - 1, rng.randint(1, 12), 1)
            rows.append(
                (
                    pk, now, now, 1, cid, name, birth.replace(day=rng.randint(1, 28)),
                    rng.choice(["nam", "nữ"]), point.commune_id, rng.choice(HAMLETS), point.pk,
                    method, "bank" if method == "account" else "",
                    f"8{n:011d}" if method == "account" else "", "", "", None, status,
                    since if status != "active" else None,
                    "Cơ quan BHXH báo" if status != "active" else "",
                    build_search_text(name, cid),
                )
            )  # fmt: skip
            amount = monthly_amount(code, rng)
            people.append(Person(pk, point, code, amount, method, status == "active", name, cid))
    return people, rows


@dataclass
class _Month:
    """One month's lines as rows, and the payments that go to the ledger."""

    lines: list[list[Any]]
    payments: list[tuple[Any, dt.date, counter_services.EntryRequest]]


def _lines(
    programme: Programme,
    payout_list: PayoutList,
    members: list[Person],
    *,
    is_open: bool,
    paying: _Paying,
    first_id: int,
) -> _Month:
    """A list's lines: paid on a day of the window, waiting, or given back with a reason."""
    rng = paying.rng
    out = _Month([], [])
    for row, person in enumerate(members, start=2):
        line_id = first_id + row - 2
        day = paying.day(programme, payout_list.month) if person.active else None
        if day is not None and not is_open and rng.random() >= 0.985:
            day = None  # not found at home, moved away: given back at the end of the month
        line = [line_id, payout_list.pk, person.pk, person.point.pk, row, person.amount]
        line += [person.method, "pending", "", "", None, None, None]
        if day is not None:
            at = paying.moment(day)
            line[7:9] = ["paid", "chính chủ"]
            line[10] = at
            out.payments.append((person.point, day, _request(programme, person, line_id, at)))
        elif not is_open:
            line[7] = "returned"
            line[9] = "deceased" if not person.active else rng.choice(["moved", "not_found"])
        out.lines.append(line)
    return out


def _request(
    programme: Programme, person: Person, line_id: int, at: dt.datetime
) -> counter_services.EntryRequest:
    """What paying the line at the counter posts (payouts.services.pay)."""
    return counter_services.EntryRequest(
        idempotency_key=f"payout:{line_id}",
        service_code=programme.service_code,
        amount=person.amount,
        customer_name=person.name,
        customer_id_no=person.citizen_id,
        source_type="payout",
        source_id=str(line_id),
        settles=f"payout:{line_id}",
        occurred_at=at,
        method="account" if person.method == "account" else "cash",
    )


def _shifts(
    payments: list[tuple[Any, dt.date, counter_services.EntryRequest]],
    clerks: dict[Any, User],
) -> Iterator[counter_services.PastShift]:
    """The payments of a point on a day, in the shift its clerk kept for them."""
    by_shift: dict[tuple[Any, dt.date], list[counter_services.EntryRequest]] = {}
    points = {}
    for point, day, request in payments:
        by_shift.setdefault((point.pk, day), []).append(request)
        points[point.pk] = point
    for (point_id, day), requests in sorted(by_shift.items(), key=lambda kv: kv[0][1]):
        yield counter_services.PastShift(
            unit=points[point_id],
            clerk=clerks[point_id],
            business_date=day,
            requests=requests,
        )


@transaction.atomic
def generate(total: int, *, today: dt.date) -> None:
    """The register, the lists of the demo's months, their lines and their payments."""
    actor = users.first_admin()
    if actor is None:
        return
    flt = network_selectors.UnitFilter(kind="commune_point")
    clerks = users.clerks_by_unit()
    points = [p for p in network_selectors.units(actor, flt) if p.pk in clerks]
    rng = random.Random(79)
    people, rows = _people(rng, points, total, today)
    insert_rows(Beneficiary, BENEFICIARY_COLUMNS, rows)
    paying = _Paying(rng, today)
    next_id = (Payout.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    done: list[_Month] = []
    for programme in Programme.objects.filter(code__in=SHARE).order_by("code"):
        members = [p for p in people if p.programme == programme.code]
        for month, is_open in months(today):
            payout_list = _list(programme, month, members, is_open=is_open, actor=actor)
            done.append(
                _lines(
                    programme,
                    payout_list,
                    members,
                    is_open=is_open,
                    paying=paying,
                    first_id=next_id,
                )
            )
            next_id += len(members)
    payments = [p for m in done for p in m.payments]
    result = counter_services.import_shifts(actor=actor, shifts=_shifts(payments, clerks))
    _save_lines(done, result.settled, clerks)


def _list(
    programme: Programme, month: dt.date, members: list[Person], *, is_open: bool, actor: User
) -> PayoutList:
    closed_at = dt.datetime(month.year, month.month, 26, 9, 0, tzinfo=TZ)
    return PayoutList.objects.create(
        programme=programme,
        month=month,
        imported_by=actor,
        state="open" if is_open else "closed",
        lines=len(members),
        total=sum(m.amount for m in members),
        source_name=f"{programme.code}-{month:%Y-%m}.xlsx",
        closed_at=None if is_open else closed_at,
    )


def _save_lines(done: list[_Month], settled: dict[str, Any], clerks: dict[Any, User]) -> None:
    """The lines, each paid one with its clerk and the ledger entry that paid it."""
    rows = []
    for month in done:
        for line in month.lines:
            if line[7] == "paid":
                line[11] = clerks[line[3]].pk
                line[12] = settled[f"payout:{line[0]}"]
            rows.append(line)
    insert_rows(Payout, LINE_COLUMNS, rows)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Payout]):
            cursor.execute(sql)


def build(total: int = 79_000, *, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """Create the demo's register and lists once (skipped when any list exists)."""
    if PayoutList.objects.exists() or not Programme.objects.exists():
        return []
    generate(total, today=today or timezone.localdate())
    return []
