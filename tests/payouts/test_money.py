"""A payout line is settled only through its own door: by its own cash-out, at most once,
whatever keys a clerk brings (on SQLite here; tests/payouts/test_concurrency.py on PostgreSQL)."""

from __future__ import annotations

import pytest

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.errors import CounterError
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.payouts import services
from buudien.payouts.errors import PayoutError
from buudien.payouts.models import Payout, Programme
from tests.conftest import Tree
from tests.factories import UserFactory
from tests.payouts.test_payouts import MONTH, PAYDAY, person, workbook


@pytest.fixture
def line(programme: Programme, users: dict[str, User]) -> Payout:
    services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=programme,
        month=MONTH,
        source=workbook([person(1), person(2)]),
    )
    return Payout.objects.order_by("row").first()  # type: ignore[return-value]


def _letter_fee(session: CounterSession, clerk: User, key: str) -> LedgerEntry:
    """What a clerk can post at his counter: a 5,000 đ letter fee, under any key he likes."""
    return counter_services.post_entry(
        session=session,
        clerk=clerk,
        request=counter_services.EntryRequest(
            idempotency_key=key, service_code="BC-THU", amount=5_000, occurred_at=PAYDAY
        ),
    ).entry


def _assert_own_cash_out(paid: Payout) -> LedgerEntry:
    entry = LedgerEntry.objects.select_related("service").get(pk=paid.entry_id)
    programme = paid.list.programme
    assert entry.settles == f"payout:{paid.pk}"
    assert (entry.service.code, entry.direction, entry.amount) == (
        programme.service_code,
        "out",
        paid.amount,
    )
    assert entry.unit_id == paid.point_id
    return entry


def test_a_pre_claimed_key_never_marks_the_line_paid_by_a_letter_fee(
    line: Payout, users: dict[str, User], payday_session: CounterSession
) -> None:
    clerk = users[Role.CLERK]
    # The key the payout used to take, and a key the clerk means to bring to the payment.
    fee = _letter_fee(payday_session, clerk, f"payout:{line.pk}")
    _letter_fee(payday_session, clerk, "my-key-1")

    with pytest.raises(CounterError) as refused:
        services.pay(
            payout=line,
            clerk=clerk,
            session=payday_session,
            paid_at=PAYDAY,
            idempotency_key="my-key-1",
        )
    assert refused.value.code == "counter.idempotency_conflict"
    line.refresh_from_db()
    assert (line.status, line.entry_id) == ("pending", None)
    assert not LedgerEntry.objects.filter(settles=f"payout:{line.pk}").exists()

    paid = services.pay(payout=line, clerk=clerk, session=payday_session, paid_at=PAYDAY)
    entry = _assert_own_cash_out(paid)
    assert entry.pk != fee.pk
    fee = LedgerEntry.objects.select_related("service").get(pk=fee.pk)
    assert (fee.service.code, fee.amount, fee.settles) == ("BC-THU", 5_000, "")


def test_a_second_settlement_of_the_same_line_is_refused_whatever_its_key(
    line: Payout, users: dict[str, User], payday_session: CounterSession
) -> None:
    clerk = users[Role.CLERK]
    paid = services.pay(
        payout=line, clerk=clerk, session=payday_session, paid_at=PAYDAY, idempotency_key="k-1"
    )
    with pytest.raises(PayoutError, match="không chi lần hai") as again:
        services.pay(
            payout=line, clerk=clerk, session=payday_session, paid_at=PAYDAY, idempotency_key="k-2"
        )
    assert again.value.code == "payout.already_settled"
    # Another door into the ledger, with a fresh key, meets the database's constraint.
    with pytest.raises(CounterError) as settled:
        counter_services.post_entry(
            session=payday_session,
            clerk=clerk,
            request=counter_services.EntryRequest(
                idempotency_key="k-3",
                service_code="TC-LHUU",
                amount=paid.amount,
                settles=f"payout:{line.pk}",
                occurred_at=PAYDAY,
            ),
        )
    assert settled.value.code == "counter.already_settled"
    assert LedgerEntry.objects.filter(settles=f"payout:{line.pk}").count() == 1
    assert LedgerEntry.objects.filter(source_type="payout", source_id=str(line.pk)).count() == 1


def test_a_line_settled_elsewhere_first_is_not_paid_again(
    line: Payout, users: dict[str, User], payday_session: CounterSession
) -> None:
    clerk = users[Role.CLERK]
    counter_services.post_entry(
        session=payday_session,
        clerk=clerk,
        request=counter_services.EntryRequest(
            idempotency_key="elsewhere",
            service_code="TC-LHUU",
            amount=line.amount,
            settles=f"payout:{line.pk}",
            occurred_at=PAYDAY,
        ),
    )
    with pytest.raises(CounterError) as refused:
        services.pay(payout=line, clerk=clerk, session=payday_session, paid_at=PAYDAY)
    assert refused.value.code == "counter.already_settled"
    line.refresh_from_db()
    assert line.status == "pending"
    assert LedgerEntry.objects.filter(settles=f"payout:{line.pk}").count() == 1


def test_a_key_from_another_point_does_not_return_that_points_entry(
    tree: Tree, line: Payout, users: dict[str, User], payday_session: CounterSession
) -> None:
    other_clerk = UserFactory(role=Role.CLERK, home_unit=tree.point_a2)
    other_session = counter_services.open_session(
        clerk=other_clerk, unit=tree.point_a2, opening_cash=0, business_date=PAYDAY.date()
    )
    theirs = _letter_fee(other_session, other_clerk, "shared-key")

    paid = services.pay(
        payout=line,
        clerk=users[Role.CLERK],
        session=payday_session,
        paid_at=PAYDAY,
        idempotency_key="shared-key",
    )
    entry = _assert_own_cash_out(paid)
    assert entry.pk != theirs.pk
    assert entry.customer_name == line.beneficiary.name
    theirs.refresh_from_db()
    assert (theirs.unit_id, theirs.amount, theirs.settles) == (tree.point_a2.pk, 5_000, "")


def test_the_ledger_answering_with_another_entry_is_refused_and_nothing_is_written(
    line: Payout,
    users: dict[str, User],
    payday_session: CounterSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clerk = users[Role.CLERK]
    fee = _letter_fee(payday_session, clerk, "fee")

    def answers_with_the_fee(**_: object) -> counter_services.PostResult:
        return counter_services.PostResult(entry=fee, created=False)

    monkeypatch.setattr(counter_services, "post_entry", answers_with_the_fee)
    with pytest.raises(PayoutError) as refused:
        services.pay(payout=line, clerk=clerk, session=payday_session, paid_at=PAYDAY)
    assert refused.value.code == "payout.settlement_conflict"
    line.refresh_from_db()
    assert (line.status, line.entry_id) == ("pending", None)
