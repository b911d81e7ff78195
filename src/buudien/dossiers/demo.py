"""About 200,000 dossiers over two years and this year, in every state, bulk-inserted."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from buudien.core.models import Role, User, uuid7
from buudien.dossiers.calendar import add_working_days, seed_holidays
from buudien.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    Place,
    Procedure,
    Status,
)
from buudien.dossiers.seed import seed_procedures
from buudien.network.models import PostUnit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PATH = ["intake", "send", "hand_over", "result_ready", "collect", "arrive", "return"]
STATUS_AFTER = {
    "intake": Status.RECEIVED,
    "send": Status.IN_TRANSIT,
    "hand_over": Status.AT_AGENCY,
    "result_ready": Status.RESULT_READY,
    "collect": Status.RESULT_COLLECTED,
    "arrive": Status.AT_POINT,
    "return": Status.RETURNED,
    "request_supplement": Status.SUPPLEMENT_REQUESTED,
    "withdraw": Status.WITHDRAWN,
    "reject": Status.REJECTED,
}
PLACE = {
    Status.RECEIVED: Place.POINT,
    Status.IN_TRANSIT: Place.TRANSIT,
    Status.AT_AGENCY: Place.AGENCY,
    Status.RESULT_READY: Place.AGENCY,
    Status.RESULT_COLLECTED: Place.TRANSIT,
    Status.AT_POINT: Place.POINT,
    Status.RETURNED: Place.CITIZEN,
    Status.SUPPLEMENT_REQUESTED: Place.AGENCY,
    Status.WITHDRAWN: Place.CITIZEN,
    Status.REJECTED: Place.AGENCY,
}
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu", "Hà", "Lý"]
GIVEN = ["Thị Hoa", "Văn Tùng", "Thị Lan", "Văn Hải", "Thị Nga", "Văn Sơn", "Thị Dung"]


def build(count: int = 200_000, *, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """Create the demo dossiers once (skipped when any exist)."""
    seed_holidays()
    seed_procedures()
    if Dossier.objects.exists():
        return []
    generate(count, today=today or timezone.localdate())
    return []


@transaction.atomic
def generate(count: int, *, today: dt.date) -> None:
    rng = random.Random(45)
    points = list(PostUnit.objects.filter(kind="commune_point").order_by("code"))
    clerks = {u.home_unit_id: u for u in User.objects.filter(role=Role.CLERK, home_unit__in=points)}
    fallback = User.objects.filter(role=Role.ADMIN).first()
    procedures = list(Procedure.objects.prefetch_related("documents"))
    start = dt.date(2024, 1, 1)
    span = (today - start).days
    batch_d: list[Dossier] = []
    batch_docs: list[DossierDocument] = []
    batch_events: list[DossierEvent] = []
    for i in range(count):
        received = start + dt.timedelta(days=int(span * (i / count) ** 0.9))
        if received.weekday() == 6:
            received += dt.timedelta(days=1)
        proc = procedures[rng.randrange(len(procedures))]
        point = points[rng.randrange(len(points))]
        clerk = clerks.get(point.pk) or fallback
        at = dt.datetime(
            received.year,
            received.month,
            received.day,
            rng.randint(7, 16),
            rng.randint(0, 59),
            tzinfo=TZ,
        )
        age = (today - received).days
        # How far along: old dossiers are finished; recent ones stop somewhere on the way.
        steps = len(PATH) if age > 40 else max(1, min(len(PATH), 1 + age // 4 + rng.randint(-1, 1)))
        path = PATH[:steps]
        roll = rng.random()
        if roll < 0.02:
            path = ["intake", "withdraw"]
        elif roll < 0.06 and steps >= 3:
            path = [*PATH[:3], "request_supplement"] if age <= 40 else PATH
        elif roll < 0.08 and steps >= 4:
            path = [*PATH[:3], "reject", "collect", "arrive", "return"][: steps + 1]
        due = add_working_days(received, proc.processing_days)
        status = STATUS_AFTER[path[-1]]
        step_due = (
            None
            if status in {Status.RETURNED, Status.WITHDRAWN}
            else add_working_days(received, min(len(path) * 2, proc.processing_days + 2))
        )
        d = Dossier(
            id=uuid7(),
            code=f"HS{received:%y%m%d}{i:06d}",
            procedure=proc,
            agency_id=proc.agency_id,
            point=point,
            channel="home" if rng.random() < 0.2 else "counter",
            citizen_name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
            citizen_id=f"004{rng.choice('0123')}{rng.randint(60, 99) % 100:02d}"
            f"{rng.randint(0, 999999):06d}",
            phone=f"09{rng.randint(10000000, 99999999)}",
            address=f"Xã {point.name[13:]}",
            status=status,
            place=PLACE[status],
            received_at=at,
            received_by=clerk,
            due_date=due,
            step_due=step_due,
            version=len(path),
            search_text=f"{proc.search_text}",
        )
        if status == Status.RETURNED:
            d.returned_to = d.citizen_name
            d.returned_at = at + dt.timedelta(days=proc.processing_days + 3)
        batch_d.append(d)
        for req in list(proc.documents.all())[:3]:
            batch_docs.append(
                DossierDocument(
                    dossier=d, required=req, name=req.name, form="original", count=req.copies
                )
            )
        previous = ""
        for k, action in enumerate(path):
            st = STATUS_AFTER[action]
            batch_events.append(
                DossierEvent(
                    dossier=d,
                    at=at + dt.timedelta(days=k * 2),
                    actor=clerk,
                    action=action,
                    from_status=previous,
                    to_status=st,
                    place=PLACE[st],
                )
            )
            previous = st
        if len(batch_d) >= 5000:
            _flush(batch_d, batch_docs, batch_events)
    _flush(batch_d, batch_docs, batch_events)


def _flush(
    dossiers: list[Dossier], docs: list[DossierDocument], events: list[DossierEvent]
) -> None:
    Dossier.objects.bulk_create(dossiers, batch_size=5000)
    DossierDocument.objects.bulk_create(docs, batch_size=5000)
    DossierEvent.objects.bulk_create(events, batch_size=5000)
    dossiers.clear()
    docs.clear()
    events.clear()
