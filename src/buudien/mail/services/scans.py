"""A scanner's file of events (CSV): every row checked first, against the item's steps as the
file moves them, and then all applied in one transaction, or none with each bad row named."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import clock, s10
from buudien.core.errors import DomainError
from buudien.core.permissions import Target, allows, require
from buudien.core.text import fold
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import PostalItem, Reason, Status
from buudien.mail.selectors.items import visible
from buudien.mail.services import tracking
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS = 200
# The file's columns: Vietnamese headers, or the English ones, in any order.
COLUMNS = ("s10", "status", "reason", "unit", "at")
HEADERS = {
    "so_hieu": "s10",
    "trang_thai": "status",
    "ly_do": "reason",
    "ma_don_vi": "unit",
    "thoi_gian": "at",
    **{c: c for c in COLUMNS},
}
TIME_FORMAT = "%d/%m/%Y %H:%M"
# A scanner's clock may run a little ahead of the server's.
FUTURE_SLACK = dt.timedelta(minutes=10)
_CHUNK = 2000


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass
class ScanResult:
    applied: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Scan:
    row: int
    item: PostalItem
    status: str
    reason: str
    unit: PostUnit
    at: dt.datetime


def _bad_file(message: str) -> MailError:
    return MailError(message, code=MailCode.INVALID, field="file")


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of an uploaded CSV file (UTF-8, with or without BOM, or Windows-1258),
    separated by commas or semicolons; a file too large or not text is refused."""
    if len(data) > MAX_BYTES:
        raise _bad_file(_("Tệp quá lớn: tối đa 5 MB."))
    if not data.strip():
        raise _bad_file(_("Tệp trống: hãy chọn tệp CSV của máy quét."))
    if b"\x00" in data:
        raise _bad_file(_("Tệp không phải CSV (văn bản); hãy lưu tệp dạng CSV."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError as exc:
            raise _bad_file(_("Không đọc được tệp: hãy lưu dạng CSV UTF-8.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise _bad_file(_("Tệp quá dài: tối đa 20.000 dòng mỗi lần."))
    except csv.Error as exc:
        raise _bad_file(_("Tệp CSV hỏng: %(why)s") % {"why": str(exc)[:100]}) from exc
    return rows


def _header(row: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(row):
        key = HEADERS.get(fold(text).replace(" ", "_"))
        if key is not None and key not in found:
            found[key] = index
    missing = [c for c in ("s10", "status", "unit", "at") if c not in found]
    if missing:
        raise _bad_file(
            _(
                "Dòng 1 phải là tiêu đề: so_hieu, trang_thai, ly_do, ma_don_vi, thoi_gian "
                "(hoặc s10, status, reason, unit, at); thiếu cột %(cols)s."
            )
            % {"cols": ", ".join(missing)}
        )
    return found


def _cell(row: Sequence[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return str(row[index]).strip()


def _status(text: str) -> str:
    value = text.lower()
    by_label = {fold(str(label)): code for code, label in Status.choices}
    value = by_label.get(fold(text), value)
    if value not in tracking.SCANNABLE:
        allowed = ", ".join(str(s) for s in tracking.SCANNABLE)
        raise DomainError(
            _("trạng thái «%(v)s» không ghi từ máy quét được (chỉ %(ok)s).")
            % {"v": text[:30], "ok": allowed}
        )
    return value


def _reason(text: str, status: str) -> str:
    value = text.lower()
    if value and value not in Reason.values:
        raise DomainError(_("lý do «%(v)s» không có trong danh mục.") % {"v": text[:30]})
    if status in tracking.NEEDS_REASON and not value:
        raise DomainError(_("phát không thành công cần mã lý do."))
    return value


def _time(text: str, now: dt.datetime) -> dt.datetime:
    try:
        naive = dt.datetime.strptime(text, TIME_FORMAT)
    except ValueError as exc:
        raise DomainError(
            _("thời gian «%(v)s» sai dạng (dd/mm/yyyy HH:MM).") % {"v": text[:30]}
        ) from exc
    at = timezone.make_aware(naive)
    if at > now + FUTURE_SLACK:
        raise DomainError(_("thời gian %(v)s ở tương lai.") % {"v": text})
    return at


def _load(
    actor: User, rows: Sequence[Sequence[str]], columns: dict[str, int]
) -> tuple[dict[str, PostalItem], dict[str, PostUnit]]:
    idents = set()
    codes = set()
    for row in rows:
        with contextlib.suppress(DomainError):  # the row's own check names a bad id
            idents.add(s10.parse(_cell(row, columns, "s10")))
        codes.add(_cell(row, columns, "unit").upper())
    found: dict[str, PostalItem] = {}
    ordered = sorted(idents)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        found |= {i.s10: i for i in visible(actor).filter(s10__in=chunk)}
    units = network_selectors.units_by_code(user=actor, codes=[c for c in codes if c])
    return found, units


class _Checker:
    """Each row's values, and the steps each item takes through the file."""

    def __init__(self, actor: User, items: dict[str, PostalItem], units: dict[str, PostUnit]):
        self.actor = actor
        self.items = items
        self.units = units
        self.status: dict[str, str] = {}
        self.last: dict[str, dt.datetime] = {}
        self.now = clock.now()

    def row(self, number: int, row: Sequence[str], columns: dict[str, int]) -> _Scan:
        ident = s10.parse(_cell(row, columns, "s10"))
        item = self.items.get(ident)
        if item is None:
            raise DomainError(
                _("không tìm thấy bưu gửi %(id)s trong phạm vi của bạn.") % {"id": ident}
            )
        status = _status(_cell(row, columns, "status"))
        reason = _reason(_cell(row, columns, "reason"), status)
        code = _cell(row, columns, "unit").upper()
        unit = self.units.get(code)
        if unit is None or not allows(self.actor, "mail.scan", Target(path=unit.path)):
            raise DomainError(
                _("không có đơn vị mã «%(c)s» trong phạm vi của bạn.") % {"c": code[:20]}
            )
        at = _time(_cell(row, columns, "at"), self.now)
        self._step(item, status, at)
        return _Scan(number, item, status, reason, unit, at)

    def _step(self, item: PostalItem, status: str, at: dt.datetime) -> None:
        now = self.status.get(item.s10, item.status)
        if status not in tracking.NEXT[now]:
            raise DomainError(
                _("bưu gửi %(id)s đang «%(now)s»: không ghi «%(next)s» được.")
                % {"id": item.s10, "now": Status(now).label, "next": Status(status).label}
            )
        if status == Status.DELIVERED and item.cod_amount > 0 and item.cod_collected_at is None:
            raise DomainError(
                _("bưu gửi %(id)s có thu hộ COD: ghi phát tại trang phát để thu tiền.")
                % {"id": item.s10}
            )
        last = self.last.get(item.s10)
        if last is not None and at < last:
            raise DomainError(_("thời gian sớm hơn dòng trước của cùng bưu gửi."))
        self.status[item.s10] = status
        self.last[item.s10] = at


def check(*, actor: User, rows: Sequence[Sequence[str]]) -> tuple[list[_Scan], list[RowError]]:
    """Every row checked, in the file's order; the rows as events, or each bad row named."""
    if not rows:
        raise _bad_file(_("Tệp trống: hãy chọn tệp CSV của máy quét."))
    if len(rows) > MAX_ROWS + 1:
        raise _bad_file(_("Tệp quá dài: tối đa 20.000 dòng mỗi lần."))
    columns = _header(rows[0])
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        raise _bad_file(_("Tệp chỉ có dòng tiêu đề, không có dòng nào để nhập."))
    items, units = _load(actor, [r for _n, r in body], columns)
    checker = _Checker(actor, items, units)
    scans: list[_Scan] = []
    errors: list[RowError] = []
    for number, row in body:
        try:
            scans.append(checker.row(number, row, columns))
        except DomainError as exc:
            message = exc.message[:1].lower() + exc.message[1:]
            errors.append(
                RowError(number, _("Dòng %(n)s: %(why)s") % {"n": number, "why": message})
            )
            if len(errors) >= MAX_ERRORS:
                break
    return scans, errors


@transaction.atomic
def import_scans(*, actor: User, rows: Sequence[Sequence[str]]) -> ScanResult:
    """Apply a scanner's file: all its rows, or none when one is wrong."""
    require(actor, "mail.scan")
    scans, errors = check(actor=actor, rows=rows)
    if errors:
        return ScanResult(applied=0, errors=errors)
    for scan in scans:
        try:
            tracking.record_event(
                item=scan.item,
                actor=actor,
                status=scan.status,
                unit=scan.unit,
                reason=scan.reason,
                at=scan.at,
                device="scanner",
            )
        except DomainError as exc:
            # Someone moved the item while the file was being checked: nothing is kept.
            raise MailError(
                _("Dòng %(n)s: %(why)s") % {"n": scan.row, "why": exc.message},
                code=MailCode.STEP_NOT_ALLOWED,
                field="file",
            ) from exc
    return ScanResult(applied=len(scans))


def import_file(*, actor: User, data: bytes) -> ScanResult:
    """A scanner's CSV file as uploaded."""
    return import_scans(actor=actor, rows=read_csv(data))
