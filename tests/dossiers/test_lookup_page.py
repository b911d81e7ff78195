"""The citizen's tracking page: the slip's QR code, the 4 digits, the timeline, the point."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.dossiers import selectors, services
from buudien.dossiers.models import Batch, Dossier, Procedure
from buudien.network.models import PostUnit
from tests.conftest import Tree
from tests.dossiers.conftest import CITIZEN
from tests.dossiers.test_intake_and_lifecycle import take_in

RAW_CODES = ("hand_over", "in_transit", "at_agency", "intake", "request_supplement")


def _text(html: str) -> str:
    """What a reader sees: the page without its tags."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _slip_link(clerk: User, d: Dossier) -> str:
    client = Client()
    client.force_login(clerk)
    slip = client.get(f"/dossiers/{d.code}/slip/").content.decode()
    found = re.search(r"/tra-cuu/\?code=[A-Z0-9]+&amp;t=[0-9a-f]+", slip)
    assert found is not None, "the slip prints no tracking link"
    return unescape(found.group(0))


@pytest.fixture
def dossier(
    tree: Tree,
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> Dossier:
    PostUnit.objects.filter(pk=tree.point_a1.pk).update(
        address="Thôn Nà Lẹng, xã Đức Long", phone="0206 3851 234"
    )
    return take_in(clerk_session, users[Role.CLERK], procedures["1.001193"])


def _at_agency(d: Dossier, clerk: User, officer: User) -> None:
    batch = services.open_batch(
        actor=clerk, agency=d.agency, direction=Batch.Direction.TO_AGENCY, dossiers=[d]
    )
    services.send_batch(actor=clerk, batch=batch)
    services.confirm_handover(actor=officer, batch=batch)


def test_the_slips_qr_link_asks_only_for_the_last_four_digits(
    dossier: Dossier, users: dict[str, User]
) -> None:
    page = Client().get(_slip_link(users[Role.CLERK], dossier))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="phone_last4"' in html
    assert f'<input type="hidden" name="code" value="{dossier.code}">' in html
    assert "4 số cuối" in html
    for private in (dossier.procedure.name, dossier.agency.name, "Nông", "Đức Long"):
        assert private not in html
    assert "Không tìm thấy" not in html


def test_the_right_digits_show_the_timeline_the_agency_the_due_date_and_the_point(
    dossier: Dossier, users: dict[str, User], officer: User
) -> None:
    _at_agency(dossier, users[Role.CLERK], officer)
    link = _slip_link(users[Role.CLERK], dossier)
    html = Client().get(f"{link}&phone_last4=5678").content.decode()
    text = _text(html)
    assert 'data-testid="lookup-timeline"' in html
    for step in ("Đã tiếp nhận tại điểm", "Đang chuyển đến cơ quan", "Cơ quan đã nhận"):
        assert step in text
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d\s+Cơ quan đã nhận", text)
    assert dossier.agency.name in text
    assert f"{dossier.due_date:%d/%m/%Y}" in text
    assert "còn trong hạn" in text
    assert "Tại Điểm BĐ-VHX Đức Long" in text
    assert "Thôn Nà Lẹng, xã Đức Long" in text
    assert 'href="tel:02063851234"' in html
    assert "N. T. H." in text
    assert "Nông" not in text and CITIZEN["citizen_id"] not in text
    assert CITIZEN["phone"] not in text
    for code in RAW_CODES:
        assert code not in text


def test_a_supplement_request_says_what_to_bring_and_home_delivery_says_so(
    tree: Tree,
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
    officer: User,
) -> None:
    d = take_in(clerk_session, users[Role.CLERK], procedures["1.001193"], home_delivery=True)
    _at_agency(d, users[Role.CLERK], officer)
    d.refresh_from_db()
    services.transition(
        dossier=d, actor=officer, action="request_supplement", what="Bản sao sổ hộ khẩu"
    )
    text = _text(Client().get(f"/tra-cuu/?code={d.code}&phone_last4=5678").content.decode())
    assert "Cơ quan yêu cầu bổ sung" in text
    assert "Bản sao sổ hộ khẩu" in text
    assert "phát tận nhà" in text
    for code in RAW_CODES:
        assert code not in text


def test_wrong_digits_give_a_friendly_message_and_nothing_of_the_dossier(
    dossier: Dossier, users: dict[str, User]
) -> None:
    link = _slip_link(users[Role.CLERK], dossier)
    page = Client().get(f"{link}&phone_last4=0000")
    html = page.content.decode()
    assert page.status_code == 200
    assert "4 số cuối chưa khớp" in html
    assert 'data-testid="lookup-result"' not in html
    assert dossier.procedure.name not in html and dossier.agency.name not in html
    assert 'name="phone_last4"' in html  # he can type them again at once


def test_by_hand_a_wrong_phone_and_a_wrong_code_read_the_same(dossier: Dossier) -> None:
    def error_of(code: str, last4: str) -> str:
        html = Client().get(f"/tra-cuu/?code={code}&phone_last4={last4}").content.decode()
        found = re.search(r'data-testid="lookup-error">([^<]*)<', html)
        assert found is not None
        assert 'data-testid="lookup-result"' not in html
        return found.group(1)

    assert error_of(dossier.code, "0000") == error_of("HS250314999999", "5678")


def test_the_tracking_page_still_throttles_strangers_but_never_the_slip_holder(
    dossier: Dossier, users: dict[str, User]
) -> None:
    kiosk = "203.0.113.7"
    stranger = Client(REMOTE_ADDR=kiosk)
    stranger.cookies["buudien_device"] = "kiosk-0001"
    for i in range(selectors.LOOKUPS_PER_DEVICE):
        assert (
            stranger.get(f"/tra-cuu/?code={dossier.code}&phone_last4=11{i:02d}").status_code == 200
        )
    refused = stranger.get(f"/tra-cuu/?code={dossier.code}&phone_last4=5678")
    assert refused.status_code == 429
    assert 'data-testid="lookup-result"' not in refused.content.decode()
    slip_holder = Client(REMOTE_ADDR=kiosk)
    found = slip_holder.get(_slip_link(users[Role.CLERK], dossier) + "&phone_last4=5678")
    assert found.status_code == 200
    assert 'data-testid="lookup-timeline"' in found.content.decode()


def test_the_tracking_page_loads_no_script_and_weighs_under_30_kb(
    dossier: Dossier, users: dict[str, User], officer: User
) -> None:
    _at_agency(dossier, users[Role.CLERK], officer)
    html = Client().get(_slip_link(users[Role.CLERK], dossier) + "&phone_last4=5678").content
    assert b"<script" not in html
    stylesheets = re.findall(rb'<link rel="stylesheet" href="/static/([^"]+)"', html)
    assert [s.decode() for s in stylesheets] == ["buudien/lookup.css"]
    css = finders.find("buudien/lookup.css")
    assert isinstance(css, str)
    with open(css, "rb") as f:
        assert len(html) + len(f.read()) < 30_000


def test_the_dossiers_own_history_shows_labels_not_codes(
    dossier: Dossier, users: dict[str, User], officer: User
) -> None:
    _at_agency(dossier, users[Role.CLERK], officer)
    client = Client()
    client.force_login(users[Role.CLERK])
    html = client.get(f"/dossiers/{dossier.code}/").content.decode()
    events = html[html.index('data-testid="events"') :]
    assert "Cơ quan đã nhận" in _text(events)
    for code in RAW_CODES:
        assert code not in _text(events)


# A page with a written-in /static/ path would miss the fingerprinted, year-cached files.
@override_settings(STATIC_URL="/s/")
def test_the_slip_has_a_print_button_and_its_files_come_through_static(
    dossier: Dossier, users: dict[str, User]
) -> None:
    client = Client()
    client.force_login(users[Role.CLERK])
    slip = client.get(f"/dossiers/{dossier.code}/slip/").content.decode()
    assert 'href="/s/buudien/receipt.css"' in slip
    assert '<script src="/s/buudien/print.js" defer>' in slip
    button = re.search(r'<p class="noprint"><button type="button" data-print[^>]*>([^<]+)<', slip)
    assert button is not None and button.group(1) == "In phiếu"
    assert "/static/" not in slip
    assert finders.find("buudien/print.js") and finders.find("buudien/receipt.css")
