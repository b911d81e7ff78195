"""The province applies what a point did offline: exactly once, in order, with the point's
own keys and numbers; a refused operation does not hold back the others; clashes become
conflicts for a manager."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.payouts import services as payout_services
from buudien.payouts.models import Payout, Programme
from buudien.sync import wire
from buudien.sync.models import AppliedOperation, Conflict, Device
from buudien.sync.services.push import push
from tests.conftest import Tree
from tests.payouts.test_payouts import MONTH, PAYDAY, person, workbook
from tests.sync.conftest import offline

pytestmark = pytest.mark.django_db


def pushed(device: Device, ops: list[wire.WireOp], backlog: int = 0) -> dict[str, Any]:
    reply = wire.unpack(push(device=device, body=wire.encode_ops(ops, backlog=backlog)))
    return {row[0]: row[1:] for row in reply["r"]}


def _day(device: Device, clerk: User, tree: Tree) -> tuple[list[wire.WireOp], dict[str, Any]]:
    with offline(device, PAYDAY) as ops:
        session = counter_services.open_session(clerk=clerk, unit=tree.point_a1, opening_cash=0)
        results = counter_services.post_entries(
            session=session,
            clerk=clerk,
            requests=[
                counter_services.EntryRequest(
                    idempotency_key=f"k{i}", service_code="TC-DIEN", amount=150_000 + i
                )
                for i in range(3)
            ],
        )
        seen = {
            "session": session.pk,
            "receipts": [r.entry.receipt_no for r in results],
            "ids": [r.entry.pk for r in results],
        }
    return ops, seen


def test_a_day_made_offline_arrives_with_the_points_keys_and_receipts(
    device: Device, users: dict[str, User], tree: Tree, catalogue: None
) -> None:
    ops, seen = _day(device, users[Role.CLERK], tree)
    assert LedgerEntry.objects.count() == 0  # the laptop's work is not at the province yet
    answers = pushed(device, ops)
    assert [a[0] for a in answers.values()] == ["a", "a"]
    entries = LedgerEntry.objects.order_by("receipt_no")
    assert [e.pk for e in entries] == seen["ids"]
    assert [e.receipt_no for e in entries] == seen["receipts"]
    session = CounterSession.objects.get(pk=seen["session"])
    assert session.business_date == PAYDAY.date()
    # The shift's series comes from the laptop's reserved block: "P" and base 36 (1296 = 100).
    assert session.series == "P100"
    assert all(r.startswith("VHXA1-250305-P100-") for r in seen["receipts"])
    assert session.revenue == sum(e.revenue for e in entries)


def test_a_batch_pushed_twice_is_applied_once_and_answered_the_same(
    device: Device, users: dict[str, User], tree: Tree, catalogue: None
) -> None:
    ops, _seen = _day(device, users[Role.CLERK], tree)
    first = pushed(device, ops)
    again = pushed(device, ops)
    assert first == again
    assert LedgerEntry.objects.count() == 3
    assert AppliedOperation.objects.count() == 2


def test_one_refused_operation_does_not_hold_back_the_ones_behind_it(
    device: Device, users: dict[str, User], tree: Tree, catalogue: None
) -> None:
    clerk = users[Role.CLERK]
    with offline(device, PAYDAY) as ops:
        session = counter_services.open_session(clerk=clerk, unit=tree.point_a1, opening_cash=0)
        for i in range(3):
            counter_services.post_entry(
                session=session,
                clerk=clerk,
                request=counter_services.EntryRequest(
                    idempotency_key=f"k{i}", service_code="TC-DIEN", amount=100_000
                ),
            )
    # The province retired the electricity service of the second entry's key meanwhile:
    # simulate with a payload the province cannot apply.
    ops[2] = wire.WireOp(
        ops[2].seq, ops[2].code, ops[2].at, ops[2].actor, {**ops[2].payload, "s": "khong-co"}
    )
    answers = pushed(device, ops)
    assert [a[0] for a in answers.values()] == ["a", "a", "r", "a"]
    assert "ca làm việc" in answers[ops[2].seq][2]
    assert LedgerEntry.objects.count() == 2


def test_an_operation_signed_by_a_user_of_another_point_is_refused(
    device: Device, users: dict[str, User], tree: Tree, catalogue: None
) -> None:
    ops, _seen = _day(device, users[Role.CLERK], tree)
    forged = [wire.WireOp(op.seq, op.code, op.at, "khuvuc", op.payload) for op in ops]
    answers = pushed(device, forged)
    assert {a[0] for a in answers.values()} == {"r"}
    assert LedgerEntry.objects.count() == 0


def _lines(programme: Programme, users: dict[str, User]) -> list[Payout]:
    payout_services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=programme,
        month=MONTH,
        source=workbook([person(i) for i in range(1, 4)]),
    )
    return list(Payout.objects.order_by("row"))


def test_a_line_paid_offline_and_at_the_province_is_a_conflict_counted_once(
    device: Device, users: dict[str, User], tree: Tree, programme: Programme
) -> None:
    clerk = users[Role.CLERK]
    lines = _lines(programme, users)
    with offline(device, PAYDAY) as ops:
        session = counter_services.open_session(
            clerk=clerk, unit=tree.point_a1, opening_cash=50_000_000
        )
        for line in lines[:2]:
            payout_services.pay(payout=line, clerk=clerk, session=session)
    # Meanwhile the area manager, on the province's web page, paid the first line.
    manager = users[Role.AREA_MANAGER]
    online = counter_services.open_session(
        clerk=manager, unit=tree.point_a1, opening_cash=50_000_000, business_date=PAYDAY.date()
    )
    payout_services.pay(payout=lines[0], clerk=manager, session=online, paid_at=PAYDAY)
    first_receipt = LedgerEntry.objects.get(source_type="payout").receipt_no
    answers = pushed(device, ops)
    assert [a[0] for a in answers.values()] == ["a", "c", "a"]
    conflict = Conflict.objects.get()
    assert conflict.kind == "double_payment"
    assert conflict.amount == lines[0].amount
    assert conflict.details["first_receipt"] == first_receipt
    assert conflict.details["second_receipt"]
    paid_out = LedgerEntry.objects.filter(source_type="payout", direction="out")
    assert paid_out.count() == 2  # the first line once, the second line once
    assert sorted(e.amount for e in paid_out) == sorted([lines[0].amount, lines[1].amount])


def test_a_price_changed_while_offline_is_recorded_not_rewritten(
    device: Device, users: dict[str, User], tree: Tree, catalogue: None
) -> None:
    from buudien.counter.models import Service, Tariff

    clerk = users[Role.CLERK]
    fixed = Tariff.objects.filter(rule="fixed_fee").select_related("service").first()
    assert fixed is not None
    with offline(device, PAYDAY) as ops:
        session = counter_services.open_session(clerk=clerk, unit=tree.point_a1, opening_cash=0)
        counter_services.post_entry(
            session=session,
            clerk=clerk,
            request=counter_services.EntryRequest(
                idempotency_key="k", service_code=fixed.service.code
            ),
        )
    charged = ops[1].payload["x"][0]
    Tariff.objects.create(
        service=fixed.service,
        rule="fixed_fee",
        price=charged + 2_000,
        valid_from=PAYDAY.date() - dt.timedelta(days=1),
    )
    answers = pushed(device, ops)
    assert answers[ops[1].seq][0] == "c"
    conflict = Conflict.objects.get()
    assert conflict.kind == "price_difference"
    assert conflict.amount == 2_000
    assert LedgerEntry.objects.get().amount == charged + 2_000
    assert Service.objects.filter(pk=fixed.service_id).exists()


def _intake(session: CounterSession, clerk: User, procedure: Any) -> Any:
    from buudien.dossiers import services as dossier_services
    from tests.dossiers.conftest import CITIZEN, full_documents

    return dossier_services.intake(
        clerk=clerk,
        session=session,
        procedure=procedure,
        documents=full_documents(procedure),
        **CITIZEN,
    )


def test_a_dossier_taken_offline_keeps_its_code_and_a_step_moved_on_both_sides_is_a_conflict(
    device: Device, users: dict[str, User], tree: Tree, procedures: dict[str, Any]
) -> None:
    from buudien.dossiers import services as dossier_services
    from buudien.dossiers.models import Dossier

    clerk = users[Role.CLERK]
    procedure = procedures["1.001193"]
    with offline(device, PAYDAY) as ops:
        session = counter_services.open_session(clerk=clerk, unit=tree.point_a1, opening_cash=0)
        taken = _intake(session, clerk, procedure)
        code, pk = taken.code, taken.pk
    assert code.endswith(("900000", "900001"))  # from the laptop's reserved block
    pushed(device, ops)
    dossier = Dossier.objects.get(code=code)
    assert dossier.pk == pk
    with offline(device, PAYDAY) as later:
        dossier_services.transition(
            dossier=Dossier.objects.get(pk=pk), actor=clerk, action="withdraw"
        )
    # At the province the same dossier was sent on to the agency meanwhile.
    from buudien.dossiers.models import Batch

    batch = dossier_services.open_batch(
        actor=users[Role.AREA_MANAGER],
        unit=tree.point_a1,
        agency=dossier.agency,
        direction=Batch.Direction.TO_AGENCY,
        dossiers=[dossier],
    )
    dossier_services.send_batch(actor=users[Role.AREA_MANAGER], batch=batch)
    answers = pushed(device, later)
    assert answers[later[0].seq][0] == "c"
    conflict = Conflict.objects.get()
    assert conflict.kind == "dossier_moved"
    assert code in conflict.message
    assert Dossier.objects.get(pk=pk).status != "withdrawn"


def test_a_basket_with_a_line_paid_meanwhile_keeps_its_other_lines(
    device: Device, users: dict[str, User], tree: Tree, programme: Programme
) -> None:
    clerk = users[Role.CLERK]
    lines = _lines(programme, users)
    with offline(device, PAYDAY) as ops:
        session = counter_services.open_session(
            clerk=clerk, unit=tree.point_a1, opening_cash=50_000_000
        )
        counter_services.checkout(
            session=session,
            clerk=clerk,
            order=counter_services.Checkout(
                idempotency_key="ro-1",
                lines=[
                    counter_services.BasketLine(
                        service_code="TC-DIEN", amount=350_000, reference="PD1"
                    ),
                    counter_services.BasketLine(kind="payout", ref=str(lines[0].pk)),
                ],
            ),
        )
    manager = users[Role.AREA_MANAGER]
    online = counter_services.open_session(
        clerk=manager, unit=tree.point_a1, opening_cash=50_000_000, business_date=PAYDAY.date()
    )
    payout_services.pay(payout=lines[0], clerk=manager, session=online, paid_at=PAYDAY)
    answers = pushed(device, ops)
    assert answers[ops[1].seq][0] == "c"
    assert Conflict.objects.get().kind == "double_payment"
    bill = LedgerEntry.objects.get(service__code="TC-DIEN")
    assert bill.amount == 350_000
    assert LedgerEntry.objects.filter(source_type="payout").count() == 1


def test_work_done_after_the_clerk_was_disabled_is_applied_and_flagged(
    device: Device, users: dict[str, User], tree: Tree, catalogue: None
) -> None:
    clerk = users[Role.CLERK]
    ops, _seen = _day(device, clerk, tree)
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    answers = pushed(device, ops)
    assert {a[0] for a in answers.values()} == {"c"}
    assert LedgerEntry.objects.count() == 3
    assert set(Conflict.objects.values_list("kind", flat=True)) == {"disabled_user"}


def test_the_province_keeps_an_applied_intake_with_the_citizen_id_and_phone_masked(
    device: Device, users: dict[str, User], tree: Tree, procedures: dict[str, Any]
) -> None:
    from tests.dossiers.conftest import CITIZEN

    clerk = users[Role.CLERK]
    with offline(device, PAYDAY) as ops:
        session = counter_services.open_session(clerk=clerk, unit=tree.point_a1, opening_cash=0)
        _intake(session, clerk, procedures["1.001193"])
    pushed(device, ops)
    kept = str(AppliedOperation.objects.get(seq=ops[1].seq).payload)
    assert CITIZEN["citizen_id"] not in kept
    assert CITIZEN["phone"] not in kept
    assert CITIZEN["citizen_id"][-3:] in kept


def test_a_hand_over_slip_made_offline_arrives_with_its_code_and_sends_its_dossiers(
    device: Device, users: dict[str, User], tree: Tree, procedures: dict[str, Any]
) -> None:
    from buudien.dossiers import services as dossier_services
    from buudien.dossiers.models import Batch, Dossier

    clerk = users[Role.CLERK]
    with offline(device, PAYDAY) as ops:
        session = counter_services.open_session(clerk=clerk, unit=tree.point_a1, opening_cash=0)
        taken = _intake(session, clerk, procedures["1.001193"])
        slip = dossier_services.open_batch(
            actor=clerk,
            unit=tree.point_a1,
            agency=taken.agency,
            direction=Batch.Direction.TO_AGENCY,
            dossiers=[taken],
        )
        dossier_services.send_batch(actor=clerk, batch=slip)
        code, slip_code = taken.code, slip.code
    answers = pushed(device, ops)
    assert [a[0] for a in answers.values()] == ["a"] * 4
    assert Batch.objects.get(code=slip_code).state == "sent"
    assert Dossier.objects.get(code=code).status == "in_transit"
