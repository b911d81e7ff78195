"""Importing the agency's list: every row checked, then all of it written, split by point,
or nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, permissions
from buudien.core.bulk import id_map, insert_rows, paused_gc
from buudien.core.excel import ParsedRow, RowError, cell_error, read_rows
from buudien.core.ids import mask_citizen_id
from buudien.core.text import build_search_text, fold
from buudien.core.uuids import uuid7
from buudien.network import selectors as network_selectors
from buudien.payouts import selectors
from buudien.payouts.errors import PayoutCode, PayoutError
from buudien.payouts.importers import DEFAULT_HEADERS, PayoutListImport, check_source
from buudien.payouts.models import Beneficiary, ColumnMapping, Payout, PayoutList, Programme
from buudien.payouts.selectors import programme_target

if TYPE_CHECKING:
    from buudien.core.models import User

B = Beneficiary
BENEFICIARY_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "version",
    "citizen_id",
    "name",
    "birth_date",
    "sex",
    "commune_id",
    "hamlet",
    "point_id",
    "method",
    "account_kind",
    "account_no",
    "authorised_name",
    "authorised_id",
    "authorised_until",
    "status",
    "status_date",
    "status_source",
    "search_text",
]
PAYOUT_COLUMNS = [
    "list_id",
    "beneficiary_id",
    "point_id",
    "row",
    "amount",
    "method",
    "status",
    "receiver",
    "return_reason",
]


@dataclass
class ImportResult:
    """The list made and its lines per point, or every error of the file and nothing made."""

    payout_list: PayoutList | None
    errors: list[RowError]
    rows: int
    per_point: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def import_list(
    *,
    actor: User,
    programme: Programme,
    month: dt.date,
    source: Any,
    source_name: str = "",
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Validate every row of the agency's list; write it all, split by point, or nothing."""
    permissions.require(actor, "payouts.import", programme_target(programme))
    check_source(source)
    month = month.replace(day=1)
    if PayoutList.objects.filter(programme=programme, month=month).exists():
        raise PayoutError(
            _("Danh sách %(p)s tháng %(m)s đã được nhập.")
            % {"p": programme.name, "m": month.strftime("%m/%Y")},
            code=PayoutCode.LIST_INVALID,
            field="month",
        )
    mapping = _clean_mapping(mapping)
    with paused_gc():
        read = _read(
            programme, source, mapping if mapping is not None else _saved_mapping(programme)
        )
        if read.errors:
            return ImportResult(None, read.errors, len(read.rows), {})
        if mapping is not None:
            ColumnMapping.objects.update_or_create(
                agency=programme.agency, defaults={"mapping": mapping}
            )
        payout_list = _write(actor, programme, month, read, source_name=source_name)
    per_point = dict(Counter(r.values["point"] for r in read.rows))
    return ImportResult(payout_list, [], len(read.rows), per_point)


def _clean_mapping(mapping: dict[str, str] | None) -> dict[str, str] | None:
    """Only the known columns, each named by a short text."""
    if not mapping:
        return None
    clean = {k: selectors.clean_text(v).strip() for k, v in mapping.items() if k in DEFAULT_HEADERS}
    return {k: v for k, v in clean.items() if v} or None


def _saved_mapping(programme: Programme) -> dict[str, str] | None:
    found = ColumnMapping.objects.filter(agency=programme.agency).first()
    return found.mapping if found else None


def _points_of(programme: Programme) -> dict[str, Any]:
    """The commune points the programme's agency pays through (those its post unit serves),
    code to primary key in the form the database stores them: 100,000 lines need no
    conversion on their way in."""
    served = programme.agency.served_by
    return network_selectors.point_keys(under=served.path if served is not None else "")


@dataclass
class _Read:
    """A list as read: its rows, every error, the people already registered and the points
    (each code to its key as the database stores it)."""

    rows: list[ParsedRow]
    errors: list[RowError]
    known: dict[str, Any]
    points: dict[str, Any]


def _read(programme: Programme, source: Any, headers: dict[str, str] | None) -> _Read:
    """The list's rows and every error: the cells', then the points', communes' and
    namesakes' that the file alone cannot tell."""
    known = id_map(Beneficiary, "citizen_id")
    points = _points_of(programme)
    spec = PayoutListImport(headers, registered=known)
    rows, errors = read_rows(spec, source)
    header = {c.key: c.header for c in spec.columns}
    bad = {e.row for e in errors}
    errors += _place_errors(rows, bad=bad, header=header, points=points)
    errors += _namesake_errors(rows, bad=bad, header=header, known=known)
    errors.sort(key=lambda e: e.row)
    return _Read(rows, errors, known, points)


def _place_errors(
    rows: list[ParsedRow], *, bad: set[int], header: dict[str, str], points: dict[str, Any]
) -> list[RowError]:
    """Unknown points and communes, and account payments without an account; a point code
    typed in lower case is the point (the row learns its code)."""
    good = [r for r in rows if r.number not in bad] if bad else rows
    errors = []
    for r in [r for r in good if r.values["point"] not in points]:
        r.values["point"] = code = str(r.values["point"]).upper()
        if code not in points:
            reason = _("không có điểm mã %(code)s.") % {"code": code}
            errors.append(cell_error(r.number, header["point"], reason))
    communes = network_selectors.commune_codes()
    for r in [r for r in good if r.values["commune"] and r.values["commune"] not in communes]:
        reason = _("không có xã, phường mã %(code)s.") % {"code": r.values["commune"]}
        errors.append(cell_error(r.number, header["commune"], reason))
    account = B.Method.ACCOUNT
    for r in [r for r in good if r.values["method"] == account and not r.values["account_no"]]:
        message = _("Dòng %(n)s: chi qua tài khoản cần số tài khoản.") % {"n": r.number}
        errors.append(RowError(r.number, header["account_no"], message))
    return errors


def _namesake_errors(
    rows: list[ParsedRow], *, bad: set[int], header: dict[str, str], known: Container[str]
) -> list[RowError]:
    """The same person under another id: only new ids can be that (known ids were checked
    when they were registered), so only their names are compared."""
    new_rows = [r for r in rows if r.number not in bad and r.values["citizen_id"] not in known]
    if not new_rows:
        return []
    registered = {
        (text.rsplit(" ", 1)[0], d): c
        for c, text, d in Beneficiary.objects.filter(birth_date__isnull=False).values_list(
            "citizen_id", "search_text", "birth_date"
        )
    }
    seen: dict[tuple[str, Any], tuple[int, str]] = {}
    errors = []
    for r in new_rows:
        v = r.values
        if not v.get("birth_date"):
            continue
        key = (fold(v["name"]), v["birth_date"])
        if key in seen and seen[key][1] != v["citizen_id"]:
            message = _(
                "Dòng %(n)s: trùng họ tên và ngày sinh với dòng %(m)s nhưng khác số CCCD; "
                "kiểm tra lại."
            ) % {"n": r.number, "m": seen[key][0]}
            errors.append(RowError(r.number, header["name"], message))
        seen.setdefault(key, (r.number, v["citizen_id"]))
        other = registered.get(key)
        if other is not None and other != v["citizen_id"]:
            message = _(
                "Dòng %(n)s: đã có đối tượng cùng họ tên, ngày sinh với số CCCD %(id)s."
            ) % {"n": r.number, "id": mask_citizen_id(other)}
            errors.append(RowError(r.number, header["citizen_id"], message))
    return errors


def _write(
    actor: User, programme: Programme, month: dt.date, read: _Read, *, source_name: str
) -> PayoutList:
    """The new people, the list and its lines, and the audit record of the import."""
    rows = read.rows
    _insert_beneficiaries(rows, known=read.known, points=read.points)
    payout_list = PayoutList.objects.create(
        programme=programme,
        month=month,
        imported_by=actor,
        source_name=selectors.clean_text(source_name, 200),
        lines=len(rows),
        total=sum(r.values["amount"] for r in rows),
    )
    _insert_lines(payout_list, rows, known=read.known, points=read.points)
    audit.record(
        actor=actor,
        action="payouts.list_imported",
        instance=payout_list,
        before=None,
        after={"lines": len(rows), "total": payout_list.total},
        note=source_name,
    )
    return payout_list


def _insert_beneficiaries(
    rows: list[ParsedRow], *, known: dict[str, Any], points: dict[str, Any]
) -> None:
    """Register the people the list names for the first time (`known` learns their keys)."""
    now = timezone.now()
    fresh = []
    for r in rows:
        v = r.values
        if v["citizen_id"] in known:
            continue
        pk = uuid7()
        known[v["citizen_id"]] = pk
        fresh.append(
            (
                pk,
                now,
                now,
                1,
                v["citizen_id"],
                v["name"],
                v["birth_date"],
                "",
                v["commune"],
                v["hamlet"] or "",
                points[v["point"]],
                v["method"] or B.Method.COUNTER,
                "",
                v["account_no"] or "",
                "",
                "",
                None,
                B.Status.ACTIVE,
                None,
                "",
                build_search_text(v["name"], v["citizen_id"]),
            )
        )
    insert_rows(Beneficiary, BENEFICIARY_COLUMNS, fresh)


def _insert_lines(
    payout_list: PayoutList,
    rows: list[ParsedRow],
    *,
    known: dict[str, Any],
    points: dict[str, Any],
) -> None:
    list_key = payout_list.pk
    pending, counter = Payout.Status.PENDING, B.Method.COUNTER
    insert_rows(
        Payout,
        PAYOUT_COLUMNS,
        [
            (
                list_key,
                known[v["citizen_id"]],
                points[v["point"]],
                r.number,
                v["amount"],
                v["method"] or counter,
                pending,
                "",
                "",
            )
            for r in rows
            for v in (r.values,)
        ],
    )
