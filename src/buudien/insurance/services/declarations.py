"""The agency's paperwork: the declaration list of the payments not yet declared (in the
agency's layout, D05-TS for voluntary social insurance, D03-TS for household health
insurance), and its confirmation read back from the agency's Excel, all rows or none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import audit, clock
from buudien.core.excel import Column, ParsedRow, RowError, read_rows
from buudien.core.excel import ImportSpec as _Spec
from buudien.core.permissions import Target, require
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.models import Declaration, Participant, Payment, PaymentLine, Scheme

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

ACCEPTED, REFUSED = "x", "0"
RESULTS = {
    "xác nhận": ACCEPTED,
    "đã xác nhận": ACCEPTED,
    "đồng ý": ACCEPTED,
    "x": ACCEPTED,
    "từ chối": REFUSED,
    "không xác nhận": REFUSED,
    "0": REFUSED,
}
CONFIRMATION_COLUMNS = (
    Column("citizen_id", gettext_lazy("Số CCCD"), kind="text", required=True, max_length=12),
    Column("si_number", gettext_lazy("Mã số BHXH"), kind="text", max_length=10),
    Column("period_from", gettext_lazy("Từ ngày"), kind="date", required=True),
    Column("result", gettext_lazy("Kết quả"), kind="choice", required=True, choices=RESULTS),
    Column("reason", gettext_lazy("Lý do"), kind="text", max_length=200),
)


class _Confirmation(_Spec):
    title = "Kết quả xác nhận"
    columns = CONFIRMATION_COLUMNS

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values.get("citizen_id"), values.get("period_from"))


@dataclass
class ConfirmationResult:
    confirmed: int = 0
    refused: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _number(scheme: Scheme, unit: PostUnit) -> str:
    today = clock.now()
    prefix = f"{scheme.declaration_form or 'DS'}-{unit.code}-{today:%Y%m%d}"
    n = Declaration.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}-{n:02d}"


@transaction.atomic
def make_declaration(*, actor: User, unit: PostUnit, scheme_code: str) -> Declaration:
    """Gather the payments of a scheme taken under a unit and not yet declared into one list."""
    require(actor, "insurance.declare", Target(path=unit.path))
    scheme = Scheme.objects.filter(code=scheme_code).first()
    if scheme is None:
        raise InsuranceError(
            _("Hãy chọn loại bảo hiểm."), code=InsuranceCode.INVALID, field="scheme"
        )
    pending = Payment.objects.select_for_update().filter(
        scheme=scheme, declaration__isnull=True, point__path__startswith=unit.path
    )
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        raise InsuranceError(
            _("Không còn lần đóng nào chưa kê khai."),
            code=InsuranceCode.DECLARATION,
            field="scheme",
        )
    lines = PaymentLine.objects.filter(payment_id__in=ids)
    declaration = Declaration.objects.create(
        number=_number(scheme, unit),
        scheme=scheme,
        unit=unit,
        made_by=actor,
        lines=lines.count(),
        total=sum(lines.values_list("amount", flat=True)),
    )
    Payment.objects.filter(pk__in=ids).update(declaration=declaration)
    audit.record(
        actor=actor,
        action="insurance.declared",
        instance=declaration,
        before=None,
        after=audit.snapshot(declaration),
        unit_path=unit.path,
    )
    return declaration


def declaration_rows(declaration: Declaration) -> list[PaymentLine]:
    """The lines of a declaration in the order of the agency's list."""
    return list(
        PaymentLine.objects.filter(payment__declaration=declaration)
        .select_related("participant__commune", "payment__point")
        .order_by("payment__point__name", "participant__hamlet", "participant__name", "period_from")
    )


def _match(
    rows: list[ParsedRow], lines: list[PaymentLine]
) -> tuple[dict[int, PaymentLine], list[RowError]]:
    by_key = {(ln.participant.citizen_id, ln.period_from): ln for ln in lines}
    found: dict[int, PaymentLine] = {}
    errors: list[RowError] = []
    for row in rows:
        line = by_key.get((row.values["citizen_id"], row.values["period_from"]))
        if line is None:
            errors.append(
                RowError(
                    row.number,
                    str(CONFIRMATION_COLUMNS[0].header),
                    _("Không có người này với kỳ đóng từ ngày đó trong danh sách kê khai."),
                )
            )
        else:
            found[row.number] = line
    return found, errors


def _si_number(row: ParsedRow, line: PaymentLine) -> RowError | None:
    number = (row.values.get("si_number") or "").strip()
    if not number:
        return None
    if not (number.isdigit() and len(number) == 10):
        return RowError(
            row.number, str(CONFIRMATION_COLUMNS[1].header), _("Mã số BHXH gồm đúng 10 chữ số.")
        )
    other = Participant.objects.filter(si_number=number).exclude(pk=line.participant_id).first()
    if other is not None:
        return RowError(
            row.number,
            str(CONFIRMATION_COLUMNS[1].header),
            _("Mã số BHXH này đã thuộc người khác (%(name)s).") % {"name": other.name},
        )
    return None


@transaction.atomic
def confirm_declaration(
    *, actor: User, declaration: Declaration, source: Any
) -> ConfirmationResult:
    """Read the agency's answer: each line confirmed (with its social-insurance number) or
    refused with a reason; every row must be a line of the list, or nothing is written."""
    require(
        actor,
        "insurance.confirm",
        Target(path=declaration.unit.path, agency_id=declaration.scheme.agency_id),
    )
    rows, errors = read_rows(_Confirmation(), source)
    result = ConfirmationResult(errors=errors)
    if errors or not rows:
        if not rows and not errors:
            result.errors.append(RowError(0, "", _("Tệp không có dòng dữ liệu nào.")))
        return result
    found, errors = _match(rows, declaration_rows(declaration))
    errors += [
        e for row in rows if row.number in found and (e := _si_number(row, found[row.number]))
    ]
    if errors:
        result.errors = sorted(errors, key=lambda e: e.row)
        return result
    for row in rows:
        _apply(row, found[row.number], result)
    declaration.state = Declaration.State.CONFIRMED
    declaration.confirmed_at = clock.now()
    declaration.confirmed_by = actor
    declaration.save(update_fields=["state", "confirmed_at", "confirmed_by", "updated_at"])
    audit.record(
        actor=actor,
        action="insurance.confirmed",
        instance=declaration,
        before={"state": "sent"},
        after={"state": "confirmed", "confirmed": result.confirmed, "refused": result.refused},
        unit_path=declaration.unit.path,
    )
    return result


def _apply(row: ParsedRow, line: PaymentLine, result: ConfirmationResult) -> None:
    if row.values["result"] == ACCEPTED:
        line.state = PaymentLine.State.CONFIRMED
        result.confirmed += 1
        number = (row.values.get("si_number") or "").strip()
        if number and not line.participant.si_number:
            Participant.objects.filter(pk=line.participant_id).update(si_number=number)
    else:
        line.state = PaymentLine.State.REJECTED
        result.refused += 1
    line.note = (row.values.get("reason") or "")[:200]
    line.save(update_fields=["state", "note"])
