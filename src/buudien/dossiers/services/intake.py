"""Intake at the counter: a complete dossier taken in once, its fees in the clerk's shift,
a date promised; the same form sent twice gives the first dossier back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from buudien.core import audit, clock, journal, numbers, permissions
from buudien.core.errors import DomainError
from buudien.core.ids import normalise_phone, parse_citizen_id
from buudien.core.permissions import Target
from buudien.core.text import build_search_text
from buudien.counter import services as counter_services
from buudien.dossiers.calendar import add_working_days
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import (
    Dossier,
    DossierDocument,
    Place,
    Procedure,
    RequiredDocument,
    Status,
)
from buudien.dossiers.services.lifecycle import record_event
from buudien.dossiers.services.rollups import count_received

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession

FORMS = frozenset({RequiredDocument.Form.ORIGINAL.value, RequiredDocument.Form.COPY.value})
MAX_COPIES = 99
MAX_KEY = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[\s.\-()]")


@dataclass(frozen=True)
class DocumentIn:
    """A document the citizen brought: which required one it is, in what form, how many."""

    required_id: int | None
    name: str
    form: str
    count: int


@journal.operation("dossiers.intake")
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
    """Take in a complete dossier, post its fees in the clerk's session, promise a date; the
    form sent again under its key is the dossier it already made."""
    point = session.unit
    permissions.require(clerk, "dossiers.intake", Target(path=point.path))
    key = _checked_key(request_key)
    texts = [citizen_name, address, representative_name, channel]
    numbers = [citizen_id, phone, representative_id]
    digest = _digest(procedure, texts, numbers, home_delivery, documents) if key else ""
    earlier = _earlier(point.pk, key, digest)
    if earlier is not None:
        return earlier
    cid, phone_n, rep_id = check_intake(
        procedure=procedure,
        channel=channel,
        documents=documents,
        citizen_name=citizen_name,
        citizen_id=citizen_id,
        phone=phone,
        address=address,
        representative_name=representative_name,
        representative_id=representative_id,
    )
    now = received_at or clock.now()
    day = timezone.localtime(now).date()
    dossier = Dossier(
        code=journal.number("dossier", lambda: _new_code(day)),
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
        status=Status.RECEIVED,
        place=Place.POINT,
        received_at=now,
        received_by=clerk,
        due_date=add_working_days(day, procedure.processing_days),
        step_due=add_working_days(day, 1),
        search_text=build_search_text(citizen_name, procedure.name),
        request_key=key,
        request_digest=digest,
    )
    saved = _insert_once(dossier)
    if saved is dossier:
        _receive(dossier, documents, session=session, clerk=clerk)
    return saved


def _check_channel(procedure: Procedure, channel: str) -> None:
    """The dossier comes by a known channel, for a procedure the post takes in."""
    if channel not in Dossier.Channel.values:
        raise DomainError(_("Kênh tiếp nhận không hợp lệ."), field="channel")
    if not procedure.is_active or not procedure.intake_by_post:
        raise DossierError(
            _("Thủ tục %(name)s không nhận hồ sơ qua bưu điện.") % {"name": procedure.name},
            code=DossierCode.NOT_BY_POST,
            field="procedure",
        )


def _checked_key(request_key: str) -> str:
    """The form's key: a short line of text, or none."""
    key = (request_key or "").strip()
    if len(key) > MAX_KEY or _CONTROL.search(key):
        raise DomainError(
            _("Khóa chống trùng tối đa %(n)s ký tự, không có ký tự điều khiển.") % {"n": MAX_KEY},
            field="request_key",
        )
    return key


def _digest(
    procedure: Procedure,
    texts: list[str],
    numbers: list[str],
    home_delivery: bool,
    documents: Sequence[DocumentIn],
) -> str:
    """What the form asks for, spaced as it may be typed, so that the same form sent again
    is recognised as itself and another request under its key is not."""
    words = [" ".join(text.split()) for text in texts]
    digits = [_SEPARATORS.sub("", number) for number in numbers]
    docs = sorted((d.required_id or 0, d.name.strip(), d.form, d.count) for d in documents)
    asked = [str(procedure.pk), words, digits, home_delivery, [d for d in docs if d[3] > 0]]
    return hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()


def _earlier(point_id: uuid.UUID, key: str, digest: str) -> Dossier | None:
    """The dossier this point already made under the key, if the request is the same."""
    if not key:
        return None
    earlier = Dossier.objects.filter(point_id=point_id, request_key=key).first()
    if earlier is not None and earlier.request_digest and earlier.request_digest != digest:
        raise DossierError(
            _(
                "Khóa chống trùng «%(key)s» đã dùng cho một hồ sơ khác (%(code)s); "
                "hãy mở lại trang tiếp nhận."
            )
            % {"key": key, "code": earlier.code},
            code=DossierCode.IDEMPOTENCY_CONFLICT,
            field="request_key",
        )
    return earlier


def _insert_once(dossier: Dossier) -> Dossier:
    """Insert the new dossier; when the same form, sent again at the same moment, got in
    first (the key is unique per point), the dossier it made instead."""
    try:
        with transaction.atomic():
            dossier.save(force_insert=True)
    except IntegrityError:
        earlier = _earlier(dossier.point_id, dossier.request_key, dossier.request_digest)
        if earlier is None:
            raise
        return earlier
    return dossier


def _receive(
    dossier: Dossier, documents: Sequence[DocumentIn], *, session: CounterSession, clerk: User
) -> None:
    """The new dossier's documents, fees, first line of history and audit record."""
    DossierDocument.objects.bulk_create(
        DossierDocument(
            dossier=dossier, required_id=d.required_id, name=d.name, form=d.form, count=d.count
        )
        for d in documents
        if d.count > 0
    )
    _post_fees(dossier, session=session, clerk=clerk)
    count_received(dossier)
    record_event(
        dossier,
        actor=clerk,
        action="intake",
        from_status="",
        where=dossier.point.name,
        note=_("Tiếp nhận %(n)s giấy tờ") % {"n": sum(d.count for d in documents)},
    )
    audit.record(
        actor=clerk,
        action="dossiers.received",
        instance=dossier,
        before=None,
        after=audit.snapshot(dossier),
        unit_path=dossier.point.path,
    )


def _new_code(day: dt.date) -> str:
    """HS + yymmdd + 6 digits: random at the province, short to read out and impossible to
    guess in sequence; from the laptop's reserved block at a point in point mode."""
    device = journal.point_device()
    if device is not None:
        return f"HS{day:%y%m%d}{numbers.take(holder=device.pk, kind='dossier'):06d}"
    while True:
        drawn = secrets.randbelow(10**6)
        code = f"HS{day:%y%m%d}{drawn:06d}"
        if (
            not numbers.is_reserved("dossier", drawn)
            and not Dossier.objects.filter(code=code).exists()
        ):
            return code


def _check_documents(procedure: Procedure, documents: Sequence[DocumentIn]) -> None:
    """Every required document, in the form and number the procedure asks; else what the
    citizen still has to bring, all of it at once."""
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
            missing.append(
                _("%(name)s (%(form)s, %(n)s bản)")
                % {"name": req.name, "form": req.get_form_display().lower(), "n": req.copies}
            )
            continue
        if got is None:
            continue
        if req.form == RequiredDocument.Form.ORIGINAL and got.form != "original":
            missing.append(_("%(name)s: cần bản chính") % {"name": req.name})
        elif got.count < req.copies:
            missing.append(
                _("%(name)s: cần %(n)s bản, mới có %(got)s")
                % {"name": req.name, "n": req.copies, "got": got.count}
            )
    if missing:
        raise DossierError(
            _("Hồ sơ chưa đủ giấy tờ. Công dân cần mang thêm: %(list)s.")
            % {"list": "; ".join(missing)},
            code=DossierCode.MISSING_DOCUMENT,
            field="documents",
        )


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


@dataclass(frozen=True)
class Fee:
    """One fee of an intake: its counter service, its amount (None: the tariff's price), and
    what it is for (a msgid: show it through gettext)."""

    service_code: str
    amount: int | None
    label: str
    when: str = ""  # "", or the intake's choice that adds it: "home_pickup", "home_delivery"


def fees_of(procedure: Procedure, *, channel: str, home_delivery: bool) -> list[Fee]:
    """The fees an intake charges: the post's, the agency's and the home services."""
    fees = [Fee("BC-HCC", None, gettext_noop("Cước chuyển phát hồ sơ và kết quả"))]
    if procedure.agency_fee:
        fees.append(Fee("TC-PHIHC", procedure.agency_fee, gettext_noop("Phí, lệ phí của cơ quan")))
    if channel == Dossier.Channel.HOME:
        fees.append(Fee("BC-HCC-NHA", None, gettext_noop("Nhận hồ sơ tại nhà"), "home_pickup"))
    if home_delivery:
        fees.append(Fee("BC-HCC-NHA", None, gettext_noop("Trả kết quả tại nhà"), "home_delivery"))
    return fees


def check_intake(
    *,
    procedure: Procedure,
    channel: str,
    documents: Sequence[DocumentIn],
    citizen_name: str,
    citizen_id: str,
    phone: str,
    address: str,
    representative_name: str = "",
    representative_id: str = "",
) -> tuple[str, str, str]:
    """Refuse what `intake` refuses, before anything is charged (the confirmation page shows
    only an intake that can be taken); the citizen id, phone and representative's id as
    they are kept."""
    _check_channel(procedure, channel)
    checked = _check_citizen(
        citizen_name=citizen_name,
        citizen_id=citizen_id,
        phone=phone,
        address=address,
        representative_name=representative_name,
        representative_id=representative_id,
    )
    _check_documents(procedure, documents)
    return checked


def _post_fees(dossier: Dossier, *, session: CounterSession, clerk: User) -> None:
    """The post's fee, the agency's fee and the home services, in the clerk's session."""
    fees = [
        (f.service_code, f.amount)
        for f in fees_of(
            dossier.procedure, channel=dossier.channel, home_delivery=dossier.home_delivery
        )
    ]
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
