"""For any sequence of posts and reversals, rollups equal their entries and cash balances."""

from __future__ import annotations

import uuid

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from buudien.core import reference
from buudien.core.models import Role
from buudien.counter import services
from buudien.counter.errors import CounterCode, CounterError
from buudien.counter.models import DailyRollup, LedgerEntry, MonthlyRollup, UnitMonthRollup
from buudien.counter.services import EntryRequest
from tests.factories import PostUnitFactory, UserFactory

SERVICES = ["BC-THU", "BC-BK", "TC-DIEN", "TC-LHUU", "TC-BHXH", "PP-OCOP", "TC-CT"]
PASS_THROUGH = {"TC-DIEN", "TC-LHUU", "TC-BHXH", "TC-CT"}

step = st.one_of(
    st.tuples(
        st.just("post"),
        st.sampled_from(SERVICES),
        st.integers(min_value=1, max_value=50_000_000),
        st.integers(1, 5),
        st.sampled_from(["cash", "cash", "transfer", "qr"]),
    ),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=1000)),
)


class LedgerProperties(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(steps=st.lists(step, min_size=1, max_size=25), opening=st.integers(0, 10_000_000))
    def test_rollups_equal_entries_and_expected_cash_balances(
        self, steps: list[tuple[object, ...]], opening: int
    ) -> None:
        reference.load(only=["network.partners", "counter.services", "counter.tariffs"])
        province = PostUnitFactory(kind="province")
        area = PostUnitFactory(kind="area", parent=province)
        office = PostUnitFactory(kind="office", parent=area)
        point = PostUnitFactory(kind="commune_point", parent=office)
        clerk = UserFactory(role=Role.CLERK, home_unit=point)
        session = services.open_session(clerk=clerk, unit=point, opening_cash=opening)
        posted: list[LedgerEntry] = []
        for s in steps:
            if s[0] == "post":
                _, code, amount, qty, method = s
                try:
                    entry = services.post_entry(
                        session=session,
                        clerk=clerk,
                        request=EntryRequest(
                            idempotency_key=str(uuid.uuid4()),
                            service_code=str(code),
                            amount=int(amount) if code in PASS_THROUGH else None,  # type: ignore[call-overload]
                            quantity=int(qty),
                            method=str(method),  # type: ignore[call-overload]
                        ),
                    ).entry
                except CounterError as exc:
                    assert exc.code == CounterCode.INSUFFICIENT_CASH
                    session.refresh_from_db()
                    assert session.book_cash < int(amount)  # type: ignore[call-overload]
                    continue
                posted.append(entry)
            elif posted:
                target = posted[int(s[1]) % len(posted)]  # type: ignore[call-overload]
                if not LedgerEntry.objects.filter(reverses=target).exists():
                    try:
                        services.reverse_entry(
                            entry=target, clerk=clerk, session=session, reason="sửa sai"
                        )
                    except CounterError as exc:
                        assert exc.code == CounterCode.INSUFFICIENT_CASH
        sign = Case(
            When(reverses__isnull=True, then=Value(1)),
            default=Value(-1),
            output_field=IntegerField(),
        )
        for rollup in DailyRollup.objects.all():
            sums = LedgerEntry.objects.filter(
                unit=rollup.unit_id,
                service=rollup.service_id,
                business_date=rollup.business_date,
            ).aggregate(
                n=Sum(sign),
                q=Sum(sign * F("quantity")),
                rev=Sum("revenue"),
                cin=Sum("amount", filter=Q(direction="in"), default=0),
                cout=Sum("amount", filter=Q(direction="out"), default=0),
            )
            assert (
                rollup.count,
                rollup.quantity,
                rollup.revenue,
                rollup.cash_in,
                rollup.cash_out,
            ) == (sums["n"], sums["q"], sums["rev"], sums["cin"], sums["cout"])
        monthly_revenue = MonthlyRollup.objects.aggregate(r=Sum("revenue"))["r"]
        assert UnitMonthRollup.objects.aggregate(r=Sum("revenue"))["r"] == monthly_revenue
        for line_total in UnitMonthRollup.objects.all():
            assert (
                line_total.revenue
                == LedgerEntry.objects.filter(
                    unit=line_total.unit_id, line=line_total.line
                ).aggregate(r=Sum("revenue"))["r"]
            )
        assert monthly_revenue == LedgerEntry.objects.aggregate(r=Sum("revenue"))["r"]
        cash = LedgerEntry.objects.filter(method="cash")
        cash_in = cash.filter(direction="in").aggregate(s=Sum("amount", default=0))["s"]
        cash_out = cash.filter(direction="out").aggregate(s=Sum("amount", default=0))["s"]
        session.refresh_from_db()
        assert session.book_cash == opening + cash_in - cash_out
        closed = services.close_session(
            session=session, clerk=clerk, counted_cash=session.book_cash
        )
        assert closed.expected_cash == opening + cash_in - cash_out >= 0
        assert closed.status == "closed"
