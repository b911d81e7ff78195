"""Who may do what on dossiers, what each role is shown, uploads, exports and bad input."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from buudien.core.errors import DomainError, Forbidden
from buudien.core.models import AuditEvent, OutboxMessage, Role, User
from buudien.core.notify import OutboxSender
from buudien.counter.models import CounterSession
from buudien.dossiers import services
from buudien.dossiers.models import Batch, Complaint, Dossier, Procedure
from tests.conftest import Tree
from tests.dossiers.conftest import CITIZEN, full_documents
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _take_in(session: CounterSession, clerk: User, procedure: Procedure) -> Dossier:
    return services.intake(
        clerk=clerk,
        session=session,
        procedure=procedure,
        documents=full_documents(procedure),
        **CITIZEN,
    )


def _sent_batch(tree: Tree, clerk: User, dossier: Dossier) -> Batch:
    batch = services.open_batch(
        actor=clerk,
        unit=tree.point_a1,
        agency=dossier.agency,
        direction=Batch.Direction.TO_AGENCY,
        dossiers=[dossier],
    )
    return services.send_batch(actor=clerk, batch=batch)


def write_forms(page: str) -> list[str]:
    """The POST forms of a page, but the language and logout forms every page has."""
    forms = re.findall(r"<form\b[^>]*>", page)
    posts = [f for f in forms if re.search(r'method="post"', f, re.IGNORECASE)]
    return [f for f in posts if not re.search(r'action="/(logout|i18n/setlang)/"', f)]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dossier(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> Dossier:
    return _take_in(clerk_session, users[Role.CLERK], procedures["1.001193"])


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_a_clerk_cannot_record_the_agencys_steps_and_no_sms_goes_out(
    tree: Tree, users: dict[str, User], officer: User, dossier: Dossier
) -> None:
    clerk = users[Role.CLERK]
    services.confirm_handover(actor=officer, batch=_sent_batch(tree, clerk, dossier))
    api = _client(clerk)
    for path, action in (("agency-steps", "result_ready"), ("steps", "result_ready")):
        answer = api.post(
            f"/api/dossiers/{dossier.code}/{path}",
            {"action": action},
            content_type="application/json",
        )
        assert answer.status_code in {403, 422}
    page = _client(clerk).post(
        f"/dossiers/{dossier.code}/", {"action": "result_ready", "version": 3}, follow=True
    )
    assert page.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == "at_agency"
    assert not OutboxMessage.objects.exists()


def test_the_auditor_writes_nothing(
    tree: Tree, users: dict[str, User], officer: User, dossier: Dossier
) -> None:
    auditor, clerk = users[Role.AUDITOR], users[Role.CLERK]
    complaint = services.file_complaint(
        actor=clerk, dossier=dossier, kind="delay", description="Chậm"
    )
    batch = _sent_batch(tree, clerk, dossier)
    with pytest.raises(Forbidden, match="dossiers.file_complaint"):
        services.file_complaint(actor=auditor, dossier=dossier, kind="lost", description="x")
    with pytest.raises(Forbidden, match="dossiers.resolve_complaint"):
        services.resolve_complaint(
            actor=auditor, complaint=complaint, resolution="x", compensation=10_000_000
        )
    with pytest.raises(Forbidden, match="dossiers.confirm_handover"):
        services.confirm_handover(actor=auditor, batch=batch)
    page = _client(auditor).post(
        f"/dossiers/complaints/{complaint.pk}/resolve/",
        {"resolution": "Bồi thường", "compensation": "10000000"},
    )
    assert page.status_code == 403
    assert "quy tắc dossiers.resolve_complaint" in page.content.decode()
    complaint.refresh_from_db()
    assert complaint.resolved_at is None


def test_a_file_for_a_batch_out_of_scope_is_refused_before_it_is_stored(
    tree: Tree, users: dict[str, User], officer: User, dossier: Dossier, media: Path
) -> None:
    batch = _sent_batch(tree, users[Role.CLERK], dossier)
    stranger = UserFactory(role=Role.PARTNER_OFFICER, partner=tree.partner)
    slip = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    answer = _client(stranger).post(
        f"/dossiers/batches/{batch.code}/confirm/", {"signed_slip": slip}
    )
    assert answer.status_code == 404
    clerk_try = _client(users[Role.CLERK]).post(
        f"/dossiers/batches/{batch.code}/confirm/", {"signed_slip": slip}
    )
    assert clerk_try.status_code == 403
    assert not any(media.rglob("*"))
    batch.refresh_from_db()
    assert batch.state == Batch.State.SENT
    assert not batch.signed_slip


def test_a_signed_slip_must_be_a_pdf_or_image_and_is_stored_with_the_confirmation(
    tree: Tree, users: dict[str, User], officer: User, dossier: Dossier, media: Path
) -> None:
    batch = _sent_batch(tree, users[Role.CLERK], dossier)
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(DomainError, match="Chỉ nhận tệp") as refused:
        services.confirm_handover(actor=officer, batch=batch, signed_slip=fake)
    assert refused.value.field == "signed_slip"
    assert not any(media.rglob("*"))
    page = _client(officer).post(
        f"/dossiers/batches/{batch.code}/confirm/",
        {"signed_slip": SimpleUploadedFile("bien-ban.pdf", PDF), f"receipt_{dossier.code}": "UB-1"},
    )
    assert page.status_code == 302
    batch.refresh_from_db()
    assert batch.state == Batch.State.CONFIRMED
    assert batch.signed_slip.name.endswith(".pdf")


def test_the_outbox_is_for_province_managers_only_in_scope_with_phones_masked(
    tree: Tree, users: dict[str, User], dossier: Dossier
) -> None:
    OutboxSender().send(to=dossier.phone, body="Ho so", topic="dossier.arrive", ref=dossier.code)
    OutboxSender().send(to="0987000111", body="Khac", topic="dossier.arrive", ref="HS000000000000")
    assert _client(users[Role.CLERK]).get("/dossiers/outbox/").status_code == 403
    assert _client(users[Role.AUDITOR]).get("/dossiers/outbox/").status_code == 403
    page = _client(users[Role.PROVINCE_MANAGER]).get("/dossiers/outbox/").content.decode()
    assert "0912***678" in page
    assert dossier.phone not in page
    assert "0987" not in page


def test_exporting_the_dossier_list_is_recorded(users: dict[str, User], dossier: Dossier) -> None:
    answer = _client(users[Role.AREA_MANAGER]).get("/dossiers/?which=open&format=xlsx")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:2] == [dossier.code, CITIZEN["citizen_name"]]
    event = AuditEvent.objects.get(action="dossiers.list_exported")
    assert event.after == {"rows": 1}
    assert event.actor == users[Role.AREA_MANAGER]


def test_roles_without_the_right_see_no_write_form(
    tree: Tree, users: dict[str, User], officer: User, dossier: Dossier
) -> None:
    batch = _sent_batch(tree, users[Role.CLERK], dossier)
    services.file_complaint(
        actor=users[Role.CLERK], dossier=dossier, kind="delay", description="Chậm"
    )
    auditor = _client(users[Role.AUDITOR])
    for url in (
        f"/dossiers/{dossier.code}/",
        f"/dossiers/batches/{batch.code}/",
        "/dossiers/batches/?agency=UBNDXA04",
        "/dossiers/complaints/",
        "/dossiers/procedures/",
        "/dossiers/",
    ):
        page = auditor.get(url).content.decode()
        assert write_forms(page) == [], url
        assert "/dossiers/new/" not in page, url
    other_agency = _client(users[Role.PARTNER_OFFICER])
    assert other_agency.get(f"/dossiers/{dossier.code}/").status_code == 404
    mine = _client(officer).get(f"/dossiers/batches/{batch.code}/").content.decode()
    assert f'action="/dossiers/batches/{batch.code}/confirm/"' in mine
    assert "/send/" not in mine


def test_the_officer_sees_only_his_agencys_step_forms(
    tree: Tree, users: dict[str, User], officer: User, dossier: Dossier
) -> None:
    services.confirm_handover(actor=officer, batch=_sent_batch(tree, users[Role.CLERK], dossier))
    page = _client(officer).get(f"/dossiers/{dossier.code}/").content.decode()
    assert f'action="/dossiers/{dossier.code}/agency-step/"' in page
    assert 'data-testid="action-result_ready"' in page
    assert "dossiers/complaints/new/" not in page
    clerk_page = _client(users[Role.CLERK]).get(f"/dossiers/{dossier.code}/").content.decode()
    assert "agency-step" not in clerk_page


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/dossiers/report/?year=2025&month=13", "Tháng"),
        ("/dossiers/report/?year=abc", "Năm"),
        ("/dossiers/report/?year=99999999999999999999", "Năm"),
        ("/dossiers/?which=sometime", "Danh sách"),
        ("/dossiers/?point=%27%3B--", "Mã điểm"),
        ("/dossiers/new/?procedure=KHONG.CO", "Thủ tục"),
        ("/tra-cuu/?code=HS1&phone_last4=12", "4 số cuối"),
        ("/tra-cuu/?code=%00%00&phone_last4=1234", "«code»"),
    ],
)
def test_bad_query_values_are_named_not_server_errors(
    users: dict[str, User], procedures: Any, url: str, field: str
) -> None:
    page = _client(users[Role.PROVINCE_MANAGER]).get(url)
    assert page.status_code == (400 if "%00" in url else 200)  # NUL: refused before any view
    assert field in page.content.decode()


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("{code}/", {"action": "withdraw", "version": "abc"}, "Phiên bản"),
        ("{code}/", {"action": "fly"}, "Thao tác"),
        ("{code}/", {"action": "delivery_failed", "next_attempt": "2025-13-45"}, "Lần phát sau"),
        ("complaints/new/", {"dossier": "{code}", "kind": "wrath", "description": "x"}, "Loại"),
        (
            "batches/new/",
            {"agency": "UBNDXA04", "direction": "sideways", "dossier": "{code}"},
            "Chiều",
        ),
    ],
)
def test_bad_form_values_are_named_not_server_errors(
    users: dict[str, User], dossier: Dossier, path: str, data: dict[str, str], message: str
) -> None:
    filled = {k: v.replace("{code}", dossier.code) for k, v in data.items()}
    page = _client(users[Role.CLERK]).post(
        "/dossiers/" + path.replace("{code}", dossier.code), filled, follow=True
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == "received"


def test_a_bad_compensation_is_named_and_unknown_codes_are_not_found(
    users: dict[str, User], dossier: Dossier
) -> None:
    complaint = services.file_complaint(
        actor=users[Role.CLERK], dossier=dossier, kind="delay", description="Chậm"
    )
    manager = _client(users[Role.AREA_MANAGER])
    page = manager.post(
        f"/dossiers/complaints/{complaint.pk}/resolve/",
        {"resolution": "Xong", "compensation": "năm chục"},
        follow=True,
    )
    assert "Bồi thường" in page.content.decode()
    assert Complaint.objects.get().resolved_at is None
    for url in ("/dossiers/batches/KHONGCO/", "/dossiers/HS000/", "/dossiers/complaints/x/"):
        assert manager.get(url).status_code == 404
    unknown_agency = _client(users[Role.CLERK]).post(
        "/dossiers/batches/new/", {"agency": "KHONGCO", "dossier": dossier.code}
    )
    assert unknown_agency.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/dossiers/?status=lost", None),
        ("get", "/api/dossiers/?due=someday", None),
        ("post", "/api/dossiers/{code}/steps", {"action": "teleport"}),
        ("post", "/api/dossiers/{code}/steps", {"action": "withdraw", "version": "x"}),
        ("post", "/api/dossiers/{code}/steps", {"action": "withdraw", "version": -1}),
        ("post", "/api/dossiers/{code}/agency-steps", {"action": "send"}),
        ("post", "/api/dossiers/{code}/appointment", {"appointment_date": "2025-02-30"}),
        ("get", "/api/public/dossiers/{code}?phone_last4=12ab", None),
        ("get", "/api/public/dossiers/{code}", None),
    ],
)
def test_bad_api_values_are_422_naming_the_field(
    users: dict[str, User], officer: User, dossier: Dossier, method: str, path: str, body: Any
) -> None:
    client = _client(officer if "agency" in path or "appointment" in path else users[Role.CLERK])
    url = path.replace("{code}", dossier.code)
    if method == "get":
        answer = client.get(url)
    else:
        answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 422, answer.content
    assert answer.json()["field"]


def test_procedures_are_imported_by_the_province_only_from_an_xlsx(
    users: dict[str, User], procedures: Any
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã thủ tục", "Tên thủ tục", "Mã cơ quan", "Thời hạn (ngày làm việc)"])
    sheet.append(["9.000003", "Thủ tục thử", "UBNDXA04", 4])
    buffer = io.BytesIO()
    book.save(buffer)
    for role in (Role.AREA_MANAGER, Role.AUDITOR, Role.CLERK):
        upload = SimpleUploadedFile("tt.xlsx", buffer.getvalue())
        with pytest.raises(Forbidden, match="dossiers.import_procedures"):
            services.import_procedures(actor=users[role], upload=upload)
    fake = SimpleUploadedFile("tt.xlsx", b"=cmd|' /C calc'!A0")
    page = _client(users[Role.PROVINCE_MANAGER]).post("/dossiers/procedures/", {"file": fake})
    assert page.status_code == 422
    assert "Chỉ nhận tệp .xlsx" in page.content.decode()
    good = SimpleUploadedFile("tt.xlsx", buffer.getvalue())
    report = services.import_procedures(actor=users[Role.PROVINCE_MANAGER], upload=good)
    assert report.committed
    assert Procedure.objects.filter(code="9.000003").exists()
