"""The demo province's counters from 1 January two years back to yesterday: about 165,000
entries a year at the offices and the commune points, posted through the bulk door.

Revenue follows the published reports (113 tỷ đồng in a year, 70% of it postal finance) and
grows by a few percent a year; each line's revenue is shared among its services, and each
service's entries are sized by its tariff, so that a letter costs what a letter costs and
the year adds up. Pensions and allowances are not invented here: the payouts demo pays its
lists at the counters line by line; nor are the insurance premiums from 1 January last year,
which the insurance demo takes payment by payment.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from buudien.core import reference, users
from buudien.counter import services
from buudien.counter.models import LedgerEntry, Tariff
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Revenue of the first year of the demo, and its growth from one year to the next.
FIRST_YEAR_REVENUE = 108_000_000_000
GROWTH = 1.05
LINE_SHARE = {"delivery": 0.18, "finance": 0.70, "media": 0.12}
# code: (share of its line's revenue, typical revenue of one entry). Letters and parcels come
# in by the batch, bills are collected on a list, so one entry often holds many of them; a
# commission with a ceiling stays under it.
SERVICES = {
    "delivery": {
        "BC-THU": (0.08, 240_000),
        "BC-THUDB": (0.07, 216_000),
        "BC-BK": (0.33, 600_000),
        "BC-EMS": (0.42, 840_000),
        "BC-HCC": (0.06, 180_000),
        "BC-HCC-NHA": (0.04, 108_000),
    },
    "finance": {
        "TC-DIEN": (0.554, 3_000_000),
        "TC-NUOC": (0.11, 720_000),
        "TC-PHIHC": (0.003, 72_000),
        "TC-THUE": (0.003, 35_000),
        "TC-BHXH": (0.10, 350_000),
        "TC-TK": (0.05, 200_000),
        "TC-CT": (0.18, 700_000),
    },
    "media": {
        "PP-BAO": (0.20, 1_080_000),
        "PP-HANG": (0.40, 900_000),
        "PP-OCOP": (0.25, 1_440_000),
        "PP-QC": (0.10, 1_200_000),
        "PP-TEM": (0.05, 120_000),
    },
}
# From 1 January last year the insurance demo takes the voluntary social and household
# health insurance premiums at the points (TC-BHXH, TC-BHYT), their commission about this
# share of the finance line's revenue: the counters' own TC-BHXH entries stop then, and the
# rest of their share goes to the other finance services, so the line keeps its revenue.
INSURANCE_SERVICE = "TC-BHXH"
INSURANCE_SHARE = 0.041
# A spread around the typical entry whose mean is 1.
SPREAD = 0.5
SPREAD_MEAN = math.exp(SPREAD**2 / 2)
KEY_PREFIX = "demo:"
PRICED = frozenset({Tariff.Rule.UNIT_PRICE.value, Tariff.Rule.FIXED_FEE.value})


def first_day(today: dt.date) -> dt.date:
    """The demo's data starts on 1 January two full years back."""
    return dt.date(today.year - 2, 1, 1)


def service_shares(line: str, year: int, today: dt.date) -> dict[str, float]:
    """Each service's share of its line's revenue in a year (see INSURANCE_SHARE)."""
    found = {code: share for code, (share, _typical) in SERVICES[line].items()}
    if line != "finance" or year < today.year - 1:
        return found
    freed = found.pop(INSURANCE_SERVICE) - INSURANCE_SHARE
    rest = sum(found.values())
    return {code: share + freed * share / rest for code, share in found.items()}


def revenue_of(year: int, today: dt.date) -> int:
    """The whole year's revenue the demo aims at (this year's: at the pace of a full year)."""
    return int(FIRST_YEAR_REVENUE * GROWTH ** (year - first_day(today).year))


@dataclass(frozen=True)
class Calendar:
    """The days the counters close (Tết) or open little (holidays), from the working
    calendar shipped as reference data."""

    tet: frozenset[dt.date]
    off: frozenset[dt.date]

    @classmethod
    def shipped(cls) -> Calendar:
        items: list[dict[str, str]] = []
        for model_set in reference.sets():
            if model_set.name == "dossiers.holidays":
                items = model_set.read()[1]
        tet = {dt.date.fromisoformat(i["date"]) for i in items if "Nguyên đán" in i["name"]}
        off = {dt.date.fromisoformat(i["date"]) for i in items if i["kind"] != "workday"}
        return cls(frozenset(tet), frozenset(off))

    def weight(self, day: dt.date) -> float:
        """How busy a counter is on a day, against an ordinary weekday."""
        if day in self.tet:
            return 0.0
        if any(day + dt.timedelta(days=d) in self.tet for d in range(1, 15)):
            return 1.8  # shopping and sending before Tết
        if day in self.off or day.weekday() == 6:
            return 0.3
        factor = 1.15 if day.month in {11, 12} else 1.0
        return factor * (1.3 if 2 <= day.day <= 10 else 1.0)  # pension days bring people in


@dataclass(frozen=True)
class _Year:
    """How many entries of each service a year holds, and how its days share them."""

    codes: list[str]
    counts: list[float]
    cumulative: list[float]
    day_share: dict[dt.date, float]


def _year(
    year: int, today: dt.date, calendar: Calendar, expected: dict[str, float], scale: float
) -> _Year:
    total = revenue_of(year, today) * scale
    codes, counts = [], []
    for line in SERVICES:
        for code, share in service_shares(line, year, today).items():
            codes.append(code)
            counts.append(total * LINE_SHARE[line] * share / expected[code])
    days = [dt.date(year, 1, 1) + dt.timedelta(d) for d in range(366 if year % 4 == 0 else 365)]
    weights = {d: calendar.weight(d) for d in days}
    whole = sum(weights.values())
    day_share = {d: w / whole for d, w in weights.items()}
    return _Year(codes, counts, list(itertools.accumulate(counts)), day_share)


class _Entries:
    """Entries sized by the tariff in force: a quantity for priced services, an amount for
    collections and transfers, around the service's typical revenue."""

    METHODS = ("cash", "transfer", "qr")
    METHOD_WEIGHTS = (80, 92, 100)  # cumulative: 80% cash, 12% transfer, 8% QR

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.typical = {c: t for line in SERVICES.values() for c, (_s, t) in line.items()}
        self.tariffs: dict[str, list[Tariff]] = {}
        for tariff in Tariff.objects.select_related("service").order_by("-valid_from"):
            self.tariffs.setdefault(tariff.service.code, []).append(tariff)
        self.in_force: dict[tuple[str, dt.date], Tariff] = {}

    def expected(self) -> dict[str, float]:
        """What an entry of each service earns on average, its ceiling and rounding included."""
        rng = random.Random(0)
        out = {}
        for code, typical in self.typical.items():
            tariff = self.tariffs[code][0]
            earned = 0
            for _ in range(2000):
                target = typical * rng.lognormvariate(0, SPREAD) / SPREAD_MEAN
                amount, quantity = _size(tariff, target, rng)
                earned += services.compute(tariff, amount=amount, quantity=quantity)[1]
            out[code] = earned / 2000
        return out

    def _tariff(self, code: str, day: dt.date) -> Tariff:
        found = self.in_force.get((code, day))
        if found is None:
            found = next(t for t in self.tariffs[code] if t.valid_from <= day)
            self.in_force[(code, day)] = found
        return found

    def of_day(self, day: dt.date, codes: list[str]) -> list[services.EntryRequest]:
        """One shift's requests: the services asked for, in the order they came."""
        rng = self.rng
        methods = rng.choices(self.METHODS, cum_weights=self.METHOD_WEIGHTS, k=len(codes))
        out = []
        for n, (code, method) in enumerate(zip(codes, methods, strict=True), start=1):
            target = self.typical[code] * rng.lognormvariate(0, SPREAD) / SPREAD_MEAN
            amount, quantity = _size(self._tariff(code, day), target, rng)
            out.append(
                services.EntryRequest(
                    idempotency_key=f"{KEY_PREFIX}{day:%Y%m%d}:{n:03d}",
                    service_code=code,
                    amount=amount,
                    quantity=quantity,
                    method=method,
                    occurred_at=_moment(day, rng),
                )
            )
        return out


def _size(tariff: Tariff, target: float, rng: random.Random) -> tuple[int | None, int]:
    """(amount, quantity) of an entry whose revenue is about `target` under a tariff."""
    if tariff.rule in PRICED:
        return None, max(1, round(target / tariff.price))
    if tariff.rule == Tariff.Rule.COMMISSION_FIXED:
        quantity = max(1, round(target / tariff.price))
        return rng.randint(150, 450) * 1000 * quantity, quantity
    low, high = tariff.min_revenue, tariff.max_revenue or target
    commission = min(max(target, low), high)
    return max(1000, int(commission * 10_000 / tariff.rate_bp) // 1000 * 1000), 1


def _shifts(
    units: list[tuple[Any, User, float]], today: dt.date, rng: random.Random, scale: float
) -> Iterator[services.PastShift]:
    """Each unit's shifts, day by day, from the first day of the demo to yesterday."""
    calendar = Calendar.shipped()
    entries = _Entries(rng)
    span = range(first_day(today).year, today.year + 1)
    earned = entries.expected()
    years = {y: _year(y, today, calendar, earned, scale) for y in span}
    total_weight = sum(w for _u, _c, w in units)
    day = first_day(today)
    days = [day + dt.timedelta(d) for d in range((today - day).days)]
    for unit, clerk, weight in units:
        share = weight / total_weight
        for day in days:
            year = years[day.year]
            expected = sum(year.counts) * share * year.day_share[day]
            count = int(expected) + (rng.random() < expected - int(expected))
            if not count:
                continue
            codes = rng.choices(year.codes, cum_weights=year.cumulative, k=count)
            yield services.PastShift(
                unit=unit, clerk=clerk, business_date=day, requests=entries.of_day(day, codes)
            )


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    minute = int(rng.random() * 600)  # from 7:00 to 16:59
    return dt.datetime(day.year, day.month, day.day, 7 + minute // 60, minute % 60, tzinfo=TZ)


def counter_units(actor: User) -> list[tuple[Any, User, float]]:
    """The offices and commune points with their clerk, and how busy each one is."""
    rng = random.Random(2024)
    found = []
    clerks = users.clerks_by_unit()
    for kind in ("office", "commune_point"):
        flt = network_selectors.UnitFilter(kind=kind)
        for unit in network_selectors.units(actor, flt):
            clerk = clerks.get(unit.pk)
            if clerk is None:
                continue
            found.append((unit, clerk, 6.0 if kind == "office" else rng.lognormvariate(0, 0.6)))
    return found


def build(*, today: dt.date | None = None, scale: float = 1.0) -> list[tuple[str, str, str]]:
    """Post the counters' past shifts once (skipped when the demo's entries exist); a scale
    below 1 makes a smaller province (for the tests), with fewer entries and less revenue."""
    today = today or timezone.localdate()
    actor = users.first_admin()
    if actor is None:
        return []
    units = counter_units(actor)
    if (
        not units
        or LedgerEntry.objects.filter(
            unit=units[0][0], idempotency_key__startswith=KEY_PREFIX
        ).exists()
    ):
        return []
    shifts = _shifts(units, today, random.Random(2024), scale)
    services.import_shifts(actor=actor, shifts=shifts)
    return []
