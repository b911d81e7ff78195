"""A dossier's life: the steps it may take, one step at a time, and the agency's appointment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from buudien.core import audit, clock, journal, permissions
from buudien.core.errors import DomainError
from buudien.core.notify import notify
from buudien.core.permissions import Target
from buudien.core.text import fold
from buudien.dossiers.calendar import add_working_days
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import Dossier, DossierEvent, Place, Status
from buudien.dossiers.services.rollups import count_returned

if TYPE_CHECKING:
    from buudien.core.models import User

S = Status


@dataclass(frozen=True)
class Step:
    """One transition: the states it starts from, where it leads, where the dossier then is."""

    sources: frozenset[str]
    target: str
    place: str
    label: str  # a msgid: show it through gettext
    by_agency: bool = False


TRANSITIONS: dict[str, Step] = {
    "send": Step(
        frozenset({S.RECEIVED, S.SUPPLEMENTED}),
        S.IN_TRANSIT,
        Place.TRANSIT,
        gettext_noop("Chuyển đến cơ quan"),
    ),
    "hand_over": Step(
        frozenset({S.IN_TRANSIT}),
        S.AT_AGENCY,
        Place.AGENCY,
        gettext_noop("Cơ quan xác nhận đã nhận"),
        by_agency=True,
    ),
    "request_supplement": Step(
        frozenset({S.AT_AGENCY}),
        S.SUPPLEMENT_REQUESTED,
        Place.AGENCY,
        gettext_noop("Yêu cầu bổ sung"),
        by_agency=True,
    ),
    "supplement": Step(
        frozenset({S.SUPPLEMENT_REQUESTED}),
        S.SUPPLEMENTED,
        Place.POINT,
        gettext_noop("Công dân bổ sung tại điểm"),
    ),
    "result_ready": Step(
        frozenset({S.AT_AGENCY}),
        S.RESULT_READY,
        Place.AGENCY,
        gettext_noop("Có kết quả"),
        by_agency=True,
    ),
    "reject": Step(
        frozenset({S.AT_AGENCY}),
        S.REJECTED,
        Place.AGENCY,
        gettext_noop("Từ chối giải quyết"),
        by_agency=True,
    ),
    "collect": Step(
        frozenset({S.RESULT_READY, S.REJECTED}),
        S.RESULT_COLLECTED,
        Place.TRANSIT,
        gettext_noop("Bưu điện nhận kết quả"),
    ),
    "arrive": Step(
        frozenset({S.RESULT_COLLECTED}),
        S.AT_POINT,
        Place.POINT,
        gettext_noop("Kết quả về đến điểm"),
    ),
    "dispatch": Step(
        frozenset({S.AT_POINT, S.DELIVERY_FAILED}),
        S.OUT_FOR_DELIVERY,
        Place.TRANSIT,
        gettext_noop("Đi phát tại nhà"),
    ),
    "delivery_failed": Step(
        frozenset({S.OUT_FOR_DELIVERY}),
        S.DELIVERY_FAILED,
        Place.POINT,
        gettext_noop("Phát không thành công"),
    ),
    "return": Step(
        frozenset({S.AT_POINT, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED}),
        S.RETURNED,
        Place.CITIZEN,
        gettext_noop("Trả kết quả cho công dân"),
    ),
    "withdraw": Step(
        frozenset({S.RECEIVED, S.SUPPLEMENT_REQUESTED}),
        S.WITHDRAWN,
        Place.CITIZEN,
        gettext_noop("Công dân rút hồ sơ"),
    ),
}
TERMINAL = {S.RETURNED, S.WITHDRAWN}
OPEN_STATES = [s for s in S.values if s not in TERMINAL]
# Steps taken for a whole hand-over slip at once, never one dossier at a time.
BATCH_STEPS = frozenset({"send", "hand_over", "collect", "arrive"})
POST_STEPS = [n for n, s in TRANSITIONS.items() if not s.by_agency and n not in BATCH_STEPS]
AGENCY_STEPS = [n for n, s in TRANSITIONS.items() if s.by_agency and n not in BATCH_STEPS]


def step_rule(action: str) -> str:
    """The matrix's action for a step: the agency's own steps, or the post's."""
    step = TRANSITIONS.get(action)
    return "dossiers.agency_step" if step is not None and step.by_agency else "dossiers.post_step"


def target_of(d: Dossier) -> Target:
    """A dossier lives at its point, and belongs to the agency that settles it."""
    return Target(path=d.point.path, agency_id=d.agency_id)


def allowed_actions(dossier: Dossier) -> list[str]:
    """The steps a dossier can take from where it is now."""
    return [name for name, step in TRANSITIONS.items() if dossier.status in step.sources]


def record_event(
    dossier: Dossier,
    *,
    actor: User | None,
    action: str,
    from_status: str,
    note: str = "",
    where: str = "",
) -> DossierEvent:
    """One line of the dossier's history, as the citizen's look-up and the slip show it."""
    return DossierEvent.objects.create(
        dossier=dossier,
        at=clock.now(),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        place=dossier.place,
        where=where,
        note=note,
    )


@journal.operation("dossiers.transition")
@transaction.atomic
def transition(
    *,
    dossier: Dossier,
    actor: User,
    action: str,
    expected_version: int | None = None,
    note: str = "",
    **data: Any,
) -> Dossier:
    """Move a dossier one step along its life, or refuse with the reason."""
    step = TRANSITIONS.get(action)
    if step is None or action in BATCH_STEPS:
        why = _("Bước này ghi theo biên bản giao nhận.") if step else _("Thao tác không hợp lệ.")
        raise DossierError(why, code=DossierCode.TRANSITION_NOT_ALLOWED, field="action")
    locked = (
        Dossier.objects.select_for_update()
        .select_related("point", "procedure", "agency")
        .get(pk=dossier.pk)
    )
    permissions.require(actor, step_rule(action), target_of(locked))
    if expected_version is not None and locked.version != expected_version:
        raise DossierError(
            _("Hồ sơ %(code)s vừa được người khác cập nhật (hiện: %(state)s). Hãy tải lại trang.")
            % {"code": locked.code, "state": locked.get_status_display()},
            code=DossierCode.STALE,
            field="version",
        )
    if locked.status not in step.sources:
        raise DossierError(
            _("Không thể «%(step)s» khi hồ sơ đang ở trạng thái «%(state)s».")
            % {"step": _(step.label), "state": locked.get_status_display()},
            code=DossierCode.TRANSITION_NOT_ALLOWED,
        )
    before = audit.snapshot(locked)
    where = locked.agency.name if step.place == Place.AGENCY else locked.point.name
    take_step(locked, actor=actor, action=action, data=data, note=note, where=where)
    audit.record(
        actor=actor,
        action=f"dossiers.{action}",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.point.path,
        note=note,
    )
    return locked


def take_step(
    locked: Dossier, *, actor: User, action: str, data: dict[str, Any], note: str, where: str = ""
) -> None:
    """One step on a locked dossier whose state allows it: what the step records, its new
    state and place, a line of history, and the citizen's message."""
    step = TRANSITIONS[action]
    previous = locked.status
    _STEP_DATA.get(action, _next_working_day)(locked, data, clock.today())
    locked.status, locked.place = step.target, step.place
    if step.target in TERMINAL:
        locked.step_due = None
    locked.version += 1
    locked.save()
    if step.target == S.RETURNED:
        count_returned(locked)
    record_event(locked, actor=actor, action=action, from_status=previous, note=note, where=where)
    _notify(locked, action)


def _hand_over(d: Dossier, data: dict[str, Any], today: dt.date) -> None:
    d.agency_receipt_no = str(data.get("receipt_no", ""))[:40]
    d.appointment_date = data.get("appointment_date")
    d.step_due = d.appointment_date or d.due_date


def _request_supplement(d: Dossier, data: dict[str, Any], today: dt.date) -> None:
    what = str(data.get("what", "")).strip()
    if not what:
        raise DomainError(_("Cần ghi rõ giấy tờ phải bổ sung."), field="what")
    d.supplement_note = what
    d.supplement_due = data.get("by") or add_working_days(today, 5)
    d.step_due = d.supplement_due


def _reject(d: Dossier, data: dict[str, Any], today: dt.date) -> None:
    if not str(data.get("reason", "")).strip():
        raise DomainError(_("Cần ghi lý do từ chối."), field="reason")
    d.step_due = add_working_days(today, 1)


def _delivery_failed(d: Dossier, data: dict[str, Any], today: dt.date) -> None:
    if not str(data.get("reason", "")).strip():
        raise DomainError(_("Cần ghi lý do phát không thành công."), field="reason")
    d.step_due = data.get("next_attempt") or add_working_days(today, 1)


def _return(d: Dossier, data: dict[str, Any], today: dt.date) -> None:
    receiver = str(data.get("receiver", "")).strip()
    if not receiver:
        raise DomainError(_("Cần ghi người nhận kết quả."), field="receiver")
    d.returned_to = receiver[:200]
    d.returned_at = clock.now()


def _next_working_day(d: Dossier, data: dict[str, Any], today: dt.date) -> None:
    d.step_due = add_working_days(today, 1)


def _no_data(d: Dossier, data: dict[str, Any], today: dt.date) -> None:
    """Sending and withdrawing record nothing but the step itself."""


# What each step records beside its state; the others give the next step one working day.
_STEP_DATA: dict[str, Callable[[Dossier, dict[str, Any], dt.date], None]] = {
    "hand_over": _hand_over,
    "request_supplement": _request_supplement,
    "reject": _reject,
    "delivery_failed": _delivery_failed,
    "return": _return,
    "send": _no_data,
    "withdraw": _no_data,
}


def _notify(d: Dossier, action: str) -> None:
    messages = {
        "result_ready": "Ho so {code} ({proc}) da co ket qua. Buu dien se tra tai {where}.",
        "request_supplement": "Ho so {code} can bo sung: {what}. Han: {by}. Lien he {where}.",
        "dispatch": "Ho so {code}: ket qua dang duoc phat den nha ong/ba hom nay.",
        "arrive": "Ket qua ho so {code} da ve {where}. Moi ong/ba den nhan.",
    }
    template = messages.get(action)
    if template is None:
        return
    body = template.format(
        code=d.code,
        proc=fold(d.procedure.name),
        where=fold(d.point.name),
        what=fold(d.supplement_note),
        by=d.supplement_due.strftime("%d/%m/%Y") if d.supplement_due else "",
    )
    notify(to=d.phone, body=body, topic=f"dossier.{action}", ref=d.code)


@transaction.atomic
def record_appointment(
    *, dossier: Dossier, actor: User, appointment_date: dt.date, receipt_no: str = ""
) -> Dossier:
    """The agency records (or moves) its appointment date for a dossier it holds."""
    locked = (
        Dossier.objects.select_for_update().select_related("point", "agency").get(pk=dossier.pk)
    )
    permissions.require(actor, "dossiers.agency_step", target_of(locked))
    if locked.place != Place.AGENCY:
        raise DossierError(
            _("Chỉ ghi ngày hẹn khi hồ sơ đang ở cơ quan."), code=DossierCode.TRANSITION_NOT_ALLOWED
        )
    before = audit.snapshot(locked)
    locked.appointment_date = appointment_date
    locked.step_due = appointment_date
    if receipt_no:
        locked.agency_receipt_no = receipt_no[:40]
    locked.version += 1
    locked.save()
    record_event(
        locked,
        actor=actor,
        action="appointment",
        from_status=locked.status,
        note=_("Hẹn ngày %(day)s") % {"day": appointment_date.strftime("%d/%m/%Y")},
        where=locked.agency.name,
    )
    audit.record(
        actor=actor,
        action="dossiers.appointment_recorded",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.point.path,
    )
    return locked
