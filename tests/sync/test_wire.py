"""What travels on a point's weak link: a batch arrives as it left, a garbled body is answered
with a message, and a realistic batch costs under 60 bytes an operation with the shipped
dictionary."""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from buudien.core import clock
from buudien.core.errors import DomainError
from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession, CounterTransaction, LedgerEntry
from buudien.counter.services.checkout import BasketLine, Checkout
from buudien.dossiers import services as dossier_services
from buudien.dossiers.models import Procedure
from buudien.payouts import services as payout_services
from buudien.payouts.models import Payout, Programme
from buudien.sync import sample, wire
from buudien.sync import services as sync_services
from buudien.sync.models import Device
from tests.conftest import Tree
from tests.dossiers.conftest import CITIZEN, full_documents
from tests.payouts.test_payouts import MONTH, PAYDAY, person, workbook
from tests.sync.conftest import offline
from tests.sync.test_push import pushed

TZ = PAYDAY.tzinfo


def test_a_batch_decodes_to_the_operations_that_were_encoded() -> None:
    ops = sample.day(
        rng=random.Random(3),
        point="VHXA1",
        clerks=("diem", "nv2-vhxa1"),
        date=PAYDAY.date(),
        size=60,
        first_seq=41,
    )
    assert len({op.actor for op in ops}) == 2  # the clerk changes inside the batch
    decoded, backlog = wire.decode_ops(wire.encode_ops(ops, backlog=17))
    assert backlog == 17
    assert decoded == ops
    assert all(d.at.utcoffset() == dt.timedelta(hours=7) for d in decoded)


def test_times_travel_to_the_millisecond() -> None:
    at = dt.datetime(2025, 3, 5, 9, 0, 0, 123_000, tzinfo=TZ)
    ops = [
        wire.WireOp(seq=7, code="o", at=at, actor="diem", payload={"c": 0}),
        wire.WireOp(seq=8, code="c", at=at + dt.timedelta(milliseconds=1), actor="", payload={}),
    ]
    decoded, _ = wire.decode_ops(wire.encode_ops(ops, backlog=0))
    assert [d.at for d in decoded] == [op.at for op in ops]
    assert [d.actor for d in decoded] == ["diem", ""]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "không đọc được"),
        (b"GET / HTTP/1.1\r\n", "không đọc được"),
        (wire.pack({"o": [[1, "e"]]}), "không đúng định dạng"),
        (wire.pack({"o": [[0, "e", 0, "diem", {}]]}), "không đúng định dạng"),
        (wire.pack({"o": [[1, "e", 0, "diem", "not a payload"]]}), "không đúng định dạng"),
        (wire.pack(["o"]), "không đúng định dạng"),
    ],
)
def test_a_garbled_body_is_refused_with_a_message(body: bytes, message: str) -> None:
    with pytest.raises(DomainError) as refused:
        wire.decode_ops(body)
    assert message in refused.value.message
    assert refused.value.field == "body"


@pytest.mark.django_db
def test_a_garbled_push_is_answered_with_a_message_not_a_server_error(
    tree: Tree, users: dict[str, User]
) -> None:
    _code, raw = sync_services.issue_code(actor=users[Role.AREA_MANAGER], point_id=tree.point_a1.pk)
    device, secret = sync_services.enroll(code=raw, label="")
    for body in (b"\x28\xb5\x2f\xfd garbage", wire.pack({"o": "x"})):
        response = Client().post(
            "/device/push",
            data=body,
            content_type=wire.CONTENT_TYPE,
            HTTP_AUTHORIZATION=f"Device {device.pk} {secret}",
        )
        assert 400 <= response.status_code < 500
        assert "Gói" in response.json()["message"]


def _lines(programme: Programme, users: dict[str, User]) -> list[Payout]:
    payout_services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=programme,
        month=MONTH,
        source=workbook([person(i) for i in range(1, 9)]),
    )
    return list(Payout.objects.order_by("row"))


def test_a_batch_of_25_real_operations_costs_under_60_bytes_each(
    device: Device,
    users: dict[str, User],
    tree: Tree,
    programme: Programme,
    procedures: dict[str, Procedure],
) -> None:
    """A 2G link carries a morning's work in a few kilobytes (the issue's weak-link goal)."""
    assert wire.DICTIONARY.exists(), "ops.dict ships with the package"
    clerk, rng = users[Role.CLERK], random.Random(25)
    lines = _lines(programme, users)
    moments = (
        PAYDAY + dt.timedelta(seconds=97 * i, milliseconds=rng.randrange(1000)) for i in range(99)
    )

    def basket(
        session: CounterSession, items: list[BasketLine], total: int = 0
    ) -> CounterTransaction:
        order = Checkout(
            idempotency_key=uuid.uuid4().hex,  # as the counter page makes it
            lines=items,
            cash_given=sample.cash_given(rng, total),
        )
        with clock.at(next(moments)):
            return counter_services.checkout(session=session, clerk=clerk, order=order)

    with offline(device, PAYDAY) as ops:
        with clock.at(next(moments)):
            session = counter_services.open_session(
                clerk=clerk, unit=tree.point_a1, opening_cash=50_000_000
            )
        bills = []
        for _ in range(8):
            code, amount, reference = sample.bill(rng)
            line = BasketLine(service_code=code, amount=amount, reference=reference)
            bills.append(basket(session, [line], amount))
        for _ in range(4):
            code, quantity = sample.goods(rng)
            basket(session, [BasketLine(service_code=code, quantity=quantity)])
        for line in lines[:6]:
            with clock.at(next(moments)):
                payout_services.pay(payout=line, clerk=clerk, session=session)
        for line in lines[6:8]:
            basket(session, [BasketLine(kind="payout", ref=str(line.pk))])
        procedure = procedures["1.001193"]
        with clock.at(next(moments)):
            dossier_services.intake(
                clerk=clerk,
                session=session,
                procedure=procedure,
                documents=full_documents(procedure),
                request_key=f"{rng.getrandbits(64):016x}",
                **CITIZEN,
            )
        code, amount, reference = sample.bill(rng)
        with clock.at(next(moments)):
            counter_services.post_entry(
                session=session,
                clerk=clerk,
                request=counter_services.EntryRequest(
                    idempotency_key=f"api-{uuid.uuid4().hex[:20]}",
                    service_code=code,
                    amount=amount,
                    reference=reference,
                ),
            )
        wrong = LedgerEntry.objects.get(counter_transaction=bills[0])
        with clock.at(next(moments)):
            counter_services.reverse_entry(
                entry=wrong, clerk=clerk, session=session, reason="Nhập nhầm số tiền"
            )
        session.refresh_from_db()
        with clock.at(next(moments)):
            counter_services.close_session(
                session=session, clerk=clerk, counted_cash=session.book_cash
            )
    assert len(ops) == 25
    body = wire.encode_ops(ops, backlog=0)
    assert len(body) / len(ops) <= 60, f"{len(body)} bytes for {len(ops)} operations"
    answers = pushed(device, ops)  # and the province applies every one of them
    assert [a[0] for a in answers.values()] == ["a"] * 25


def test_the_dictionary_is_trained_the_same_from_the_same_days(tmp_path: Path) -> None:
    first, second = tmp_path / "a.dict", tmp_path / "b.dict"
    for output in (first, second):
        call_command(
            "train_sync_dictionary", days=5, size=2048, output=output, stdout=io.StringIO()
        )
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes()) == 2048
