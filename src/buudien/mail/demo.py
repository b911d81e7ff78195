"""The demo province's mail: its routes of tiers 1-3 with the trips of the last 30 days, and a
year of items (the 365 days ending yesterday) at the published scale, 735,665 items sent and
936,517 received.

Ordinary letters carry no S10 id: they are counted in bundles, per unit and day. The others
are tracked items with their S10 ids, priced by the bands of the tariff, each with the events
of its life so far: an item sent out of the province is followed until it is dispatched, an
item for the province until it is delivered (a few late, a few failed and returned), and the
last days' items are still on their way. Bags are made for the last 30 days.

A tracked item is a wide row and has several events, so the demo holds a share of the
published volume as tracked items (`TRACKED_SHARE`) and counts the rest as ordinary letters:
the totals stay the published ones. The items' charges are not posted to the ledger: the
counter demo already holds the year's postal revenue.

Written with bulk inserts of rows, not model instances; the daily rollup is counted as the
rows are made (what `rollups.rebuild` counts from them, at a fraction of the time).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from buudien.core import s10, users
from buudien.core.bulk import insert_rows, paused_gc
from buudien.core.text import build_search_text
from buudien.core.uuids import uuid7
from buudien.counter.demo import Calendar
from buudien.mail.models import (
    Bag,
    BagItem,
    Extra,
    MailDay,
    MailRoute,
    OrdinaryBatch,
    PostalItem,
    PostalService,
    Region,
    RouteStop,
    TrackingEvent,
    Trip,
    WeightBand,
)
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE_UNIT = "BDT04"
PROVINCE_CODE = 4
# The published year (Cao Bằng post's report): items sent and received.
SENT_A_YEAR = 735_665
RECEIVED_A_YEAR = 936_517
# About 55% of either direction is ordinary letters. Making all the other 45% as tracked
# items (650,000 items, 2 million events) would take the demo a minute more: it makes this
# share of the whole as tracked items (about 100,000) and counts the rest as ordinary letters.
TRACKED_SHARE = 0.065
IN_PROVINCE = 0.25  # of the tracked items sent, those addressed within the province
DAYS = 365
BAG_DAYS = 30
ORDINARY = "BC-THU"
# service: (share of the tracked items, lightest and heaviest weight in grams)
MIX = {
    "BC-THUDB": (0.35, 20, 480),
    "BC-BK": (0.25, 300, 8_000),
    "BC-EMS": (0.30, 50, 2_500),
    "BC-HCC": (0.10, 100, 1_200),
}
PARCEL = "BC-BK"
COD_SHARE = 0.15  # of the parcels
# Communes outside the province that items are sent to (code, name, province).
OUTSIDE = (
    (70, "Phường Hoàn Kiếm, Thành phố Hà Nội", 1),
    (73, "Phường Cửa Nam, Thành phố Hà Nội", 1),
    (5443, "Phường Phan Đình Phùng, Thái Nguyên", 19),
    (6040, "Xã Thất Khê, Lạng Sơn", 20),
    (11560, "Phường Thuỷ Nguyên, Thành phố Hải Phòng", 31),
    (20242, "Phường Hải Châu, Thành phố Đà Nẵng", 48),
    (26506, "Phường Vũng Tàu, Thành phố Hồ Chí Minh", 79),
    (31135, "Phường Ninh Kiều, Thành phố Cần Thơ", 92),
)
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu", "Hà", "Lý", "Nguyễn"]
GIVEN = ["Thị Hoa", "Văn Tùng", "Thị Lan", "Văn Hải", "Thị Nga", "Văn Sơn", "Thị Dung"]
SHOPS = [
    "Công ty TNHH Thương mại Hà Thành",
    "Cửa hàng Sách Tiến Thọ",
    "Shop Thời trang Minh Anh",
    "Công ty CP Dược phẩm Bắc Hà",
    "Bảo hiểm xã hội tỉnh",
    "Ngân hàng Chính sách xã hội",
]
HAMLETS = ["Nà Lẹng", "Pác Bó", "Khuổi Nặm", "Lũng Pán", "Bản Giốc", "Nà Rị", "Phia Đén"]
CONTENTS = {
    "BC-THUDB": ["Thư", "Giấy tờ", "Hợp đồng"],
    "BC-BK": ["Quần áo", "Hàng nông sản", "Sách", "Đồ gia dụng", "Thuốc"],
    "BC-EMS": ["Tài liệu", "Hồ sơ", "Điện thoại", "Mỹ phẩm"],
    "BC-HCC": ["Hồ sơ thủ tục hành chính", "Kết quả thủ tục hành chính"],
}
REASONS = ("absent", "unreachable", "wrong_address", "refused")
ITEM_COLUMNS = (
    "id", "created_at", "updated_at", "version", "s10", "service_id", "origin_id",
    "destination_id", "current_unit_id", "customer_id", "sender_name", "sender_phone",
    "sender_address", "receiver_name", "receiver_phone", "receiver_address", "receiver_hamlet",
    "receiver_commune_id", "receiver_postal_code", "receiver_digital_address", "zone",
    "weight_g", "contents", "declared_value", "cod_amount", "extras", "charge", "receipt_no",
    "status", "is_return", "accepted_at", "accepted_by_id", "received_on", "due_on", "delivered_at",
    "delivered_to", "cod_collected_at", "cod_paid_at", "search_text", "request_key",
)  # fmt: skip
EVENT_COLUMNS = ("item_id", "status", "reason", "at", "unit_id", "place", "actor_id", "device",
                 "note")  # fmt: skip
BATCH_COLUMNS = ("id", "created_at", "updated_at", "version", "unit_id", "day", "service_id",
                 "direction", "count", "recorded_by_id")  # fmt: skip
TRIP_COLUMNS = ("id", "created_at", "updated_at", "version", "route_id", "day", "scheduled_at",
                "departed_at", "arrived_at", "due_at")  # fmt: skip
BAG_COLUMNS = ("id", "created_at", "updated_at", "version", "number", "origin_id",
               "destination_id", "state", "trip_id", "created_by_id", "closed_at",
               "dispatched_at", "received_at")  # fmt: skip
CHUNK = 20_000
VN_OFFSET = dt.timedelta(hours=7)
SENT, RECEIVED, DELIVERED, ON_TIME = range(4)  # the rollup's columns
MAIL_DAY_COLUMNS = ("unit_id", "day", "service_id", "sent", "received", "delivered",
                    "delivered_on_time")  # fmt: skip
# A permutation of the eight-digit serials (the multiplier is prime to 10**8).
SERIAL_STEP, SERIAL_START = 48_271_871, 7_368_219


def serial(i: int) -> int:
    """The i-th serial of the demo's deterministic shuffled sequence."""
    return (SERIAL_START + i * SERIAL_STEP) % 10**8


# A tariff's fixed bands (up to grams, price) and its step above them (grams, price).
_Table = tuple[list[tuple[int, int]], tuple[int, int] | None]


# The routes by (tier, the unit they start from; an area for tier 1): key, minutes to the
# end, weekdays; the trips' keys by (route, day).
_Routes = dict[tuple[int, Any], tuple[uuid.UUID, int, list[int]]]
_Trips = dict[tuple[uuid.UUID, dt.date], str]


@dataclass
class _Unit:
    pk: Any
    code: str
    name: str
    kind: str
    parent: Any
    commune_id: int | None
    commune_name: str
    clerk_id: Any
    weight: float = 1.0


@dataclass
class _Service:
    code: str
    prefix: str
    days: dict[str, int]


class _Tariff:
    """The bands and extras in force on a day, read once: prices computed in Python."""

    def __init__(self) -> None:
        self.bands: dict[tuple[str, str], dict[dt.date, list[tuple[int | None, int, int]]]] = {}
        for b in WeightBand.objects.all():
            by_date = self.bands.setdefault((b.service_id, b.zone), {})
            by_date.setdefault(b.valid_from, []).append((b.up_to_g, b.step_g, b.price))
        self.extras: dict[str, list[tuple[dt.date, str, int, int]]] = {}
        for e in Extra.objects.order_by("valid_from"):
            self.extras.setdefault(e.code, []).append((e.valid_from, e.rule, e.price, e.rate_bp))
        self.cache: dict[tuple[str, str, dt.date], _Table] = {}

    def _table(self, service: str, zone: str, day: dt.date) -> _Table:
        key = (service, zone, day)
        found = self.cache.get(key)
        if found is None:
            by_date = self.bands[(service, zone)]
            dates = sorted(d for d in by_date if d <= day)
            rows = by_date[dates[-1]] if dates else next(iter(by_date.values()))
            fixed = sorted((u, p) for u, _s, p in rows if u is not None)
            step = next(((s, p) for u, s, p in rows if u is None and s), None)
            found = self.cache[key] = (fixed, step)
        return found

    def postage(self, service: str, zone: str, weight: int, day: dt.date) -> int:
        fixed, step = self._table(service, zone, day)
        for up_to, price in fixed:
            if weight <= up_to:
                return price
        top, price = fixed[-1]
        if step is None:
            return price
        return price + -(-(weight - top) // step[0]) * step[1]

    def extra_charge(self, code: str, base: int, day: dt.date) -> int:
        rows = self.extras[code]
        i = max(0, bisect.bisect_right([r[0] for r in rows], day) - 1)
        _from, rule, price, rate = rows[i]
        if rule == Extra.Rule.FIXED:
            return price
        return max(price, (base * rate + 5_000) // 10_000)


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` shared by the weights, whole numbers that add up to it (largest remainder)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: out[i] - raw[i])
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


@dataclass
class _Rows:
    items: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)

    def flush(self) -> None:
        insert_rows(PostalItem, ITEM_COLUMNS, self.items)
        insert_rows(TrackingEvent, EVENT_COLUMNS, self.events)
        self.items, self.events = [], []


class _Maker:
    """Items one by one, with their events up to yesterday's end."""

    def __init__(
        self,
        *,
        today: dt.date,
        actor: User,
        senders: list[_Unit],
        receivers: list[_Unit],
        services: dict[str, _Service],
        tariff: _Tariff,
        far: dict[int, str],
    ) -> None:
        self.rng = random.Random(47)
        self.midnights: dict[dt.date, dt.datetime] = {}
        self.today = today
        self.cut = self.midnight(today)
        self.now = timezone.now()
        self.admin = actor.pk
        self.senders, self.receivers = senders, receivers
        self.sender_cum = _cumulative([u.weight for u in senders])
        self.receiver_cum = _cumulative([u.weight for u in receivers])
        self.services, self.tariff, self.zone_of = services, tariff, far
        self.mix = list(MIX)
        self.mix_cum = _cumulative([MIX[c][0] for c in self.mix])
        self.next_id = uuid7().int & ~0xFFFF_FFFF
        self.n = 0
        self.search: dict[tuple[str, str, str], str] = {}
        # The daily rollup as the items are made: (unit, day, service) to the counts of
        # items sent, received, delivered and delivered on time; and each day's tracked
        # items sent and received in the whole province.
        self.rollup: dict[tuple[Any, dt.date, str], list[int]] = {}
        self.sent: dict[dt.date, int] = {}
        self.received: dict[dt.date, int] = {}
        self.bagged: list[tuple[Any, _Unit, dt.date, bool]] = []  # item, origin, day, dispatched

    def midnight(self, day: dt.date) -> dt.datetime:
        """The day's first moment in Vietnam, in UTC (rows take UTC times as they are)."""
        found = self.midnights.get(day)
        if found is None:
            found = dt.datetime.combine(day, dt.time(0), TZ).astimezone(dt.UTC)
            self.midnights[day] = found
        return found

    def count(self, unit: Any, day: dt.date, service: str, column: int, n: int = 1) -> None:
        row = self.rollup.get((unit, day, service))
        if row is None:
            row = self.rollup[(unit, day, service)] = [0, 0, 0, 0]
        row[column] += n
        if service != ORDINARY:
            totals = self.sent if column == SENT else self.received if column == RECEIVED else None
            if totals is not None:
                totals[day] = totals.get(day, 0) + n

    def delivered(self, unit: Any, at: dt.datetime, due: dt.date, service: str) -> None:
        day = _local_day(at)
        self.count(unit, day, service, DELIVERED)
        if day <= due:
            self.count(unit, day, service, ON_TIME)

    def at(self, day: dt.date, minutes: float) -> dt.datetime:
        return self.midnight(day) + dt.timedelta(minutes=int(minutes))

    def _pick(self, units: list[_Unit], cum: list[float]) -> _Unit:
        return units[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def _person(self) -> str:
        r = self.rng.random
        return f"{FAMILY[int(r() * len(FAMILY))]} {GIVEN[int(r() * len(GIVEN))]}"

    def _phone(self) -> str:
        return f"09{10_000_000 + int(self.rng.random() * 89_999_999)}"

    def _new_id(self) -> str:
        self.next_id += 1
        return f"{self.next_id:032x}"

    def _search(self, sender: str, receiver: str, hamlet: str) -> str:
        key = (sender, receiver, hamlet)
        found = self.search.get(key)
        if found is None:
            found = self.search[key] = build_search_text(sender, receiver, hamlet)
        return found

    def _priced(self, code: str, zone: str, day: dt.date) -> tuple[int, int, int, str, int]:
        """Weight, COD, declared value, extras and charge of one item."""
        r = self.rng.random
        _share, low, high = MIX[code]
        weight = int(low + (high - low) * r() ** 2)
        charge = self.tariff.postage(code, zone, weight, day)
        extras, cod, value = [], 0, 0
        if code == PARCEL and r() < COD_SHARE:
            cod = 1_000 * int(100 + r() * 1_900)
            charge += self.tariff.extra_charge("COD", cod, day)
            extras.append("COD")
        if code in {"BC-EMS", PARCEL} and r() < 0.05:
            value = 1_000_000 * int(1 + r() * 20)
            charge += self.tariff.extra_charge("INS", value, day)
            extras.append("INS")
        if code == "BC-THUDB" and r() < 0.1:
            charge += self.tariff.extra_charge("AR", 0, day)
            extras.append("AR")
        return weight, cod, value, ",".join(sorted(extras)), charge

    def _delivery(
        self, arrive: dt.datetime, late_days: int, unit: _Unit, *, outside: bool
    ) -> tuple[list[tuple[str, str, dt.datetime, _Unit]], dt.datetime | None, bool]:
        """Arrival, the rounds out and the delivery (or a failure, a return): the events, the
        delivery time and whether it went back to the sender."""
        r = self.rng.random
        day = _local_day(arrive)
        out = self.at(day + dt.timedelta(days=late_days), 13 * 60 + 30 if not late_days else 510)
        if out < arrive:
            out = arrive + dt.timedelta(minutes=30)
        steps = [("arrived", "", arrive, unit), ("out_for_delivery", "", out, unit)]
        roll = r()
        if roll < 0.035:
            reason = REASONS[int(r() * len(REASONS))]
            failed = out + dt.timedelta(minutes=90 + int(r() * 120))
            steps.append(("failed", reason, failed, unit))
            next_day = _local_day(failed) + dt.timedelta(days=1)
            if roll < 0.01:
                steps.append(("returning", reason, self.at(next_day, 540), unit))
                if outside:  # back to a sender outside the province
                    steps.append(("dispatched", "", self.at(next_day, 990), unit))
                return steps, None, True
            out = self.at(next_day, 510)
            steps.append(("out_for_delivery", "", out, unit))
        delivered = out + dt.timedelta(minutes=30 + int(r() * 210))
        steps.append(("delivered", "", delivered, unit))
        return steps, delivered, False

    def _addressed(self, inside: bool) -> tuple[_Unit | None, int | None, str, str]:
        """Where an item sent goes: a point of the province, or a commune elsewhere (its
        delivering unit, commune, commune's name and zone)."""
        if inside:
            to = self._pick(self.receivers, self.receiver_cum)
            return to, to.commune_id, to.commune_name, "province"
        commune_id, commune_name, _p = OUTSIDE[int(self.rng.random() * len(OUTSIDE))]
        return None, commune_id, commune_name, self.zone_of[commune_id]

    def _within(
        self, day: dt.date, quick: bool, destination: _Unit, origin: _Unit
    ) -> tuple[list[tuple[str, str, dt.datetime, _Unit | None]], dt.datetime | None]:
        """The steps of an item sent within the province after its dispatch: its arrival,
        delivery, and (rarely) its way back to the sender; and when it was delivered."""
        r = self.rng.random
        lag = 1 if r() < (0.95 if quick else 0.9) else (2 if r() < 0.8 else 3)
        arrive = self.at(day + dt.timedelta(days=lag), 600 + r() * 240)
        late = 0 if r() < (0.95 if quick else 0.85) else 1
        found, delivered, returned = self._delivery(arrive, late, destination, outside=False)
        more: list[tuple[str, str, dt.datetime, _Unit | None]] = list(found)
        if returned:
            back = _local_day(more[-1][2]) + dt.timedelta(days=3)
            more.append(("returned", "", self.at(back, 600), origin))
        return more, delivered

    def sent_item(self, day: dt.date, rows: _Rows) -> None:
        """An item taken in at a counter of the province."""
        r = self.rng.random
        origin = self._pick(self.senders, self.sender_cum)
        code = self.mix[bisect.bisect_right(self.mix_cum, r() * self.mix_cum[-1])]
        service = self.services[code]
        inside = r() < IN_PROVINCE
        destination, commune_id, commune_name, zone = self._addressed(inside)
        weight, cod, value, extras, charge = self._priced(code, zone, day)
        accepted = self.at(day, 420 + r() * 600)
        item_id = self._new_id()
        hamlet = HAMLETS[int(r() * len(HAMLETS))] if inside else ""
        sender, receiver = self._person(), self._person()
        steps: list[tuple[str, str, dt.datetime, _Unit | None]] = [
            ("accepted", "", accepted, origin),
            ("bagged", "", self.at(day, 990 + r() * 40), origin),
            ("dispatched", "", self.at(day + dt.timedelta(days=1), 390 + r() * 120), origin),
        ]
        due = day + dt.timedelta(days=service.days[zone])
        delivered: dt.datetime | None = None
        if destination is not None:
            more, delivered = self._within(day, service.days[zone] == 1, destination, origin)
            steps += more
        kept = [s for s in steps if s[2] < self.cut]
        status, _reason, _at, where = kept[-1]
        received_on = None
        if destination is not None and any(s[0] == "arrived" for s in kept):
            arrived_at = next(s[2] for s in kept if s[0] == "arrived")
            received_on = _local_day(arrived_at)
            self.count(destination.pk, received_on, code, RECEIVED)
        if delivered is not None and delivered >= self.cut:
            delivered = None
        self.count(origin.pk, day, code, SENT)
        if delivered is not None and destination is not None:
            self.delivered(destination.pk, delivered, due, code)
        if (self.today - day).days <= BAG_DAYS:
            self.bagged.append((item_id, origin, day, len(kept) >= 3))
        cod_at, paid_at = self._cod(cod, delivered)
        self.n += 1
        number = s10.make(service.prefix, serial(self.n))
        rows.items.append(
            (
                item_id, self.now, self.now, len(kept), number, code, origin.pk,
                destination.pk if destination else None, where.pk if where else origin.pk, None,
                sender, self._phone(), f"Thôn {HAMLETS[int(r() * len(HAMLETS))]}, "
                f"{origin.commune_name}", receiver, self._phone(),
                f"Số {1 + int(r() * 120)}, {commune_name}", hamlet, commune_id, "", "", zone,
                weight, CONTENTS[code][int(r() * len(CONTENTS[code]))], value, cod, extras,
                charge, "", status, _going_back(kept), accepted, origin.clerk_id,
                received_on, due,
                delivered, receiver if delivered else "", cod_at, paid_at,
                f"{number.lower()} {self._search(sender, receiver, hamlet)}", "",
            )
        )  # fmt: skip
        self._events(rows, item_id, kept)

    def received_item(self, day: dt.date, rows: _Rows) -> None:
        """An item from outside the province that reached its delivering unit on `day`."""
        r = self.rng.random
        unit = self._pick(self.receivers, self.receiver_cum)
        code = self.mix[bisect.bisect_right(self.mix_cum, r() * self.mix_cum[-1])]
        service = self.services[code]
        commune_id, _name, _p = OUTSIDE[int(r() * len(OUTSIDE))]
        zone = self.zone_of[commune_id]
        days = service.days[zone]
        roll = r()
        transit = days - 1 if roll < 0.85 else (days if roll < 0.97 else days + 1)
        accepted_day = day - dt.timedelta(days=max(transit, 1))
        weight, cod, value, extras, charge = self._priced(code, zone, accepted_day)
        item_id = self._new_id()
        sender = SHOPS[int(r() * len(SHOPS))] if r() < 0.4 else self._person()
        receiver = self._person()
        hamlet = HAMLETS[int(r() * len(HAMLETS))]
        arrive = self.at(day, 540 + r() * 360)
        late = 0 if r() < 0.8 else (1 if r() < 0.85 else 2)
        steps, delivered, _returned = self._delivery(arrive, late, unit, outside=True)
        kept = [s for s in steps if s[2] < self.cut]
        status = kept[-1][0]
        if delivered is not None and delivered >= self.cut:
            delivered = None
        self.count(unit.pk, day, code, RECEIVED)
        due = accepted_day + dt.timedelta(days=days)
        if delivered is not None:
            self.delivered(unit.pk, delivered, due, code)
        cod_at, paid_at = self._cod(cod, delivered)
        self.n += 1
        number = s10.make(service.prefix, serial(self.n))
        rows.items.append(
            (
                item_id, self.now, self.now, len(kept), number, code, None, unit.pk, unit.pk,
                None, sender, self._phone(), _name, receiver, self._phone(),
                f"Thôn {hamlet}, {unit.commune_name}", hamlet, unit.commune_id, "", "", zone,
                weight, CONTENTS[code][int(r() * len(CONTENTS[code]))], value, cod, extras,
                charge, "", status, _going_back(kept),
                self.at(accepted_day, 480 + r() * 540), None, day, due,
                delivered,
                receiver if delivered else "", cod_at, paid_at,
                f"{number.lower()} {self._search(sender, receiver, hamlet)}", "",
            )
        )  # fmt: skip
        self._events(rows, item_id, kept)

    def _cod(
        self, cod: int, delivered: dt.datetime | None
    ) -> tuple[dt.datetime | None, dt.datetime | None]:
        """When the COD was collected (on delivery) and paid to the sender (days later)."""
        if not cod or delivered is None:
            return None, None
        paid = delivered + dt.timedelta(days=2 + int(self.rng.random() * 6))
        return delivered, paid if paid < self.cut else None

    def _events(
        self,
        rows: _Rows,
        item_id: str,
        kept: Sequence[tuple[str, str, dt.datetime, _Unit | None]],
    ) -> None:
        for status, reason, at, unit in kept:
            rows.events.append(
                (
                    item_id, status, reason, at, unit.pk if unit else None,
                    unit.name if unit else "", unit.clerk_id if unit else self.admin, "demo", "",
                )
            )  # fmt: skip


def _going_back(kept: Sequence[tuple[str, str, dt.datetime, _Unit | None]]) -> bool:
    """Whether the item is on its way back to its sender (or back with him)."""
    return any(step[0] == "returning" for step in kept)


def _local_day(moment: dt.datetime) -> dt.date:
    """The day in Vietnam (UTC+7 all year) of a UTC time."""
    return (moment + VN_OFFSET).date()


def _cumulative(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _units(actor: User) -> tuple[Any, list[_Unit], list[_Unit], list[_Unit]]:
    """The province, its areas, offices and commune points (open ones), with their clerks."""
    clerks = {unit: u.pk for unit, u in users.clerks_by_unit().items()}
    found: dict[str, list[_Unit]] = {"area": [], "office": [], "commune_point": []}
    for kind, units in found.items():
        flt = network_selectors.UnitFilter(kind=kind)
        for u in network_selectors.units(actor, flt).order_by("code"):
            if u.status == "closed":
                continue
            units.append(
                _Unit(
                    u.pk, u.code, u.name, kind, u.parent_id, u.commune_id,
                    u.commune.name if u.commune else "", clerks.get(u.pk, actor.pk),
                )
            )  # fmt: skip
    province = network_selectors.unit(user=actor, code=PROVINCE_UNIT)
    return province, found["area"], found["office"], found["commune_point"]


def _zones() -> dict[int, str]:
    """The tariff's zone of each outside commune the demo sends to."""
    regions = dict(Region.objects.values_list("province_code", "region"))
    home = regions.get(PROVINCE_CODE)
    return {
        code: "region" if home and regions.get(province) == home else "far"
        for code, _name, province in OUTSIDE
    }


def _days(today: dt.date, total: int) -> dict[dt.date, int]:
    """The year's volume shared by its days, as busy as the counters are on each."""
    calendar = Calendar.shipped()
    days = [today - dt.timedelta(days=d) for d in range(DAYS, 0, -1)]
    return dict(zip(days, _split(total, [calendar.weight(d) for d in days]), strict=True))


def _base_id() -> int:
    return uuid7().int & ~0xFFFF_FFFF


def _routes(
    province: Any, areas: list[_Unit], offices: list[_Unit], points: list[_Unit], today: dt.date
) -> tuple[_Routes, _Trips]:
    """Tier 1 province to each area (daily 05:30, truck), tier 2 each area to its offices
    (06:30), tier 3 each office to its points (08:00, motorbike); the trips of the last 30
    days. Returns each route's key, minutes to its end and weekdays by (tier, unit where it
    starts; an area for tier 1), and the trips' keys by (route, day)."""
    rng = random.Random(48)
    now = timezone.now()
    next_id = _base_id()
    routes: list[MailRoute] = []
    stops: list[RouteStop] = []
    found: _Routes = {}
    plans: list[tuple[int, _Unit | Any, list[_Unit], dt.time, str, str, str]] = []
    for area in areas:
        plans.append((1, province, [area], dt.time(5, 30), "1,2,3,4,5,6,7", "Xe tải 2,5 tấn",
                      "Đội xe Bưu điện tỉnh"))  # fmt: skip
        mine = [o for o in offices if o.parent == area.pk]
        if mine:
            plans.append((2, area, mine, dt.time(6, 30), "1,2,3,4,5,6", "Xe tải 1,25 tấn",
                          "Tổ vận chuyển khu vực"))  # fmt: skip
    for office in offices:
        mine = [p for p in points if p.parent == office.pk]
        if mine:
            plans.append((3, office, mine, dt.time(8, 0), "1,2,3,4,5,6", "Xe máy",
                          "Bưu tá tuyến xã"))  # fmt: skip
    for tier, origin, stop_units, departs, weekdays, vehicle, carrier in plans:
        next_id += 1
        key = uuid.UUID(int=next_id)
        last = stop_units[-1].name if tier > 1 else stop_units[0].name
        routes.append(
            MailRoute(
                id=key,
                code=f"T{tier}-{origin.code if tier > 1 else stop_units[0].code}",
                name=f"{origin.name} – {last}"[:200],
                tier=tier,
                origin_id=origin.pk,
                departs=departs,
                weekdays=weekdays,
                vehicle=vehicle,
                carrier=carrier,
            )
        )
        minutes = 0
        for order, unit in enumerate(stop_units, start=1):
            minutes += int((45 + rng.random() * 150) if tier == 1 else 15 + rng.random() * 30)
            stops.append(RouteStop(route_id=key, order=order, unit_id=unit.pk, minutes=minutes))
        days = [int(d) for d in weekdays.split(",")]
        found[(tier, stop_units[0].pk if tier == 1 else origin.pk)] = (key, minutes, days)
    MailRoute.objects.bulk_create(routes)
    RouteStop.objects.bulk_create(stops)
    schedule = {r.id: r.departs for r in routes}
    return found, _trips(found, schedule, today, rng, now)


def _trips(
    found: _Routes,
    schedule: dict[uuid.UUID, dt.time],
    today: dt.date,
    rng: random.Random,
    now: dt.datetime,
) -> _Trips:
    """Each route's runs of the last 30 days on its weekdays, a few of them late; the trips'
    keys by (route, day)."""
    next_id = _base_id()
    rows = []
    made: _Trips = {}
    for key, minutes, weekdays in found.values():
        for back in range(BAG_DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            if day.isoweekday() not in weekdays:
                continue
            scheduled = dt.datetime.combine(day, schedule[key], TZ).astimezone(dt.UTC)
            late = rng.random() < 0.06
            delay = int(30 + rng.random() * 60) if late else int(rng.random() * 10)
            due = scheduled + dt.timedelta(minutes=minutes)
            next_id += 1
            made[(key, day)] = f"{next_id:032x}"
            rows.append(
                (
                    made[(key, day)], now, now, 1, key, day, scheduled,
                    scheduled + dt.timedelta(minutes=delay),
                    due + dt.timedelta(minutes=delay + int(rng.random() * 10)), due,
                )
            )  # fmt: skip
    insert_rows(Trip, TRIP_COLUMNS, rows)
    return made


def _bags(
    maker: _Maker,
    offices: list[_Unit],
    province: Any,
    found: _Routes,
    trips: _Trips,
) -> None:
    """One bag a day from each unit that took items in, for the last 30 days: a point's to
    its office on the office's tier 3 trip, an office's to the province on its tier 2 trip."""
    parents = {o.pk: o for o in offices}
    now = timezone.now()
    next_id = _base_id()
    bags: dict[tuple[Any, dt.date], tuple[Any, ...]] = {}
    links = []
    for item_id, origin, day, dispatched in maker.bagged:
        key = (origin.pk, day)
        bag = bags.get(key)
        if bag is None:
            office = parents.get(origin.parent)
            if office is not None:
                to, route = office.pk, found.get((3, office.pk))
            else:
                to, route = province.pk, found.get((2, origin.parent))
            out_day = day + dt.timedelta(days=1)
            trip = trips.get((route[0], out_day)) if route else None
            closed = maker.at(day, 1035)
            sent = maker.at(out_day, 480) if dispatched else None
            got = sent + dt.timedelta(hours=1) if sent else None
            state = "received" if dispatched else "closed"
            next_id += 1
            bag = bags[key] = (
                f"{next_id:032x}", now, now, 1, f"TUI-{origin.code}-{day:%y%m%d}", origin.pk,
                to, state, trip if dispatched else None, origin.clerk_id, closed, sent, got,
            )  # fmt: skip
        links.append((bag[0], item_id))
    insert_rows(Bag, BAG_COLUMNS, list(bags.values()))
    insert_rows(BagItem, ("bag_id", "item_id"), links)


def _ordinary(
    maker: _Maker,
    counts: dict[dt.date, int],
    units: list[_Unit],
    direction: str,
    actor: User,
) -> int:
    """What the tracked items leave of each day's volume, as ordinary letters counted at the
    units (the points close on Sundays)."""
    now = timezone.now()
    next_id = _base_id()
    made = maker.sent if direction == "sent" else maker.received
    column = SENT if direction == "sent" else RECEIVED
    rows = []
    carried = 0  # tracked items beyond a day's volume (arrivals on a closed day) come off the next
    for day, total in counts.items():
        left = total - made.get(day, 0) + carried
        carried = min(0, left)
        left = max(0, left)
        sunday = day.weekday() == 6
        weights = [0.0 if sunday and u.kind == "commune_point" else u.weight for u in units]
        for unit, n in zip(units, _split(left, weights), strict=True):
            if n:
                next_id += 1
                rows.append(
                    (f"{next_id:032x}", now, now, 1, unit.pk, day, ORDINARY, direction, n,
                     unit.clerk_id)
                )  # fmt: skip
                maker.count(unit.pk, day, ORDINARY, column, n)
    return insert_rows(OrdinaryBatch, BATCH_COLUMNS, rows)


def _mail_days(maker: _Maker) -> int:
    """The daily rollup, as `rollups.rebuild` would count it from the rows just written."""
    return insert_rows(
        MailDay,
        MAIL_DAY_COLUMNS,
        ((unit, day, service, *counts) for (unit, day, service), counts in maker.rollup.items()),
    )


@transaction.atomic
def generate(*, today: dt.date, scale: float = 1.0, tracked_share: float = TRACKED_SHARE) -> None:
    """Routes, trips and a year of mail ending yesterday; `scale` shrinks the year (tests)."""
    actor = users.first_admin()
    if actor is None:
        return
    province, areas, offices, points = _units(actor)
    if not points or not offices:
        return
    for o in offices:
        o.weight = 6.0
    found, trips = _routes(province, areas, offices, points, today)
    senders = offices + points
    services = {
        s.code: _Service(
            s.code, s.s10_prefix, {"province": s.days_province, "region": s.days_region,
                                   "far": s.days_far}
        )
        for s in PostalService.objects.filter(code__in=list(MIX))
    }  # fmt: skip
    maker = _Maker(
        today=today,
        actor=actor,
        senders=senders,
        receivers=senders,
        services=services,
        tariff=_Tariff(),
        far=_zones(),
    )
    sent = _days(today, round(SENT_A_YEAR * scale))
    received = _days(today, round(RECEIVED_A_YEAR * scale))
    rows = _Rows()
    owed_sent = owed_received = 0.0
    with paused_gc():
        for day in sent:
            # The tracked share of the day, the fractions carried to the next day.
            owed_sent += sent[day] * tracked_share
            for _ in range(int(owed_sent)):
                maker.sent_item(day, rows)
            owed_sent -= int(owed_sent)
            # Received from outside: what the tracked share of the day leaves after the
            # province's own items that reached their units that day.
            owed_received += received[day] * tracked_share - maker.received.get(day, 0)
            for _ in range(max(0, int(owed_received))):
                maker.received_item(day, rows)
            owed_received -= int(owed_received) if owed_received > 0 else 0
            if len(rows.items) >= CHUNK:
                rows.flush()
        rows.flush()
        _ordinary(maker, sent, senders, "sent", actor)
        _ordinary(maker, received, senders, "received", actor)
        _bags(maker, offices, province, found, trips)
        _mail_days(maker)


def build(
    *, today: dt.date | None = None, scale: float = 1.0, tracked_share: float = TRACKED_SHARE
) -> list[tuple[str, str, str]]:
    """Create the demo mail once (skipped when the province has any)."""
    if PostalItem.objects.exists() or MailRoute.objects.exists():
        return []
    generate(today=today or timezone.localdate(), scale=scale, tracked_share=tracked_share)
    return []
