"""The bulk door: past days' shifts written at once, by the same rules as the counter."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.utils import timezone

from buudien.core.errors import Forbidden, OutOfScope
from buudien.core.models import AuditEvent, Role, User
from buudien.counter import services
from buudien.counter.errors import CounterCode, CounterError
from buudien.counter.models import (
    CounterSession,
    DailyRollup,
    LedgerEntry,
    MonthlyRollup,
    UnitMonthRollup,
)
from buudien.counter.services import EntryRequest, PastShift
from tests.conftest import Tree

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[2]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def req(key: str, code: str, when: dt.datetime, **kw: object) -> EntryRequest:
    return EntryRequest(idempotency_key=key, service_code=code, occurred_at=when, **kw)  # type: ignore[arg-type]


def shift(
    tree: Tree, clerk: User, day: dt.date, *requests: EntryRequest, **kw: object
) -> PastShift:
    return PastShift(unit=tree.point_a1, clerk=clerk, business_date=day, requests=requests, **kw)  # type: ignore[arg-type]


@pytest.fixture
def clerk(users: dict[str, User], catalogue: None) -> User:
    return users[Role.CLERK]


@pytest.fixture
def admin(users: dict[str, User]) -> User:
    return users[Role.ADMIN]


def test_a_past_entry_costs_what_the_tariff_said_on_its_day(
    tree: Tree, admin: User, clerk: User
) -> None:
    before, after = dt.date(2024, 6, 28), dt.date(2024, 7, 2)  # letters: 4,000 then 5,000 đồng
    services.import_shifts(
        actor=admin,
        shifts=[
            shift(tree, clerk, before, req("a", "BC-THU", at(before, 9), quantity=3)),
            shift(tree, clerk, after, req("b", "BC-THU", at(after, 9), quantity=3)),
        ],
    )
    amounts = dict(LedgerEntry.objects.values_list("business_date", "amount"))
    assert amounts == {before: 12_000, after: 15_000}


def test_an_imported_shift_is_closed_balanced_and_numbered_in_time_order(
    tree: Tree, admin: User, clerk: User
) -> None:
    day = dt.date(2025, 3, 3)
    result = services.import_shifts(
        actor=admin,
        shifts=[
            shift(
                tree,
                clerk,
                day,
                req("late", "TC-DIEN", at(day, 15), amount=1_250_000),
                req("early", "BC-BK", at(day, 8), quantity=2),
                req("pension", "TC-LHUU", at(day, 10), amount=4_800_000, method="cash"),
                req("transfer", "TC-DIEN", at(day, 11), amount=700_000, method="transfer"),
            )
        ],
    )
    assert (result.entries, result.sessions, result.skipped) == (4, 1, 0)
    session = CounterSession.objects.get()
    assert session.status == CounterSession.Status.CLOSED
    assert (session.cash_in, session.cash_out) == (64_000 + 1_250_000, 4_800_000)
    assert session.entries_count == 4
    assert session.revenue == 64_000 + 2_500 + 26_400 + 2_500
    assert session.opening_cash >= session.cash_out  # the drawer could pay the pension
    assert session.counted_cash == session.expected_cash == session.book_cash
    numbers = list(
        LedgerEntry.objects.order_by("occurred_at").values_list("idempotency_key", "receipt_no")
    )
    assert [k for k, _ in numbers] == ["early", "pension", "transfer", "late"]
    assert [no[-4:] for _, no in numbers] == ["0001", "0002", "0003", "0004"]
    assert all(no.startswith(f"{tree.point_a1.code}-250303-") for _, no in numbers)


def test_the_reports_see_imported_days_and_the_days_already_there(
    tree: Tree, admin: User, clerk: User
) -> None:
    live_day = dt.date(2025, 3, 14)
    live = services.open_session(
        clerk=clerk, unit=tree.point_a1, opening_cash=0, business_date=live_day
    )
    services.post_entry(session=live, clerk=clerk, request=EntryRequest("live", "BC-EMS"))
    past = dt.date(2025, 3, 3)
    services.import_shifts(
        actor=admin,
        shifts=[shift(tree, clerk, past, req("old", "PP-OCOP", at(past, 9), quantity=2))],
    )
    raw = LedgerEntry.objects.aggregate(r=Sum("revenue"), q=Sum("quantity"))
    assert raw["r"] == 45_000 + 240_000
    for rollup in (DailyRollup, MonthlyRollup, UnitMonthRollup):
        totals = rollup.objects.aggregate(r=Sum("revenue"), q=Sum("quantity"))
        assert totals == raw, rollup.__name__


def test_the_same_history_imported_twice_is_written_once(
    tree: Tree, admin: User, clerk: User
) -> None:
    day = dt.date(2025, 2, 10)
    history = [
        shift(
            tree,
            clerk,
            day,
            req("k1", "BC-THU", at(day, 8)),
            req("k2", "TC-LHUU", at(day, 9), amount=3_100_000, settles="payout:9"),
        )
    ]
    first = services.import_shifts(actor=admin, shifts=history)
    again = services.import_shifts(actor=admin, shifts=history)
    assert (again.entries, again.skipped, again.sessions) == (0, 2, 0)
    assert LedgerEntry.objects.count() == 2
    assert CounterSession.objects.count() == 1
    # The module that owns the settled line finds the same entry either way.
    assert again.settled == first.settled
    assert DailyRollup.objects.aggregate(n=Sum("count"))["n"] == 2


def test_a_key_reused_for_another_request_is_refused_and_nothing_is_written(
    tree: Tree, admin: User, clerk: User
) -> None:
    day = dt.date(2025, 2, 10)
    services.import_shifts(
        actor=admin, shifts=[shift(tree, clerk, day, req("k1", "BC-THU", at(day, 8)))]
    )
    next_day = dt.date(2025, 2, 11)
    with pytest.raises(CounterError) as caught:
        services.import_shifts(
            actor=admin,
            shifts=[
                shift(
                    tree,
                    clerk,
                    next_day,
                    req("k9", "BC-BK", at(next_day, 8)),
                    req("k1", "BC-EMS", at(next_day, 9)),
                )
            ],
        )
    assert caught.value.code == CounterCode.IDEMPOTENCY_CONFLICT
    assert "k1" in caught.value.message
    assert LedgerEntry.objects.count() == 1
    assert CounterSession.objects.count() == 1


def test_a_line_is_settled_by_one_entry_only(tree: Tree, admin: User, clerk: User) -> None:
    live_day = dt.date(2025, 3, 14)
    live = services.open_session(
        clerk=clerk, unit=tree.point_a1, opening_cash=10_000_000, business_date=live_day
    )
    services.post_entry(
        session=live,
        clerk=clerk,
        request=EntryRequest("paid-live", "TC-LHUU", amount=3_000_000, settles="payout:7"),
    )
    day = dt.date(2025, 3, 5)
    with pytest.raises(CounterError) as caught:
        services.import_shifts(
            actor=admin,
            shifts=[
                shift(
                    tree,
                    clerk,
                    day,
                    req("paid-again", "TC-LHUU", at(day, 9), amount=3_000_000, settles="payout:7"),
                )
            ],
        )
    assert caught.value.code == CounterCode.ALREADY_SETTLED
    assert LedgerEntry.objects.filter(settles="payout:7").count() == 1


def test_today_is_kept_at_the_counter_not_imported(tree: Tree, admin: User, clerk: User) -> None:
    today = timezone.localdate()
    with pytest.raises(CounterError) as caught:
        services.import_shifts(
            actor=admin, shifts=[shift(tree, clerk, today, req("t", "BC-THU", at(today, 8)))]
        )
    assert "chưa qua" in caught.value.message
    assert not LedgerEntry.objects.exists()


def test_a_bad_entry_is_named_by_its_place_in_the_shift(
    tree: Tree, admin: User, clerk: User
) -> None:
    day = dt.date(2025, 2, 10)
    with pytest.raises(CounterError) as caught:
        services.import_shifts(
            actor=admin,
            shifts=[
                shift(
                    tree,
                    clerk,
                    day,
                    req("ok", "BC-THU", at(day, 8)),
                    req("bad", "XX-NONE", at(day, 9)),
                )
            ],
        )
    assert caught.value.code == CounterCode.UNKNOWN_SERVICE
    assert caught.value.message.startswith("Giao dịch thứ 2: ")
    with pytest.raises(CounterError) as caught:
        services.import_shifts(
            actor=admin,
            shifts=[shift(tree, clerk, day, req("x", "BC-THU", at(day + dt.timedelta(1), 8)))],
        )
    assert caught.value.field == "occurred_at"
    assert not LedgerEntry.objects.exists()


def test_only_who_may_work_the_counter_imports_and_only_for_its_own_clerks(
    tree: Tree, users: dict[str, User], clerk: User
) -> None:
    day = dt.date(2025, 2, 10)
    history = [shift(tree, clerk, day, req("k", "BC-THU", at(day, 8)))]
    with pytest.raises(Forbidden):
        services.import_shifts(actor=users[Role.AUDITOR], shifts=history)
    stranger = User.objects.create(username="nv-b1", role=Role.CLERK, home_unit=tree.point_b1)
    with pytest.raises(OutOfScope):
        services.import_shifts(
            actor=users[Role.ADMIN],
            shifts=[shift(tree, stranger, day, req("k", "BC-THU", at(day, 8)))],
        )
    assert not LedgerEntry.objects.exists()


def test_one_audit_record_tells_who_imported_how_much(tree: Tree, admin: User, clerk: User) -> None:
    days = [dt.date(2025, 2, d) for d in (10, 11, 12)]
    services.import_shifts(
        actor=admin,
        shifts=[shift(tree, clerk, d, req(f"k{d.day}", "BC-THU", at(d, 8))) for d in days],
    )
    event = AuditEvent.objects.get(action="counter.history_imported")
    assert event.actor == admin
    assert event.after["entries"] == 3
    assert (event.after["first_day"], event.after["last_day"]) == ("2025-02-10", "2025-02-12")


def test_nothing_outside_the_counter_reaches_for_its_private_names() -> None:
    private = re.compile(
        r"from buudien\.counter\.services[\w.]* import [^\n]*\b_[A-Za-z]|counter_services\._[a-z]"
    )
    counter = ROOT / "src" / "buudien" / "counter"
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("src", "bench", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if not path.is_relative_to(counter) and private.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
