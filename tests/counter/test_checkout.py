"""One customer, one transaction: every line or none, once per key, with the change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from buudien.core.errors import DomainError
from buudien.core.models import AuditEvent, Role, User
from buudien.counter import services
from buudien.counter.models import CounterSession, CounterTransaction, LedgerEntry
from buudien.counter.services import BasketLine, Checkout
from buudien.payouts.models import Payout
from tests.conftest import Tree
from tests.counter.payday import pension_today

DIEN = BasketLine(service_code="TC-DIEN", amount=350_000, reference="PD123456")
THUDB = BasketLine(service_code="BC-THUDB")


def _serve(session: CounterSession, clerk: User, *lines: BasketLine, **kw: object) -> object:
    order = Checkout(idempotency_key=str(kw.pop("key", "k1")), lines=lines, **kw)  # type: ignore[arg-type]
    return services.checkout(session=session, clerk=clerk, order=order)


def test_a_basket_is_one_transaction_with_its_change(
    session: CounterSession, users: dict[str, User]
) -> None:
    txn = _serve(session, users[Role.CLERK], DIEN, THUDB, cash_given=500_000)
    assert isinstance(txn, CounterTransaction)
    entries = list(txn.entries.order_by("receipt_no"))
    assert [e.service.code for e in entries] == ["TC-DIEN", "BC-THUDB"]
    assert entries[0].reference == "PD123456"
    due = sum(e.amount for e in entries)
    assert txn.cash_given == 500_000
    assert txn.change == 500_000 - due
    assert AuditEvent.objects.filter(action="counter.transaction_served").count() == 1


def test_an_error_in_any_line_records_nothing(
    session: CounterSession, users: dict[str, User]
) -> None:
    bad = BasketLine(service_code="TC-NUOC", amount=None)
    with pytest.raises(DomainError, match="Giao dịch thứ 3"):
        _serve(session, users[Role.CLERK], DIEN, THUDB, bad, cash_given=1_000_000)
    assert not LedgerEntry.objects.exists()
    assert not CounterTransaction.objects.exists()
    session.refresh_from_db()
    assert session.cash_in == 0


def test_a_retry_with_the_same_key_returns_the_same_transaction(
    session: CounterSession, users: dict[str, User]
) -> None:
    first = _serve(session, users[Role.CLERK], DIEN, cash_given=400_000)
    again = _serve(session, users[Role.CLERK], DIEN, cash_given=400_000)
    assert again == first
    assert LedgerEntry.objects.count() == 1


def test_cash_given_below_what_is_due_is_refused(
    session: CounterSession, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="chưa đủ") as caught:
        _serve(session, users[Role.CLERK], DIEN, cash_given=300_000)
    assert caught.value.field == "cash_given"
    assert not LedgerEntry.objects.exists()


def test_an_empty_basket_is_refused(session: CounterSession, users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="trống"):
        _serve(session, users[Role.CLERK])


def test_a_pension_added_twice_is_paid_once_and_the_customer_gets_the_difference(
    tree: Tree, session: CounterSession, users: dict[str, User]
) -> None:
    line = pension_today(tree, users)
    pension = BasketLine(kind="payout", ref=str(line.pk))
    txn = _serve(session, users[Role.CLERK], DIEN, pension, pension, cash_given=0)
    assert isinstance(txn, CounterTransaction)
    line.refresh_from_db()
    assert line.status == Payout.Status.PAID
    assert txn.entries.filter(direction="out").count() == 1
    assert txn.change == 3_200_000 - 350_000
    with pytest.raises(DomainError, match="không chi lần hai"):
        _serve(session, users[Role.CLERK], pension, key="k2")


def test_a_pension_that_cannot_be_paid_undoes_the_whole_basket(
    tree: Tree, session: CounterSession, users: dict[str, User]
) -> None:
    line = pension_today(tree, users, status="suspended")
    pension = BasketLine(kind="payout", ref=str(line.pk))
    with pytest.raises(DomainError, match="Giao dịch thứ 2"):
        _serve(session, users[Role.CLERK], DIEN, pension, cash_given=500_000)
    assert not LedgerEntry.objects.exists()
    assert not CounterTransaction.objects.exists()


def test_the_basket_finds_only_pensions_payable_today_by_name_without_accents(
    tree: Tree, session: CounterSession, users: dict[str, User]
) -> None:
    from buudien.counter import basket

    pension_today(tree, users)
    pension_today(tree, users, name="Hoàng Văn Tạm", citizen_id="004150000999", status="suspended")
    source = basket.source("payout")
    assert source is not None
    found = source.search(users[Role.CLERK], session, "hoang")
    assert [c.label for c in found] == ["Chi trả: Hoàng Thị Mến"]
    assert source.search(users[Role.CLERK], session, "0041500001")[0].amount == 3_200_000


def _authorise(
    line: Payout, *, name: str = "Lò Văn Sáng", citizen_id: str = "004190000456"
) -> None:
    person = line.beneficiary
    person.authorised_name, person.authorised_id = name, citizen_id
    person.authorised_until = timezone.localdate() + dt.timedelta(days=30)
    person.save()


def test_a_bill_paid_by_qr_and_a_letter_in_cash_give_change_on_the_cash_alone(
    session: CounterSession, users: dict[str, User]
) -> None:
    by_qr = BasketLine(service_code="TC-DIEN", amount=350_000, reference="PD1", method="qr")
    txn = _serve(session, users[Role.CLERK], by_qr, THUDB, cash_given=50_000)
    assert isinstance(txn, CounterTransaction)
    methods = {e.service.code: e.method for e in txn.entries.all()}
    assert methods == {"TC-DIEN": "qr", "BC-THUDB": "cash"}
    letter = txn.entries.get(service__code="BC-THUDB").amount
    assert txn.cash_in == letter
    assert txn.change == 50_000 - letter
    session.refresh_from_db()
    assert session.cash_in == letter
    assert session.book_cash == 100_000_000 + letter


def test_a_line_overrides_the_transactions_method_and_the_cash_due_follows(
    session: CounterSession, users: dict[str, User]
) -> None:
    in_cash = BasketLine(service_code="BC-THUDB", method="cash")
    txn = _serve(session, users[Role.CLERK], DIEN, in_cash, method="transfer", cash_given=20_000)
    assert isinstance(txn, CounterTransaction)
    assert txn.entries.get(service__code="TC-DIEN").method == "transfer"
    assert txn.cash_in == txn.entries.get(service__code="BC-THUDB").amount
    assert txn.change == 20_000 - txn.cash_in


def test_an_unknown_method_on_a_line_is_a_message_naming_the_line(
    session: CounterSession, users: dict[str, User]
) -> None:
    bad = BasketLine(service_code="BC-THUDB", method="bitcoin")
    with pytest.raises(DomainError, match="Giao dịch thứ 2: hình thức thanh toán «bitcoin»"):
        _serve(session, users[Role.CLERK], DIEN, bad, cash_given=500_000)
    assert not LedgerEntry.objects.exists()


def test_a_pension_paid_to_the_authorised_receiver_records_him(
    tree: Tree, session: CounterSession, users: dict[str, User]
) -> None:
    line = pension_today(tree, users)
    _authorise(line)
    pension = BasketLine(
        kind="payout", ref=str(line.pk), receiver="authorised", receiver_id="004190000456"
    )
    _serve(session, users[Role.CLERK], pension)
    line.refresh_from_db()
    assert line.status == Payout.Status.PAID
    assert line.receiver == "Lò Văn Sáng"


def test_an_authorised_receiver_without_his_citizen_id_is_refused_naming_the_line(
    tree: Tree, session: CounterSession, users: dict[str, User]
) -> None:
    line = pension_today(tree, users)
    _authorise(line)
    pension = BasketLine(kind="payout", ref=str(line.pk), receiver="authorised")
    with pytest.raises(DomainError, match="Giao dịch thứ 1: .*CCCD"):
        _serve(session, users[Role.CLERK], pension)
    line.refresh_from_db()
    assert line.status == Payout.Status.PENDING
    assert not CounterTransaction.objects.exists()


def test_an_authorised_receiver_whose_id_does_not_match_is_refused(
    tree: Tree, session: CounterSession, users: dict[str, User]
) -> None:
    line = pension_today(tree, users)
    _authorise(line)
    pension = BasketLine(
        kind="payout", ref=str(line.pk), receiver="authorised", receiver_id="001000000000"
    )
    with pytest.raises(DomainError, match="Giao dịch thứ 2: CCCD người nhận không khớp"):
        _serve(session, users[Role.CLERK], DIEN, pension, cash_given=400_000)
    assert not LedgerEntry.objects.exists()


def test_without_an_authorisation_in_force_only_the_person_himself_is_offered(
    tree: Tree, session: CounterSession, users: dict[str, User]
) -> None:
    from buudien.counter import basket

    line = pension_today(tree, users)
    _authorise(line)
    person = line.beneficiary
    source = basket.source("payout")
    assert source is not None
    assert source.search(users[Role.CLERK], session, "men")[0].authorised == "Lò Văn Sáng"
    person.authorised_until = timezone.localdate() - dt.timedelta(days=1)
    person.save()
    assert source.search(users[Role.CLERK], session, "men")[0].authorised == ""
    refused = BasketLine(
        kind="payout", ref=str(line.pk), receiver="authorised", receiver_id="004190000456"
    )
    with pytest.raises(DomainError, match="Giao dịch thứ 1: Giấy ủy quyền"):
        _serve(session, users[Role.CLERK], refused)
