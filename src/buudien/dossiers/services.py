"""Every write on dossiers: intake, the state machine, hand-over batches, complaints."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from buudien.core import audit
from buudien.core.errors import DomainError, Forbidden
from buudien.core.ids import normalise_phone, parse_citizen_id
from buudien.core.models import Role, User
from buudien.core.notify import notify
from buudien.core.scoping import ensure_in_scope, scope_of
from buudien.core.text import build_search_text
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.dossiers.calendar import add_working_days
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import (
    Batch,
    BatchItem,
    Complaint,
    Dossier,
    DossierDocument,
    DossierEvent,
    Place,
    Procedure,
    RequiredDocument,
    Status,
)

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


def allowed_actions(dossier: Dossier) -> list[str]:
    return [name for name, step in TRANSITIONS.items() if dossier.status in step.sources]


@dataclass(frozen=True)
class DocumentIn:
    required_id: int | None
    name: str
    form: str
    count: int


def _new_code(day: dt.date) -> str:
    """HS + yymmdd + 6 random digits: short to read out, impossible to guess in sequence."""
    while True:
        code = f"HS{day:%y%m%d}{secrets.randbelow(10**6):06d}"
        if not Dossier.objects.filter(code=code).exists():
            return code


def _check_documents(procedure: Procedure, documents: Sequence[DocumentIn]) -> None:
    given = {d.required_id: d for d in documents if d.required_id}
    missing = []
    for req in procedure.documents.all():
        got = given.get(req.pk)
        if req.required and (got is None or got.count < 1):
            missing.append(f"{req.name} ({req.get_form_display().lower()}, {req.copies} bản)")
            continue
        if got is None:
            continue
        if req.form == RequiredDocument.Form.ORIGINAL and got.form != "original":
            missing.append(f"{req.name}: cần bản chính")
        elif got.count < req.copies:
            missing.append(f"{req.name}: cần {req.copies} bản, mới có {got.count}")
    if missing:
        raise DossierError(
            _("Hồ sơ chưa đủ giấy tờ. Công dân cần mang thêm: %(list)s.")
            % {"list": "; ".join(missing)},
            code=DossierCode.MISSING_DOCUMENT,
            field="documents",
        )


def _event(
    dossier: Dossier,
    *,
    actor: User | None,
    action: str,
    from_status: str,
    note: str = "",
    where: str = "",
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        at=timezone.now(),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        place=dossier.place,
        where=where,
        note=note,
    )


@transaction.atomic
def intake(
    *,
    clerk: User,
    session: CounterSession,
    procedure: Procedure,
    citizen_name: str,
    citizen_id: str,
    phone: str,
    address: str,
    documents: Sequence[DocumentIn],
    channel: str = Dossier.Channel.COUNTER,
    home_delivery: bool = False,
    representative_name: str = "",
    representative_id: str = "",
    received_at: dt.datetime | None = None,
    request_key: str = "",
) -> Dossier:
    """Take in a complete dossier, post its fees in the clerk's session, promise a date."""
    point = session.unit
    ensure_in_scope(clerk, point.path)
    if request_key:
        earlier = Dossier.objects.filter(note__startswith=f"[{request_key}]").first()
        if earlier is not None:
            return earlier
    if not procedure.is_active or not procedure.intake_by_post:
        raise DossierError(
            _("Thủ tục %(name)s không nhận hồ sơ qua bưu điện.") % {"name": procedure.name},
            code=DossierCode.NOT_BY_POST,
            field="procedure",
        )
    if not citizen_name.strip():
        raise DomainError(_("Cần ghi họ tên công dân."), field="citizen_name")
    cid = parse_citizen_id(citizen_id).number
    phone_n = normalise_phone(phone)
    rep_id = ""
    if representative_name.strip():
        try:
            rep_id = parse_citizen_id(representative_id).number
        except DomainError as exc:
            raise DomainError(
                _("CCCD người nộp thay: ") + exc.message, field="representative_id"
            ) from exc
    _check_documents(procedure, documents)
    now = received_at or timezone.now()
    day = timezone.localtime(now).date()
    due = add_working_days(day, procedure.processing_days)
    dossier = Dossier.objects.create(
        code=_new_code(day),
        procedure=procedure,
        agency=procedure.agency,
        point=point,
        channel=channel,
        home_delivery=home_delivery,
        citizen_name=citizen_name.strip(),
        citizen_id=cid,
        phone=phone_n,
        address=address.strip(),
        representative_name=representative_name.strip(),
        representative_id=rep_id,
        status=S.RECEIVED,
        place=Place.POINT,
        received_at=now,
        received_by=clerk,
        due_date=due,
        step_due=add_working_days(day, 1),
        note=f"[{request_key}]" if request_key else "",
        search_text=build_search_text(citizen_name, procedure.name),
    )
    DossierDocument.objects.bulk_create(
        DossierDocument(
            dossier=dossier, required_id=d.required_id, name=d.name, form=d.form, count=d.count
        )
        for d in documents
        if d.count > 0
    )
    fees: list[tuple[str, int | None]] = [("BC-HCC", None)]
    if procedure.agency_fee:
        fees.append(("TC-PHIHC", procedure.agency_fee))
    if channel == Dossier.Channel.HOME:
        fees.append(("BC-HCC-NHA", None))
    if home_delivery:
        fees.append(("BC-HCC-NHA", None))
    counter_services.post_entries(
        session=session,
        clerk=clerk,
        requests=[
            counter_services.EntryRequest(
                idempotency_key=f"dossier:{dossier.pk}:{i}",
                service_code=code,
                amount=amount,
                customer_name=dossier.citizen_name,
                customer_phone=phone_n,
                source_type="dossier",
                source_id=str(dossier.pk),
            )
            for i, (code, amount) in enumerate(fees)
        ],
    )
    _event(
        dossier,
        actor=clerk,
        action="intake",
        from_status="",
        where=point.name,
        note=_("Tiếp nhận %(n)s giấy tờ") % {"n": sum(d.count for d in documents)},
    )
    audit.record(
        actor=clerk,
        action="dossiers.received",
        instance=dossier,
        before=None,
        after=audit.snapshot(dossier),
        unit_path=point.path,
    )
    return dossier


def _check_actor(actor: User, dossier: Dossier, step: Step) -> None:
    scope = scope_of(actor)
    if step.by_agency and actor.role == Role.PARTNER_OFFICER:
        if scope.partner_id != dossier.agency_id:
            raise Forbidden(_("Hồ sơ này không thuộc cơ quan của bạn."))
        return
    if actor.role in {Role.PARTNER_OFFICER, Role.AUDITOR}:
        raise Forbidden(_("Vai trò của bạn không thực hiện được bước này."))
    ensure_in_scope(actor, dossier.point.path)


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
    if step is None:
        raise DossierError(_("Thao tác không hợp lệ."), code=DossierCode.TRANSITION_NOT_ALLOWED)
    locked = (
        Dossier.objects.select_for_update().select_related("point", "procedure").get(pk=dossier.pk)
    )
    _check_actor(actor, locked, step)
    if expected_version is not None and locked.version != expected_version:
        raise DossierError(
            _("Hồ sơ %(code)s vừa được người khác cập nhật (hiện: %(state)s). Hãy tải lại trang.")
            % {"code": locked.code, "state": locked.get_status_display()},
            code=DossierCode.STALE,
        )
    if locked.status not in step.sources:
        raise DossierError(
            _("Không thể «%(step)s» khi hồ sơ đang ở trạng thái «%(state)s».")
            % {"step": _(step.label), "state": locked.get_status_display()},
            code=DossierCode.TRANSITION_NOT_ALLOWED,
        )
    before = audit.snapshot(locked)
    previous = locked.status
    today = timezone.localdate()
    _apply_data(locked, action, data, today)
    locked.status = step.target
    locked.place = step.place
    locked.version += 1
    if step.target in TERMINAL:
        locked.step_due = None
    locked.save()
    where = locked.agency.name if step.place == Place.AGENCY else locked.point.name
    _event(locked, actor=actor, action=action, from_status=previous, note=note, where=where)
    audit.record(
        actor=actor,
        action=f"dossiers.{action}",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.point.path,
        note=note,
    )
    _notify(locked, action)
    return locked


def _apply_data(d: Dossier, action: str, data: dict[str, Any], today: dt.date) -> None:
    if action == "hand_over":
        d.agency_receipt_no = str(data.get("receipt_no", ""))[:40]
        appointment = data.get("appointment_date")
        d.appointment_date = appointment
        d.step_due = appointment or d.due_date
    elif action == "request_supplement":
        what = str(data.get("what", "")).strip()
        if not what:
            raise DomainError(_("Cần ghi rõ giấy tờ phải bổ sung."), field="what")
        d.supplement_note = what
        d.supplement_due = data.get("by") or add_working_days(today, 5)
        d.step_due = d.supplement_due
    elif action == "supplement":
        d.step_due = add_working_days(today, 1)
    elif action in {"result_ready", "reject"}:
        if action == "reject" and not str(data.get("reason", "")).strip():
            raise DomainError(_("Cần ghi lý do từ chối."), field="reason")
        d.step_due = add_working_days(today, 1)
    elif action in {"collect", "arrive", "dispatch"}:
        d.step_due = add_working_days(today, 1)
    elif action == "delivery_failed":
        if not str(data.get("reason", "")).strip():
            raise DomainError(_("Cần ghi lý do phát không thành công."), field="reason")
        d.step_due = data.get("next_attempt") or add_working_days(today, 1)
    elif action == "return":
        receiver = str(data.get("receiver", "")).strip()
        if not receiver:
            raise DomainError(_("Cần ghi người nhận kết quả."), field="receiver")
        d.returned_to = receiver[:200]
        d.returned_at = timezone.now()


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
    from buudien.core.text import fold

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
    locked = Dossier.objects.select_for_update().select_related("point").get(pk=dossier.pk)
    _check_actor(actor, locked, TRANSITIONS["result_ready"])
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
    _event(
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


@transaction.atomic
def open_batch(
    *, actor: User, unit: Any, agency: Any, direction: str, dossiers: Sequence[Dossier]
) -> Batch:
    """A hand-over slip listing each dossier and its document count."""
    ensure_in_scope(actor, unit.path)
    want: set[str] = {
        Batch.Direction.TO_AGENCY.value: {S.RECEIVED.value, S.SUPPLEMENTED.value},
        Batch.Direction.FROM_AGENCY.value: {S.RESULT_READY.value, S.REJECTED.value},
    }[str(direction)]
    if not dossiers:
        raise DossierError(_("Biên bản cần ít nhất một hồ sơ."), code=DossierCode.BATCH_INVALID)
    for d in dossiers:
        if d.agency_id != agency.pk or d.status not in want or d.batch_id is not None:
            raise DossierError(
                _(
                    "Hồ sơ %(code)s không đưa vào biên bản này được (cơ quan khác, trạng thái "
                    "«%(state)s» hoặc đã có trong biên bản khác)."
                )
                % {"code": d.code, "state": d.get_status_display()},
                code=DossierCode.BATCH_INVALID,
            )
        if not d.point.path.startswith(unit.path):
            raise DossierError(
                _("Hồ sơ %(code)s thuộc điểm khác.") % {"code": d.code},
                code=DossierCode.BATCH_INVALID,
            )
    prefix = "BBG" if direction == Batch.Direction.TO_AGENCY else "BBN"
    batch = Batch.objects.create(
        code=f"{prefix}{timezone.localdate():%y%m%d}{secrets.randbelow(10**5):05d}",
        direction=direction,
        unit=unit,
        agency=agency,
        created_by=actor,
    )
    counts = {d.pk: c for d, c in _document_counts(dossiers)}
    BatchItem.objects.bulk_create(
        BatchItem(batch=batch, dossier=d, documents=counts[d.pk]) for d in dossiers
    )
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(batch=batch)
    audit.record(
        actor=actor,
        action="dossiers.batch_opened",
        instance=batch,
        before=None,
        after={"dossiers": [d.code for d in dossiers]},
        unit_path=unit.path,
    )
    return batch


def _document_counts(dossiers: Sequence[Dossier]) -> list[tuple[Dossier, int]]:
    from django.db.models import Sum

    sums = dict(
        DossierDocument.objects.filter(dossier__in=dossiers)
        .values_list("dossier")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return [(d, int(sums.get(d.pk, 0))) for d in dossiers]


@transaction.atomic
def send_batch(*, actor: User, batch: Batch) -> Batch:
    """The slip leaves with its dossiers: each is now in transit."""
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    ensure_in_scope(actor, locked.unit.path)
    if locked.state != Batch.State.OPEN:
        raise DossierError(_("Biên bản đã giao."), code=DossierCode.BATCH_INVALID)
    action = "send" if locked.direction == Batch.Direction.TO_AGENCY else "collect"
    for item in locked.items.select_related("dossier"):
        _move(item.dossier, actor, action, batch=locked)
    locked.state = Batch.State.SENT
    locked.sent_at = timezone.now()
    locked.save()
    return locked


def _move(dossier: Dossier, actor: User, action: str, *, batch: Batch, **data: Any) -> None:
    step = TRANSITIONS[action]
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status not in step.sources:
        raise DossierError(
            _("Hồ sơ %(code)s đang ở trạng thái «%(state)s», không %(step)s được.")
            % {
                "code": locked.code,
                "state": locked.get_status_display(),
                "step": _(step.label).lower(),
            },
            code=DossierCode.TRANSITION_NOT_ALLOWED,
        )
    previous = locked.status
    _apply_data(locked, action, data, timezone.localdate())
    locked.status, locked.place = step.target, step.place
    locked.batch = batch if step.place == Place.TRANSIT else None
    locked.version += 1
    locked.save()
    _event(
        locked,
        actor=actor,
        action=action,
        from_status=previous,
        note=_("Biên bản %(code)s") % {"code": batch.code},
    )
    _notify(locked, action)


@transaction.atomic
def confirm_batch(
    *, actor: User, batch: Batch, receipts: dict[str, tuple[str, dt.date | None]] | None = None
) -> Batch:
    """The receiving side confirms the slip: every dossier in it is handed over at once."""
    locked = Batch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
    if locked.state != Batch.State.SENT:
        raise DossierError(
            _("Biên bản chưa giao hoặc đã được xác nhận."), code=DossierCode.BATCH_INVALID
        )
    if locked.direction == Batch.Direction.TO_AGENCY:
        if actor.role == Role.PARTNER_OFFICER:
            if scope_of(actor).partner_id != locked.agency_id:
                raise Forbidden(_("Biên bản này không gửi cơ quan của bạn."))
        else:
            ensure_in_scope(actor, locked.unit.path)
        action = "hand_over"
    else:
        ensure_in_scope(actor, locked.unit.path)
        action = "arrive"
    receipts = receipts or {}
    for item in locked.items.select_related("dossier"):
        receipt_no, appointment = receipts.get(item.dossier.code, ("", None))
        _move(
            item.dossier,
            actor,
            action,
            batch=locked,
            receipt_no=receipt_no,
            appointment_date=appointment,
        )
    locked.state = Batch.State.CONFIRMED
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = actor
    locked.save()
    audit.record(
        actor=actor,
        action="dossiers.batch_confirmed",
        instance=locked,
        before=None,
        after={"state": "confirmed"},
        unit_path=locked.unit.path,
    )
    return locked


@transaction.atomic
def file_complaint(
    *, actor: User, dossier: Dossier, kind: str, description: str, interprovincial: bool = False
) -> Complaint:
    """A complaint with its deadline: 5 working days in the province, 7 between provinces."""
    ensure_in_scope(actor, dossier.point.path)
    if not description.strip():
        raise DomainError(_("Cần ghi nội dung khiếu nại."), field="description")
    now = timezone.now()
    complaint = Complaint.objects.create(
        dossier=dossier,
        kind=kind,
        description=description.strip(),
        interprovincial=interprovincial,
        received_at=now,
        created_by=actor,
        due_date=add_working_days(timezone.localtime(now).date(), 7 if interprovincial else 5),
    )
    audit.record(
        actor=actor,
        action="dossiers.complaint_filed",
        instance=complaint,
        before=None,
        after=audit.snapshot(complaint),
        unit_path=dossier.point.path,
    )
    return complaint


@transaction.atomic
def resolve_complaint(
    *, actor: User, complaint: Complaint, resolution: str, compensation: int = 0
) -> Complaint:
    ensure_in_scope(actor, complaint.dossier.point.path)
    if not resolution.strip():
        raise DomainError(_("Cần ghi kết quả giải quyết."), field="resolution")
    if compensation < 0:
        raise DomainError(_("Tiền bồi thường không được âm."), field="compensation")
    before = audit.snapshot(complaint)
    complaint.resolution = resolution.strip()
    complaint.compensation = compensation
    complaint.resolved_at = timezone.now()
    complaint.save()
    audit.record(
        actor=actor,
        action="dossiers.complaint_resolved",
        instance=complaint,
        before=before,
        after=audit.snapshot(complaint),
        unit_path=complaint.dossier.point.path,
    )
    return complaint
