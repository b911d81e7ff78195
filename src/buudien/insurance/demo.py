"""The demo province's insurance agency at its published scale: about 16,000 people in
voluntary social insurance (the published report counts 15,959 people enrolled in a year)
and some 2,200 households of three to six in household health insurance, at the commune
points by how busy each is, from 1 January last year to yesterday.

Each person lives the rules: a participant of before the demo renews from the end of his paid
period, a newcomer starts on the first of the month he pays (voluntary) or 30 days after
(health); most renew in the last weeks of their period, monthly, every 3, 6 or 12 months or
years ahead; some lapse, and a few of those come back, paying back the missed months or
starting again. So today some are due within 30 days and some have lapsed. Every payment is
priced by `premium.quote` under the shipped rules of each month it covers, and taken at the
point's counter through the ledger's bulk door (its commission is the point's revenue); the
months before this one are declared to the agency and confirmed.

Written with bulk inserts of rows, not model instances; the daily rollup is rebuilt once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from buudien.core import users
from buudien.core.bulk import insert_rows, paused_gc
from buudien.core.text import build_search_text
from buudien.core.uuids import uuid7
from buudien.counter import selectors as counter_selectors
from buudien.counter import services as counter_services
from buudien.counter.demo import Calendar, counter_units
from buudien.insurance import premium
from buudien.insurance.models import (
    Cover,
    Declaration,
    Household,
    Participant,
    Payment,
    PaymentLine,
    Scheme,
)
from buudien.insurance.periods import ONE_DAY, first_of_month, months_between, period_end
from buudien.insurance.selectors.rules import rule_book
from buudien.insurance.services import rollups
from buudien.insurance.services.participants import name_key
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE_UNIT = "BDT04"
VOLUNTARY, HEALTH = premium.VOLUNTARY, premium.HEALTH
SOURCE = "insurance.payment"  # as the enrolment service posts it
PEOPLE = 16_000  # in voluntary social insurance, on the books over the demo's years
HOUSEHOLDS = 2_200
SIZES = ((3, 25), (4, 35), (5, 25), (6, 15))  # members of a household, and how often
ALREADY_IN = 0.75  # of the participants and households: paying before the demo's first day
# mode: (months, weight); farmers mostly pay once a year, after the harvest.
VOLUNTARY_MODES = {"monthly": (1, 1), "3m": (3, 3), "6m": (6, 10), "12m": (12, 82), "years": (0, 4)}
HEALTH_MODES = {"3m": (3, 8), "6m": (6, 17), "12m": (12, 75)}
YEARS_AHEAD = (24, 36, 48, 60)
CATEGORIES = (("ethnic_minority", 62), ("other", 22), ("poor", 9), ("near_poor", 7))
EVIDENCE = {
    "poor": "Sổ hộ nghèo số {n}/HN",
    "near_poor": "Giấy chứng nhận hộ cận nghèo số {n}/CN",
    "ethnic_minority": "Xác nhận dân tộc {people}, UBND xã",
}
PEOPLES = ("Tày", "Nùng", "Dao", "Mông", "Sán Chỉ", "Lô Lô")
INCOMES = (2_000_000, 2_500_000, 3_000_000, 4_000_000, 5_000_000)  # besides the floor
LAPSE = {VOLUNTARY: 0.08, HEALTH: 0.10}  # of the people paying: who stop in a year
COME_BACK = 0.35  # of those who lapse: back some months later
BACK_PAY = 0.4  # of the voluntary ones back: paying the missed months too
AT_HOME = 0.2  # collected at home by the point's clerk
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu", "Hà", "Lý", "La", "Mạc",
          "Nguyễn", "Dương", "Sầm", "Vi"]  # fmt: skip
MEN = ["Văn Tài", "Văn Hùng", "Văn Páo", "Văn Chỉnh", "Văn Tùng", "Văn Hải", "Văn Sơn",
       "Đức Thắng", "Văn Quân", "Văn Dũng", "Văn Pấu", "Minh Tuấn", "Văn Slam", "Văn Khánh",
       "Văn Lợi", "Văn Chung"]  # fmt: skip
WOMEN = ["Thị Mến", "Thị Lan", "Thị Dìn", "Thị Hoa", "Thị Nga", "Thị Dung", "Thị Mai", "Thị Thắm",
         "Thị Hạnh", "Thị Phương", "Thị Hiền", "Thu Hà", "Thị Nhung", "Thị Xuân", "Thị Duyên",
         "Thị Slao"]  # fmt: skip
HAMLETS = ["Nà Lẹng", "Pác Bó", "Khuổi Nặm", "Lũng Pán", "Bản Giốc", "Nà Rị", "Phia Đén",
           "Nà Mạ", "Bản Chang", "Khuổi Khon", "Lũng Rì", "Cốc Pàng", "Nà Sác", "Pò Rẫy",
           "Bó Mạ", "Khau Vài"]  # fmt: skip
PHONE_PREFIXES = ("091", "097", "098", "086", "034", "035", "088", "094")
# A permutation of the six-digit serials of the citizen ids (the step is prime to 10**6).
SERIAL_STEP, SERIAL_START = 738_457, 104_729
SI_STEP, SI_START = 48_271_871, 7_368_219

PERSON_COLUMNS = ("id", "created_at", "updated_at", "version", "citizen_id", "si_number", "name",
                  "name_key", "birth_date", "sex", "phone", "household_id", "relation", "point_id",
                  "commune_id", "hamlet", "consent_at", "consent_by_id", "search_text")  # fmt: skip
HOUSEHOLD_COLUMNS = ("id", "created_at", "updated_at", "version", "head_name", "code", "point_id",
                     "commune_id", "hamlet", "address", "search_text")  # fmt: skip
COVER_COLUMNS = ("id", "created_at", "updated_at", "version", "participant_id", "scheme_id",
                 "point_id", "income", "category", "evidence", "mode", "first_from", "paid_until",
                 "supported_months")  # fmt: skip
PAYMENT_COLUMNS = ("id", "created_at", "updated_at", "version", "scheme_id", "point_id",
                   "household_id", "payer_name", "mode", "months", "at_home", "total", "support",
                   "paid_at", "business_date", "clerk_id", "session_id", "entry_id", "receipt_no",
                   "request_key", "declaration_id")  # fmt: skip
LINE_COLUMNS = ("payment_id", "cover_id", "participant_id", "period_from", "period_to", "months",
                "member_order", "income", "category", "gross", "support", "amount",
                "supported_months", "detail", "is_new", "state", "note")  # fmt: skip
DECLARATION_COLUMNS = ("id", "created_at", "updated_at", "version", "number", "scheme_id",
                       "unit_id", "state", "made_by_id", "lines", "total", "confirmed_at",
                       "confirmed_by_id")  # fmt: skip


def first_day(today: dt.date) -> dt.date:
    """The demo's insurance starts on 1 January last year: this year and the last compare."""
    return dt.date(today.year - 1, 1, 1)


@dataclass
class _Point:
    unit: Any
    clerk: User
    weight: float
    hamlets: list[str]


@dataclass
class _Person:
    pk: str
    point: _Point
    name: str
    birth: dt.date
    female: bool
    citizen_id: str
    phone: str
    hamlet: str
    household: str | None = None
    relation: str = ""
    si_number: str | None = None
    consent_at: dt.datetime | None = None


@dataclass
class _Cover:
    pk: str
    person: _Person
    scheme: str
    mode: str
    months: int
    income: int | None = None
    category: str = "other"
    evidence: str = ""
    first_from: dt.date | None = None
    paid_until: dt.date | None = None
    supported_months: int = 0


@dataclass
class _Line:
    cover: _Cover
    order: int
    quote: premium.PersonQuote
    detail: list[dict[str, object]]
    income: int | None
    is_new: bool


@dataclass
class _Payment:
    pk: str
    scheme: str
    point: _Point
    household: str | None
    payer: str
    mode: str
    months: int
    day: dt.date
    at: dt.datetime
    lines: list[_Line] = field(default_factory=list)
    at_home: bool = False

    @property
    def total(self) -> int:
        return sum(line.quote.amount for line in self.lines)

    @property
    def support(self) -> int:
        return sum(line.quote.support for line in self.lines)


class _Pricer:
    """`premium.quote` under the shipped rules, each distinct person-quote computed once."""

    def __init__(self) -> None:
        self.books = {s: rule_book(s) for s in (VOLUNTARY, HEALTH)}
        self.cache: dict[tuple[Any, ...], tuple[premium.PersonQuote, list[dict[str, object]]]] = {}
        self.floors: dict[tuple[dt.date, int], int] = {}
        limits = [
            s.limit_months
            for shares in self.books[VOLUNTARY].supports.values()
            for s in shares
            if s.limit_months is not None
        ]
        self.limit = min(limits, default=10**6)

    def floor(self, start: dt.date, months: int) -> int:
        """The lowest income allowed in every month of a voluntary payment."""
        found = self.floors.get((start, months))
        if found is None:
            book = self.books[VOLUNTARY]
            days = (start, period_end(start, months))
            found = self.floors[(start, months)] = max(book.rate(d).income_floor or 0 for d in days)
        return found

    def person(
        self, cover: _Cover, *, mode: str, months: int, start: dt.date, order: int, paid_on: dt.date
    ) -> tuple[premium.PersonQuote, list[dict[str, object]]]:
        """One person's quote: the same start, months and choices cost the same."""
        used = cover.supported_months
        room = used if used + months > self.limit else -1  # below the limit: no difference
        # The discount of paying ahead and the interest of paying back run to the paid month.
        adjusted = mode in (premium.AHEAD, premium.BACK)
        key: tuple[Any, ...] = (cover.scheme, mode, months, start, order, cover.income)
        key += (cover.category, room, first_of_month(paid_on) if adjusted else None)
        found = self.cache.get(key)
        if found is None:
            member = premium.Member(
                name=cover.person.name,
                start=start,
                order=order,
                income=cover.income,
                category=cover.category,
                evidence=cover.evidence,
                supported_months=used,
            )
            book = self.books[cover.scheme]
            quote = premium.quote(book, mode=mode, months=months, members=[member], paid_on=paid_on)
            person = quote.people[0]
            found = self.cache[key] = (person, [s.as_dict() for s in person.spans])
        return found


class _Days:
    """The days the counters are open (not Sundays, holidays or Tết), and moments in them."""

    def __init__(self, rng: random.Random, first: dt.date, today: dt.date) -> None:
        self.rng, self.first, self.today = rng, first, today
        calendar = Calendar.shipped()
        span = (today - first).days + 400  # a renewal may fall a year after today
        days = (first - dt.timedelta(days=30) + dt.timedelta(days=d) for d in range(span))
        self.closed = {d for d in days if calendar.weight(d) < 0.5}

    def open_from(self, day: dt.date) -> dt.date:
        """The day itself when the counters open, else the next day they do."""
        while day in self.closed:
            day += ONE_DAY
        return day

    def any_day(self) -> dt.date:
        """A day of the demo's span, a little more often in its second half (the agency grows)."""
        span = (self.today - self.first).days
        return self.open_from(self.first + dt.timedelta(days=int(span * self.rng.random() ** 0.85)))

    def moment(self, day: dt.date) -> dt.datetime:
        """A time from 7:30 to 16:30 on the day (in UTC, as the database keeps it)."""
        at = dt.datetime(day.year, day.month, day.day, 7, 30, tzinfo=TZ)
        return (at + dt.timedelta(minutes=self.rng.randint(0, 540))).astimezone(dt.UTC)


class _Keys:
    """UUIDv7 keys as the database keeps them (32 hex digits): one from the clock, the next
    ones counting up (as the counter's bulk door makes them), so still in creation order."""

    def __init__(self) -> None:
        self.last = uuid7().int & ~0xFFFF_FFFF

    def __call__(self) -> str:
        self.last += 1
        return f"{self.last:032x}"


def dashed(key: str) -> str:
    """A key as `str(uuid)` writes it, as the enrolment service names a payment."""
    return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}"


def _pick(rng: random.Random, weighted: Any) -> Any:
    items = list(weighted)
    return rng.choices([i[0] for i in items], [i[-1] for i in items])[0]


class _People:
    """Names, birth dates, valid citizen ids and phones, each id once."""

    def __init__(self, rng: random.Random, today: dt.date, keys: _Keys) -> None:
        self.rng, self.today, self.keys, self.n, self.si = rng, today, keys, 0, 0

    def si_number(self) -> str:
        """A social-insurance number of the province (04), ten digits, each once."""
        self.si += 1
        return f"04{(SI_START + self.si * SI_STEP) % 10**8:08d}"

    def citizen_id(self, birth: dt.date, female: bool) -> str:
        """A 12-digit CCCD of Cao Bằng (004), its century-and-sex digit and birth year."""
        self.n += 1
        century = (birth.year // 100 - 19) * 2 + female
        serial = (SERIAL_START + self.n * SERIAL_STEP) % 10**6
        return f"004{century}{birth.year % 100:02d}{serial:06d}"

    def make(
        self, point: _Point, *, family: str = "", female: bool | None = None, age: tuple[int, int]
    ) -> _Person:
        rng = self.rng
        female = rng.random() < 0.5 if female is None else female
        family = family or rng.choice(FAMILY)
        name = f"{family} {rng.choice(WOMEN if female else MEN)}"
        year = self.today.year - rng.randint(*age)
        birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        phone = ""
        if rng.random() < 0.75:
            phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
        return _Person(
            self.keys(),
            point,
            name,
            birth,
            female,
            self.citizen_id(birth, female),
            phone,
            rng.choice(point.hamlets),
        )


def _points(actor: User, rng: random.Random) -> list[_Point]:
    """The commune points with their clerk, weighted as the counter demo weighs them (its
    commune's people: how busy the point is), each with the hamlets it serves."""
    found = []
    for unit, clerk, weight in counter_units(actor):
        if unit.kind == "commune_point" and unit.status != "closed":
            found.append(_Point(unit, clerk, weight, rng.sample(HAMLETS, 5)))
    return found


class _Life:
    """One cover's payments from its first to the last before today: renewals from the end of
    the paid period, lapses, and the few who come back."""

    def __init__(self, rng: random.Random, days: _Days, pricer: _Pricer, keys: _Keys) -> None:
        self.rng, self.days, self.pricer, self.keys = rng, days, pricer, keys
        self.payments: list[_Payment] = []

    def start(self, scheme: str, paid_until: dt.date | None, paid_on: dt.date) -> dt.date:
        """Where a payment's months begin, as `services.enrolment` decides it."""
        if scheme == VOLUNTARY:
            month = first_of_month(paid_on)
            if paid_until is not None and paid_until + ONE_DAY >= month:
                return paid_until + ONE_DAY
            return month
        if paid_until is not None and paid_until >= paid_on - ONE_DAY:
            return paid_until + ONE_DAY
        waiting = self.pricer.books[HEALTH].rate(paid_on).waiting_days
        return paid_on + dt.timedelta(days=waiting)

    def months(self, cover: _Cover) -> int:
        """The months a payment covers: the person's mode, or some years ahead."""
        return cover.months or self.rng.choice(YEARS_AHEAD)

    def next_day(self, cover: _Cover) -> tuple[dt.date, bool] | None:
        """The day of the next payment and whether it ends a lapse; None: no more."""
        rng = self.rng
        if cover.paid_until is None:
            return None
        stops = 1 - (1 - LAPSE[cover.scheme]) ** ((cover.months or 36) / 12)
        if rng.random() >= stops:
            due = cover.paid_until + ONE_DAY
            return self.days.open_from(due + dt.timedelta(days=rng.randint(-25, 8))), False
        if rng.random() >= COME_BACK:
            return None
        gap = dt.timedelta(days=rng.randint(60, 240))
        return self.days.open_from(cover.paid_until + gap), True

    def live(self, covers: list[_Cover], first: dt.date, payer: _Person) -> None:
        """Pay for these covers (one person, or a household together) until today."""
        day: dt.date | None = first
        lapsed = False
        while day is not None and day < self.days.today:
            if lapsed and covers[0].scheme == VOLUNTARY and self.rng.random() < BACK_PAY:
                self._back_pay(covers[0], day)
            self._pay(covers, day, payer)
            found = self.next_day(covers[0])
            day, lapsed = found if found is not None else (None, False)

    def _back_pay(self, cover: _Cover, day: dt.date) -> None:
        """The months missed since the paid period ended, paid with their interest."""
        if cover.paid_until is None:
            return
        missing = months_between(cover.paid_until + ONE_DAY, first_of_month(day))
        if missing >= 1:
            self._pay([cover], day, cover.person, mode=premium.BACK, months=missing)

    def _pay(
        self,
        covers: list[_Cover],
        day: dt.date,
        payer: _Person,
        *,
        mode: str = "",
        months: int = 0,
    ) -> None:
        """One payment for the covers, priced by the rules; the covers move on to its end."""
        first = covers[0]
        mode = mode or first.mode
        months = months or self.months(first)
        start = self.start(first.scheme, first.paid_until, day)
        if mode == premium.BACK and first.paid_until is not None:
            start = first.paid_until + ONE_DAY
        if first.scheme == VOLUNTARY:
            first.income = max(first.income or 0, self.pricer.floor(start, months))
        payment = _Payment(
            self.keys(), first.scheme, payer.point, payer.household, payer.name, mode, months, day,
            self.days.moment(day), at_home=self.rng.random() < AT_HOME,
        )  # fmt: skip
        for order, cover in enumerate(covers, start=1):
            quote, detail = self.pricer.person(
                cover, mode=mode, months=months, start=start, order=order, paid_on=day
            )
            payment.lines.append(
                _Line(cover, order, quote, detail, cover.income, cover.first_from is None)
            )
            cover.first_from = cover.first_from or start
            cover.paid_until = quote.period_to
            cover.supported_months += quote.supported_months
            cover.person.consent_at = cover.person.consent_at or payment.at
        self.payments.append(payment)


@dataclass
class _Book:
    """Everything the demo writes, as it is made (the payments: as `_Life` makes them)."""

    keys: _Keys
    makers: _People
    payments: list[_Payment]
    people: list[_Person] = field(default_factory=list)
    households: list[tuple[Any, ...]] = field(default_factory=list)
    covers: list[_Cover] = field(default_factory=list)


def _voluntary_cover(rng: random.Random, person: _Person, serial: int, key: str) -> _Cover:
    """What a person chooses: how he pays, his support category (with its paper), and the
    income he declares (most the lowest allowed)."""
    mode = _pick(rng, ((code, w) for code, (_m, w) in VOLUNTARY_MODES.items()))
    category = _pick(rng, CATEGORIES)
    evidence = EVIDENCE.get(category, "").format(n=f"{serial:05d}", people=rng.choice(PEOPLES))
    income = 0 if rng.random() < 0.7 else rng.choice(INCOMES)
    return _Cover(
        key, person, VOLUNTARY, mode, VOLUNTARY_MODES[mode][0], income, category, evidence
    )


def _already_in(rng: random.Random, covers: list[_Cover], makers: _People, days: _Days) -> dt.date:
    """Covers paid since before the demo's first day, whose period ends in its first months;
    returns the day their renewal is paid (a little before the period ends)."""
    first, scheme = days.first, covers[0].scheme
    months = covers[0].months or 12
    # Cards of long standing run from the first of a month, as the agency issued them.
    renew = first_of_month(first + dt.timedelta(days=31 * rng.randrange(months)))
    began = first_of_month(renew - dt.timedelta(days=rng.randint(90, 2500)))
    for cover in covers:
        cover.paid_until, cover.first_from = renew - ONE_DAY, began
        if scheme == VOLUNTARY:
            cover.supported_months = min(months_between(began, renew), 60)
        cover.person.si_number = makers.si_number()
        cover.person.consent_at = dt.datetime.combine(began, dt.time(9), TZ)
    return days.open_from(max(first, renew - dt.timedelta(days=rng.randint(0, 20))))


def _voluntary(rng: random.Random, points: list[_Point], life: _Life, book: _Book, n: int) -> None:
    """The voluntary participants: those already paying renew from the end of their period,
    the newcomers start in the month they first pay."""
    makers = book.makers
    weights = [p.weight for p in points]
    for i in range(n):
        point = rng.choices(points, weights)[0]
        person = makers.make(point, age=(20, 58))
        cover = _voluntary_cover(rng, person, i, book.keys())
        if rng.random() < ALREADY_IN:
            day = _already_in(rng, [cover], makers, life.days)
        else:
            day = life.days.any_day()
        book.people.append(person)
        book.covers.append(cover)
        life.live([cover], day, person)


def _members(rng: random.Random, makers: _People, point: _Point) -> list[_Person]:
    """A head, his wife and their children (the head's mother in the larger households)."""
    size = _pick(rng, SIZES)
    family = rng.choice(FAMILY)
    home = makers.keys()
    head = makers.make(point, family=family, female=False, age=(30, 62))
    members = [head, makers.make(point, female=True, age=(28, 58))]
    relations = ["Chủ hộ", "Vợ"]
    if size >= 5:
        members.append(makers.make(point, family=family, female=True, age=(63, 85)))
        relations.append("Mẹ")
    while len(members) < size:
        members.append(makers.make(point, family=family, age=(1, 24)))
        relations.append("Con")
    for person, relation in zip(members, relations, strict=True):
        person.household, person.relation, person.hamlet = home, relation, head.hamlet
    return members


def _household_row(head: _Person, code: str, now: dt.datetime) -> tuple[Any, ...]:
    unit = head.point.unit
    commune = unit.commune.name if unit.commune else ""
    address = f"Thôn {head.hamlet}, {commune}".strip(", ")
    return (
        head.household, now, now, 1, head.name, code, unit.pk, unit.commune_id, head.hamlet,
        address, build_search_text(head.name, head.hamlet, code),
    )  # fmt: skip


def _households(rng: random.Random, points: list[_Point], life: _Life, book: _Book, n: int) -> None:
    """Households that pay for their members together: those already in renew from the end
    of their period, the new ones are covered 30 days after they first pay."""
    makers = book.makers
    weights = [p.weight for p in points]
    now = timezone.now()
    for i in range(n):
        members = _members(rng, makers, rng.choices(points, weights)[0])
        mode = _pick(rng, ((code, w) for code, (_m, w) in HEALTH_MODES.items()))
        covers = [_Cover(book.keys(), m, HEALTH, mode, HEALTH_MODES[mode][0]) for m in members]
        if rng.random() < ALREADY_IN:
            day = _already_in(rng, covers, makers, life.days)
        else:
            day = life.days.any_day()
        book.households.append(_household_row(members[0], f"04{i + 1:08d}", now))
        book.people += members
        book.covers += covers
        life.live(covers, day, members[0])


# Taking the money at the counters ---------------------------------------------------------


@dataclass(frozen=True)
class _Posted:
    entry_id: Any
    receipt_no: str
    session_id: Any


def _shifts(
    payments: list[_Payment], services: dict[str, str]
) -> Iterator[counter_services.PastShift]:
    """Each point's payments of a day, in a shift its clerk kept for them (what
    `services.enrol` posts for each, with the same keys)."""
    by_shift: dict[tuple[Any, dt.date], list[_Payment]] = defaultdict(list)
    for p in payments:
        by_shift[(p.point.unit.pk, p.day)].append(p)
    for (_unit, day), found in sorted(by_shift.items(), key=lambda kv: kv[0][1]):
        point = found[0].point
        requests = [_request(p, services[p.scheme]) for p in found]
        yield counter_services.PastShift(
            unit=point.unit, clerk=point.clerk, business_date=day, requests=requests
        )


def _request(payment: _Payment, service_code: str) -> counter_services.EntryRequest:
    """What `services.enrol` asks the ledger for a payment, under the same keys."""
    name = dashed(payment.pk)
    return counter_services.EntryRequest(
        idempotency_key=f"insurance:{name}",
        service_code=service_code,
        amount=payment.total,
        customer_name=payment.payer,
        source_type=SOURCE,
        source_id=name,
        settles=f"insurance.payment:{name}",
        occurred_at=payment.at,
    )


def _post(actor: User, payments: list[_Payment]) -> dict[str, _Posted]:
    """Every payment through the ledger's bulk door; each one's entry, receipt and shift."""
    services = dict(Scheme.objects.values_list("code", "service_code"))
    counter_services.import_shifts(actor=actor, shifts=_shifts(payments, services))
    found = (
        counter_selectors.entries(user=actor)
        .filter(source_type=SOURCE)
        .values_list("source_id", "id", "receipt_no", "session_id")
        .order_by()
    )
    return {source: _Posted(pk, receipt, session) for source, pk, receipt, session in found}


# The agency's paperwork, and the rows ---------------------------------------------------


def _declarations(
    actor: User, book: _Book, province: Any, today: dt.date
) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    """One list a month and a scheme for the months before this one, sent early the next
    month and confirmed by the agency, which gives a newcomer his social-insurance number.
    Returns each declared payment's list, and the lists' rows."""
    forms = dict(Scheme.objects.values_list("code", "declaration_form"))
    this_month = first_of_month(today)
    grouped: dict[tuple[str, dt.date], list[_Payment]] = defaultdict(list)
    for p in book.payments:
        month = first_of_month(p.day)
        if month < this_month:
            grouped[(p.scheme, month)].append(p)
    of_payment: dict[str, str] = {}
    rows = []
    for (scheme, month), found in sorted(grouped.items()):
        sent = period_end(month, 1) + ONE_DAY
        pk = book.keys()
        at = dt.datetime.combine(sent + dt.timedelta(days=9), dt.time(9), TZ)
        lines = [line for p in found for line in p.lines]
        rows.append(
            (pk, at, at, 1, f"{forms[scheme] or 'DS'}-{province.code}-{sent:%Y%m%d}-01", scheme,
             province.pk, Declaration.State.CONFIRMED.value, actor.pk, len(lines),
             sum(line.quote.amount for line in lines), at, actor.pk)
        )  # fmt: skip
        for p in found:
            of_payment[p.pk] = pk
            for line in p.lines:
                person = line.cover.person
                person.si_number = person.si_number or book.makers.si_number()
    return of_payment, rows


def _person_rows(book: _Book, now: dt.datetime) -> Iterator[tuple[Any, ...]]:
    for p in book.people:
        unit = p.point.unit
        yield (
            p.pk, now, now, 1, p.citizen_id, p.si_number, p.name, name_key(p.name, p.birth),
            p.birth, "nu" if p.female else "nam", p.phone, p.household, p.relation, unit.pk,
            unit.commune_id, p.hamlet, p.consent_at or now, p.point.clerk.pk,
            build_search_text(p.name, p.citizen_id, p.si_number or "", p.hamlet),
        )  # fmt: skip


def _cover_rows(book: _Book, now: dt.datetime) -> Iterator[tuple[Any, ...]]:
    """The covers paid at least once (a person who never paid has none)."""
    for c in book.covers:
        if c.paid_until is not None:
            income = c.income if c.scheme == VOLUNTARY else None
            yield (
                c.pk, now, now, 1, c.person.pk, c.scheme, c.person.point.unit.pk, income,
                c.category, c.evidence, c.mode, c.first_from, c.paid_until, c.supported_months,
            )  # fmt: skip


def _payment_rows(
    book: _Book, posted: dict[str, _Posted], declared: dict[str, str]
) -> Iterator[tuple[Any, ...]]:
    for p in book.payments:
        entry = posted[dashed(p.pk)]
        yield (
            p.pk, p.at, p.at, 1, p.scheme, p.point.unit.pk, p.household, p.payer, p.mode,
            p.months, p.at_home, p.total, p.support, p.at, p.day, p.point.clerk.pk,
            entry.session_id, entry.entry_id, entry.receipt_no, "", declared.get(p.pk),
        )  # fmt: skip


def _line_rows(book: _Book, declared: dict[str, str]) -> Iterator[tuple[Any, ...]]:
    for p in book.payments:
        state = PaymentLine.State.CONFIRMED if p.pk in declared else PaymentLine.State.PAID
        for line in p.lines:
            q = line.quote
            yield (
                p.pk, line.cover.pk, line.cover.person.pk, q.period_from, q.period_to, q.months,
                line.order, line.income, line.cover.category, q.gross, q.support, q.amount,
                q.supported_months, line.detail, line.is_new, state.value, "",
            )  # fmt: skip


def _write(actor: User, book: _Book, province: Any, today: dt.date) -> None:
    """The ledger first (the payments name their entries), then the agency's rows."""
    posted = _post(actor, book.payments)
    declared, declarations = _declarations(actor, book, province, today)
    now = timezone.now()
    insert_rows(Household, HOUSEHOLD_COLUMNS, book.households)
    insert_rows(Participant, PERSON_COLUMNS, _person_rows(book, now))
    insert_rows(Cover, COVER_COLUMNS, _cover_rows(book, now))
    insert_rows(Declaration, DECLARATION_COLUMNS, declarations)
    insert_rows(Payment, PAYMENT_COLUMNS, _payment_rows(book, posted, declared))
    insert_rows(PaymentLine, LINE_COLUMNS, _line_rows(book, declared))
    rollups.rebuild()


@transaction.atomic
def generate(*, today: dt.date, scale: float = 1.0) -> None:
    """The participants, households and their payments from 1 January last year to
    yesterday; `scale` shrinks the province's people (tests)."""
    actor = users.first_admin()
    if actor is None:
        return
    rng = random.Random(16)
    points = _points(actor, rng)
    if not points:
        return
    province = network_selectors.unit(user=actor, code=PROVINCE_UNIT)
    first = first_day(today)
    keys = _Keys()
    life = _Life(rng, _Days(rng, first, today), _Pricer(), keys)
    book = _Book(keys, _People(rng, today, keys), life.payments)
    with paused_gc():
        _voluntary(rng, points, life, book, round(PEOPLE * scale))
        _households(rng, points, life, book, round(HOUSEHOLDS * scale))
        _write(actor, book, province, today)


def build(*, today: dt.date | None = None, scale: float = 1.0) -> list[tuple[str, str, str]]:
    """Create the demo's participants and payments once (skipped when any person exists, or
    when the insurance rules are not loaded)."""
    if Participant.objects.exists() or not Scheme.objects.exists():
        return []
    generate(today=today or timezone.localdate(), scale=scale)
    return []
