"""The ledger: every movement once, revenue by the rule in force, sessions that balance."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db.models import Sum

from buudien.core.errors import DomainError, Forbidden, OutOfScope
from buudien.core.models import Role, User
from buudien.counter import services
from buudien.counter.errors import CounterError
from buudien.counter.models import (
    CounterSession,
    DailyRollup,
    LedgerEntry,
    MonthlyRollup,
    UnitMonthRollup,
)
from buudien.counter.services import EntryRequest
from tests.conftest import Tree


def req(code: str, amount: int | None = None, quantity: int = 1, **kw: object) -> EntryRequest:
    return EntryRequest(
        idempotency_key=str(uuid.uuid4()), service_code=code, amount=amount, quantity=quantity, **kw
    )  # type: ignore[arg-type]


def post(session: CounterSession, user: User, *requests: EntryRequest) -> list[LedgerEntry]:
    return [
        r.entry for r in services.post_entries(session=session, clerk=user, requests=list(requests))
    ]


def test_a_fee_is_revenue_and_a_pass_through_amount_is_not(
    session: CounterSession, users: dict[str, User]
) -> None:
    clerk = users[Role.CLERK]
    parcel, bill, pension = post(
        session,
        clerk,
        req("BC-BK", quantity=2),
        req("TC-DIEN", 1_250_000, customer_name="Nông Văn Tú"),
        req("TC-LHUU", 4_800_000),
    )
    assert (parcel.amount, parcel.revenue, parcel.line) == (64_000, 64_000, "delivery")
    assert (bill.amount, bill.revenue, bill.line) == (1_250_000, 2_500, "finance")
    assert (pension.amount, pension.revenue, pension.direction) == (4_800_000, 26_400, "out")
    session.refresh_from_db()
    assert session.book_cash == 100_000_000 + 64_000 + 1_250_000 - 4_800_000
    assert session.revenue == 64_000 + 2_500 + 26_400


def test_commission_is_clamped_to_its_minimum_and_maximum(
    session: CounterSession, users: dict[str, User]
) -> None:
    small, large = post(
        session, users[Role.CLERK], req("TC-LHUU", 100_000), req("TC-LHUU", 90_000_000)
    )
    assert small.revenue == 5_000
    assert large.revenue == 200_000


def test_the_price_in_force_on_the_business_day_is_used(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    clerk = users[Role.CLERK]
    before = services.open_session(
        clerk=clerk, unit=tree.point_a1, opening_cash=0, business_date=dt.date(2024, 6, 30)
    )
    assert post(before, clerk, req("BC-THU", quantity=3))[0].revenue == 12_000
    services.close_session(session=before, clerk=clerk, counted_cash=12_000)
    after = services.open_session(
        clerk=clerk, unit=tree.point_a1, opening_cash=0, business_date=dt.date(2024, 7, 1)
    )
    assert post(after, clerk, req("BC-THU", quantity=3))[0].revenue == 15_000


def test_the_same_key_twice_returns_the_first_entry(
    session: CounterSession, users: dict[str, User]
) -> None:
    first = services.post_entry(
        session=session,
        clerk=users[Role.CLERK],
        request=EntryRequest(idempotency_key="k-1", service_code="BC-EMS"),
    )
    again = services.post_entry(
        session=session,
        clerk=users[Role.CLERK],
        request=EntryRequest(idempotency_key="k-1", service_code="BC-EMS"),
    )
    assert first.created and not again.created
    assert again.entry.pk == first.entry.pk
    assert LedgerEntry.objects.count() == 1
    assert DailyRollup.objects.get().count == 1


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (EntryRequest(idempotency_key="a", service_code="KHONG-CO"), "Không có dịch vụ mã"),
        (EntryRequest(idempotency_key="b", service_code="TC-DIEN", amount=0), "lớn hơn 0"),
        (EntryRequest(idempotency_key="c", service_code="TC-DIEN", amount=-5), "lớn hơn 0"),
        (EntryRequest(idempotency_key="d", service_code="TC-DIEN"), "cần nhập số tiền"),
        (EntryRequest(idempotency_key="e", service_code="TC-DIEN", amount=10**18), "vượt giới hạn"),
        (EntryRequest(idempotency_key="f", service_code="BC-BK", quantity=0), "Số lượng"),
        (
            EntryRequest(idempotency_key="g", service_code="BC-BK", customer_phone="123"),
            "Số điện thoại",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    session: CounterSession, users: dict[str, User], request_: EntryRequest, message: str
) -> None:
    good = req("BC-THU")
    with pytest.raises(DomainError, match=message):
        services.post_entries(session=session, clerk=users[Role.CLERK], requests=[good, request_])
    assert LedgerEntry.objects.count() == 0
    assert DailyRollup.objects.count() == 0
    session.refresh_from_db()
    assert session.entries_count == 0


def test_a_closed_session_and_a_foreign_clerk_are_refused(
    tree: Tree, session: CounterSession, users: dict[str, User]
) -> None:
    from tests.factories import UserFactory

    other_point_clerk = UserFactory(role=Role.CLERK, home_unit=tree.point_b1)
    with pytest.raises(OutOfScope):
        post(session, other_point_clerk, req("BC-THU"))
    colleague = UserFactory(role=Role.CLERK, home_unit=tree.point_a1)
    with pytest.raises(CounterError, match="ca của nhân viên khác"):
        post(session, colleague, req("BC-THU"))
    services.close_session(session=session, clerk=users[Role.CLERK], counted_cash=100_000_000)
    with pytest.raises(CounterError, match="đã kết"):
        post(session, users[Role.CLERK], req("BC-THU"))
    assert LedgerEntry.objects.count() == 0


def test_a_reversal_mirrors_the_entry_once_and_needs_a_reason(
    session: CounterSession, users: dict[str, User]
) -> None:
    clerk = users[Role.CLERK]
    (entry,) = post(session, clerk, req("TC-DIEN", 800_000))
    with pytest.raises(CounterError, match="lý do"):
        services.reverse_entry(entry=entry, clerk=clerk, session=session, reason=" ")
    mirror = services.reverse_entry(
        entry=entry, clerk=clerk, session=session, reason="Khách đọc nhầm mã khách hàng"
    )
    assert (mirror.amount, mirror.direction, mirror.revenue) == (800_000, "out", -2_500)
    with pytest.raises(CounterError, match="đã được hủy"):
        services.reverse_entry(entry=entry, clerk=clerk, session=session, reason="lần hai")
    with pytest.raises(CounterError, match="không hủy một bút toán hủy"):
        services.reverse_entry(entry=mirror, clerk=clerk, session=session, reason="x")
    rollup = DailyRollup.objects.get()
    assert (rollup.count, rollup.revenue, rollup.cash_in - rollup.cash_out) == (0, 0, 0)
    session.refresh_from_db()
    assert session.book_cash == 100_000_000


def test_closing_with_a_discrepancy_needs_a_reason_and_a_managers_approval(
    session: CounterSession, users: dict[str, User]
) -> None:
    clerk = users[Role.CLERK]
    post(session, clerk, req("BC-EMS", quantity=2))
    with pytest.raises(CounterError, match="lệch -10.000 ₫"):
        services.close_session(session=session, clerk=clerk, counted_cash=100_080_000)
    closed = services.close_session(
        session=session,
        clerk=clerk,
        counted_cash=100_080_000,
        reason="Trả nhầm tiền thừa cho khách",
    )
    assert closed.status == "pending_approval"
    assert closed.discrepancy == -10_000
    with pytest.raises(Forbidden):
        services.approve_discrepancy(session=closed, manager=clerk)
    approved = services.approve_discrepancy(session=closed, manager=users[Role.AREA_MANAGER])
    assert approved.status == "closed"
    assert approved.approved_by == users[Role.AREA_MANAGER]
    with pytest.raises(CounterError, match="đã kết"):
        post(approved, clerk, req("BC-THU"))


def test_rollups_rebuilt_from_entries_equal_the_running_ones(
    session: CounterSession, users: dict[str, User]
) -> None:
    clerk = users[Role.CLERK]
    entries = post(
        session,
        clerk,
        req("BC-BK"),
        req("BC-BK", quantity=3),
        req("TC-NUOC", 300_000),
        req("PP-OCOP", quantity=2),
    )
    services.reverse_entry(entry=entries[1], clerk=clerk, session=session, reason="nhầm")
    totals = sorted(UnitMonthRollup.objects.values_list("line", "count", "revenue"))
    running = sorted(
        DailyRollup.objects.values_list(
            "service__code", "count", "quantity", "cash_in", "cash_out", "revenue"
        )
    )
    monthly = sorted(MonthlyRollup.objects.values_list("service__code", "count", "revenue"))
    services.rebuild_rollups()
    assert (
        sorted(
            DailyRollup.objects.values_list(
                "service__code", "count", "quantity", "cash_in", "cash_out", "revenue"
            )
        )
        == running
    )
    assert sorted(MonthlyRollup.objects.values_list("service__code", "count", "revenue")) == monthly
    assert sorted(UnitMonthRollup.objects.values_list("line", "count", "revenue")) == totals
    total = LedgerEntry.objects.aggregate(r=Sum("revenue"))["r"]
    assert DailyRollup.objects.aggregate(r=Sum("revenue"))["r"] == total == 32_000 + 2_000 + 240_000
