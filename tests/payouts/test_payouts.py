"""Payouts: the agency's list imported whole or not at all, each line paid exactly once,
totals that reconcile."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.payouts import services
from buudien.payouts.errors import PayoutError
from buudien.payouts.models import Beneficiary, ColumnMapping, Payout, Programme
from tests.conftest import Tree

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH = dt.date(2025, 3, 1)
PAYDAY = dt.datetime(2025, 3, 5, 9, 0, tzinfo=TZ)
HEADERS = [
    "Số CCCD",
    "Họ tên",
    "Ngày sinh",
    "Số tiền",
    "Mã điểm",
    "Hình thức nhận",
    "Số tài khoản",
    "Thôn, bản",
]


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_file(rows: list[list[Any]], name: str = "ds.xlsx") -> SimpleUploadedFile:
    """The list as a browser uploads it."""
    return SimpleUploadedFile(name, workbook(rows))


def person(i: int, point: str = "VHXA1", **kw: Any) -> list[Any]:
    return [
        f"0041{50 + i % 40:02d}{i:06d}",
        f"Nông Văn {i}",
        "01/01/1950",
        3_000_000 + i * 1000,
        point,
        kw.get("method", "Tại quầy"),
        kw.get("account", ""),
        f"Bản {i % 5}",
    ]


def test_a_list_with_bad_rows_names_each_and_imports_nothing(
    programme: Programme, users: dict[str, User]
) -> None:
    rows = [person(i) for i in range(1, 21)]
    rows[3][0] = "12345"  # row 5: citizen id
    rows[7][3] = "-500"  # row 9: amount
    rows[11][4] = "KHONGCO"  # row 13: unknown point
    rows[15] = person(1)  # row 17: same person twice
    result = services.import_list(
        actor=users[Role.PROVINCE_MANAGER], programme=programme, month=MONTH, source=workbook(rows)
    )
    assert sorted({e.row for e in result.errors}) == [5, 9, 13, 17]
    assert not Payout.objects.exists()
    assert not Beneficiary.objects.exists()


def test_each_column_keeps_its_own_limits_and_blank_rows_are_skipped(
    programme: Programme, users: dict[str, User]
) -> None:
    rows = [person(i) for i in range(1, 7)]
    rows[1][6] = "9" * 41  # row 3: an account number longer than 40 digits
    rows[1][5] = "Qua tài khoản"
    rows[2][4] = "vhxb1"  # row 4: a point code typed in lower case is still the point
    rows[3][2] = "31/02/1950"  # row 5: no such day
    rows.insert(4, ["", "", "", "", "", "", "", ""])  # row 6: blank, between two blocks
    result = services.import_list(
        actor=users[Role.PROVINCE_MANAGER], programme=programme, month=MONTH, source=workbook(rows)
    )
    assert {(e.row, e.column) for e in result.errors} == {
        (3, "Số tài khoản"),
        (5, "Ngày sinh"),
    }
    assert all(e.message.startswith(f"Dòng {e.row}") for e in result.errors)
    assert not Payout.objects.exists()

    rows[1][6] = "1020304050"
    rows[3][2] = "28/02/1950"
    result = services.import_list(
        actor=users[Role.PROVINCE_MANAGER], programme=programme, month=MONTH, source=workbook(rows)
    )
    assert result.ok, result.errors
    assert result.rows == 6
    assert result.per_point == {"VHXA1": 5, "VHXB1": 1}
    assert Payout.objects.get(row=4).point.code == "VHXB1"
    assert Beneficiary.objects.get(citizen_id=rows[3][0]).birth_date == dt.date(1950, 2, 28)


def test_a_clean_list_splits_by_point_and_the_mapping_is_kept(
    programme: Programme, users: dict[str, User]
) -> None:
    agency_headers = ["Mã định danh", *HEADERS[1:]]
    rows = [person(i, "VHXA1" if i % 2 else "VHXB1") for i in range(1, 11)]
    result = services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=programme,
        month=MONTH,
        source=workbook(rows, agency_headers),
        mapping={"citizen_id": "Mã định danh"},
    )
    assert result.ok
    assert result.per_point == {"VHXA1": 5, "VHXB1": 5}
    assert ColumnMapping.objects.get().mapping == {"citizen_id": "Mã định danh"}
    again = services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=programme,
        month=dt.date(2025, 4, 1),
        source=workbook(rows, agency_headers),
    )
    assert again.ok  # the saved mapping reads next month's list
    assert Beneficiary.objects.count() == 10


def _import(programme: Programme, users: dict[str, User], n: int = 4) -> list[Payout]:
    services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=programme,
        month=MONTH,
        source=workbook([person(i) for i in range(1, n + 1)]),
    )
    return list(Payout.objects.order_by("row"))


def test_a_line_is_paid_once_with_cash_out_and_commission_in_the_ledger(
    programme: Programme, users: dict[str, User], payday_session: CounterSession
) -> None:
    line = _import(programme, users)[0]
    clerk = users[Role.CLERK]
    paid = services.pay(payout=line, clerk=clerk, session=payday_session, paid_at=PAYDAY)
    entry = LedgerEntry.objects.get(pk=paid.entry_id)
    assert (entry.direction, entry.amount, entry.line) == ("out", line.amount, "finance")
    assert entry.revenue == (line.amount * 55 + 5000) // 10000
    with pytest.raises(PayoutError, match="không chi lần hai"):
        services.pay(payout=line, clerk=clerk, session=payday_session, paid_at=PAYDAY)
    assert LedgerEntry.objects.filter(source_type="payout").count() == 1


@pytest.mark.parametrize("case", ["suspended", "deceased", "authorisation", "window", "point"])
def test_payment_is_refused_with_the_reason(
    case: str,
    tree: Tree,
    programme: Programme,
    users: dict[str, User],
    payday_session: CounterSession,
) -> None:
    line = _import(programme, users)[0]
    person_ = line.beneficiary
    kwargs: dict[str, Any] = {"paid_at": PAYDAY}
    message = {
        "suspended": "Tạm dừng",
        "deceased": "Đã mất",
        "authorisation": "hết hạn",
        "window": "Ngoài thời gian chi trả",
        "point": "chỉ chi tại điểm",
    }[case]
    session = payday_session
    if case in {"suspended", "deceased"}:
        Beneficiary.objects.filter(pk=person_.pk).update(status=case)
    elif case == "authorisation":
        Beneficiary.objects.filter(pk=person_.pk).update(
            authorised_name="Nông Thị B", authorised_until=dt.date(2025, 2, 28)
        )
        kwargs["receiver"] = "authorised"
    elif case == "window":
        kwargs["paid_at"] = dt.datetime(2025, 3, 25, 9, tzinfo=TZ)
    else:
        session = counter_services.open_session(
            clerk=users[Role.AREA_MANAGER],
            unit=tree.point_a2,
            opening_cash=10**9,
            business_date=PAYDAY.date(),
        )
    actor = users[Role.AREA_MANAGER] if case == "point" else users[Role.CLERK]
    with pytest.raises(PayoutError, match=message):
        services.pay(payout=line, clerk=actor, session=session, **kwargs)
    line.refresh_from_db()
    assert line.status == "pending"
    assert not LedgerEntry.objects.filter(source_type="payout").exists()


def test_closing_reconciles_paid_and_returned_with_the_ledger(
    programme: Programme, users: dict[str, User], payday_session: CounterSession
) -> None:
    lines = _import(programme, users, n=6)
    clerk = users[Role.CLERK]
    for line in lines[:3]:
        services.pay(payout=line, clerk=clerk, session=payday_session, paid_at=PAYDAY)
    services.return_unpaid(payout=lines[3], actor=clerk, reason="deceased")
    with pytest.raises(PayoutError, match="Còn 2 dòng chưa chi"):
        services.close_list(payout_list=lines[0].list, actor=users[Role.PROVINCE_MANAGER])
    rec = services.close_list(
        payout_list=lines[0].list, actor=users[Role.PROVINCE_MANAGER], return_rest="not_found"
    )
    imported_n = len(lines)
    imported_s = sum(x.amount for x in lines)
    paid_n = sum(rec.totals[f"paid_{m}_n"] for m in ("counter", "home", "account"))
    paid_s = sum(rec.totals[f"paid_{m}_s"] for m in ("counter", "home", "account"))
    assert paid_n + rec.totals["returned_n"] == imported_n
    assert paid_s + rec.totals["returned_s"] == imported_s
    cash_out = LedgerEntry.objects.filter(source_type="payout", method="cash").aggregate(
        s=Sum("amount")
    )["s"]
    assert cash_out == paid_s
    with pytest.raises(PayoutError, match="đã quyết toán"):
        services.pay(payout=lines[5], clerk=clerk, session=payday_session, paid_at=PAYDAY)


def test_same_name_and_birth_date_with_another_id_is_flagged(
    programme: Programme, users: dict[str, User]
) -> None:
    rows = [person(1), person(2)]
    rows[1][1] = rows[0][1]  # same name, same birth date, another citizen id
    result = services.import_list(
        actor=users[Role.PROVINCE_MANAGER], programme=programme, month=MONTH, source=workbook(rows)
    )
    assert [e.row for e in result.errors] == [3]
    assert "trùng họ tên và ngày sinh" in result.errors[0].message


def test_a_death_needs_its_date_and_source_and_is_audited(
    programme: Programme, users: dict[str, User]
) -> None:
    from buudien.core.audit import history
    from buudien.core.errors import DomainError

    line = _import(programme, users, n=1)[0]
    with pytest.raises(DomainError, match="ngày và nguồn"):
        services.update_beneficiary(
            actor=users[Role.CLERK], beneficiary=line.beneficiary, status="deceased"
        )
    services.update_beneficiary(
        actor=users[Role.CLERK],
        beneficiary=line.beneficiary,
        status="deceased",
        status_date=dt.date(2025, 3, 1),
        status_source="Giấy báo tử UBND xã",
    )
    event = history(line.beneficiary).get()
    assert (event.before["status"], event.after["status"]) == ("active", "deceased")


def test_bank_results_pay_into_accounts_or_return_failures(
    tree: Tree, programme: Programme, users: dict[str, User]
) -> None:
    rows = [person(i, method="Qua tài khoản", account=f"1020{i:08d}") for i in (1, 2)]
    services.import_list(
        actor=users[Role.PROVINCE_MANAGER], programme=programme, month=MONTH, source=workbook(rows)
    )
    pl = Payout.objects.first().list  # type: ignore[union-attr]
    settlement = services.settlement_rows(actor=users[Role.PROVINCE_MANAGER], payout_list=pl)
    assert len(settlement) == 2
    results = workbook(
        [
            [settlement[0][0], settlement[0][4], "Thành công"],
            [settlement[1][0], settlement[1][4], "Thất bại"],
        ],
        headers=["Mã dòng", "Số tiền", "Kết quả"],
    )
    manager = users[Role.PROVINCE_MANAGER]
    session = counter_services.open_session(
        clerk=manager, unit=tree.province, opening_cash=0, business_date=PAYDAY.date()
    )
    paid, failed, errors = services.apply_bank_results(
        actor=manager, payout_list=pl, source=results, session=session
    )
    assert (paid, failed, errors) == (1, 1, [])
    entry = LedgerEntry.objects.get(source_type="payout")
    assert (entry.method, entry.settles) == ("account", f"payout:{settlement[0][0]}")
    session.refresh_from_db()
    assert session.cash_out == 0


def test_payments_join_the_indicators_and_the_agency_api_follows_progress(
    tree: Tree, programme: Programme, users: dict[str, User], payday_session: CounterSession
) -> None:
    from django.test import Client

    from buudien.core import reference
    from buudien.core.models import ApiToken
    from buudien.plans.periods import Period
    from buudien.reports.builders import plan_vs_actual
    from tests.factories import UserFactory

    reference.load(only=["plans.indicators"])
    lines = _import(programme, users, n=3)
    services.pay(payout=lines[0], clerk=users[Role.CLERK], session=payday_session, paid_at=PAYDAY)
    report = plan_vs_actual(users[Role.PROVINCE_MANAGER], tree.province, Period(2025, "month", 3))
    assert report.row("CT_LUOT").actual == 1  # type: ignore[union-attr]
    assert report.row("CT_TIEN").actual == lines[0].amount  # type: ignore[union-attr]
    officer = UserFactory(role=Role.PARTNER_OFFICER, partner=programme.agency)
    _, raw = ApiToken.issue(user=officer, name="bhxh")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    progress = api.get(f"/api/payouts/lists/{lines[0].list_id}").json()
    assert (progress["paid_n"], progress["pending_n"]) == (1, 2)
    upload = api.post(
        "/api/payouts/lists",
        {"programme": "LHUU", "month": "2025-04-01", "file": xlsx_file([person(9)])},
        format="multipart",
    )
    assert upload.status_code == 200, upload.content
    assert upload.json()["imported"] is True
    rec = api.get(f"/api/payouts/lists/{lines[0].list_id}/reconciliation").json()
    assert rec["totals"]["paid_counter_n"] == 1
