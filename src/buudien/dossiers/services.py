"""Every write on dossiers: intake, the state machine, hand-over batches, complaints."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from buudien.core import audit, permissions
from buudien.core.errors import DomainError
from buudien.core.excel import ImportReport, run_import
from buudien.core.ids import normalise_phone, parse_citizen_id
from buudien.core.models import User
from buudien.core.notify import notify
from buudien.core.permissions import Target
from buudien.core.text import build_search_text, fold
from buudien.core.uploads import check_upload
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.dossiers.calendar import add_working_days
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.importers import ProcedureImport
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

if TYPE_CHECKING:
    from buudien.network.models import Partner, PostUnit

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
SLIP_KINDS = ("pdf", "jpg", "png")
FORMS = frozenset({RequiredDocument.Form.ORIGINAL.value, RequiredDocument.Form.COPY.value})
MAX_COPIES = 99
MAX_COMPENSATION = 1_000_000_000


def step_rule(action: str) -> str:
    """The matrix's action for a step: the agency's own steps, or the post's."""
    step = TRANSITIONS.get(action)
    return "dossiers.agency_step" if step is not None and step.by_agency else "dossiers.post_step"


def target_of(d: Dossier) -> Target:
    return Target(path=d.point.path, agency_id=d.agency_id)


def batch_target(b: Batch) -> Target:
    return Target(path=b.unit.path, agency_id=b.agency_id)


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
    known = {r.pk for r in procedure.documents.all()}
    for d in documents:
        if (d.required_id and d.required_id not in known) or d.form not in FORMS:
            raise DomainError(
                _("Giấy tờ «%(name)s» không hợp lệ.") % {"name": d.name[:60]}, field="documents"
            )
        if not 0 <= d.count <= MAX_COPIES:
            raise DomainError(
                _("Số bản của «%(name)s» phải từ 0 đến %(max)s.")
                % {"name": d.name[:60], "max": MAX_COPIES},
                field="documents",
            )
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
    permissions.require(clerk, "dossiers.intake", Target(path=point.path))
    if request_key:
        earlier = Dossier.objects.filter(
            point=point, received_by=clerk, note__startswith=f"[{request_key}]"
        ).first()
        if earlier is not None:
            return earlier
    if channel not in Dossier.Channel.values:
        raise DomainError(_("Kênh tiếp nhận không hợp lệ."), field="channel")
    if not procedure.is_active or not procedure.intake_by_post:
        raise DossierError(
            _("Thủ tục %(name)s không nhận hồ sơ qua bưu điện.") % {"name": procedure.name},
            code=DossierCode.NOT_BY_POST,
            field="procedure",
        )
    cid, phone_n, rep_id = _check_citizen(
        citizen_name=citizen_name,
        citizen_id=citizen_id,
        phone=phone,
        address=address,
        representative_name=representative_name,
        representative_id=representative_id,
    )
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
    _post_fees(dossier, session=session, clerk=clerk)
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


def _check_citizen(
    *,
    citizen_name: str,
    citizen_id: str,
    phone: str,
    address: str,
    representative_name: str,
    representative_id: str,
) -> tuple[str, str, str]:
    """The citizen's id, phone and representative's id, checked; each error names its field."""
    if not citizen_name.strip():
        raise DomainError(_("Cần ghi họ tên công dân."), field="citizen_name")
    for field, value, limit in (
        ("citizen_name", citizen_name, 200),
        ("address", address, 300),
        ("representative_name", representative_name, 200),
    ):
        if len(value.strip()) > limit:
            raise DomainError(_("Tối đa %(n)s ký tự.") % {"n": limit}, field=field)
    cid = parse_citizen_id(citizen_id).number
    phone_n = normalise_phone(phone)
    if not representative_name.strip():
        return cid, phone_n, ""
    try:
        return cid, phone_n, parse_citizen_id(representative_id).number
    except DomainError as exc:
        raise DomainError(
            _("CCCD người nộp thay: ") + exc.message, field="representative_id"
        ) from exc


def _post_fees(dossier: Dossier, *, session: CounterSession, clerk: User) -> None:
    """The post's fee, the agency's fee and the home services, in the clerk's session."""
    fees: list[tuple[str, int | None]] = [("BC-HCC", None)]
    if dossier.procedure.agency_fee:
        fees.append(("TC-PHIHC", dossier.procedure.agency_fee))
    if dossier.channel == Dossier.Channel.HOME:
        fees.append(("BC-HCC-NHA", None))
    if dossier.home_delivery:
        fees.append(("BC-HCC-NHA", None))
    counter_services.post_entries(
        session=session,
        clerk=clerk,
        requests=[
            counter_services.EntryRequest(
                idempotency_key=f"dossier:{dossier.pk}:{i}",
                settles=f"dossier-fee:{dossier.pk}:{i}",
                service_code=code,
                amount=amount,
                customer_name=dossier.citizen_name,
                customer_phone=dossier.phone,
                source_type="dossier",
                source_id=str(dossier.pk),
            )
            for i, (code, amount) in enumerate(fees)
        ],
    )


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
    *,
    actor: User,
    agency: Partner,
    direction: str,
    dossiers: Sequence[Dossier],
    unit: PostUnit | None = None,
) -> Batch:
    """A hand-over slip listing each dossier and its document count."""
    if direction not in Batch.Direction.values:
        raise DossierError(
            _("Chiều giao nhận không hợp lệ."), code=DossierCode.BATCH_INVALID, field="direction"
        )
    if not dossiers:
        raise DossierError(
            _("Biên bản cần ít nhất một hồ sơ."), code=DossierCode.BATCH_INVALID, field="dossier"
        )
    unit = unit or _batch_unit(actor, dossiers)
    permissions.require(actor, "dossiers.batch", Target(path=unit.path, agency_id=agency.pk))
    _check_batchable(dossiers, agency=agency, direction=direction, unit=unit)
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


def _batch_unit(actor: User, dossiers: Sequence[Dossier]) -> PostUnit:
    """The point the dossiers share, else the user's own unit."""
    points = {d.point_id for d in dossiers}
    if len(points) == 1:
        return dossiers[0].point
    if actor.home_unit is None:
        raise DomainError(_("Tài khoản chưa gắn với đơn vị."), field="dossier")
    return actor.home_unit


def _check_batchable(
    dossiers: Sequence[Dossier], *, agency: Partner, direction: str, unit: PostUnit
) -> None:
    want: set[str] = {
        Batch.Direction.TO_AGENCY.value: {S.RECEIVED.value, S.SUPPLEMENTED.value},
        Batch.Direction.FROM_AGENCY.value: {S.RESULT_READY.value, S.REJECTED.value},
    }[direction]
    for d in dossiers:
        if d.agency_id != agency.pk or d.status not in want or d.batch_id is not None:
            raise DossierError(
                _(
                    "Hồ sơ %(code)s không đưa vào biên bản này được (cơ quan khác, trạng thái "
                    "«%(state)s» hoặc đã có trong biên bản khác)."
                )
                % {"code": d.code, "state": d.get_status_display()},
                code=DossierCode.BATCH_INVALID,
                field="dossier",
            )
        if not d.point.path.startswith(unit.path):
            raise DossierError(
                _("Hồ sơ %(code)s thuộc điểm khác.") % {"code": d.code},
                code=DossierCode.BATCH_INVALID,
                field="dossier",
            )


def _document_counts(dossiers: Sequence[Dossier]) -> list[tuple[Dossier, int]]:
    sums = dict(
        DossierDocument.objects.filter(dossier__in=dossiers)
        .values_list("dossier")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return [(d, int(sums.get(d.pk, 0))) for d in dossiers]


def _lock_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().select_related("unit", "agency").get(pk=batch.pk)


@transaction.atomic
def send_batch(*, actor: User, batch: Batch) -> Batch:
    """The slip leaves with its dossiers: each is now in transit."""
    locked = _lock_batch(batch)
    permissions.require(actor, "dossiers.batch", batch_target(locked))
    if locked.state != Batch.State.OPEN:
        raise DossierError(_("Biên bản đã giao."), code=DossierCode.BATCH_ALREADY_SETTLED)
    action = "send" if locked.direction == Batch.Direction.TO_AGENCY else "collect"
    for item in locked.items.select_related("dossier"):
        _move(item.dossier, actor, action, batch=locked)
    locked.state = Batch.State.SENT
    locked.sent_at = timezone.now()
    locked.save()
    audit.record(
        actor=actor,
        action="dossiers.batch_sent",
        instance=locked,
        before=None,
        after={"state": "sent"},
        unit_path=locked.unit.path,
    )
    return locked


def _move(dossier: Dossier, actor: User, action: str, *, batch: Batch, **data: Any) -> None:
    step = TRANSITIONS[action]
    locked = (
        Dossier.objects.select_for_update().select_related("procedure", "point").get(pk=dossier.pk)
    )
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


Receipts = dict[str, tuple[str, dt.date | None]]


@transaction.atomic
def confirm_handover(
    *, actor: User, batch: Batch, receipts: Receipts | None = None, signed_slip: Any = None
) -> Batch:
    """The agency confirms the slip it received: every dossier in it is handed over at once."""
    locked = _lock_batch(batch)
    permissions.require(actor, "dossiers.confirm_handover", batch_target(locked))
    return _confirm(locked, actor, "hand_over", receipts or {}, signed_slip)


@transaction.atomic
def confirm_arrival(*, actor: User, batch: Batch, signed_slip: Any = None) -> Batch:
    """The point confirms that the results collected from the agency arrived."""
    locked = _lock_batch(batch)
    permissions.require(actor, "dossiers.confirm_arrival", batch_target(locked))
    return _confirm(locked, actor, "arrive", {}, signed_slip)


def _confirm(locked: Batch, actor: User, action: str, receipts: Receipts, slip: Any) -> Batch:
    wanted = Batch.Direction.TO_AGENCY if action == "hand_over" else Batch.Direction.FROM_AGENCY
    if locked.direction != wanted:
        raise DossierError(
            _("Biên bản %(code)s là biên bản «%(kind)s», không xác nhận theo cách này được.")
            % {"code": locked.code, "kind": locked.get_direction_display()},
            code=DossierCode.BATCH_INVALID,
        )
    if locked.state != Batch.State.SENT:
        raise DossierError(
            _("Biên bản chưa giao hoặc đã được xác nhận."),
            code=DossierCode.BATCH_ALREADY_SETTLED,
        )
    if slip is not None:
        check_upload(slip, kinds=SLIP_KINDS, field="signed_slip")
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
    if slip is not None:
        locked.signed_slip = slip  # stored only now: allowed, checked, and every step taken
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
    permissions.require(actor, "dossiers.file_complaint", target_of(dossier))
    if kind not in Complaint.Kind.values:
        raise DomainError(_("Loại khiếu nại không hợp lệ."), field="kind")
    if not description.strip():
        raise DomainError(_("Cần ghi nội dung khiếu nại."), field="description")
    now = timezone.now()
    complaint = Complaint.objects.create(
        dossier=dossier,
        kind=kind,
        description=description.strip()[:2000],
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
    """Close a complaint with what was done and the compensation paid, exactly once."""
    locked = (
        Complaint.objects.select_for_update().select_related("dossier__point").get(pk=complaint.pk)
    )
    permissions.require(actor, "dossiers.resolve_complaint", target_of(locked.dossier))
    if locked.resolved_at is not None:
        raise DossierError(
            _("Khiếu nại này đã được giải quyết."), code=DossierCode.COMPLAINT_ALREADY_SETTLED
        )
    if not resolution.strip():
        raise DomainError(_("Cần ghi kết quả giải quyết."), field="resolution")
    if not 0 <= compensation <= MAX_COMPENSATION:
        raise DomainError(
            _("Tiền bồi thường phải từ 0 đến 1.000.000.000 đồng."), field="compensation"
        )
    before = audit.snapshot(locked)
    locked.resolution = resolution.strip()[:2000]
    locked.compensation = compensation
    locked.resolved_at = timezone.now()
    locked.save()
    audit.record(
        actor=actor,
        action="dossiers.complaint_resolved",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.dossier.point.path,
    )
    return locked


def import_procedures(*, actor: User, upload: Any) -> ImportReport:
    """The procedure catalogue from Excel: the role first, then the file, then the rows."""
    permissions.require(actor, "dossiers.import_procedures")
    check_upload(upload, kinds=("xlsx",), field="file")
    return run_import(ProcedureImport(), upload, actor=actor)
