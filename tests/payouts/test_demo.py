"""The demo's payout lists behave like lists paid at the counter: every closed list
reconciles, and its cash paid is the cash-out in the clerks' shifts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils import timezone

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry, MonthlyRollup
from buudien.payouts import demo, services
from buudien.payouts.models import Payout, PayoutList
from tests.conftest import Tree, serve_agencies
from tests.payouts.test_payouts import person, workbook


def test_demo_lists_reconcile_with_the_ledger(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    serve_agencies(tree.province)
    today = dt.date(2026, 3, 10)
    demo.build(total=400, today=today)

    closed = PayoutList.objects.filter(state=PayoutList.State.CLOSED)
    # The two months before this one, for each of the three programmes.
    assert {pl.month for pl in closed} == {dt.date(2026, 1, 1), dt.date(2026, 2, 1)}
    assert closed.count() == 2 * 3
    # This month's lists are open: paid so far only on the window's past days, the rest waits.
    open_lists = PayoutList.objects.filter(state=PayoutList.State.OPEN)
    assert {pl.month for pl in open_lists} == {dt.date(2026, 3, 1)}
    assert open_lists.count() == 3
    now = Payout.objects.filter(list__in=open_lists)
    assert now.filter(status=Payout.Status.PENDING).exists()
    assert now.filter(status=Payout.Status.PAID).exists()
    assert not now.filter(status=Payout.Status.RETURNED).exists()
    for line in now.filter(status=Payout.Status.PAID).select_related("list__programme"):
        local = timezone.localtime(line.paid_at).date()
        assert line.list.programme.window_start <= local.day < today.day
    for payout_list in closed:
        t = services.reconciliation(user=users[Role.ADMIN], payout_list=payout_list).totals
        paid = sum(t[f"paid_{m}_s"] for m in ("counter", "home", "account"))
        assert paid + t["returned_s"] == payout_list.total
        assert t["pending_n"] == 0
        lines = Payout.objects.filter(list=payout_list, status=Payout.Status.PAID)
        cash = lines.exclude(method="account").aggregate(s=Sum("amount"))["s"]
        ledger = LedgerEntry.objects.filter(
            source_type="payout",
            method="cash",
            source_id__in=[str(pk) for pk in lines.values_list("pk", flat=True)],
        ).aggregate(s=Sum("amount"))["s"]
        assert cash == ledger
    # One entry per line paid, booked by the point's clerk, visible in the monthly rollups.
    paid = Payout.objects.filter(status=Payout.Status.PAID)
    assert LedgerEntry.objects.filter(source_type="payout").count() == paid.count()
    assert not paid.exclude(paid_by__role=Role.CLERK).exists()
    rolled = MonthlyRollup.objects.filter(service__kind="payout").aggregate(n=Sum("count"))
    assert rolled["n"] == paid.count()
    for session in CounterSession.objects.all():
        out = session.entries.filter(method="cash", direction="out").aggregate(s=Sum("amount"))
        assert session.cash_out == (out["s"] or 0)
        assert session.expected_cash == session.opening_cash + session.cash_in - session.cash_out
    # Lines numbered by the demo leave room for the next list imported.
    nxt = services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=closed[0].programme,
        month=dt.date(2026, 4, 1),
        source=workbook([person(1), person(2)]),
    )
    assert nxt.ok, nxt.errors
    assert Payout.objects.filter(list=nxt.payout_list).count() == 2


def test_demo_pays_what_a_province_pays(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    """A pension line is 3 to 10 million đồng, an allowance half a million to 2 million, and
    a month's lists come to about 150 tỷ đồng for 79,000 people: 1,800 tỷ a year."""
    serve_agencies(tree.province)
    demo.build(total=2000, today=dt.date(2026, 3, 10))

    lines = Payout.objects.select_related("list__programme")
    pensions = [p.amount for p in lines if p.list.programme.code == "LHUU"]
    allowances = [p.amount for p in lines if p.list.programme.code != "LHUU"]
    assert min(pensions) >= 3_000_000 and max(pensions) <= 10_000_000
    assert min(allowances) >= 500_000 and max(allowances) <= 2_000_000
    month = PayoutList.objects.filter(month=dt.date(2026, 2, 1))
    per_person = month.aggregate(s=Sum("total"))["s"] / month.aggregate(n=Sum("lines"))["n"]
    a_year_for_79_000 = per_person * 79_000 * 12
    assert 1_650_000_000_000 <= a_year_for_79_000 <= 1_950_000_000_000
