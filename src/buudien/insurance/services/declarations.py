"""The agency's paperwork: the declaration list of the payments not yet declared (in the
agency's layout, D05-TS for voluntary social insurance, D03-TS for household health
insurance), and its confirmation read back from the agency's Excel, all rows or none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock
from buudien.core.excel import ParsedRow, RowError, cell_error, read_rows
from buudien.core.permissions import Target, require
from buudien.core.text import build_search_text
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.importers import (
    ACCEPTED,
    CID,
    SI,
    SI_DIGITS,
    Confirmation,
)
from buudien.insurance.models import (
    Declaration,
    Participant,
    Payment,
    PaymentLine,
    Scheme,
)
from buudien.insurance.selectors import rules as rule_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

NUMBER_TRIES = 5


@dataclass
class ConfirmationResult:
    """What an import of the agency's answer did: lines confirmed, refused, social-insurance
    numbers given to people who had none, or the errors that stopped it."""

    confirmed: int = 0
    refused: int = 0
    numbers: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- the list -----------------------------------------------------------------------------


def _number(scheme: Scheme, unit: PostUnit) -> str:
    """The next list number of the day for the scheme and the unit: D05-TS-VHX01-20261120-01."""
    day = timezone.localdate(clock.now())
    prefix = f"{scheme.declaration_form or 'DS'}-{unit.code}-{day:%Y%m%d}-"
    taken = Declaration.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    last = max((int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{last + 1:02d}"


def _create(scheme: Scheme, unit: PostUnit, actor: User, ids: list[Any]) -> Declaration:
    """The list with its number; a number taken meanwhile by another list gives the next."""
    lines = PaymentLine.objects.filter(payment_id__in=ids)
    totals = lines.aggregate(total=Sum("amount"))
    for _attempt in range(NUMBER_TRIES):
        try:
            with transaction.atomic():
                return Declaration.objects.create(
                    number=_number(scheme, unit),
                    scheme=scheme,
                    unit=unit,
                    made_by=actor,
                    lines=lines.count(),
                    total=totals["total"] or 0,
                )
        except IntegrityError:
            continue
    raise InsuranceError(
        _("Số danh sách vừa được dùng; hãy thử lại."),
        code=InsuranceCode.DECLARATION,
        field="scheme",
    )


@transaction.atomic
def make_declaration(*, actor: User, unit: PostUnit, scheme_code: str) -> Declaration:
    """Gather the payments of a scheme taken under a unit and not yet declared into one list."""
    require(actor, "insurance.declare", Target(path=unit.path))
    scheme = rule_selectors.chosen_scheme(scheme_code)
    pending = Payment.objects.select_for_update().filter(
        scheme=scheme, declaration__isnull=True, point__path__startswith=unit.path
    )
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        raise InsuranceError(
            _("Không còn lần đóng %(scheme)s nào chưa kê khai tại %(unit)s.")
            % {"scheme": scheme.name, "unit": unit.name},
            code=InsuranceCode.DECLARATION,
            field="scheme",
        )
    declaration = _create(scheme, unit, actor, ids)
    Payment.objects.filter(pk__in=ids, declaration__isnull=True).update(declaration=declaration)
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
        .select_related("participant__commune", "participant__household", "payment__point")
        .order_by("payment__point__name", "participant__hamlet", "participant__name", "period_from")
    )


# --- the agency's answer ------------------------------------------------------------------


def _match(
    rows: list[ParsedRow], lines: list[PaymentLine]
) -> tuple[dict[int, PaymentLine], list[RowError]]:
    """Each row's line of the list, by the person's citizen id and the first day paid for."""
    by_key = {(ln.participant.citizen_id, ln.period_from): ln for ln in lines}
    found: dict[int, PaymentLine] = {}
    errors: list[RowError] = []
    for row in rows:
        line = by_key.get((row.values["citizen_id"], row.values["period_from"]))
        if line is None:
            reason = _("không có người này với kỳ đóng từ ngày đó trong danh sách kê khai.")
            errors.append(cell_error(row.number, CID, reason))
        else:
            found[row.number] = line
    return found, errors


def _si_text(row: ParsedRow) -> str:
    """The number as written; Excel drops the leading zero of a number typed as a number
    (province codes 01-09), so nine digits are read with it."""
    number = str(row.values.get("si_number") or "").strip()
    return number.zfill(SI_DIGITS) if number.isdigit() and len(number) == SI_DIGITS - 1 else number


def _si_error(number: str, line: PaymentLine, owners: dict[str, Any]) -> str | None:
    """Why a row's social-insurance number cannot be the person's, if it cannot."""
    if not (number.isdigit() and len(number) == SI_DIGITS):
        return _("mã số BHXH gồm đúng 10 chữ số.")
    held = line.participant.si_number
    if held and held != number:
        return _("%(name)s đã có mã số BHXH %(held)s, khác mã trong tệp.") % {
            "name": line.participant.name,
            "held": held,
        }
    owner = owners.get(number)
    if owner is not None and owner != line.participant_id:
        return _("mã số BHXH này đã thuộc người khác.")
    return None


def _si_numbers(rows: list[ParsedRow], found: dict[int, PaymentLine]) -> list[RowError]:
    """Each number 10 digits, not another person's (in the database or in the file), and
    the person's own when he already has one."""
    given = {r.number: _si_text(r) for r in rows if r.number in found and _si_text(r)}
    held = Participant.objects.filter(si_number__in=set(given.values()))
    owners: dict[str, Any] = {str(n): pk for n, pk in held.values_list("si_number", "pk")}
    errors: list[RowError] = []
    for number, text in given.items():
        line = found[number]
        reason = _si_error(text, line, owners)
        if reason is None:
            owners.setdefault(text, line.participant_id)
        else:
            errors.append(cell_error(number, SI, reason))
    return errors


def _person_numbers(rows: list[ParsedRow], found: dict[int, PaymentLine]) -> list[RowError]:
    """One person, two rows, two different numbers: the file contradicts itself."""
    first: dict[Any, tuple[str, int]] = {}
    errors: list[RowError] = []
    for row in rows:
        text = _si_text(row)
        if row.number not in found or not text:
            continue
        person = found[row.number].participant_id
        seen = first.setdefault(person, (text, row.number))
        if seen[0] != text:
            reason = _("khác mã số BHXH ghi cho cùng người ở dòng %(row)s.") % {"row": seen[1]}
            errors.append(cell_error(row.number, SI, reason))
    return errors


def _check(
    declaration: Declaration, source: Any
) -> tuple[list[ParsedRow], dict[int, PaymentLine], list[RowError]]:
    """The rows, their lines, and every error of the file (none: it may be written)."""
    if source is None:
        return [], {}, [RowError(0, "", _("Hãy chọn tệp kết quả xác nhận (.xlsx)."))]
    rows, errors = read_rows(Confirmation(), source)
    if not rows:
        return rows, {}, errors or [RowError(0, "", _("Tệp không có dòng dữ liệu nào."))]
    bad = {e.row for e in errors}
    good = [row for row in rows if row.number not in bad]  # the others are incomplete
    found, missing = _match(good, declaration_rows(declaration))
    errors += missing + _si_numbers(good, found) + _person_numbers(good, found)
    return rows, found, sorted(errors, key=lambda e: e.row)


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
    locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
    rows, found, errors = _check(locked, source)
    result = ConfirmationResult(errors=errors)
    if errors:
        return result
    lines = [_answer(row, found[row.number], result) for row in rows]
    PaymentLine.objects.bulk_update(lines, ["state", "note"])
    _give_numbers(actor, rows, found, result)
    _close(actor, locked, result)
    return result


def _answer(row: ParsedRow, line: PaymentLine, result: ConfirmationResult) -> PaymentLine:
    if row.values["result"] == ACCEPTED:
        line.state = PaymentLine.State.CONFIRMED
        result.confirmed += 1
    else:
        line.state = PaymentLine.State.REJECTED
        result.refused += 1
    line.note = str(row.values.get("reason") or "")[:200]
    return line


def _give_numbers(
    actor: User, rows: list[ParsedRow], found: dict[int, PaymentLine], result: ConfirmationResult
) -> None:
    """A confirmed person without a social-insurance number gets the one the agency gave."""
    given: dict[Any, str] = {}
    for row in rows:
        line = found[row.number]
        text = _si_text(row)
        if row.values["result"] == ACCEPTED and text and not line.participant.si_number:
            given[line.participant_id] = text
    people = Participant.objects.select_for_update(of=("self",)).select_related("point")
    for person in people.filter(pk__in=list(given)):
        _give_number(actor, person, given[person.pk])
        result.numbers += 1


def _give_number(actor: User, person: Participant, number: str) -> None:
    before = audit.snapshot(person)
    person.si_number = number
    person.search_text = build_search_text(person.name, person.citizen_id, number, person.hamlet)
    person.version += 1
    try:
        with transaction.atomic():
            person.save(update_fields=["si_number", "search_text", "version", "updated_at"])
    except IntegrityError:
        raise InsuranceError(
            _("Mã số BHXH %(n)s vừa được ghi cho người khác; hãy nhập lại tệp.") % {"n": number},
            code=InsuranceCode.DUPLICATE,
            field="si_number",
        ) from None
    audit.record(
        actor=actor,
        action="insurance.si_number_given",
        instance=person,
        before=before,
        after=audit.snapshot(person),
        unit_path=person.point.path,
    )


def _close(actor: User, declaration: Declaration, result: ConfirmationResult) -> None:
    """The list is confirmed once every line has the agency's answer."""
    before = {"state": declaration.state}
    waiting = PaymentLine.objects.filter(
        payment__declaration=declaration, state=PaymentLine.State.PAID
    ).exists()
    if not waiting:
        declaration.state = Declaration.State.CONFIRMED
    declaration.confirmed_at = clock.now()
    declaration.confirmed_by = actor
    declaration.save(update_fields=["state", "confirmed_at", "confirmed_by", "updated_at"])
    audit.record(
        actor=actor,
        action="insurance.confirmed",
        instance=declaration,
        before=before,
        after={
            "state": declaration.state,
            "confirmed": result.confirmed,
            "refused": result.refused,
            "si_numbers": result.numbers,
        },
        unit_path=declaration.unit.path,
    )
