"""Reads on dossiers, scoped by the acting user; the public look-up without login."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import CharField, Count, F, Model, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import notify, throttle
from buudien.core.errors import NotFound, Throttled
from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.roles import Role
from buudien.core.scoping import Actor, scope_of, scoped, scoped_by_unit
from buudien.core.text import search_terms
from buudien.counter import selectors as counter_selectors
from buudien.dossiers.calendar import add_working_days, working_days_late
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import (
    Batch,
    BatchItem,
    Complaint,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierMonthRollup,
    Procedure,
    RequiredDocument,
    Status,
)
from buudien.dossiers.services import OPEN_STATES, fees_of
from buudien.dossiers.services.rollups import whole_months
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
INTAKE_KINDS = ("office", "commune_point")
_M = TypeVar("_M", bound=Model)


def dossiers(*, user: Actor) -> QuerySet[Dossier]:
    """Dossiers a user may see: his subtree's, or for an agency officer his agency's."""
    return _in_scope(Dossier.objects.select_related("procedure", "point", "agency"), user)


def _in_scope(qs: QuerySet[_M], user: Actor) -> QuerySet[_M]:
    """The rows of dossiers, or of their monthly rollup, that a user may see: by their point
    in his subtree, or for an agency officer by his agency."""
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
    history: list[tuple[DossierEvent, str]] = dataclasses.field(default_factory=list)


def dossier_page(*, user: Actor, code: str) -> DossierPage:
    """Full citizen id and phone only for a user whose unit scope covers the point."""
    d = dossier(user=user, code=code)
    full = scope_of(user).covers(d.point.path)
    events = list(d.events.select_related("actor"))
    return DossierPage(
        dossier=d,
        events=events,
        documents=documents(dossier=d),
        complaints=list(d.complaints.all()),
        citizen_id=d.citizen_id if full else mask_citizen_id(d.citizen_id),
        phone=d.phone if full else mask_phone(d.phone),
        late=late_days(d),
        history=[(e, step_label(e)) for e in events],
    )


def documents(*, dossier: Dossier) -> list[DossierDocument]:
    return list(dossier.documents.all())


@dataclass
class DueFilter:
    which: str = "overdue"  # today | week | overdue | open | all
    point: str = ""
    agency: str = ""
    procedure: str = ""
    q: str = ""
    status: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    sort: str = ""


# A list's sort keys (as the column headings send them, "-" first for descending) and the
# fields each orders by; the last field breaks ties so that the pages never overlap.
DOSSIER_SORTS = {
    "step_due": ("step_due", "code"),
    "code": ("code",),
    "received": ("received_at", "code"),
    "due": ("due_date", "code"),
    "status": ("status", "due_date", "code"),
}


def ordering(sort: str, sorts: dict[str, tuple[str, ...]], default: str) -> list[str]:
    """The order_by fields of a sort key; an unknown key sorts by the default."""
    fields = sorts.get(sort.removeprefix("-"))
    if fields is None:
        return ordering(default, sorts, default) if sort != default else []
    if sort.startswith("-"):
        return [f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in fields]
    return list(fields)


def day_bounds(lo: dt.date | None, hi: dt.date | None) -> tuple[dt.datetime | None, ...]:
    """The local days from `lo` to `hi` (both included) as aware datetimes [start, end)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(lo, dt.time.min, tzinfo=tz) if lo else None
    end = dt.datetime.combine(hi + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if hi else None
    return start, end


# Positional arguments too: bench/dossiers.py calls it that way.
def due_list(user: Actor, flt: DueFilter, today: dt.date | None = None) -> QuerySet[Dossier]:
    """Open dossiers due today, this week or already late, by the current step's due date."""
    return _due(dossiers(user=user), flt, today)


def due_page(user: Actor, flt: DueFilter) -> QuerySet[Dossier]:
    """The rows of `due_list` for one page. Over a wide scope the point's path is joined
    rather than listed, so that the database walks the sort's index and stops at the page
    instead of sorting every dossier of the province; a clerk's one point has its own index."""
    if getattr(user, "role", None) in (Role.CLERK, Role.PARTNER_OFFICER):
        return due_list(user, flt)
    wide = Dossier.objects.select_related("procedure", "point", "agency")
    return _due(scoped(wide, user, path_field="point__path"), flt, None)


def due_counted(user: Actor, flt: DueFilter) -> QuerySet[Dossier]:
    """The rows of `due_list` as the database counts them fastest: through the list of points
    in scope, unless a date or a search narrows the rows first."""
    if flt.q or flt.received_from or flt.received_to:
        return due_page(user, flt)
    return due_list(user, flt)


def _due(qs: QuerySet[Dossier], flt: DueFilter, today: dt.date | None) -> QuerySet[Dossier]:
    today = today or timezone.localdate()
    if flt.which != "all":
        qs = qs.filter(status__in=OPEN_STATES)
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
    qs = _received_between(qs.filter(status=flt.status) if flt.status else qs, flt)
    # Closed dossiers have no step due: a list of all of them reads newest first.
    default = "-received" if flt.which == "all" else "step_due"
    return qs.order_by(*ordering(flt.sort or default, DOSSIER_SORTS, default))


def _received_between(qs: QuerySet[Dossier], flt: DueFilter) -> QuerySet[Dossier]:
    start, end = day_bounds(flt.received_from, flt.received_to)
    if start:
        qs = qs.filter(received_at__gte=start)
    if end:
        qs = qs.filter(received_at__lt=end)
    return qs


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
    """Complaints about the dossiers a user may see (through the dossier's own point or
    agency: an IN over every dossier in scope would read them all for a few complaints)."""
    qs = Complaint.objects.select_related("dossier", "dossier__point")
    if getattr(user, "role", None) == Role.PARTNER_OFFICER:
        partner_id = scope_of(user).partner_id
        return qs.filter(dossier__agency_id=partner_id) if partner_id else qs.none()
    return scoped(qs, user, path_field="dossier__point__path")


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


def points(*, user: Actor) -> list[tuple[str, str]]:
    """The counters in scope that take dossiers in (offices and commune points), code and
    name, for a list's filter."""
    found = network_selectors.units(user=user, flt=network_selectors.UnitFilter(sort="name"))
    return [(u.code, u.name) for u in found if u.kind in INTAKE_KINDS]


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


PROCEDURE_SORTS = {
    "code": ("code",),
    "name": ("name", "code"),
    "agency": ("agency__name", "name"),
    "days": ("processing_days", "name"),
    "fee": ("agency_fee", "name"),
}


def procedure_list(*, query: str = "", agency: str = "", sort: str = "") -> QuerySet[Procedure]:
    """The catalogue searched, by agency, sorted."""
    qs = procedures(query=query)
    if agency:
        qs = qs.filter(agency__code=agency.strip().upper())
    return qs.order_by(*ordering(sort or "name", PROCEDURE_SORTS, "name"))


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
    # Correlated to each message's reference: one look-up by code per message, rather than
    # every code in scope gathered first.
    codes = dossiers(user=user).filter(code=OuterRef("ref")).values("code")
    return [
        OutboxRow(m.created_at, mask_phone(m.to), m.topic, m.body, m.ref)
        for m in notify.kept(topic_prefix="dossier.", refs=codes, limit=limit)
    ]


# What a citizen reads for each line of his dossier's history; a step that changes nothing
# of the status (the agency's appointment) says what it was.
EVENT_LABELS = {
    "appointment": gettext_lazy("Cơ quan hẹn ngày trả kết quả"),
}


def step_label(event: DossierEvent) -> str:
    """A human label for one line of history, never its code ("hand_over")."""
    if event.action in EVENT_LABELS:
        return str(EVENT_LABELS[event.action])
    if event.to_status in Status.values:
        return str(Status(event.to_status).label)
    return _("Cập nhật hồ sơ")


@dataclass(frozen=True)
class TimelineStep:
    """One dated step the citizen sees, and where it happened."""

    at: dt.datetime
    label: str
    where: str


@dataclass
class PublicView:
    code: str
    procedure: str
    status: str
    received_on: dt.date
    due_date: dt.date
    appointment_date: dt.date | None
    steps: list[tuple[dt.datetime, str]]
    timeline: list[TimelineStep] = dataclasses.field(default_factory=list)
    citizen: str = ""
    agency: str = ""
    point: str = ""
    point_address: str = ""
    point_phone: str = ""
    home_delivery: bool = False
    closed: bool = False
    late_days: int = 0
    supplement_note: str = ""
    supplement_due: dt.date | None = None


def mask_name(name: str) -> str:
    """The citizen's initials only: "Nông Thị Hoa" is "N. T. H."."""
    return " ".join(word[0].upper() + "." for word in name.split())


def lookup_token(code: str) -> str:
    """The token printed in the slip's QR code: whoever holds the slip holds the token."""
    value = str(code).strip().upper()
    return salted_hmac("buudien.dossiers.lookup", value, algorithm="sha256").hexdigest()[
        :TOKEN_LENGTH
    ]


def holds_slip(*, code: str, token: str) -> bool:
    """Whether the token is the one printed on this code's slip (the code may not exist: the
    token proves only that its holder was given the slip)."""
    code = str(code).strip().upper()[:20]
    return bool(code and token) and constant_time_compare(str(token), lookup_token(code))


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
    token_ok = holds_slip(code=code, token=token)
    budgets = lookup_budgets(code=code, address=address, device=device[:64], token_ok=token_ok)
    if throttle.spent(budgets) is not None:
        raise Throttled(_("Bạn đã tra cứu sai quá nhiều lần. Hãy thử lại sau 15 phút."))
    found = Dossier.objects.select_related("procedure", "agency", "point").filter(code=code).first()
    ok = found is not None and len(phone_last4) == 4 and found.phone.endswith(phone_last4)
    if not ok or found is None:
        throttle.fail(budgets)
        raise DossierError(
            _("Không tìm thấy hồ sơ với mã và số điện thoại này."), code=DossierCode.NOT_FOUND
        )
    throttle.clear(budgets[:-1])
    return _public_view(found)


def _public_view(d: Dossier) -> PublicView:
    events = list(d.events.all())
    closed = d.status in (Status.RETURNED, Status.WITHDRAWN)
    until = timezone.localtime(d.returned_at).date() if d.returned_at else timezone.localdate()
    return PublicView(
        code=d.code,
        procedure=d.procedure.name,
        status=d.get_status_display(),
        received_on=timezone.localtime(d.received_at).date(),
        due_date=d.due_date,
        appointment_date=d.appointment_date,
        steps=[(e.at, str(Status(e.to_status).label)) for e in events],
        timeline=[TimelineStep(e.at, step_label(e), e.where) for e in reversed(events)],
        citizen=mask_name(d.citizen_name),
        agency=d.agency.name,
        point=d.point.name,
        point_address=d.point.address,
        point_phone=d.point.phone,
        home_delivery=d.home_delivery,
        closed=closed,
        late_days=0 if d.status == Status.WITHDRAWN else working_days_late(d.due_date, until),
        supplement_note=d.supplement_note if d.status == Status.SUPPLEMENT_REQUESTED else "",
        supplement_due=d.supplement_due if d.status == Status.SUPPLEMENT_REQUESTED else None,
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


# A breakdown's rows: point, agency, procedure, channel, then received, returned, on time.
_Row = tuple[str, str, str, str, int, int, int]
# Keys read as text: no UUID object made for each of the thousands of rows of a year.
_KEYS = (
    Cast("point_id", CharField()),
    Cast("agency_id", CharField()),
    Cast("procedure_id", CharField()),
    "channel",
)


def breakdowns(*, user: Actor, start: dt.date, end: dt.date) -> dict[str, list[Breakdown]]:
    """Dossiers received and returned in a period by point, agency, procedure and channel,
    with the share returned by the promised date: whole months read off the monthly rollup,
    other periods counted from the dossiers."""
    if whole_months(start, end):
        rolled = _in_scope(
            DossierMonthRollup.objects.filter(month__gte=start, month__lte=end), user
        )
        rows: list[_Row] = list(
            rolled.values_list(*_KEYS)
            .annotate(Sum("received"), Sum("returned"), Sum("returned_on_time"))
            .order_by()
        )
    else:
        rows = _counted_rows(user, start, end)
    return {by: _table(rows, i, names) for i, (by, names) in enumerate(_names(rows).items())}


def _counted_rows(user: Actor, start: dt.date, end: dt.date) -> list[_Row]:
    """The breakdown's rows counted from the dossiers: two grouped queries."""
    lo, hi = day_bounds(start, end)
    base = dossiers(user=user)
    received = (
        base.filter(received_at__gte=lo, received_at__lt=hi)
        .values_list(*_KEYS)
        .annotate(n=Count("pk"))
        .order_by()
    )
    returned = (
        base.filter(returned_at__gte=lo, returned_at__lt=hi)
        .values_list(*_KEYS)
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(returned_at__date__lte=F("due_date"))))
        .order_by()
    )
    sums: dict[tuple[Any, ...], list[int]] = {}
    for *key, n in received:
        sums.setdefault(tuple(key), [0, 0, 0])[0] += n
    for *key, n, ok in returned:
        row = sums.setdefault(tuple(key), [0, 0, 0])
        row[1] += n
        row[2] += ok
    return [(p, a, r, c, *counts) for (p, a, r, c), counts in sums.items()]  # type: ignore[misc]


def _names(rows: list[_Row]) -> dict[str, dict[Any, tuple[str, str]]]:
    """The code and name of each point, agency, procedure and channel of the rows, looked up
    once by key."""
    out: dict[str, dict[Any, tuple[str, str]]] = {}
    for i, by in enumerate(("point", "agency", "procedure")):
        model: Any = DossierMonthRollup._meta.get_field(by).related_model
        wanted = {row[i] for row in rows}
        found = (
            model._default_manager.filter(pk__in=wanted)
            .annotate(key=Cast("pk", CharField()))
            .values_list("key", "code", "name")
        )
        out[by] = {pk: (str(code), str(name)) for pk, code, name in found}
    out["channel"] = {value: (value, str(label)) for value, label in Dossier.Channel.choices}
    return out


def _table(rows: list[_Row], index: int, names: dict[Any, tuple[str, str]]) -> list[Breakdown]:
    """One breakdown: the rows added up by one of their keys, the most received first."""
    table: dict[str, Breakdown] = {}
    for row in rows:
        key = str(row[index])
        item = table.get(key)
        if item is None:
            code, label = names.get(key) or (key, key)
            item = table[key] = Breakdown(code, label, 0, 0, 0)
        item.received += row[4]
        item.returned += row[5]
        item.on_time += row[6]
    return sorted(table.values(), key=lambda b: -b.received)


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


@dataclass
class BatchFilter:
    state: str = ""
    direction: str = ""
    agency: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    sort: str = ""


BATCH_SORTS = {
    "created": ("created_at", "code"),
    "code": ("code",),
    "state": ("state", "created_at"),
    "agency": ("agency__name", "created_at"),
    "unit": ("unit__name", "created_at"),
}


def batch_list(*, user: Actor, flt: BatchFilter) -> QuerySet[Batch]:
    """The hand-over slips in scope, filtered and sorted (newest first unless asked)."""
    qs = batches(user=user)
    if flt.state:
        qs = qs.filter(state=flt.state)
    if flt.direction:
        qs = qs.filter(direction=flt.direction)
    if flt.agency:
        qs = qs.filter(agency__code=flt.agency.upper())
    start, end = day_bounds(flt.created_from, flt.created_to)
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lt=end)
    return qs.order_by(*ordering(flt.sort or "-created", BATCH_SORTS, "-created"))


def unconfirmed_codes(*, user: Actor) -> set[str]:
    """The codes of the slips sent and still unconfirmed after one working day."""
    return {b.code for b in unconfirmed_batches(user=user)}


@dataclass
class ComplaintFilter:
    state: str = ""  # open | overdue | resolved
    kind: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    sort: str = ""
    point: str = ""  # the code of the dossier's point


COMPLAINT_SORTS = {
    "due": ("due_date", "received_at"),
    "received": ("received_at",),
    "dossier": ("dossier__code", "received_at"),
    "kind": ("kind", "due_date"),
}


def complaint_list(
    *, user: Actor, flt: ComplaintFilter, today: dt.date | None = None
) -> QuerySet[Complaint]:
    """Complaints in scope by state, kind, point and the day received; open ones first by
    default."""
    today = today or timezone.localdate()
    qs = complaints(user=user)
    if flt.state == "open":
        qs = qs.filter(resolved_at__isnull=True)
    elif flt.state == "overdue":
        qs = qs.filter(resolved_at__isnull=True, due_date__lt=today)
    elif flt.state == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    if flt.kind:
        qs = qs.filter(kind=flt.kind)
    if flt.point:
        qs = qs.filter(dossier__point__code=flt.point.strip().upper())
    start, end = day_bounds(flt.received_from, flt.received_to)
    if start:
        qs = qs.filter(received_at__gte=start)
    if end:
        qs = qs.filter(received_at__lt=end)
    if not flt.sort:
        return qs.order_by(F("resolved_at").asc(nulls_first=True), "due_date", "pk")
    return qs.order_by(*ordering(flt.sort, COMPLAINT_SORTS, "due"), "pk")


@dataclass(frozen=True)
class FeeLine:
    """A fee shown before it is charged: what for, how much (None: no tariff in force), and
    the intake's choice that adds it ("" when always charged)."""

    label: str
    amount: int | None
    when: str


def intake_fees(
    *, procedure: Procedure, unit_kind: str, day: dt.date, channel: str, home_delivery: bool
) -> list[FeeLine]:
    """The fees an intake would charge, priced by the counter's tariffs of the day."""
    fees = fees_of(procedure, channel=channel, home_delivery=home_delivery)
    offered = {s.code: s for s in counter_selectors.services_for(unit_kind)}
    wanted = [offered[f.service_code] for f in fees if f.service_code in offered]
    prices = counter_selectors.fixed_prices(wanted, day)
    lines = []
    for f in fees:
        service = offered.get(f.service_code)
        price = prices.get(service.pk) if service is not None else None
        lines.append(FeeLine(_(f.label), f.amount if f.amount is not None else price, f.when))
    return lines
