"""Reads on dossiers, scoped by the acting user; the public look-up without login."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from buudien.core import notify, throttle
from buudien.core.errors import NotFound, Throttled
from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.roles import Role
from buudien.core.scoping import Actor, scope_of, scoped, scoped_by_unit
from buudien.core.text import search_terms
from buudien.dossiers.calendar import add_working_days, working_days_late
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import (
    Batch,
    BatchItem,
    Complaint,
    Dossier,
    DossierDocument,
    DossierEvent,
    Procedure,
    RequiredDocument,
    Status,
)
from buudien.dossiers.services import OPEN_STATES
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.network.models import Partner

# The public look-up: failures counted per (code, address, device), per (code, address) and per
# address, so that a stranger guessing one code neither locks out its citizen elsewhere nor
# shares a kiosk's budget with everybody behind it.
LOOKUP_WINDOW = dt.timedelta(minutes=15)
LOOKUPS_PER_DEVICE = 5
LOOKUPS_PER_CODE = 20
LOOKUPS_PER_ADDRESS = 200
TOKEN_LENGTH = 16
DEVICE_COOKIE = "buudien_device"


def dossiers(*, user: Actor) -> QuerySet[Dossier]:
    """Dossiers a user may see: his subtree's, or for an agency officer his agency's."""
    qs = Dossier.objects.select_related("procedure", "point", "agency")
    if getattr(user, "role", None) == Role.PARTNER_OFFICER:
        partner_id = scope_of(user).partner_id
        return qs.filter(agency_id=partner_id) if partner_id else qs.none()
    return scoped_by_unit(qs, user, unit_field="point")


def dossier(*, user: Actor, code: str) -> Dossier:
    """One dossier in the user's scope; any other code is simply not found."""
    found = dossiers(user=user).filter(code=str(code).strip().upper()[:20]).first()
    if found is None:
        raise NotFound(_("Không tìm thấy hồ sơ %(code)s.") % {"code": str(code)[:20]})
    return found


@dataclass(frozen=True)
class DossierPage:
    """A dossier's page: its history, documents, complaints and the citizen's data."""

    dossier: Dossier
    events: list[DossierEvent]
    documents: list[DossierDocument]
    complaints: list[Complaint]
    citizen_id: str
    phone: str
    late: int


def dossier_page(*, user: Actor, code: str) -> DossierPage:
    """Full citizen id and phone only for a user whose unit scope covers the point."""
    d = dossier(user=user, code=code)
    full = scope_of(user).covers(d.point.path)
    return DossierPage(
        dossier=d,
        events=list(d.events.select_related("actor")),
        documents=documents(dossier=d),
        complaints=list(d.complaints.all()),
        citizen_id=d.citizen_id if full else mask_citizen_id(d.citizen_id),
        phone=d.phone if full else mask_phone(d.phone),
        late=late_days(d),
    )


def documents(*, dossier: Dossier) -> list[DossierDocument]:
    return list(dossier.documents.all())


@dataclass
class DueFilter:
    which: str = "overdue"  # today | week | overdue | open
    point: str = ""
    agency: str = ""
    procedure: str = ""
    q: str = ""


# Positional arguments too: bench/dossiers.py calls it that way.
def due_list(user: Actor, flt: DueFilter, today: dt.date | None = None) -> QuerySet[Dossier]:
    """Open dossiers due today, this week or already late, by the current step's due date."""
    today = today or timezone.localdate()
    qs = dossiers(user=user).filter(status__in=OPEN_STATES)
    if flt.which == "today":
        qs = qs.filter(step_due=today)
    elif flt.which == "week":
        qs = qs.filter(
            step_due__gte=today, step_due__lte=today + dt.timedelta(days=6 - today.weekday())
        )
    elif flt.which == "overdue":
        qs = qs.filter(step_due__lt=today)
    if flt.point:
        qs = qs.filter(point__code=flt.point.upper())
    if flt.agency:
        qs = qs.filter(agency__code=flt.agency.upper())
    if flt.procedure:
        qs = qs.filter(procedure__code=flt.procedure)
    for term in search_terms(flt.q):
        qs = qs.filter(Q(search_text__contains=term) | Q(code__icontains=term))
    return qs.order_by("step_due", "code")


def late_days(d: Dossier, today: dt.date | None = None) -> int:
    if d.step_due is None:
        return 0
    return working_days_late(d.step_due, today or timezone.localdate())


def batches(*, user: Actor) -> QuerySet[Batch]:
    """Hand-over slips a user may see: his units', or for an agency officer his agency's."""
    qs = Batch.objects.select_related("agency", "unit", "created_by")
    if getattr(user, "role", None) == Role.PARTNER_OFFICER:
        partner_id = scope_of(user).partner_id
        return qs.filter(agency_id=partner_id) if partner_id else qs.none()
    return scoped(qs, user, path_field="unit__path")


def batch(*, user: Actor, code: str) -> Batch:
    found = batches(user=user).filter(code=str(code).strip().upper()[:24]).first()
    if found is None:
        raise NotFound(_("Không tìm thấy biên bản %(code)s.") % {"code": str(code)[:24]})
    return found


def batch_items(*, batch: Batch) -> list[BatchItem]:
    return list(batch.items.select_related("dossier", "dossier__procedure"))


def unconfirmed_batches(*, user: Actor, now: dt.datetime | None = None) -> list[Batch]:
    """Batches sent but not confirmed after one working day: nothing may be lost silently."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sent = batches(user=user).filter(state=Batch.State.SENT)
    return [
        b
        for b in sent
        if b.sent_at and add_working_days(timezone.localtime(b.sent_at).date(), 1) < today
    ]


def ready_for_batch(*, user: Actor, agency: Partner) -> tuple[list[Dossier], list[Dossier]]:
    """Dossiers waiting to go to the agency, and results waiting to come back from it."""
    mine = dossiers(user=user).filter(agency=agency, batch__isnull=True)
    ready = list(mine.filter(status__in=[Status.RECEIVED, Status.SUPPLEMENTED])[:300])
    back = list(mine.filter(status__in=[Status.RESULT_READY, Status.REJECTED])[:300])
    return ready, back


def complaints(*, user: Actor) -> QuerySet[Complaint]:
    """Complaints about the dossiers a user may see."""
    return Complaint.objects.filter(dossier__in=dossiers(user=user)).select_related(
        "dossier", "dossier__point"
    )


def complaint(*, user: Actor, pk: Any) -> Complaint:
    found = complaints(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Không tìm thấy khiếu nại."))
    return found


def agencies(*, user: Actor) -> QuerySet[Partner]:
    """Agencies with procedures that the user's scope deals with."""
    return (
        network_selectors.partners(user)
        .filter(pk__in=Procedure.objects.values("agency"))
        .order_by("name")
    )


def agency(*, user: Actor, code: str) -> Partner:
    found = agencies(user=user).filter(code=str(code).strip().upper()[:32]).first()
    if found is None:
        raise NotFound(_("Không tìm thấy cơ quan %(code)s.") % {"code": str(code)[:32]})
    return found


def procedures(*, query: str = "") -> QuerySet[Procedure]:
    """The catalogue of procedures filed by post (the same for everybody)."""
    qs = Procedure.objects.filter(is_active=True).select_related("agency")
    for term in search_terms(query):
        qs = qs.filter(search_text__contains=term)
    return qs


def procedure(*, code: str) -> Procedure:
    found = procedures().filter(code=str(code).strip()[:32]).first()
    if found is None:
        raise NotFound(_("Không có thủ tục mã %(code)s.") % {"code": str(code)[:32]})
    return found


@dataclass(frozen=True)
class OutboxRow:
    """A message sent to a citizen, with the phone masked."""

    at: dt.datetime
    to: str
    topic: str
    body: str
    ref: str


def outbox(*, user: Actor, limit: int = 200) -> list[OutboxRow]:
    """Messages about the dossiers in the user's scope, newest first, phones masked."""
    codes = dossiers(user=user).values("code")
    return [
        OutboxRow(m.created_at, mask_phone(m.to), m.topic, m.body, m.ref)
        for m in notify.kept(topic_prefix="dossier.", refs=codes, limit=limit)
    ]


@dataclass
class PublicView:
    code: str
    procedure: str
    status: str
    received_on: dt.date
    due_date: dt.date
    appointment_date: dt.date | None
    steps: list[tuple[dt.datetime, str]]


def lookup_token(code: str) -> str:
    """The token printed in the slip's QR code: whoever holds the slip holds the token."""
    value = str(code).strip().upper()
    return salted_hmac("buudien.dossiers.lookup", value, algorithm="sha256").hexdigest()[
        :TOKEN_LENGTH
    ]


def lookup_budgets(
    *, code: str, address: str, device: str, token_ok: bool
) -> list[throttle.Budget]:
    """The narrow budgets first (a success clears them), the address's last."""
    wide = throttle.Budget(("lookup", address), LOOKUPS_PER_ADDRESS, LOOKUP_WINDOW)
    if token_ok:
        # The slip's holder: never counted against the code's budgets, which strangers spend.
        return [
            throttle.Budget(
                ("lookup-slip", code, address, device), LOOKUPS_PER_DEVICE, LOOKUP_WINDOW
            ),
            wide,
        ]
    return [
        throttle.Budget(("lookup", code, address, device), LOOKUPS_PER_DEVICE, LOOKUP_WINDOW),
        throttle.Budget(("lookup", code, address), LOOKUPS_PER_CODE, LOOKUP_WINDOW),
        wide,
    ]


def public_lookup(
    *, code: str, phone_last4: str, address: str, device: str = "", token: str = ""
) -> PublicView:
    """What a citizen may see of his dossier; the same refusal for a wrong code or phone."""
    code = str(code).strip().upper()[:20]
    token_ok = bool(token) and constant_time_compare(str(token), lookup_token(code))
    budgets = lookup_budgets(code=code, address=address, device=device[:64], token_ok=token_ok)
    if throttle.spent(budgets) is not None:
        raise Throttled(_("Bạn đã tra cứu sai quá nhiều lần. Hãy thử lại sau 15 phút."))
    found = Dossier.objects.select_related("procedure").filter(code=code).first()
    ok = found is not None and len(phone_last4) == 4 and found.phone.endswith(phone_last4)
    if not ok or found is None:
        throttle.fail(budgets)
        raise DossierError(
            _("Không tìm thấy hồ sơ với mã và số điện thoại này."), code=DossierCode.NOT_FOUND
        )
    throttle.clear(budgets[:-1])
    return PublicView(
        code=found.code,
        procedure=found.procedure.name,
        status=found.get_status_display(),
        received_on=timezone.localtime(found.received_at).date(),
        due_date=found.due_date,
        appointment_date=found.appointment_date,
        steps=[(e.at, str(Status(e.to_status).label)) for e in found.events.all()],
    )


@dataclass
class Breakdown:
    key: str
    label: str
    received: int
    returned: int
    on_time: int

    @property
    def on_time_rate(self) -> int | None:
        return round(100 * self.on_time / self.returned) if self.returned else None


def breakdowns(*, user: Actor, start: dt.date, end: dt.date) -> dict[str, list[Breakdown]]:
    """Dossiers received and returned in a period by point, agency, procedure and channel,
    with the share returned by the promised date: all four from two grouped queries."""
    from django.db.models import Count, F

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    keys = (
        "point__code",
        "point__name",
        "agency__code",
        "agency__name",
        "procedure__code",
        "procedure__name",
        "channel",
    )
    base = dossiers(user=user)
    received = list(
        base.filter(received_at__gte=lo, received_at__lt=hi)
        .values(*keys)
        .annotate(n=Count("pk"))
        .order_by()
    )
    returned = list(
        base.filter(returned_at__gte=lo, returned_at__lt=hi)
        .values(*keys)
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(returned_at__date__lte=F("due_date"))))
        .order_by()
    )
    channel = dict(Dossier.Channel.choices)
    out: dict[str, list[Breakdown]] = {}
    for by, code, name in (
        ("point", "point__code", "point__name"),
        ("agency", "agency__code", "agency__name"),
        ("procedure", "procedure__code", "procedure__name"),
        ("channel", "channel", "channel"),
    ):
        table: dict[str, Breakdown] = {}
        for rows, field in ((received, "received"), (returned, "returned")):
            for r in rows:
                label = str(channel.get(r[code], r[code])) if by == "channel" else r[name]
                item = table.setdefault(r[code], Breakdown(str(r[code]), str(label), 0, 0, 0))
                setattr(item, field, getattr(item, field) + r["n"])
                if field == "returned":
                    item.on_time += r["ok"]
        out[by] = sorted(table.values(), key=lambda b: -b.received)
    return out


def dossiers_by_code(*, user: Actor, codes: list[str]) -> list[Dossier]:
    """The dossiers with these codes, each in the user's scope, or not found."""
    wanted = {str(c).strip().upper()[:20] for c in codes}
    found = list(dossiers(user=user).filter(code__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(wanted - {d.code for d in found})
        raise NotFound(_("Không tìm thấy hồ sơ %(code)s.") % {"code": ", ".join(missing[:3])})
    return found


def required_documents(*, procedure: Procedure) -> list[RequiredDocument]:
    return list(procedure.documents.all())
