"""Cases for the payouts routes (HTML and API)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buudien.core.models import Role
from buudien.payouts.models import Beneficiary, Payout, PayoutList, Programme
from tests.access.case import Case
from tests.access.world import World

PREFIX = {"in": "91", "out": "92"}
# The lines each side's list holds: (name in the world, the person, method, amount).
LINES = [
    ("pay_line", "Nông Văn Tài", Beneficiary.Method.COUNTER, 3_100_000),
    ("return_line", "Lục Thị Mến", Beneficiary.Method.COUNTER, 2_700_000),
    ("account_line", "Bế Văn Hùng", Beneficiary.Method.ACCOUNT, 1_900_000),
    ("home_line", "Triệu Văn Páo", Beneficiary.Method.HOME, 2_300_000),
]


def build(world: World) -> None:
    """Add the payouts records of each side to the world: a programme of the side's agency
    paying every day of the month, this month's open list, four lines at the side's point."""
    for where, prefix in PREFIX.items():
        side = world.side(where)
        programme = Programme.objects.create(
            code=f"CT{prefix}",
            name=f"Chương trình chi trả thử {prefix}",
            agency=side.agency,
            service_code="TC-LHUU",
            window_start=1,
            window_end=31,
        )
        payout_list = PayoutList.objects.create(
            programme=programme,
            month=world.today.replace(day=1),
            imported_by=world.users[Role.ADMIN],
            lines=len(LINES),
            total=sum(amount for *_, amount in LINES),
        )
        world.put(where, "programme", programme)
        world.put(where, "list", payout_list)
        for row, (name, person_name, method, amount) in enumerate(LINES, start=2):
            person = Beneficiary.objects.create(
                citizen_id=f"00415{prefix[-1]}{row:06d}",
                name=f"{person_name} {prefix}",
                point=side.point,
                method=method,
                account_no="102030405060" if method == Beneficiary.Method.ACCOUNT else "",
            )
            line = Payout.objects.create(
                list=payout_list,
                beneficiary=person,
                point=side.point,
                row=row,
                amount=amount,
                method=method,
            )
            world.put(where, name, line)
        world.put(where, "beneficiary", world.obj(where, "pay_line").beneficiary)


def workbook(headers: list[str], rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _next_month(world: World) -> dt.date:
    return (world.today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _agency_list(world: World, where: str) -> SimpleUploadedFile:
    prefix = PREFIX[where]
    content = workbook(
        ["Số CCCD", "Họ tên", "Ngày sinh", "Số tiền", "Mã điểm", "Hình thức nhận"],
        [[f"00415{prefix[-1]}900001", f"Lục Thị Mới {prefix}", "01/01/1950", 2_500_000,
          world.side(where).point.code, "Tại quầy"]],
    )  # fmt: skip
    return SimpleUploadedFile("danh-sach.xlsx", content)


def _bank_file(world: World, where: str) -> SimpleUploadedFile:
    line = world.obj(where, "account_line")
    content = workbook(["Mã dòng", "Số tiền", "Kết quả"], [[line.pk, line.amount, "Thất bại"]])
    return SimpleUploadedFile("ket-qua.xlsx", content)


def _list(name: str) -> Any:
    return lambda w, where: reverse(name, kwargs={"list_id": w.obj(where, "list").pk})


def _reconciliation_url(w: World, where: str) -> str:
    return reverse(
        "payouts:reconciliation", kwargs={"list_id": w.obj(where, "list").pk, "fmt": "xlsx"}
    )


def _line(name: str, line: str) -> Any:
    return lambda w, where: reverse(name, kwargs={"line_id": w.obj(where, line).pk})


def _name_of(line: str) -> Any:
    return lambda w, where: w.obj(where, line).beneficiary.name


def _programme_name(w: World, where: str) -> str:
    return str(w.obj(where, "programme").name)


def _point_name(w: World, where: str) -> str:
    return str(w.side(where).point.name)


def _point_code(w: World, where: str) -> str:
    return str(w.side(where).point.code)


def _upload_url(w: World, where: str) -> str:
    return reverse("payouts:upload") + f"?programme={w.obj(where, 'programme').code}"


def _upload_data(w: World, where: str) -> dict[str, Any]:
    return {
        "programme": w.obj(where, "programme").code,
        "month": _next_month(w).strftime("%Y-%m"),
        "file": _agency_list(w, where),
    }


def api_upload_data(w: World, where: str) -> dict[str, Any]:
    return {
        "programme": w.obj(where, "programme").code,
        "month": _next_month(w).isoformat(),
        "file": _agency_list(w, where),
    }


def _round_url(w: World, where: str) -> str:
    return reverse(
        "payouts:round",
        kwargs={"list_id": w.obj(where, "list").pk, "code": w.side(where).point.code},
    )


def _beneficiary_url(w: World, where: str) -> str:
    return reverse("payouts:beneficiary", kwargs={"pk": w.obj(where, "beneficiary").pk})


BENEFICIARY_FORM = {
    "status": "active",
    "status_date": "",
    "status_source": "",
    "method": "counter",
    "account_no": "123456789",
    "authorised_name": "",
    "authorised_id": "",
    "authorised_until": "",
}

CASES: dict[str, Case] = {
    "payouts:index": Case(
        url=lambda w, where: reverse("payouts:index"), marker=_programme_name, listing=True
    ),
    "payouts:upload": Case(
        url=_upload_url, data=_upload_data, marker=_programme_name, doer=Role.PARTNER_OFFICER
    ),
    "payouts:cashless": Case(
        url=lambda w, where: reverse("payouts:cashless"), marker=_point_name, listing=True
    ),
    "payouts:list": Case(url=_list("payouts:list"), marker=_name_of("pay_line")),
    "payouts:close": Case(
        url=_list("payouts:close"),
        data=lambda w, where: {"return_rest": "not_found"},
        doer=Role.PROVINCE_MANAGER,
    ),
    "payouts:reconciliation": Case(url=_reconciliation_url),
    "payouts:round": Case(url=_round_url, marker=_name_of("home_line")),
    "payouts:settlement": Case(url=_list("payouts:settlement")),
    "payouts:bank_results": Case(
        url=_list("payouts:bank_results"),
        data=lambda w, where: {"file": _bank_file(w, where)},
        doer=Role.PROVINCE_MANAGER,
    ),
    "payouts:beneficiaries": Case(
        url=lambda w, where: reverse("payouts:beneficiaries"),
        marker=_name_of("pay_line"),
        listing=True,
    ),
    "payouts:beneficiary": Case(
        url=_beneficiary_url,
        data=lambda w, where: dict(BENEFICIARY_FORM),
        marker=_name_of("pay_line"),
        doer=Role.CLERK,
    ),
    "payouts:pay": Case(
        url=_line("payouts:pay", "pay_line"),
        data=lambda w, where: {"receiver": "self", "receiver_id": ""},
        doer=Role.CLERK,
    ),
    "payouts:return": Case(
        url=_line("payouts:return", "return_line"),
        data=lambda w, where: {"reason": "moved"},
        doer=Role.CLERK,
    ),
    "POST /api/payouts/lines/{line_id}/pay": Case(
        url=lambda w, where: f"/api/payouts/lines/{w.obj(where, 'pay_line').pk}/pay",
        data=lambda w, where: {"session_id": str(w.side(where).session.pk)},
        doer=Role.CLERK,
    ),
    "POST /api/payouts/lists": Case(
        url=lambda w, where: "/api/payouts/lists",
        data=api_upload_data,
        doer=Role.PARTNER_OFFICER,
    ),
    "GET /api/payouts/lists/{list_id}": Case(
        url=lambda w, where: f"/api/payouts/lists/{w.obj(where, 'list').pk}"
    ),
    "GET /api/payouts/lists/{list_id}/reconciliation": Case(
        url=lambda w, where: f"/api/payouts/lists/{w.obj(where, 'list').pk}/reconciliation",
        marker=_point_code,
    ),
}
