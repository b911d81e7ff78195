"""About 200,000 dossiers from 1 January two years back to yesterday, in every state: the old
ones returned (most by their due date), the recent ones somewhere on their way.

Written with bulk inserts of rows, not model instances: a dossier, the documents received
with it and each step of its life."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from buudien.core import users
from buudien.core.bulk import insert_rows
from buudien.core.text import build_search_text
from buudien.core.uuids import uuid7
from buudien.dossiers.calendar import add_working_days, is_working_day
from buudien.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    Place,
    Procedure,
    Status,
)
from buudien.dossiers.services.rollups import rebuild_rollups
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User

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
# The same as plain text, as the rows hold it.
STATUS_TEXT = {action: status.value for action, status in STATUS_AFTER.items()}
PLACE_TEXT = {status.value: place.value for status, place in PLACE.items()}
FINISHED = {Status.RETURNED.value, Status.WITHDRAWN.value}
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu", "Hà", "Lý"]
GIVEN = ["Thị Hoa", "Văn Tùng", "Thị Lan", "Văn Hải", "Thị Nga", "Văn Sơn", "Thị Dung"]
HAMLETS = ["Nà Lẹng", "Pác Bó", "Khuổi Nặm", "Lũng Pán", "Bản Giốc", "Nà Rị", "Phia Đén"]
CHUNK = 5000
DOSSIER_COLUMNS = (
    "id", "created_at", "updated_at", "version", "code", "procedure_id", "agency_id",
    "point_id", "channel", "home_delivery", "citizen_name", "citizen_id", "phone", "address",
    "representative_name", "representative_id", "status", "place", "received_at",
    "received_by_id", "due_date", "step_due", "agency_receipt_no", "supplement_note",
    "returned_at", "returned_to", "note", "search_text", "request_key", "request_digest",
)  # fmt: skip
DOCUMENT_COLUMNS = ("dossier_id", "required_id", "name", "form", "count")
EVENT_COLUMNS = (
    "dossier_id", "at", "actor_id", "action", "from_status", "to_status", "place", "where",
    "note",
)  # fmt: skip


def first_day(today: dt.date) -> dt.date:
    """The demo's data starts on 1 January two full years back."""
    return dt.date(today.year - 2, 1, 1)


@dataclass
class _Procedure:
    """What a dossier needs of its procedure, read once."""

    pk: Any
    agency_id: Any
    name: str
    days: int
    documents: list[tuple[Any, str, int]]


@dataclass
class _Point:
    pk: Any
    clerk_id: Any
    commune: str


@dataclass
class _Rows:
    """The rows of the dossiers made so far, written a chunk at a time."""

    dossiers: list[tuple[Any, ...]] = field(default_factory=list)
    documents: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)

    def flush(self) -> None:
        insert_rows(Dossier, DOSSIER_COLUMNS, self.dossiers)
        insert_rows(DossierDocument, DOCUMENT_COLUMNS, self.documents)
        insert_rows(DossierEvent, EVENT_COLUMNS, self.events)
        self.dossiers, self.documents, self.events = [], [], []


class _Maker:
    """Dossiers one by one: who brought which procedure to which point, and how far it got."""

    def __init__(self, *, today: dt.date, points: list[_Point], procedures: list[_Procedure]):
        self.rng = random.Random(45)
        self.today, self.now = today, timezone.now()
        self.points, self.procedures = points, procedures
        self.due: dict[tuple[dt.date, int], dt.date] = {}
        self.midnights: dict[dt.date, dt.datetime] = {}
        # Keys count up from one UUIDv7, so that they still sort by creation.
        self.next_id = uuid7().int & ~0xFFFF_FFFF
        self.search: dict[tuple[str, str], str] = {}

    def due_date(self, received: dt.date, days: int) -> dt.date:
        key = (received, days)
        if key not in self.due:
            self.due[key] = add_working_days(received, days)
        return self.due[key]

    def path(self, age: int) -> list[str]:
        """The steps taken: old dossiers are finished, recent ones stop on the way."""
        rng = self.rng
        steps = len(PATH) if age > 40 else max(1, min(len(PATH), 1 + age // 4 + rng.randint(-1, 1)))
        roll = rng.random()
        if roll < 0.02:
            return ["intake", "withdraw"]
        if roll < 0.06 and steps >= 3 and age <= 40:
            return [*PATH[:3], "request_supplement"]
        if roll < 0.08 and steps >= 4:
            return [*PATH[:3], "reject", "collect", "arrive", "return"][: steps + 1]
        return PATH[:steps]

    def make(self, i: int, received: dt.date, rows: _Rows) -> None:
        rng = self.rng
        proc = self.procedures[rng.randrange(len(self.procedures))]
        point = self.points[rng.randrange(len(self.points))]
        at = self.midnight(received) + dt.timedelta(minutes=420 + int(rng.random() * 600))
        age = (self.today - received).days
        path = self.path(age)
        due = self.due_date(received, proc.days)
        moments = self._moments(at, received, path, due, age)
        status = STATUS_TEXT[path[-1]]
        self.next_id += 1
        pk = f"{self.next_id:032x}"
        name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
        if (name, proc.name) not in self.search:
            self.search[(name, proc.name)] = build_search_text(name, proc.name)
        finished = status in FINISHED
        returned = status == Status.RETURNED.value
        step_due = None if finished else self.due_date(received, min(len(path) * 2, proc.days + 2))
        rows.dossiers.append(
            (
                pk, self.now, self.now, len(path), f"HS{received:%y%m%d}{i:06d}", proc.pk,
                proc.agency_id, point.pk, "home" if rng.random() < 0.2 else "counter", False,
                name, _citizen_id(rng), f"09{10_000_000 + int(rng.random() * 90_000_000)}",
                f"Thôn {rng.choice(HAMLETS)}, {point.commune}", "", "", status,
                PLACE_TEXT[status], at, point.clerk_id, due, step_due, "", "",
                moments[-1] if returned else None,
                name if returned else "", "", self.search[(name, proc.name)],
                "", "",
            )
        )  # fmt: skip
        for required, doc_name, copies in proc.documents:
            rows.documents.append((pk, required, doc_name, "original", copies))
        previous = ""
        for action, moment in zip(path, moments, strict=True):
            st = STATUS_TEXT[action]
            rows.events.append(
                (pk, moment, point.clerk_id, action, previous, st, PLACE_TEXT[st], "", "")
            )
            previous = st

    def midnight(self, day: dt.date) -> dt.datetime:
        """The day's first moment in Vietnam, in UTC (rows take UTC times as they are)."""
        found = self.midnights.get(day)
        if found is None:
            found = dt.datetime.combine(day, dt.time(0), TZ).astimezone(dt.UTC)
            self.midnights[day] = found
        return found

    def _moments(
        self, at: dt.datetime, received: dt.date, path: list[str], due: dt.date, age: int
    ) -> list[dt.datetime]:
        """When each step happened: spread up to about the due date (most in time), never
        later than yesterday; a later day's step at an hour of office time."""
        rng = self.rng
        span = max((due - received).days, 1) * (0.6 + 0.55 * rng.random())
        days = min(span, max(age - 1, 0))
        last = max(len(path) - 1, 1)
        out = [at]
        for k in range(1, len(path)):
            offset = round(days * k / last)
            if offset == 0:
                out.append(at + dt.timedelta(minutes=15 * k))
            else:
                minutes = 60 * (7 + k) + (30 if rng.random() < 0.5 else 0)
                day = self.midnight(received + dt.timedelta(offset))
                out.append(day + dt.timedelta(minutes=minutes))
        return out


def _citizen_id(rng: random.Random) -> str:
    """A CCCD of the province (004), a birth century and year, and a serial."""
    century, year, serial = int(rng.random() * 4), 60 + int(rng.random() * 40), rng.random()
    return f"004{century}{year}{int(serial * 1_000_000):06d}"


def _open_day(day: dt.date) -> dt.date:
    """The day itself, or the last day before it that a point was open (Saturdays too)."""
    while not (is_working_day(day) or day.weekday() == 5):
        day -= dt.timedelta(days=1)
    return day


def _received(count: int, today: dt.date) -> Iterator[tuple[int, dt.date]]:
    """The day each dossier came in, more of them as the service grew."""
    start = first_day(today)
    span = (today - start).days
    for i in range(count):
        yield i, max(start, _open_day(start + dt.timedelta(days=int(span * (i / count) ** 0.9))))


def _inputs(actor: User) -> tuple[list[_Point], list[_Procedure]]:
    clerks = {unit: u.pk for unit, u in users.clerks_by_unit().items()}
    flt = network_selectors.UnitFilter(kind="commune_point")
    points = [
        _Point(p.pk, clerks.get(p.pk, actor.pk), p.commune.name if p.commune else "")
        for p in network_selectors.units(actor, flt)
    ]
    procedures = [
        _Procedure(
            p.pk,
            p.agency_id,
            p.name,
            p.processing_days,
            [(d.pk, d.name, d.copies) for d in list(p.documents.all())[:3]],
        )
        for p in Procedure.objects.filter(is_active=True).prefetch_related("documents")
    ]
    return points, procedures


@transaction.atomic
def generate(count: int, *, today: dt.date) -> None:
    """Write `count` dossiers received between the demo's first day and yesterday."""
    actor = users.first_admin()
    if actor is None:
        return
    points, procedures = _inputs(actor)
    if not points or not procedures:
        return
    maker = _Maker(today=today, points=points, procedures=procedures)
    rows = _Rows()
    for i, received in _received(count, today):
        maker.make(i, received, rows)
        if len(rows.dossiers) >= CHUNK:
            rows.flush()
    rows.flush()
    rebuild_rollups()


def build(count: int = 200_000, *, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """Create the demo dossiers once (skipped when any exist)."""
    if Dossier.objects.exists():
        return []
    generate(count, today=today or timezone.localdate())
    return []
