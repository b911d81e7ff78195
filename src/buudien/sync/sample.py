"""Busy commune points' days as their laptops push them: sample frames to train the wire's
dictionary (`buudien train_sync_dictionary`) and to measure the wire (`bench/sync`).

A day is a plan of counter actions (`plan`) drawn with the mix of a pension pay day; each
action becomes the operation the app's `operations.py` would encode, with service and
procedure codes from the shipped reference data. Nothing here touches the database, and
the same seed gives the same days."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from buudien.core import point_data, reference, uuids
from buudien.sync import wire

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CLIENT_BATCH = 25  # what the laptop pushes at once (`client.BATCH`)

# How often a point sells each service: bills paid for partners, then mail and goods.
BILLS = {
    "TC-DIEN": 40,
    "TC-NUOC": 14,
    "TC-BHXH": 10,
    "TC-THUE": 5,
    "TC-PHIHC": 6,
    "TC-CT": 8,
    "TC-TK": 4,
}
GOODS = {
    "BC-THU": 10,
    "BC-THUDB": 6,
    "BC-BK": 6,
    "BC-EMS": 5,
    "BC-HCC": 3,
    "PP-TEM": 6,
    "PP-BAO": 4,
    "PP-HANG": 5,
    "PP-OCOP": 3,
}
# What a busy pension day at a point is made of, per hundred operations.
MIX = {
    "pay": 34,
    "pay_basket": 8,
    "bill": 30,
    "goods": 14,
    "intake": 3,
    "step": 6,
    "entries": 3,
    "reverse": 1,
}
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu", "Hà", "Lý", "La", "Vi"]
MIDDLE = ["Văn", "Thị", "Đức", "Thị Thu", "Văn Minh", "Thị Hồng"]
LOGINS = ["lan", "hoa", "tung", "hai", "nga", "son", "dung", "men", "pao", "din", "thuy"]
GIVEN = ["Tài", "Mến", "Hùng", "Lan", "Páo", "Dìn", "Hoa", "Tùng", "Nga", "Sơn", "Dung", "Chỉnh"]
HAMLETS = ["Nà Lẹng", "Pác Bó", "Khuổi Nặm", "Lũng Pán", "Bản Giốc", "Nà Rị", "Phia Đén"]
REVERSALS = ["Nhập nhầm số tiền", "Khách đổi ý, hoàn tiền", "Nhập trùng giao dịch"]
FAILED = ["Không có người nhận", "Sai địa chỉ", "Đường bị sạt lở, không đến được"]
NOTES = ["", "", "", "Đã gọi điện báo", "Khách hẹn chiều", "Nhận thay có giấy ủy quyền"]
REFUSALS = [
    ("payout.already_settled", "Dòng này đã chi trả lúc {t}; không chi lần hai."),
    ("counter.session_closed", "Ca ngày {d} đã kết, không ghi thêm giao dịch được. Hãy mở ca mới."),
    ("sync.unknown_user", "Người dùng «{u}» không thuộc điểm của máy này."),
]


# --- what the reference data offers ----------------------------------------------------


@dataclass(frozen=True)
class Procedure:
    code: str
    documents: tuple[tuple[int, str, str, int, bool], ...]  # id, name, form, copies, required


@dataclass(frozen=True)
class Catalogue:
    bills: dict[str, int]
    goods: dict[str, int]
    procedures: tuple[Procedure, ...]


def _items(name: str) -> list[dict[str, Any]]:
    for model_set in reference.sets():
        if model_set.name == name:
            return model_set.read()[1]
    return []


@cache
def catalogue() -> Catalogue:
    """The services and procedures of the shipped reference data that a day draws from."""
    services = {s["code"] for s in _items("counter.services")}
    documents: dict[str, list[tuple[int, str, str, int, bool]]] = {}
    for pk, doc in enumerate(_items("dossiers.documents"), start=1):
        documents.setdefault(doc["procedure"], []).append(
            (pk, doc["name"], doc["form"], int(doc.get("copies", 1)), bool(doc["required"]))
        )
    procedures = tuple(
        Procedure(p["code"], tuple(documents.get(p["code"], [])))
        for p in _items("dossiers.procedures")
        if documents.get(p["code"])
    )
    return Catalogue(
        bills={c: w for c, w in BILLS.items() if c in services},
        goods={c: w for c, w in GOODS.items() if c in services},
        procedures=procedures,
    )


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


# --- the values a clerk types -------------------------------------------------------------


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def citizen_id(rng: random.Random) -> str:
    """Twelve digits: the province (004 Cao Bằng or a neighbour), sex and century, the year
    of birth, a serial."""
    province = rng.choice(["04", "04", "04", "06", "20"])
    if rng.random() < 0.85:
        sex_century, year = rng.choice("01"), rng.randint(40, 99)
    else:
        sex_century, year = rng.choice("23"), rng.randint(0, 15)
    return f"0{province}{sex_century}{year:02d}{rng.randrange(10**6):06d}"


def phone(rng: random.Random) -> str:
    prefix = rng.choice(["912", "915", "983", "868", "388", "357", "977", "834"])
    return f"0{prefix}{rng.randrange(10**6):06d}"


def address(rng: random.Random) -> str:
    return f"Bản {rng.choice(HAMLETS)}" if rng.random() < 0.7 else f"Xóm {rng.randint(1, 12)}"


def bill(rng: random.Random) -> tuple[str, int, str]:
    """A bill paid for a partner: service, amount in đồng, the partner's reference."""
    code = _pick(rng, catalogue().bills)
    if code == "TC-DIEN":
        return (
            code,
            rng.randint(38_000, 1_600_000),
            f"PA04{rng.choice(['BA', 'BB', 'HA'])}{rng.randrange(10**7):07d}",
        )
    if code == "TC-NUOC":
        return code, rng.randint(25_000, 420_000), f"KH{rng.randrange(10**6):06d}"
    if code == "TC-BHXH":
        return (
            code,
            rng.choice([1_263_600, 884_520, 758_160, 631_800, 1_350_000]),
            f"04{rng.randrange(10**8):08d}",
        )
    if code == "TC-THUE":
        return code, rng.randint(1, 400) * 5_000, f"48{rng.randrange(10**8):08d}"
    if code == "TC-PHIHC":
        return code, rng.choice([8_000, 15_000, 30_000, 50_000, 100_000]), ""
    if code == "TC-CT":
        return code, rng.randint(5, 100) * 100_000, ""
    return code, rng.randint(1, 50) * 1_000_000, f"TK{rng.randrange(10**8):08d}"


def goods(rng: random.Random) -> tuple[str, int]:
    """Mail or goods sold at the counter's price: service and quantity."""
    return _pick(rng, catalogue().goods), rng.choices([1, 2, 3, 5, 10], [70, 15, 7, 5, 3])[0]


def procedure(rng: random.Random) -> Procedure:
    found = catalogue().procedures
    # Civil status and social insurance come first in the list and at the counter.
    return found[min(int(rng.expovariate(1 / 8)), len(found) - 1)]


def documents(rng: random.Random, proc: Procedure) -> list[list[Any]]:
    """The documents the citizen brings, as the intake form sends them."""
    out = []
    for pk, name, form, copies, required in proc.documents:
        if required or rng.random() < 0.3:
            given = (
                "copy"
                if form == "copy" or (form == "either" and rng.random() < 0.5)
                else "original"
            )
            out.append([pk, name, given, copies])
    return out


def cash_given(rng: random.Random, total: int) -> int | None:
    """What the customer hands over, when the clerk types it to count the change."""
    if rng.random() < 0.65 or total <= 0:
        return None
    step = rng.choice([10_000, 50_000, 100_000, 500_000])
    return -(-total // step) * step


def key(rng: random.Random) -> str:
    """A basket's idempotency key as the counter page makes it (`uuid4().hex`)."""
    return f"{rng.getrandbits(128):032x}"


def plan(rng: random.Random, size: int) -> list[str]:
    """The actions of a day of `size` operations, in the order they happen: the shift opened
    first and closed last."""
    middle = rng.choices(list(MIX), list(MIX.values()), k=max(size - 2, 0))
    return ["open", *middle, "close"]


# --- a day as operations ------------------------------------------------------------------


@dataclass
class _Shift:
    clerk: str
    session: str
    series: str
    prefix: str
    receipts: int = 0
    baskets: int = 0
    cash: int = 0

    def receipt(self) -> str:
        self.receipts += 1
        return f"{self.prefix}-{self.receipts:04d}"

    def basket(self) -> str:
        self.baskets += 1
        return f"{self.prefix}-G{self.baskets:03d}"


@dataclass
class _Day:
    rng: random.Random
    point: str
    date: dt.date
    at: dt.datetime
    seq: int
    ops: list[wire.WireOp] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    dossiers: list[str] = field(default_factory=list)
    block: int = 999_999

    def tick(self) -> dt.datetime:
        gap = self.rng.expovariate(1 / 80) + 4
        self.at += dt.timedelta(seconds=gap)
        if dt.time(11, 30) <= self.at.time() < dt.time(13, 30):
            self.at = dt.datetime.combine(self.date, dt.time(13, 30), TZ)
        return self.at.replace(microsecond=self.at.microsecond // 1000 * 1000)

    def add(self, code: str, actor: str, payload: dict[str, Any]) -> None:
        self.ops.append(wire.WireOp(self.seq, code, self.tick(), actor, payload))
        self.seq += 1


def _numbered(payload: dict[str, Any], receipts: list[str], dossier: str = "") -> dict[str, Any]:
    given: dict[str, list[str]] = {}
    if dossier:
        given["dossier"] = [dossier]
    if receipts:
        given["receipt"] = receipts
    if given:
        payload["#"] = given
    return payload


def _open(day: _Day, shift: _Shift, pension_day: bool) -> None:
    cash = (
        day.rng.randint(150, 500) * 1_000_000 if pension_day else day.rng.randint(2, 20) * 1_000_000
    )
    shift.cash = cash
    day.add("o", shift.clerk, {"c": cash, "#": {"shift": [shift.series]}})


def _basket(day: _Day, shift: _Shift, lines: list[dict[str, Any]], total: int) -> None:
    payload: dict[str, Any] = {"s": shift.session, "k": key(day.rng), "l": lines}
    given = cash_given(day.rng, total)
    if given is not None:
        payload["g"] = given
    if any(line.get("c") == "TC-CT" for line in lines):
        payload["n"], payload["p"] = person(day.rng), phone(day.rng)
    shift.cash += total
    receipts = [shift.basket()] + [shift.receipt() for _ in lines]
    day.add("k", shift.clerk, _numbered(payload, receipts))


def _bill_line(rng: random.Random) -> tuple[dict[str, Any], int]:
    code, amount, ref = bill(rng)
    line: dict[str, Any] = {"c": code, "a": amount}
    if ref:
        line["r"] = ref
    return line, amount


def _bill(day: _Day, shift: _Shift) -> None:
    lines, total = [], 0
    for _ in range(day.rng.choices([1, 2, 3], [75, 20, 5])[0]):
        line, amount = _bill_line(day.rng)
        lines.append(line)
        total += amount
    _basket(day, shift, lines, total)


def _goods(day: _Day, shift: _Shift) -> None:
    lines = []
    for _ in range(day.rng.choices([1, 2, 3], [60, 30, 10])[0]):
        code, quantity = goods(day.rng)
        lines.append({"c": code, "q": quantity} if quantity != 1 else {"c": code})
    _basket(day, shift, lines, 0)


def _line(day: _Day) -> int:
    return day.lines.pop() if day.lines else day.rng.randint(100_000, 3_000_000)


def _pay(day: _Day, shift: _Shift) -> None:
    payload: dict[str, Any] = {"l": _line(day), "s": shift.session}
    if day.rng.random() < 0.12:
        payload["v"], payload["i"] = "authorised", citizen_id(day.rng)
    day.add("p", shift.clerk, _numbered(payload, [shift.receipt()]))


def _pay_basket(day: _Day, shift: _Shift) -> None:
    lines: list[dict[str, Any]] = [{"t": "payout", "f": str(_line(day))}]
    if day.rng.random() < 0.3:
        lines.append(_bill_line(day.rng)[0])
    payload = {"s": shift.session, "k": key(day.rng), "l": lines}
    receipts = [shift.basket()] + [shift.receipt() for _ in lines]
    day.add("k", shift.clerk, _numbered(payload, receipts))


def _intake(day: _Day, shift: _Shift) -> None:
    rng = day.rng
    proc = procedure(rng)
    payload: dict[str, Any] = {
        "s": shift.session,
        "pr": proc.code,
        "d": documents(rng, proc),
        "n": person(rng),
        "i": citizen_id(rng),
    }
    if rng.random() < 0.8:
        payload["p"] = phone(rng)
    payload["a"] = address(rng)
    if rng.random() < 0.2:
        payload["h"] = True
    payload["k"] = f"{rng.getrandbits(64):016x}"
    code = f"HS{day.date:%y%m%d}{day.block:06d}"
    day.block -= 1
    fees = [shift.receipt() for _ in range(rng.choices([0, 1, 2], [50, 40, 10])[0])]
    day.add("i", shift.clerk, _numbered(payload, fees, code))


def _step(day: _Day, shift: _Shift) -> None:
    rng = day.rng
    if not day.dossiers:
        back = day.date - dt.timedelta(days=rng.randint(3, 40))
        day.dossiers.append(f"HS{back:%y%m%d}{rng.randrange(10**6):06d}")
    action = rng.choices(
        ["return", "dispatch", "delivery_failed", "supplement", "withdraw"], [60, 15, 8, 12, 5]
    )[0]
    data: dict[str, Any] = {
        "what": "",
        "by": None,
        "reason": "",
        "receiver": "",
        "next_attempt": None,
    }
    if action == "return":
        data["receiver"] = person(rng)
    elif action == "delivery_failed":
        data["reason"] = rng.choice(FAILED)
        data["next_attempt"] = (day.date + dt.timedelta(days=1)).isoformat()
    payload: dict[str, Any] = {"d": day.dossiers.pop(), "a": action}
    note = rng.choice(NOTES)
    if note:
        payload["n"] = note
    payload["x"] = data
    day.add("t", shift.clerk, payload)


def _entries(day: _Day, shift: _Shift) -> None:
    line, amount = _bill_line(day.rng)
    request = {"k": f"api-{key(day.rng)[:20]}", **line}
    payload = {"s": shift.session, "r": [request], "x": [amount]}
    shift.cash += amount
    day.add("e", shift.clerk, _numbered(payload, [shift.receipt()]))


def _reverse(day: _Day, shift: _Shift) -> None:
    entry = uuids.derived(day.rng.randbytes(16), int(day.at.timestamp() * 1000), 1)
    payload = {"e": str(entry), "s": shift.session, "r": day.rng.choice(REVERSALS)}
    day.add("v", shift.clerk, _numbered(payload, [shift.receipt()]))


def _close(day: _Day, shift: _Shift) -> None:
    expected = shift.cash
    counted = expected if day.rng.random() < 0.9 else expected - day.rng.randint(1, 50) * 1_000
    payload: dict[str, Any] = {"s": shift.session, "n": counted, "x": expected}
    if counted != expected:
        payload["r"] = "Thiếu tiền lẻ, đã báo trưởng bưu cục"
    day.add("c", shift.clerk, payload)


_ACTIONS = {
    "bill": _bill,
    "goods": _goods,
    "pay": _pay,
    "pay_basket": _pay_basket,
    "intake": _intake,
    "step": _step,
    "entries": _entries,
    "reverse": _reverse,
}


def _shift(
    rng: random.Random, point: str, clerk: str, date: dt.date, opened: dt.datetime
) -> _Shift:
    """A shift opened on the laptop: numbered from its reserved block ("P" and three base-36
    characters, handed out from the top down), its receipts after the point, day, series."""
    session = str(uuids.derived(rng.randbytes(16), int(opened.timestamp() * 1000), 1))
    value, series = 36**3 - 1 - rng.randrange(3000), ""
    for _ in range(3):
        value, rest = divmod(value, 36)
        series = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rest] + series
    series = f"P{series}"
    return _Shift(
        clerk=clerk, session=session, series=series, prefix=f"{point}-{date:%y%m%d}-{series}"
    )


def day(
    *,
    rng: random.Random,
    point: str,
    clerks: Sequence[str],
    date: dt.date,
    size: int = 300,
    first_seq: int = 1,
) -> list[wire.WireOp]:
    """A point's day of about `size` operations, as its laptop pushes them; with two clerks,
    each keeps a shift of his own."""
    start = dt.datetime.combine(date, dt.time(7, 30), TZ) + dt.timedelta(
        seconds=rng.randint(0, 1200)
    )
    today = _Day(rng=rng, point=point, date=date, at=start, seq=first_seq)
    base = rng.randint(100_000, 3_000_000)
    today.lines = [base + n for n in rng.sample(range(700), 400)]
    today.block = rng.randint(500, 999) * 1000 - 1
    pension_day = rng.random() < 0.8
    shifts = [_shift(rng, point, clerk, date, today.at) for clerk in clerks]
    for shift in shifts:
        _open(today, shift, pension_day)
    steps = plan(rng, size - 2 * len(shifts) + 2)[1:-1]
    for planned in steps:
        action = "bill" if not pension_day and planned in {"pay", "pay_basket"} else planned
        shift = shifts[0] if len(shifts) == 1 or rng.random() < 0.6 else rng.choice(shifts[1:])
        _ACTIONS[action](today, shift)
    for shift in shifts:
        _close(today, shift)
    return today.ops


# --- frames -----------------------------------------------------------------------------


def text(data: Any) -> bytes:
    """A frame's JSON before compression, as `wire.pack` writes it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def batches(
    ops: list[wire.WireOp], size: int = CLIENT_BATCH
) -> Iterator[tuple[list[wire.WireOp], int]]:
    """The pushes of a backlog in batches of `size`, each with what waits behind it."""
    for start in range(0, len(ops), size):
        yield ops[start : start + size], max(len(ops) - start - size, 0)


def reply(rng: random.Random, ops: list[wire.WireOp]) -> dict[str, Any]:
    """The province's answer to a push: each operation's outcome, the device's blocks of
    numbers (`numbers.reserve_all`)."""
    rows: list[list[Any]] = []
    for op in ops:
        if rng.random() < 0.97:
            rows.append([op.seq, "a"])
            continue
        code, message = rng.choice(REFUSALS)
        when = op.at.astimezone(TZ)
        filled = message.format(t=f"{when:%H:%M %d/%m/%Y}", d=f"{when:%d/%m/%Y}", u=op.actor)
        rows.append([op.seq, rng.choice("rc"), code, filled])
    first, shift = rng.randint(995, 1999) * 500, 36**3 - 20 * rng.randint(1, 150)
    blocks = {
        "dossier": [{"first": first, "last": first + 499}],
        "shift": [{"first": shift, "last": shift + 19}],
    }
    return {"r": rows, "n": blocks}


def pull_request(rng: random.Random) -> dict[str, Any]:
    """What the laptop asks the province at each pull: the digests of the sections it has."""
    have = {s.name: f"{rng.getrandbits(256):064x}" for s in point_data.sections()}
    return {"have": have, "cursor": None, "skip_mutable": rng.random() < 0.5}


@dataclass(frozen=True)
class Point:
    code: str
    clerks: tuple[str, ...]


def points(rng: random.Random, count: int) -> list[Point]:
    """Points of several provinces, their clerks named as installs name them."""
    out = []
    for _ in range(count):
        province = rng.choice(["04", "04", "04", "06", "11", "20", "26"])
        code = f"VHX{province}{rng.randint(1, 180):03d}"
        own = f"{rng.choice(LOGINS)}{rng.choice(['nt', 'hv', 'lt', 'bv', 'mt', 'dv'])}"
        clerks: tuple[str, ...] = (f"nv-{code.lower()}",) if rng.random() < 0.5 else (own,)
        if rng.random() < 0.2:
            clerks = (*clerks, f"nv{rng.randint(2, 9)}-{code.lower()}")
        out.append(Point(code, clerks))
    return out


def days(*, seed: int, count: int) -> Iterator[list[wire.WireOp]]:
    """`count` varied days: points, clerks, dates, busyness."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    for place in points(rng, count):
        date = dt.date(2025, 1, 2) + dt.timedelta(days=rng.randint(0, 700))
        size = rng.choice([40, 80, 150, 220, 300, 360])
        yield day(
            rng=rng,
            point=place.code,
            clerks=place.clerks,
            date=date,
            size=size,
            first_seq=rng.randint(1, 40_000),
        )


def frames(*, seed: int, count: int) -> Iterator[Any]:
    """The frames of `count` days as they travel: pushes of varied size, their replies and
    the pull requests between them."""
    rng = random.Random(seed + 1)  # noqa: S311 - sample data, not secrets
    for ops in days(seed=seed, count=count):
        size = rng.choice([CLIENT_BATCH, CLIENT_BATCH, CLIENT_BATCH, 10, 5, 1])
        for batch, backlog in batches(ops, size):
            yield wire.unpack(wire.encode_ops(batch, backlog=backlog))
            yield reply(rng, batch)
        yield pull_request(rng)


def frame_size(data: Any, *, dictionary: bytes | None) -> int:
    """The bytes one frame costs at the wire's level, with or without a dictionary."""
    import zstandard

    found = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
    if found is None:
        return len(zstandard.ZstdCompressor(level=wire.LEVEL).compress(text(data)))
    return len(zstandard.ZstdCompressor(level=wire.LEVEL, dict_data=found).compress(text(data)))
