"""The payout pages and API as each role meets them: only the actions a line can take, only
the rows in scope, refusals that name their rule, and no server error on bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buudien.core.errors import Forbidden
from buudien.core.models import AuditEvent, Role
from buudien.payouts import services
from buudien.payouts.models import Beneficiary, Payout
from tests.access import cases_payouts
from tests.access.world import World
from tests.factories import PostUnitFactory
from tests.payouts.conftest import client_as as _as

pytestmark = pytest.mark.django_db
POST_FORM = re.compile(r"<form[^>]*method=\"post\"[^>]*action=\"([^\"]*)\"")


def _list_url(world: World) -> str:
    return reverse("payouts:list", kwargs={"list_id": world.obj("in", "list").pk})


def _main(response: Any) -> str:
    body = response.content.decode()
    return body[body.index("<main") :]


def test_the_clerk_pays_and_returns_from_the_list_page(world: World) -> None:
    clerk = _as(world, Role.CLERK)
    line = world.obj("in", "pay_line")
    page = _main(clerk.get(_list_url(world)))
    assert reverse("payouts:pay", kwargs={"line_id": line.pk}) in page
    clerk.post(reverse("payouts:pay", kwargs={"line_id": line.pk}), {"receiver": "self"})
    line.refresh_from_db()
    assert line.status == "paid"
    other = world.obj("in", "return_line")
    clerk.post(reverse("payouts:return", kwargs={"line_id": other.pk}), {"reason": "moved"})
    other.refresh_from_db()
    assert (other.status, other.return_reason) == ("returned", "moved")


def test_the_list_offers_only_the_actions_a_line_can_take(world: World) -> None:
    line = world.obj("in", "pay_line")
    Beneficiary.objects.filter(pk=line.beneficiary_id).update(status="deceased")
    page = _main(_as(world, Role.CLERK).get(_list_url(world)))
    actions = POST_FORM.findall(page)
    assert reverse("payouts:pay", kwargs={"line_id": line.pk}) not in actions
    account = world.obj("in", "account_line")
    assert reverse("payouts:pay", kwargs={"line_id": account.pk}) not in actions
    assert reverse("payouts:return", kwargs={"line_id": line.pk}) in actions
    # Returning needs a reason chosen: the first option is empty and the choice required.
    assert '<select name="reason" required' in page
    assert '<option value="">' in page.split('<select name="reason"')[1].split("</select>")[0]
    assert reverse("payouts:settlement", kwargs={"list_id": line.list_id}) not in page


def test_return_without_a_reason_is_refused(world: World) -> None:
    line = world.obj("in", "return_line")
    response = _as(world, Role.CLERK).post(
        reverse("payouts:return", kwargs={"line_id": line.pk}), {"reason": ""}, follow=True
    )
    assert "Cần chọn lý do trả lại" in response.content.decode()
    line.refresh_from_db()
    assert line.status == "pending"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNER_OFFICER])
def test_the_auditor_and_the_agency_officer_see_no_write_form(world: World, role: str) -> None:
    client = _as(world, role)
    pages = [
        reverse("payouts:index"),
        _list_url(world),
        reverse("payouts:beneficiaries"),
        reverse("payouts:beneficiary", kwargs={"pk": world.obj("in", "beneficiary").pk}),
        reverse("payouts:cashless"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in {200, 403}, url
        if response.status_code == 200:
            assert POST_FORM.findall(_main(response)) == [], url


def test_the_auditor_and_the_officer_cannot_return_lines_or_change_people(world: World) -> None:
    line = world.obj("in", "return_line")
    person = world.obj("in", "beneficiary")
    for role in (Role.AUDITOR, Role.PARTNER_OFFICER):
        user = world.users[role]
        with pytest.raises(Forbidden, match="payouts.return"):
            services.return_unpaid(payout=line, actor=user, reason="moved")
        with pytest.raises(Forbidden, match="payouts.update_beneficiary"):
            services.update_beneficiary(actor=user, beneficiary=person, account_no="999")
        response = _as(world, role).post(
            reverse("payouts:return", kwargs={"line_id": line.pk}), {"reason": "moved"}
        )
        assert response.status_code == 403
        assert "payouts.return" in response.content.decode()
    line.refresh_from_db()
    person.refresh_from_db()
    assert (line.status, person.account_no) == ("pending", "")


def test_the_officer_never_reaches_another_agencys_lines(world: World) -> None:
    officer = _as(world, Role.PARTNER_OFFICER)
    theirs = world.obj("out", "return_line")
    url = f"/api/payouts/lists/{theirs.list_id}/reconciliation"
    assert officer.get(url).status_code == 404
    assert (
        officer.get(reverse("payouts:list", kwargs={"list_id": theirs.list_id})).status_code == 404
    )


def test_the_clerk_gets_no_settlement_file_and_reconciles_only_his_point(world: World) -> None:
    inside = world.side("in")
    neighbour = PostUnitFactory(
        code="VHX91B", name="Điểm BĐ-VHX láng giềng", kind="commune_point", parent=inside.office
    )
    line = world.obj("in", "pay_line")
    Payout.objects.create(
        list=line.list,
        beneficiary=Beneficiary.objects.create(
            citizen_id="004150777777", name="Hà Thị Láng Giềng", point=neighbour
        ),
        point=neighbour,
        row=99,
        amount=1_000_000,
        method="counter",
    )
    clerk = _as(world, Role.CLERK)
    refused = clerk.get(reverse("payouts:settlement", kwargs={"list_id": line.list_id}))
    assert refused.status_code == 403
    assert "payouts.settlement" in refused.content.decode()
    rec = clerk.get(f"/api/payouts/lists/{line.list_id}/reconciliation").json()
    assert [p["code"] for p in rec["points"]] == [inside.point.code]
    manager = _as(world, Role.PROVINCE_MANAGER)
    rec = manager.get(f"/api/payouts/lists/{line.list_id}/reconciliation").json()
    assert [p["code"] for p in rec["points"]] == sorted([inside.point.code, "VHX91B"])


def test_who_downloads_the_settlement_file_is_recorded(world: World) -> None:
    manager = world.users[Role.PROVINCE_MANAGER]
    pl = world.obj("in", "list")
    response = _as(world, Role.PROVINCE_MANAGER).get(
        reverse("payouts:settlement", kwargs={"list_id": pl.pk})
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="payouts.settlement_downloaded")
    assert (event.actor_id, event.after) == (manager.pk, {"rows": 1})


def _bad_pages(world: World) -> list[tuple[str, str, dict[str, Any] | None]]:
    pl = world.obj("in", "list")
    line = world.obj("in", "pay_line")
    person = world.obj("in", "beneficiary")
    lists = f"/payouts/lists/{pl.pk}"
    return [
        ("GET", "/payouts/cashless/?month=2025-13", None),
        ("GET", "/payouts/cashless/?month=abc", None),
        ("GET", f"{lists}/reconciliation.csv", None),
        ("GET", f"{lists}/round/NOPE/", None),
        ("GET", f"{lists}/?status=bogus&q=" + "x" * 500, None),
        ("GET", "/payouts/import/?programme=" + "X" * 300, None),
        ("POST", "/payouts/import/", {"programme": "NOPE", "month": "2025-01"}),
        ("POST", "/payouts/import/", {"programme": "CT91", "month": "2025-13"}),
        ("POST", "/payouts/import/", {"programme": "CT91", "month": "2025-01"}),
        ("POST", "/payouts/lines/99999999999999/pay/", {}),
        ("POST", f"/payouts/lines/{line.pk}/pay/", {"receiver": "nobody"}),
        ("POST", f"/payouts/lines/{line.pk}/return/", {"reason": "x" * 50}),
        ("POST", f"{lists}/close/", {"return_rest": "bogus"}),
        ("POST", f"{lists}/bank-results/", {}),
        (
            "POST",
            f"/payouts/beneficiaries/{person.pk}/",
            {"status": "zombie", "status_date": "31/02/2025", "authorised_until": "2025-02-31"},
        ),
        ("POST", f"/payouts/beneficiaries/{person.pk}/", {"account_no": "12-ab" * 20}),
        ("POST", f"/payouts/beneficiaries/{person.pk}/", {"authorised_name": "A\x00"}),
        ("POST", f"/payouts/beneficiaries/{person.pk}/", {"status_source": "\x00" * 300}),
        ("GET", f"{lists}/?q=%00nong", None),
        ("GET", "/payouts/beneficiaries/?q=%00", None),
        ("GET", f"{lists}/round/VHX%00/", None),
        ("GET", "/payouts/import/?programme=CT%0091", None),
    ]


def test_bad_input_on_pages_answers_a_message_or_404_never_500(world: World) -> None:
    client = _as(world, Role.ADMIN)
    for method, url, data in _bad_pages(world):
        response = client.get(url) if method == "GET" else client.post(url, data or {})
        # 400: a control character, refused with a message before any view sees it
        assert response.status_code in {200, 302, 400, 404}, (url, response.status_code)
    response = client.get("/payouts/cashless/?month=2025-13")
    assert "Tháng không hợp lệ" in response.content.decode()
    response = client.post(
        f"/payouts/beneficiaries/{world.obj('in', 'beneficiary').pk}/",
        {"status": "active", "status_date": "31/02/2025"},
    )
    assert 'data-field="status_date"' in response.content.decode()


def _api_bad_calls(world: World) -> list[tuple[str, str, Any, int]]:
    line = world.obj("in", "pay_line")
    session = str(world.side("in").session.pk)
    pay = f"/api/payouts/lines/{line.pk}/pay"
    month = "2031-01-01"
    return [
        ("POST", "/api/payouts/lines/99999999999999/pay", {"session_id": session}, 422),
        ("POST", "/api/payouts/lines/0/pay", {"session_id": session}, 422),
        ("POST", pay, {"session_id": "nope"}, 422),
        ("POST", pay, {"session_id": session, "receiver": "x"}, 422),
        ("POST", pay, {"session_id": session, "receiver_id": "abc"}, 422),
        ("POST", pay, {"session_id": session, "idempotency_key": "k\x00"}, 422),
        ("GET", "/api/payouts/lists/not-a-uuid", None, 422),
        ("GET", "/api/payouts/lists/00000000-0000-0000-0000-000000000000", None, 404),
        ("UPLOAD", "/api/payouts/lists", {"programme": "CT91", "month": "2025-13-01"}, 422),
        ("UPLOAD", "/api/payouts/lists", {"programme": "NOPE", "month": month}, 404),
        ("UPLOAD", "/api/payouts/lists", {"programme": "C\x00T", "month": month}, 422),
        ("UPLOAD", "/api/payouts/lists", {"programme": "CT91", "month": month, "bad": 1}, 422),
    ]


def test_bad_input_on_the_api_answers_its_declared_status(world: World) -> None:
    client = _as(world, Role.ADMIN)
    for method, url, data, status in _api_bad_calls(world):
        if method == "GET":
            response = client.get(url)
        elif method == "UPLOAD":
            content = b"not a workbook" if data.pop("bad", 0) else b"PK\x03\x04 broken"
            data["file"] = SimpleUploadedFile("ds.xlsx", content)
            response = client.post(url, data)
        else:
            response = client.post(url, data, content_type="application/json")
        assert response.status_code == status, (url, data, response.content)
        assert set(response.json()) == {"code", "message", "field"}


def test_a_rejected_list_upload_is_a_422_naming_the_rows(world: World) -> None:
    officer = _as(world, Role.PARTNER_OFFICER)
    bad = cases_payouts.api_upload_data(world, "in")
    bad["file"] = SimpleUploadedFile("ds.xlsx", _bad_list(world))
    response = officer.post("/api/payouts/lists", bad)
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("core.import_invalid", "file")
    assert "Dòng 2" in body["message"]


def _bad_list(world: World) -> bytes:
    return cases_payouts.workbook(
        ["Số CCCD", "Họ tên", "Số tiền", "Mã điểm"],
        [["12345", "Người Sai", -5, world.side("in").point.code]],
    )
