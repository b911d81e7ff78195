"""Intake, deadlines in working days, the state machine, batches and the public look-up."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from buudien.core.errors import DomainError, Forbidden
from buudien.core.models import OutboxMessage, Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.dossiers import selectors, services
from buudien.dossiers.calendar import add_working_days, working_days_late
from buudien.dossiers.errors import DossierError
from buudien.dossiers.models import Batch, Dossier, Procedure
from buudien.dossiers.services import DocumentIn
from tests.conftest import Tree
from tests.dossiers.conftest import CITIZEN, full_documents

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def take_in(session: CounterSession, user: User, procedure: Procedure, **kw: Any) -> Dossier:
    return services.intake(
        clerk=user,
        session=session,
        procedure=procedure,
        documents=kw.pop("documents", full_documents(procedure)),
        **(CITIZEN | kw),
    )


def test_a_missing_required_document_is_refused_with_what_to_bring(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    birth = procedures["1.001193"]
    docs = [d for d in full_documents(birth) if "chứng sinh" not in d.name]
    with pytest.raises(DossierError, match="cần mang thêm: Giấy chứng sinh"):
        take_in(clerk_session, users[Role.CLERK], birth, documents=docs)
    assert not Dossier.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_copy_where_an_original_is_required_is_refused(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    birth = procedures["1.001193"]
    docs = [
        DocumentIn(d.required_id, d.name, "copy" if "chứng sinh" in d.name else d.form, d.count)
        for d in full_documents(birth)
    ]
    with pytest.raises(DossierError, match="Giấy chứng sinh: cần bản chính"):
        take_in(clerk_session, users[Role.CLERK], birth, documents=docs)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("citizen_id", "12345", "12 chữ số"),
        ("phone", "0212345678", "điện thoại"),
    ],
)
def test_a_bad_citizen_id_or_phone_is_refused(
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
    field: str,
    value: str,
    message: str,
) -> None:
    with pytest.raises(DomainError, match=message):
        take_in(clerk_session, users[Role.CLERK], procedures["1.002809"], **{field: value})
    assert not Dossier.objects.exists()


def test_intake_posts_the_fees_and_promises_a_date(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    licence = procedures["1.002809"]
    d = take_in(
        clerk_session,
        users[Role.CLERK],
        licence,
        home_delivery=True,
        received_at=dt.datetime(2025, 3, 14, 9, 0, tzinfo=TZ),
    )
    fees = {e.service.code: e for e in LedgerEntry.objects.filter(source_id=str(d.pk))}
    assert set(fees) == {"BC-HCC", "TC-PHIHC", "BC-HCC-NHA"}
    assert fees["TC-PHIHC"].amount == 135_000
    assert fees["TC-PHIHC"].revenue == 1_000
    assert d.due_date == dt.date(2025, 3, 21)  # Friday + 5 working days
    assert d.events.get().action == "intake"


def test_deadlines_skip_tet_and_weekends() -> None:
    from buudien.core import reference

    reference.load(only=["dossiers.holidays"])
    friday_before_tet = dt.date(2025, 1, 24)
    assert add_working_days(friday_before_tet, 5) == dt.date(2025, 2, 7)
    saturday = dt.date(2025, 3, 15)
    assert add_working_days(saturday, 3) == dt.date(2025, 3, 19)  # day 1 is Monday 17
    assert add_working_days(dt.date(2025, 4, 25), 1) == dt.date(2025, 4, 26)  # a make-up Saturday
    assert working_days_late(dt.date(2025, 1, 23), dt.date(2025, 2, 4)) == 3


pytestmark = pytest.mark.django_db


def test_the_whole_journey_with_batches_and_the_agency_officer(
    tree: Tree,
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    clerk = users[Role.CLERK]
    d = take_in(clerk_session, clerk, procedures["1.001193"])
    batch = services.open_batch(
        actor=clerk,
        unit=tree.point_a1,
        agency=d.agency,
        direction=Batch.Direction.TO_AGENCY,
        dossiers=[d],
    )
    assert batch.items.get().documents == sum(x.count for x in d.documents.all())
    services.send_batch(actor=clerk, batch=batch)
    d.refresh_from_db()
    assert (d.status, d.place) == ("in_transit", "transit")
    for not_the_agency in (users[Role.AUDITOR], clerk, users[Role.PROVINCE_MANAGER]):
        with pytest.raises(Forbidden, match="dossiers.confirm_handover"):
            services.confirm_handover(actor=not_the_agency, batch=batch)
    services.confirm_handover(
        actor=officer, batch=batch, receipts={d.code: ("UB-123", dt.date(2026, 12, 1))}
    )
    d.refresh_from_db()
    assert (d.status, d.agency_receipt_no, d.step_due) == (
        "at_agency",
        "UB-123",
        dt.date(2026, 12, 1),
    )
    with pytest.raises(Forbidden, match="dossiers.agency_step"):
        services.transition(dossier=d, actor=clerk, action="result_ready")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(dossier=d, actor=officer, action="result_ready")
    assert OutboxMessage.objects.filter(ref=d.code, topic="dossier.result_ready").exists()
    back = services.open_batch(
        actor=clerk,
        unit=tree.point_a1,
        agency=d.agency,
        direction=Batch.Direction.FROM_AGENCY,
        dossiers=[Dossier.objects.get(pk=d.pk)],
    )
    services.send_batch(actor=clerk, batch=back)
    with pytest.raises(Forbidden, match="dossiers.confirm_arrival"):
        services.confirm_arrival(actor=officer, batch=back)
    services.confirm_arrival(actor=clerk, batch=back)
    d.refresh_from_db()
    assert d.status == "at_point"
    with pytest.raises(DomainError, match="người nhận"):
        services.transition(dossier=d, actor=clerk, action="return")
    services.transition(dossier=d, actor=clerk, action="return", receiver="Nông Thị Hoa")
    d.refresh_from_db()
    assert (d.status, d.place) == ("returned", "citizen")
    assert [e.action for e in d.events.all()] == [
        "intake",
        "send",
        "hand_over",
        "result_ready",
        "collect",
        "arrive",
        "return",
    ]


def test_invalid_transitions_and_stale_forms_are_refused(
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    clerk = users[Role.CLERK]
    d = take_in(clerk_session, clerk, procedures["1.001193"])
    with pytest.raises(DossierError, match="Không thể «Trả kết quả cho công dân» khi hồ sơ"):
        services.transition(dossier=d, actor=clerk, action="return", receiver="x")
    version = d.version
    services.transition(dossier=d, actor=clerk, action="withdraw", expected_version=version)
    with pytest.raises(DossierError, match="vừa được người khác cập nhật"):
        services.transition(dossier=d, actor=clerk, action="withdraw", expected_version=version)


def test_public_lookup_reveals_nothing_for_a_wrong_phone(
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    d = take_in(clerk_session, users[Role.CLERK], procedures["1.001193"])
    client = Client()
    ok = client.get(f"/api/public/dossiers/{d.code}?phone_last4=5678")
    assert ok.status_code == 200
    assert ok.json()["status"] == "Đã tiếp nhận tại điểm"
    assert "citizen_name" not in ok.json()
    assert "Nông" not in ok.content.decode()
    wrong_phone = client.get(f"/api/public/dossiers/{d.code}?phone_last4=0000")
    wrong_code = client.get("/api/public/dossiers/HS250314999999?phone_last4=5678")
    assert wrong_phone.status_code == wrong_code.status_code == 404
    assert wrong_phone.json() == wrong_code.json()


def _api_lookup(client: Client, code: str, last4: str, token: str = "") -> int:
    query = f"?phone_last4={last4}" + (f"&token={token}" if token else "")
    return int(client.get(f"/api/public/dossiers/{code}{query}").status_code)


def test_a_strangers_wrong_tries_throttle_him_but_never_lock_out_the_citizen(
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    d = take_in(clerk_session, users[Role.CLERK], procedures["1.001193"])
    kiosk = "203.0.113.7"
    stranger = Client(REMOTE_ADDR=kiosk)
    assert [_api_lookup(stranger, d.code, f"11{i:02d}") for i in range(5)] == [404] * 5
    assert _api_lookup(stranger, d.code, "5678") == 429
    page = stranger.get(f"/tra-cuu/?code={d.code}&phone_last4=5678")
    assert page.status_code == 429
    assert "quá nhiều lần" in page.content.decode()
    assert _api_lookup(Client(REMOTE_ADDR="198.51.100.2"), d.code, "5678") == 200
    token = selectors.lookup_token(d.code)
    same_kiosk = Client(REMOTE_ADDR=kiosk)
    assert _api_lookup(same_kiosk, d.code, "5678", token) == 200
    with_slip = same_kiosk.get(f"/tra-cuu/?code={d.code}&t={token}&phone_last4=5678")
    assert with_slip.status_code == 200
    assert "Đã tiếp nhận tại điểm" in with_slip.content.decode()
    forged = "0" * 16  # a forged token is no slip
    assert _api_lookup(Client(REMOTE_ADDR=kiosk), d.code, "5678", forged) == 429


def test_new_device_cookies_do_not_escape_the_codes_budget_at_one_address(
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    d = take_in(clerk_session, users[Role.CLERK], procedures["1.001193"])
    for device in range(4):
        client = Client(REMOTE_ADDR="203.0.113.9")
        client.cookies["buudien_device"] = f"thiet-bi-{device:04d}"
        assert [_api_lookup(client, d.code, "1111") for _ in range(5)] == [404] * 5
        assert _api_lookup(client, d.code, "5678") == 429
    fresh = Client(REMOTE_ADDR="203.0.113.9")
    fresh.cookies["buudien_device"] = "thiet-bi-moi-hoan-toan"
    assert _api_lookup(fresh, d.code, "5678") == 429
    assert _api_lookup(fresh, d.code, "5678", selectors.lookup_token(d.code)) == 200


def test_the_slips_qr_code_carries_the_lookup_token(
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    d = take_in(clerk_session, users[Role.CLERK], procedures["1.001193"])
    client = Client()
    client.force_login(users[Role.CLERK])
    slip = client.get(f"/dossiers/{d.code}/slip/").content.decode()
    token = selectors.lookup_token(d.code)
    assert len(token) == 16
    assert f"t={token}" in slip
    form = Client().get(f"/tra-cuu/?code={d.code}&t={token}").content.decode()
    assert f'value="{token}"' in form


def test_an_unconfirmed_batch_becomes_an_alert_after_one_working_day(
    tree: Tree,
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    clerk = users[Role.CLERK]
    d = take_in(clerk_session, clerk, procedures["1.001193"])
    batch = services.open_batch(
        actor=clerk,
        unit=tree.point_a1,
        agency=d.agency,
        direction=Batch.Direction.TO_AGENCY,
        dossiers=[d],
    )
    services.send_batch(actor=clerk, batch=batch)
    Batch.objects.filter(pk=batch.pk).update(sent_at=dt.datetime(2025, 3, 14, 10, tzinfo=TZ))
    monday = dt.datetime(2025, 3, 17, 16, tzinfo=TZ)
    assert selectors.unconfirmed_batches(user=clerk, now=monday) == []
    alerts = selectors.unconfirmed_batches(user=clerk, now=dt.datetime(2025, 3, 18, 8, tzinfo=TZ))
    assert [b.code for b in alerts] == [batch.code]


def test_report_counts_received_and_returned_and_the_indicator_follows(
    tree: Tree,
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    from buudien.core import reference
    from buudien.plans.periods import Period
    from buudien.reports.builders import plan_vs_actual

    reference.load(only=["plans.indicators"])
    clerk = users[Role.CLERK]
    at = dt.datetime(2025, 3, 14, 9, tzinfo=TZ)
    first = take_in(clerk_session, clerk, procedures["1.001193"], received_at=at)
    take_in(clerk_session, clerk, procedures["1.002809"], received_at=at)
    Dossier.objects.filter(pk=first.pk).update(
        status="returned", place="citizen", returned_at=at + dt.timedelta(days=1)
    )
    services.rebuild_rollups()  # the return was written around the services, as an import is
    rows = selectors.breakdowns(
        user=users[Role.PROVINCE_MANAGER], start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31)
    )["procedure"]
    by_code = {r.key: r for r in rows}
    assert by_code["1.001193"].received == 1
    assert by_code["1.001193"].returned == 1
    assert by_code["1.001193"].on_time_rate == 100
    assert by_code["1.002809"].returned == 0
    report = plan_vs_actual(users[Role.PROVINCE_MANAGER], tree.province, Period(2025, "month", 3))
    assert report.row("HS_NHAN").actual == 2  # type: ignore[union-attr]
    assert report.row("HS_TRA").actual == 1  # type: ignore[union-attr]
    page = Client()
    page.force_login(users[Role.PROVINCE_MANAGER])
    assert "Giấy phép lái xe" not in page.get("/dossiers/report/?year=2024").content.decode()
    assert "Đăng ký khai sinh" in page.get("/dossiers/report/?year=2025&month=3").content.decode()


def test_a_complaint_gets_five_or_seven_working_days_and_is_resolved(
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    clerk = users[Role.CLERK]
    d = take_in(clerk_session, clerk, procedures["1.001193"])
    client = Client()
    client.force_login(clerk)
    client.post(
        "/dossiers/complaints/new/",
        {"dossier": d.code, "kind": "delay", "description": "Quá hẹn chưa có kết quả"},
    )
    client.post(
        "/dossiers/complaints/new/",
        {
            "dossier": d.code,
            "kind": "lost",
            "description": "Thất lạc bản sao",
            "interprovincial": "1",
        },
    )
    local, between = d.complaints.order_by("interprovincial")
    today = local.received_at.astimezone(TZ).date()
    assert local.due_date == add_working_days(today, 5)
    assert between.due_date == add_working_days(today, 7)
    resolve = f"/dossiers/complaints/{local.pk}/resolve/"
    refused = client.post(resolve, {"resolution": "Đã xin lỗi", "compensation": "50000"})
    assert refused.status_code == 403
    assert "dossiers.resolve_complaint" in refused.content.decode()
    manager = Client()
    manager.force_login(users[Role.AREA_MANAGER])
    manager.post(resolve, {"resolution": "Đã xin lỗi", "compensation": "50000"})
    local.refresh_from_db()
    assert (local.resolution, local.compensation) == ("Đã xin lỗi", 50_000)
    assert local.resolved_at is not None
    again = manager.post(resolve, {"resolution": "Lần nữa", "compensation": "90000"}, follow=True)
    assert "đã được giải quyết" in again.content.decode()
    local.refresh_from_db()
    assert local.compensation == 50_000


def test_procedures_import_from_excel_with_a_row_report(
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    import io

    import openpyxl

    from buudien.core.excel import run_import
    from buudien.dossiers.importers import ProcedureImport

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "Mã thủ tục",
            "Tên thủ tục",
            "Mã cơ quan",
            "Lĩnh vực",
            "Thời hạn (ngày làm việc)",
            "Phí, lệ phí",
            "Thành phần hồ sơ",
        ]
    )
    ws.append(
        [
            "9.000001",
            "Cấp giấy phép thử",
            "TTHCC04",
            "Thử",
            4,
            "25.000",
            "Tờ khai | bản chính | 1 | bắt buộc; Ảnh | bản chính | 2 | không bắt buộc",
        ]
    )
    ws.append(["9.000002", "Thủ tục lỗi", "KHONGCO", "Thử", 3, 0, "Tờ khai | bản nháp"])
    buf = io.BytesIO()
    wb.save(buf)
    bad = run_import(ProcedureImport(), buf.getvalue(), actor=users[Role.PROVINCE_MANAGER])
    assert {e.row for e in bad.errors} == {3}
    assert not Procedure.objects.filter(code__startswith="9.").exists()
    ws.delete_rows(3)
    buf = io.BytesIO()
    wb.save(buf)
    good = run_import(ProcedureImport(), buf.getvalue(), actor=users[Role.PROVINCE_MANAGER])
    assert good.committed
    created = Procedure.objects.get(code="9.000001")
    assert (created.processing_days, created.agency_fee) == (4, 25_000)
    docs = list(created.documents.order_by("order"))
    assert [(d.name, d.copies, d.required) for d in docs] == [
        ("Tờ khai", 1, True),
        ("Ảnh", 2, False),
    ]
    assert len(procedures) >= 40


def test_agency_api_sees_only_its_dossiers_and_records_steps(
    tree: Tree,
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
    officer: User,
) -> None:
    from buudien.core.models import ApiToken

    clerk = users[Role.CLERK]
    mine = take_in(clerk_session, clerk, procedures["1.001193"])
    other = take_in(clerk_session, clerk, procedures["1.002809"])  # the police's
    batch = services.open_batch(
        actor=clerk,
        unit=tree.point_a1,
        agency=mine.agency,
        direction=Batch.Direction.TO_AGENCY,
        dossiers=[mine],
    )
    services.send_batch(actor=clerk, batch=batch)
    _, raw = ApiToken.issue(user=officer, name="ubnd")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    codes = [d["code"] for d in api.get("/api/dossiers/").json()["items"]]
    assert codes == [mine.code]
    confirmed = api.post(
        f"/api/dossiers/batches/{batch.code}/confirm",
        {"receipts": {mine.code: "UB-9"}},
        content_type="application/json",
    )
    assert confirmed.json()["state"] == "confirmed"
    moved = api.post(
        f"/api/dossiers/{mine.code}/appointment",
        {"appointment_date": "2026-12-10"},
        content_type="application/json",
    )
    assert moved.json()["appointment_date"] == "2026-12-10"
    asked = api.post(
        f"/api/dossiers/{mine.code}/agency-steps",
        {"action": "request_supplement", "what": "Bản sao sổ hộ khẩu"},
        content_type="application/json",
    )
    assert asked.json()["status"] == "supplement_requested"
    refused = api.post(
        f"/api/dossiers/{other.code}/agency-steps",
        {"action": "result_ready"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    wrong = api.post(
        f"/api/dossiers/{mine.code}/steps", {"action": "return"}, content_type="application/json"
    )
    assert wrong.status_code == 403
