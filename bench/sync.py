"""Point mode: bytes on the wire, a point's first pull, and the province applying 100 devices'
pushes at once against calling `post_entries` directly for the same entries, in the same run.

On a fresh database with the demo province's network, one point gets its payout lines and
open dossiers; its laptop works a busy pension day (about 300 operations) offline through the
real services, and the day is pushed as the client does (batches of 25). Then every round,
BENCH_DEVICES points' laptops (100) each record a shift of BENCH_OPS operations (20: open,
entries, close) and push it from BENCH_THREADS threads (8); the baseline makes the same
entries through the services directly, from the same threads. The ratio compares the
medians of the rounds' wall times (BENCH_ROUNDS, 3).
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from bench._common import fresh_database, write_result

DEVICES = int(os.environ.get("BENCH_DEVICES", "100"))
OPS = int(os.environ.get("BENCH_OPS", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
DAY_OPS = int(os.environ.get("BENCH_DAY_OPS", "300"))
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH = dt.date(2025, 3, 1)
DAY = dt.date(2025, 3, 10)  # a Monday inside both programmes' pay windows
OPEN_DOSSIERS = 60


# --- the point's laptop, in the same database ---------------------------------------------


@contextmanager
def offline(device: Any, blocks: dict[str, list[dict[str, int]]]) -> Iterator[list[Any]]:
    """Inside, the database is the point's laptop; what it did leaves only the operations it
    would push (as the sync tests' `offline`)."""
    from django.db import transaction

    from buudien.core import journal, numbers
    from buudien.core.models import Operation, PointDevice
    from buudien.sync import wire
    from buudien.sync.models import Device

    captured: list[wire.WireOp] = []
    with transaction.atomic():
        PointDevice.objects.create(
            id=device.pk,
            point_id=device.point_id,
            point_code=device.point.code,
            server_url="http://tinh.invalid",
            secret="-",  # noqa: S106 - the laptop's secret never leaves this transaction
            next_seq=Device.objects.values_list("last_seq", flat=True).get(pk=device.pk) + 1,
        )
        numbers.keep_all(holder=device.pk, blocks=blocks)
        journal.forget_device()
        try:
            yield captured
            captured.extend(
                wire.WireOp(
                    seq=op.seq,
                    code=journal.kind(op.kind).code,
                    at=op.at,
                    actor=op.actor,
                    payload=op.payload,
                )
                for op in Operation.objects.order_by("seq")
            )
        finally:
            transaction.set_rollback(True)
            journal.forget_device()


@dataclass
class Counter:
    """The point's day as the clerk works it: the services the counter's pages call."""

    rng: random.Random
    point: Any
    clerk: Any
    lines: list[Any]
    dossiers: list[Any]
    at: dt.datetime
    session: Any = None
    bills: list[Any] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def tick(self) -> dt.datetime:
        self.at += dt.timedelta(seconds=self.rng.expovariate(1 / 80) + 4)
        if dt.time(11, 30) <= self.at.time() < dt.time(13, 30):
            self.at = dt.datetime.combine(self.at.date(), dt.time(13, 30), TZ)
        return self.at

    def run(self, action: str) -> None:
        from buudien.core import clock
        from buudien.core.errors import DomainError

        with clock.at(self.tick()):
            try:
                getattr(self, action)()
            except DomainError as exc:
                self.failed.append(f"{action}: {exc.message}")

    def open(self) -> None:
        from buudien.counter import services

        self.session = services.open_session(
            clerk=self.clerk, unit=self.point, opening_cash=900_000_000
        )

    def _checkout(self, lines: list[Any], total: int) -> Any:
        from buudien.counter import services
        from buudien.counter.services.checkout import Checkout
        from buudien.sync import sample

        order = Checkout(
            idempotency_key=uuid.uuid4().hex,  # as the counter page makes it
            lines=lines,
            cash_given=sample.cash_given(self.rng, total),
        )
        return services.checkout(session=self.session, clerk=self.clerk, order=order)

    def _bill_line(self) -> tuple[Any, int]:
        from buudien.counter.services.checkout import BasketLine
        from buudien.sync import sample

        code, amount, reference = sample.bill(self.rng)
        return BasketLine(service_code=code, amount=amount, reference=reference), amount

    def bill(self) -> None:
        lines, total = [], 0
        for _ in range(self.rng.choices([1, 2, 3], [75, 20, 5])[0]):
            line, amount = self._bill_line()
            lines.append(line)
            total += amount
        self.bills.append(self._checkout(lines, total))

    def goods(self) -> None:
        from buudien.counter.services.checkout import BasketLine
        from buudien.sync import sample

        lines = []
        for _ in range(self.rng.choices([1, 2, 3], [60, 30, 10])[0]):
            code, quantity = sample.goods(self.rng)
            lines.append(BasketLine(service_code=code, quantity=quantity))
        self._checkout(lines, 0)

    def pay(self) -> None:
        from buudien.payouts import services

        services.pay(payout=self.lines.pop(), clerk=self.clerk, session=self.session)

    def pay_basket(self) -> None:
        from buudien.counter.services.checkout import BasketLine

        lines = [BasketLine(kind="payout", ref=str(self.lines.pop().pk))]
        if self.rng.random() < 0.3:
            lines.append(self._bill_line()[0])
        self._checkout(lines, 0)

    def intake(self) -> None:
        from buudien.dossiers import selectors, services
        from buudien.sync import sample

        procedure = selectors.procedure(code=sample.procedure(self.rng).code)
        documents = [
            services.DocumentIn(r.pk, r.name, "copy" if r.form == "copy" else "original", r.copies)
            for r in selectors.required_documents(procedure=procedure)
            if r.required or self.rng.random() < 0.3
        ]
        services.intake(
            clerk=self.clerk,
            session=self.session,
            procedure=procedure,
            citizen_name=sample.person(self.rng),
            citizen_id=sample.citizen_id(self.rng),
            phone=sample.phone(self.rng),
            address=sample.address(self.rng),
            documents=documents,
            request_key=f"{self.rng.getrandbits(64):016x}",  # as the intake page makes it
        )

    def step(self) -> None:
        from buudien.dossiers import services
        from buudien.sync import sample

        # What the step form sends: every field, the empty ones too.
        action = "return" if self.rng.random() < 0.8 else "dispatch"
        data = {"what": "", "by": None, "reason": "", "receiver": "", "next_attempt": None}
        if action == "return":
            data["receiver"] = sample.person(self.rng)
        services.transition(
            dossier=self.dossiers.pop(), actor=self.clerk, action=action, note="", **data
        )

    def entries(self) -> None:
        from buudien.counter import services
        from buudien.sync import sample

        code, amount, reference = sample.bill(self.rng)
        request = services.EntryRequest(
            idempotency_key=f"api-{sample.key(self.rng)[:20]}",
            service_code=code,
            amount=amount,
            reference=reference,
        )
        services.post_entries(session=self.session, clerk=self.clerk, requests=[request])

    def reverse(self) -> None:
        from buudien.counter import services
        from buudien.counter.models import LedgerEntry
        from buudien.sync import sample

        if not self.bills:
            return
        entry = LedgerEntry.objects.filter(counter_transaction_id=self.bills.pop().pk).first()
        services.reverse_entry(
            entry=entry,
            clerk=self.clerk,
            session=self.session,
            reason=self.rng.choice(sample.REVERSALS),
        )

    def close(self) -> None:
        from buudien.counter import services

        self.session.refresh_from_db()
        services.close_session(
            session=self.session, clerk=self.clerk, counted_cash=self.session.book_cash
        )


# --- the province's data for one point ----------------------------------------------------


def _payout_lines(point: Any, manager: Any) -> None:
    from openpyxl import Workbook

    from buudien.payouts import services
    from buudien.payouts.models import Programme

    rng = random.Random(5)
    for programme, count, low, high in (("LHUU", 250, 2_500, 7_000), ("BTXH", 300, 500, 1_500)):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("DS")
        ws.append(
            [
                "Số CCCD",
                "Họ tên",
                "Ngày sinh",
                "Số tiền",
                "Mã điểm",
                "Hình thức nhận",
                "Số tài khoản",
                "Thôn, bản",
            ]
        )
        for i in range(count):
            ws.append(
                [
                    f"004{rng.choice('01')}{40 + i % 60:02d}{i + (programme == 'BTXH') * 5000:06d}",
                    f"{rng.choice(['Nông', 'Hoàng', 'Lục', 'Bế'])} {programme} {i}",
                    "01/01/1950",
                    rng.randint(low, high) * 1000,
                    point.code,
                    "Tại quầy",
                    "",
                    f"Bản {i % 30}",
                ]
            )
        buf = io.BytesIO()
        wb.save(buf)
        result = services.import_list(
            actor=manager,
            programme=Programme.objects.get(code=programme),
            month=MONTH,
            source=buf.getvalue(),
        )
        assert result.ok, result.errors[:3]


def _open_dossiers(point: Any, clerk: Any) -> list[Any]:
    """Dossiers the point took in lately; half of them back at the point with their result."""
    from buudien.core import clock
    from buudien.counter import services as counter_services
    from buudien.dossiers.models import Dossier, Place, Status

    rng = random.Random(6)
    at = dt.datetime.combine(DAY - dt.timedelta(days=7), dt.time(8), TZ)
    with clock.at(at):
        session = counter_services.open_session(clerk=clerk, unit=point, opening_cash=0)
        work = Counter(rng, point, clerk, [], [], at, session=session)
        for _ in range(OPEN_DOSSIERS):
            work.run("intake")
        assert not work.failed, work.failed[:3]
        session.refresh_from_db()
        counter_services.close_session(session=session, clerk=clerk, counted_cash=session.book_cash)
    codes = list(Dossier.objects.filter(point=point).values_list("pk", flat=True))
    Dossier.objects.filter(pk__in=codes[::2]).update(status=Status.AT_POINT, place=Place.POINT)
    return list(Dossier.objects.filter(point=point, status=Status.AT_POINT))


def _device(point: Any, manager: Any) -> Any:
    from buudien.sync.models import Device

    return Device.objects.create(
        point=point,
        label=f"Máy {point.code}",
        secret_digest="-",  # noqa: S106 - the bench pushes through the service, not the door
        enrolled_by=manager,
    )


# --- measures -----------------------------------------------------------------------------


def first_pull(point: Any) -> tuple[int, int, float]:
    """Bytes, pages and seconds of a point's first pull (the laptop has nothing yet)."""
    from buudien.sync import pull, wire

    sizes: list[int] = []
    start = time.perf_counter()
    cursor = None
    while True:
        page = pull.pull_page(point_id=point.pk, have={}, cursor=cursor)
        sizes.append(len(wire.pack(page)))
        if page["done"]:
            break
        cursor = page["cursor"]
    return sum(sizes), len(sizes), time.perf_counter() - start


def per_op(ops: list[Any], size: int, measure: Callable[[list[Any], int], int]) -> float:
    from buudien.sync import sample

    total = sum(measure(batch, backlog) for batch, backlog in sample.batches(ops, size))
    return total / len(ops)


def _pushed(ops: list[Any], backlog: int) -> int:
    from buudien.sync import wire

    return len(wire.encode_ops(ops, backlog=backlog))


def _plain(ops: list[Any], backlog: int) -> int:
    from buudien.sync import sample, wire

    return sample.frame_size(wire.unpack(wire.encode_ops(ops, backlog=backlog)), dictionary=None)


def push_all(
    device: Any, ops: list[Any], bodies: list[bytes] | None = None
) -> tuple[list[Any], int, int]:
    """Push a backlog as the client does (the batches' bodies made beforehand when given), a
    batch again when the province stopped short; the answers, the reply bytes and how many
    pushes it took."""
    from buudien.sync import sample, wire
    from buudien.sync.services.push import push

    answers: list[Any] = []
    reply_bytes = pushes = 0
    left = list(ops)
    ready = list(bodies or [])
    while left:
        batch = left[: sample.CLIENT_BATCH]
        body = ready.pop(0) if ready else wire.encode_ops(batch, backlog=len(left) - len(batch))
        answer = push(device=device, body=body)
        pushes += 1
        reply_bytes += len(answer)
        rows = wire.unpack(answer)["r"]
        answers.extend(rows)
        if len(rows) < len(batch):
            ready = []  # stopped short: the rest goes again, as the client sends it
            assert pushes < 100 + len(ops), "the province keeps refusing to answer"
        left = left[len(rows) :]
    return answers, reply_bytes, pushes


@dataclass
class Shift:
    device: Any
    clerk: Any
    requests: list[Any]
    ops: list[Any] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


def _requests(rng: random.Random, tag: str, count: int) -> list[Any]:
    from buudien.counter.services import EntryRequest
    from buudien.sync import sample

    out = []
    for i in range(count):
        if rng.random() < 0.6:
            code, amount, reference = sample.bill(rng)
            out.append(
                EntryRequest(
                    idempotency_key=f"{tag}-{i}",
                    service_code=code,
                    amount=amount,
                    reference=reference,
                )
            )
        else:
            code, quantity = sample.goods(rng)
            out.append(
                EntryRequest(idempotency_key=f"{tag}-{i}", service_code=code, quantity=quantity)
            )
    return out


def _work_shift(
    clerk: Any, point: Any, requests: list[Any], day: dt.date, moments: Iterator[Any]
) -> None:
    """A shift through the services: open, one entry at a time, close; each at its moment."""
    from buudien.core import clock
    from buudien.counter import services

    with clock.at(next(moments)):
        session = services.open_session(
            clerk=clerk, unit=point, opening_cash=5_000_000, business_date=day
        )
    for request in requests:
        with clock.at(next(moments)):
            services.post_entries(session=session, clerk=clerk, requests=[request])
    session.refresh_from_db()
    with clock.at(next(moments)):
        services.close_session(session=session, clerk=clerk, counted_cash=session.book_cash)


def _moments(day: dt.date, rng: random.Random) -> Iterator[dt.datetime]:
    """One customer after another from half past seven."""
    at = dt.datetime.combine(day, dt.time(7, 30), TZ)
    while True:
        at += dt.timedelta(seconds=rng.randint(20, 200), milliseconds=rng.randint(0, 999))
        yield at


def _record(
    shift: Shift, day: dt.date, rng: random.Random, blocks: dict[str, list[dict[str, int]]]
) -> None:
    from buudien.sync import sample, wire

    with offline(shift.device, blocks) as ops:
        _work_shift(shift.clerk, shift.device.point, shift.requests, day, _moments(day, rng))
    shift.ops = ops
    shift.bodies = [wire.encode_ops(b, backlog=left) for b, left in sample.batches(ops)]


def _apply(shift: Shift) -> int:
    """Push one device's shift from a thread of the pool; the pushes it took."""
    from django.db import connections

    try:
        answers, _, count = push_all(shift.device, shift.ops, shift.bodies)
        assert {a[1] for a in answers} == {"a"}, answers[:3]
        return count
    finally:
        connections.close_all()


def _call(job: tuple[Any, Any, list[Any], dt.date]) -> None:
    """The same shift through the services, from a thread of the pool."""
    from django.db import connections

    clerk, point, requests, day = job
    try:
        _work_shift(clerk, point, requests, day, _moments(day, random.Random(1)))
    finally:
        connections.close_all()


def throughput(points: list[Any], clerks: dict[Any, Any], manager: Any) -> dict[str, Any]:
    """Rounds of every device pushing its shift at once, against the same entries made
    through `post_entries` directly from the same threads (which goes first alternates)."""

    from buudien.core import numbers

    rng = random.Random(8)
    devices = [_device(p, manager) for p in points]
    # As at enrolment: each laptop holds its blocks (numbers of shifts, dossiers) beforehand.
    blocks = {d.pk: numbers.reserve_all(holder=d.pk) for d in devices}
    ours: list[float] = []
    theirs: list[float] = []
    pushes = 0
    for r in range(ROUNDS):
        day = DAY + dt.timedelta(days=r + 1)
        shifts = [
            Shift(d, clerks[d.point_id], _requests(rng, f"r{r}-{d.pk.hex[:8]}", OPS - 2))
            for d in devices
        ]
        for shift in shifts:
            _record(shift, day, rng, blocks[shift.device.pk])
        # The same entries under keys of their own: the pushed ones are taken.
        direct = [
            (
                s.clerk,
                s.device.point,
                [replace(q, idempotency_key=f"b{q.idempotency_key}") for q in s.requests],
                day,
            )
            for s in shifts
        ]

        for turn in (0, 1) if r % 2 else (1, 0):
            with ThreadPoolExecutor(THREADS) as pool:
                start = time.perf_counter()
                if turn:
                    list(pool.map(_call, direct))
                    theirs.append(time.perf_counter() - start)
                else:
                    pushes += sum(pool.map(_apply, shifts))
                    ours.append(time.perf_counter() - start)
        body = sum(len(b) for s in shifts for b in s.bodies)
        print(
            f"  round {r + 1}: {len(shifts)} devices × {OPS} ops pushed in {ours[-1]:.2f} s "
            f"({body / (len(shifts) * OPS):.1f} B/op); direct {theirs[-1]:.2f} s"
        )
    n = len(devices) * OPS
    return {
        "n": n,
        "median_s": statistics.median(ours),
        "baseline_median_s": statistics.median(theirs),
        "ops_per_s": round(n / statistics.median(ours)),
        "direct_ops_per_s": round(n / statistics.median(theirs)),
        "pushes_per_round": round(pushes / ROUNDS),
    }


def main() -> None:
    database = fresh_database("sync")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from buudien.core import numbers, reference, users
    from buudien.core.models import Role, User
    from buudien.network import demo as network_demo
    from buudien.network.models import PostUnit
    from buudien.payouts.models import Payout
    from buudien.sync import sample, wire

    if not wire.DICTIONARY.exists():
        print("  (no ops.dict: plain zstd; run `buudien train_sync_dictionary`)")
    reference.load()
    network_demo.build(today=DAY)
    manager = User.objects.filter(role=Role.PROVINCE_MANAGER).first()
    clerks = users.clerks_by_unit()
    points = list(PostUnit.objects.filter(kind="commune_point", pk__in=clerks).order_by("code"))
    point, clerk = points[0], clerks[points[0].pk]
    _payout_lines(point, manager)
    at_point = _open_dossiers(point, clerk)

    # A point's first pull: its users, the catalogue, procedures, its lines and dossiers.
    pulls = [first_pull(point) for _ in range(3)]
    pull_bytes, pull_pages = pulls[0][0], pulls[0][1]
    pull_s = statistics.median(p[2] for p in pulls)

    # A busy pension day worked offline, then pushed in batches of 25.
    device = _device(point, manager)
    blocks = numbers.reserve_all(holder=device.pk)
    rng = random.Random(7)
    lines = list(Payout.objects.filter(point=point, status="pending"))
    rng.shuffle(lines)
    work = Counter(rng, point, clerk, lines, at_point, dt.datetime.combine(DAY, dt.time(7, 30), TZ))
    with offline(device, blocks) as day:
        for action in sample.plan(rng, DAY_OPS):
            work.run(action)
    assert not work.failed, work.failed[:5]
    kinds = collections.Counter(op.code for op in day)
    figures = {
        f"bytes_per_op_{size}": round(per_op(day, size, _pushed), 1) for size in (10, 25, 50)
    }
    figures["bytes_per_op_nodict_10"] = round(per_op(day, 10, _plain), 1)
    figures["bytes_per_op_nodict_25"] = round(per_op(day, 25, _plain), 1)
    day_bytes = round(per_op(day, sample.CLIENT_BATCH, _pushed) * len(day))
    answers, reply_bytes, _pushes = push_all(device, day)
    outcomes = {a[1] for a in answers}
    assert outcomes == {"a"}, [a for a in answers if a[1] != "a"][:3]
    synthetic = [op for d in sample.days(seed=4321, count=10) for op in d]

    applied = throughput(points[1 : DEVICES + 1], clerks, manager)
    write_result(
        name="sync",
        database=database,
        n=applied["n"],
        median_s=applied["median_s"],
        baseline=f"post_entries called directly for the same entries, {THREADS} threads",
        baseline_median_s=applied["baseline_median_s"],
        extra={
            **figures,
            "sample_bytes_per_op_25": round(per_op(synthetic, 25, _pushed), 1),
            "day_ops": len(day),
            "day_bytes": day_bytes,
            "day_reply_bytes": reply_bytes,
            "reply_bytes_per_op_25": round(reply_bytes / len(day), 1),
            "first_pull_bytes": pull_bytes,
            "first_pull_pages": pull_pages,
            "first_pull_s": round(pull_s, 3),
            "ops_per_s": applied["ops_per_s"],
            "direct_ops_per_s": applied["direct_ops_per_s"],
            "devices": DEVICES,
            "threads": THREADS,
            "dictionary_bytes": wire.DICTIONARY.stat().st_size if wire.DICTIONARY.exists() else 0,
        },
    )
    print(
        f"  wire: {figures['bytes_per_op_10']}/{figures['bytes_per_op_25']}/"
        f"{figures['bytes_per_op_50']} B/op in batches of 10/25/50 "
        f"(no dictionary: {figures['bytes_per_op_nodict_25']} at 25); a day of {len(day)} ops "
        f"({' '.join(f'{k}:{n}' for k, n in kinds.most_common())}) pushes {day_bytes:,} B, "
        f"replies {reply_bytes:,} B; "
        f"first pull {pull_bytes:,} B in {pull_pages} pages, {pull_s:.2f} s; "
        f"{applied['ops_per_s']:,} ops/s applied from {DEVICES} devices "
        f"(direct {applied['direct_ops_per_s']:,}/s)"
    )


if __name__ == "__main__":
    main()
