"""A small province for point mode's demo and fault tests: the demo network, and for the
commune point of the demo clerk `diemvhx` a pension list payable today and a few open
dossiers, so that a laptop enrolled for that point has real work to do offline.

Run on the province's database after `migrate`, `load_admin_units` and the reference data
(`buudien point_demo build` does all of it)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openpyxl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import users
from buudien.core.errors import DomainError
from buudien.counter import selectors as counter_selectors
from buudien.counter import services as counter_services
from buudien.dossiers import selectors as dossier_selectors
from buudien.dossiers import services as dossier_services
from buudien.network import demo as network_demo
from buudien.payouts import selectors as payout_selectors
from buudien.payouts import services as payout_services
from buudien.sync import services as sync_services

if TYPE_CHECKING:
    from buudien.core.models import User

CLERK = "diemvhx"
MANAGER = "khuvuc"
PROVINCE_MANAGER = "tinh"
PROGRAMME = "LHUU"
PROCEDURES = ["1.001193", "1.004873", "1.003583"]  # birth, a civil status copy, a certified copy
HEADERS = ["Số CCCD", "Họ tên", "Ngày sinh", "Số tiền", "Mã điểm", "Hình thức nhận", "Thôn, bản"]
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu"]
GIVEN = ["Văn Tài", "Thị Mến", "Văn Hùng", "Thị Lan", "Văn Páo", "Thị Dìn", "Văn Chỉnh"]
HAMLETS = ["Nà Lẹng", "Pác Bó", "Khuổi Nặm", "Lũng Pán", "Phia Đén"]


@dataclass(frozen=True)
class SmallProvince:
    """What the demo and the tests need to know of the small province."""

    point_id: str
    point_code: str
    point_name: str
    lines: int
    dossiers: list[str]


def _user(username: str) -> User:
    found = users.find_user(username)
    if found is None:
        raise DomainError(
            _("Chưa có người dùng %(u)s: hãy dựng mạng lưới mẫu trước.") % {"u": username}
        )
    return found


def _pensioners(point_code: str, count: int) -> bytes:
    """The agency's monthly list for the point: `count` pensioners, as the agency sends it."""
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(HEADERS)
    for i in range(1, count + 1):
        year = 1940 + i % 20
        sheet.append(
            [
                f"0041{year % 100:02d}{700_000 + i:06d}",
                f"{FAMILY[i % len(FAMILY)]} {GIVEN[i % len(GIVEN)]} {i}",
                f"01/0{1 + i % 9}/{year}",
                3_000_000 + i * 10_000,
                point_code,
                "Tại quầy",
                HAMLETS[i % len(HAMLETS)],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _payable_today(today: dt.date) -> Any:
    """The pension programme, its paying window stretched over today, as an administrator
    would set it in the back office so the demo can pay on any day of the month."""
    programme = payout_selectors.programme(user=_user(PROVINCE_MANAGER), code=PROGRAMME)
    if not programme.window_start <= today.day <= programme.window_end:
        programme.window_start = min(programme.window_start, today.day)
        programme.window_end = max(programme.window_end, today.day)
        programme.save(update_fields=["window_start", "window_end"])
    return programme


def _dossiers(clerk: User, point: Any, count: int) -> list[str]:
    """Dossiers the clerk took in at the province's counter earlier today, still open."""
    session = counter_services.open_session(clerk=clerk, unit=point, opening_cash=0)
    codes = []
    for i in range(count):
        procedure = dossier_selectors.procedure(code=PROCEDURES[i % len(PROCEDURES)])
        documents = [
            dossier_services.DocumentIn(
                required_id=r.pk,
                name=r.name,
                form="copy" if r.form == "copy" else "original",
                count=r.copies,
            )
            for r in procedure.documents.all()
        ]
        dossier = dossier_services.intake(
            clerk=clerk,
            session=session,
            procedure=procedure,
            citizen_name=f"{FAMILY[i % len(FAMILY)]} {GIVEN[(i + 3) % len(GIVEN)]}",
            citizen_id=f"00419{i % 10}{1234 + i:06d}",
            phone=f"091234{5670 + i:04d}",
            address=f"Bản {HAMLETS[i % len(HAMLETS)]}",
            documents=documents,
        )
        codes.append(dossier.code)
    session = counter_selectors.session(clerk, session.pk)
    counter_services.close_session(session=session, clerk=clerk, counted_cash=session.book_cash)
    return codes


@transaction.atomic
def build_small(
    *, today: dt.date | None = None, lines: int = 10, dossiers: int = 3
) -> SmallProvince:
    """The demo network, and for the demo clerk's point a pension list payable today
    (`lines` lines) and `dossiers` open dossiers."""
    today = today or timezone.localdate()
    network_demo.build(today=today)
    clerk = _user(CLERK)
    point = clerk.home_unit
    if point is None:
        raise DomainError(_("Người dùng %(u)s chưa thuộc điểm nào.") % {"u": CLERK})
    result = payout_services.import_list(
        actor=_user(PROVINCE_MANAGER),
        programme=_payable_today(today),
        month=today.replace(day=1),
        source=_pensioners(point.code, lines),
        source_name="lhuu-diem.xlsx",
    )
    if not result.ok:
        raise DomainError("; ".join(e.message for e in result.errors[:3]))
    codes = _dossiers(clerk, point, dossiers)
    return SmallProvince(
        point_id=str(point.pk),
        point_code=point.code,
        point_name=point.name,
        lines=lines,
        dossiers=codes,
    )


def enrolment_code(*, point_id: str) -> str:
    """A one-time code for a laptop of the point, issued by the area manager."""
    _code, plain = sync_services.issue_code(actor=_user(MANAGER), point_id=point_id)
    return plain
