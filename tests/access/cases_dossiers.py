"""Cases for the dossiers routes (HTML and API) and the public look-up."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from buudien.core.models import Role, User
from buudien.core.notify import OutboxSender
from buudien.core.text import build_search_text
from buudien.dossiers import services
from buudien.dossiers.models import Batch, Dossier, Procedure, RequiredDocument
from buudien.dossiers.services import DocumentIn
from tests.access.case import Case
from tests.access.world import Side, World
from tests.factories import UserFactory

PREFIX = {"in": "91", "out": "92"}
CITIZEN = {
    "in": {"citizen_name": "Lò Thị Trong", "citizen_id": "004185001234", "phone": "0912345678"},
    "out": {"citizen_name": "Vi Văn Ngoài", "citizen_id": "001190004321", "phone": "0987654321"},
}
TO = Batch.Direction.TO_AGENCY
FROM = Batch.Direction.FROM_AGENCY


def _procedure(side: Side, where: str) -> Procedure:
    """A procedure of the side's own agency, with one required document."""
    name = f"Thủ tục thử {PREFIX[where]}"
    procedure = Procedure.objects.create(
        code=f"T.{PREFIX[where]}",
        name=name,
        agency=side.agency,
        field="Thử",
        processing_days=5,
        search_text=build_search_text(name),
    )
    RequiredDocument.objects.create(procedure=procedure, name="Tờ khai", copies=1)
    return procedure


def _officer(world: World, where: str) -> User:
    if where == "in":
        return world.users[Role.PARTNER_OFFICER]
    return UserFactory(
        username="doitac-out", role=Role.PARTNER_OFFICER, partner=world.side(where).agency
    )


def _take_in(side: Side, where: str, procedure: Procedure) -> Dossier:
    docs = [DocumentIn(r.pk, r.name, "original", r.copies) for r in procedure.documents.all()]
    return services.intake(
        clerk=side.clerk,
        session=side.session,
        procedure=procedure,
        documents=docs,
        address="Thôn Nà Lẹng",
        **CITIZEN[where],
    )


def _batch(side: Side, direction: str, dossiers: list[Dossier], *, send: bool) -> Batch:
    for d in dossiers:
        d.refresh_from_db()
    batch = services.open_batch(
        actor=side.clerk, agency=side.agency, direction=direction, dossiers=dossiers
    )
    return services.send_batch(actor=side.clerk, batch=batch) if send else batch


def _build_side(world: World, where: str) -> None:
    side = world.side(where)
    officer = _officer(world, where)
    procedure = _procedure(side, where)
    received, at_agency, collected, handed, waiting = (
        _take_in(side, where, procedure) for _ in range(5)
    )
    services.confirm_handover(
        actor=officer, batch=_batch(side, TO, [at_agency, collected], send=True)
    )
    collected.refresh_from_db()
    services.transition(dossier=collected, actor=officer, action="result_ready")
    OutboxSender().send(
        to=collected.phone,
        body=f"Ho so {collected.code} da co ket qua.",
        topic="dossier.result_ready",
        ref=collected.code,
    )
    complaint = services.file_complaint(
        actor=side.clerk, dossier=received, kind="delay", description=f"Chậm {PREFIX[where]}"
    )
    for name, value in (
        ("procedure", procedure),
        ("dossier", received),
        ("at_agency", at_agency),
        ("collected", collected),
        ("back_batch", _batch(side, FROM, [collected], send=True)),
        ("sent_batch", _batch(side, TO, [handed], send=True)),
        ("open_batch", _batch(side, TO, [waiting], send=False)),
        ("complaint", complaint),
    ):
        world.put(where, name, value)


def build(world: World) -> None:
    """On each side: dossiers at each stage, a batch of each kind, a complaint, a message."""
    for where in ("in", "out"):
        _build_side(world, where)


def _code(name: str) -> Any:
    return lambda w, s: w.obj(s, name).code


def _xlsx(w: World, s: str) -> dict[str, Any]:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã thủ tục", "Tên thủ tục", "Mã cơ quan", "Thời hạn (ngày làm việc)"])
    sheet.append(["9.000091", "Thủ tục nhập thử", w.side("in").agency.code, 4])
    buffer = io.BytesIO()
    book.save(buffer)
    return {"file": SimpleUploadedFile("thu-tuc.xlsx", buffer.getvalue())}


def _intake(w: World, s: str) -> dict[str, Any]:
    procedure = w.obj("in", "procedure")
    data: dict[str, Any] = {
        "procedure": procedure.code,
        "address": "Thôn Nà Lẹng",
        "request_key": "access-intake",
        **CITIZEN["in"],
    }
    for r in procedure.documents.all():
        data |= {f"doc_{r.pk}": "1", f"doc_{r.pk}_count": "1", f"doc_{r.pk}_form": "original"}
    return data


def _in_ten_days(w: World, s: str) -> str:
    return (w.today + dt.timedelta(days=10)).isoformat()


CASES: dict[str, Case] = {
    "lookup": Case(
        url=lambda w, s: (
            f"/tra-cuu/?code={w.obj(s, 'dossier').code}&phone_last4=" + CITIZEN[s]["phone"][-4:]
        ),
        scoped=False,
    ),
    "dossiers:list": Case(
        url=lambda w, s: "/dossiers/?which=open", marker=_code("dossier"), listing=True
    ),
    "dossiers:intake": Case(
        url=lambda w, s: f"/dossiers/new/?procedure={w.obj('in', 'procedure').code}",
        data=_intake,
        scoped=False,
        doer=Role.CLERK,
    ),
    "dossiers:detail": Case(
        url=lambda w, s: f"/dossiers/{w.obj(s, 'dossier').code}/",
        data=lambda w, s: {"action": "withdraw", "version": w.obj(s, "dossier").version},
        marker=_code("dossier"),
        doer=Role.CLERK,
    ),
    "dossiers:agency_step": Case(
        url=lambda w, s: f"/dossiers/{w.obj(s, 'at_agency').code}/agency-step/",
        data=lambda w, s: {"action": "result_ready"},
        doer=Role.PARTNER_OFFICER,
    ),
    "dossiers:slip": Case(
        url=lambda w, s: f"/dossiers/{w.obj(s, 'dossier').code}/slip/", marker=_code("dossier")
    ),
    "dossiers:batches": Case(
        url=lambda w, s: f"/dossiers/batches/?agency={w.side(s).agency.code}",
        marker=_code("open_batch"),
        listing=True,
    ),
    "dossiers:batch_open": Case(
        url=lambda w, s: "/dossiers/batches/new/",
        data=lambda w, s: {
            "agency": w.side(s).agency.code,
            "direction": TO,
            "dossier": [w.obj(s, "dossier").code],
        },
        doer=Role.CLERK,
    ),
    "dossiers:batch": Case(
        url=lambda w, s: f"/dossiers/batches/{w.obj(s, 'sent_batch').code}/",
        marker=_code("sent_batch"),
    ),
    "dossiers:batch_send": Case(
        url=lambda w, s: f"/dossiers/batches/{w.obj(s, 'open_batch').code}/send/",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "dossiers:batch_confirm": Case(
        url=lambda w, s: f"/dossiers/batches/{w.obj(s, 'sent_batch').code}/confirm/",
        data=lambda w, s: {"receipt_" + w.obj(s, "sent_batch").items.get().dossier.code: "UB-1"},
        doer=Role.PARTNER_OFFICER,
    ),
    "dossiers:batch_arrival": Case(
        url=lambda w, s: f"/dossiers/batches/{w.obj(s, 'back_batch').code}/arrival/",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "dossiers:complaints": Case(
        url=lambda w, s: "/dossiers/complaints/", marker=_code("dossier"), listing=True
    ),
    "dossiers:complaint_file": Case(
        url=lambda w, s: "/dossiers/complaints/new/",
        data=lambda w, s: {
            "dossier": w.obj(s, "dossier").code,
            "kind": "delay",
            "description": "Quá hẹn chưa có kết quả",
        },
        doer=Role.CLERK,
    ),
    "dossiers:complaint_resolve": Case(
        url=lambda w, s: f"/dossiers/complaints/{w.obj(s, 'complaint').pk}/resolve/",
        data=lambda w, s: {"resolution": "Đã xin lỗi công dân", "compensation": "50000"},
        doer=Role.AREA_MANAGER,
    ),
    "dossiers:outbox": Case(
        url=lambda w, s: "/dossiers/outbox/", marker=_code("collected"), listing=True
    ),
    "dossiers:report": Case(
        url=lambda w, s: "/dossiers/report/",
        marker=lambda w, s: w.side(s).point.name,
        listing=True,
    ),
    "dossiers:procedures": Case(
        url=lambda w, s: "/dossiers/procedures/",
        data=_xlsx,
        scoped=False,
        doer=Role.PROVINCE_MANAGER,
    ),
    "GET /api/dossiers": Case(
        url=lambda w, s: "/api/dossiers/", marker=_code("dossier"), listing=True
    ),
    "POST /api/dossiers/{code}/steps": Case(
        url=lambda w, s: f"/api/dossiers/{w.obj(s, 'dossier').code}/steps",
        data=lambda w, s: {"action": "withdraw"},
        doer=Role.CLERK,
    ),
    "POST /api/dossiers/{code}/agency-steps": Case(
        url=lambda w, s: f"/api/dossiers/{w.obj(s, 'at_agency').code}/agency-steps",
        data=lambda w, s: {"action": "result_ready"},
        doer=Role.PARTNER_OFFICER,
    ),
    "POST /api/dossiers/{code}/appointment": Case(
        url=lambda w, s: f"/api/dossiers/{w.obj(s, 'at_agency').code}/appointment",
        data=lambda w, s: {"appointment_date": _in_ten_days(w, s), "receipt_no": "UB-7"},
        doer=Role.PARTNER_OFFICER,
    ),
    "POST /api/dossiers/batches/{batch_code}/confirm": Case(
        url=lambda w, s: f"/api/dossiers/batches/{w.obj(s, 'sent_batch').code}/confirm",
        data=lambda w, s: {"receipts": {w.obj(s, "sent_batch").items.get().dossier.code: "UB-1"}},
        doer=Role.PARTNER_OFFICER,
    ),
    "GET /api/public/dossiers/{code}": Case(
        url=lambda w, s: (
            f"/api/public/dossiers/{w.obj(s, 'dossier').code}?phone_last4="
            + CITIZEN[s]["phone"][-4:]
        ),
        scoped=False,
    ),
}
