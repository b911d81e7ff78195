"""Public tracking: anyone finds an item by its S10 id and sees where it is, never who
handled it, their phones or addresses."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from buudien.core import s10
from buudien.core.models import Role, User
from buudien.mail.models import PostalItem, TrackingEvent
from buudien.mail.selectors.public import UNKNOWN_PER_ADDRESS, track
from buudien.mail.services.tracking import record_event
from tests.conftest import Tree
from tests.mail.conftest import Places

URL = "/tra-cuu-buu-gui/"
CSS = Path(__file__).resolve().parents[2] / "src" / "buudien" / "static" / "buudien" / "track.css"
DEVICE = "MAY-QUET-07"
UNKNOWN = s10.make("CP", 99_999_999)


@pytest.fixture
def delivered(accepted: PostalItem, tree: Tree, users: dict[str, User]) -> PostalItem:
    """The COD parcel of A1 for B1: arrived, out, a failed try (nobody home), then delivered."""
    admin = users[Role.ADMIN]
    start = TrackingEvent.objects.get(item=accepted).at
    steps = [
        ("arrived", "", 5),
        ("out_for_delivery", "", 6),
        ("failed", "absent", 7),
        ("out_for_delivery", "", 24 + 6),
        ("delivered", "", 24 + 7),
    ]
    for status, reason, hours in steps:
        if status == "delivered":  # the COD taken at the door, as the delivery page does
            PostalItem.objects.filter(pk=accepted.pk).update(
                cod_collected_at=start + dt.timedelta(hours=hours)
            )
        record_event(
            item=accepted,
            actor=admin,
            status=status,
            unit=tree.point_b1,
            reason=reason,
            place="Nhà ông Pháo, Xóm Nà Lẹng",
            device=DEVICE,
            note="Gọi 0987654321",
            delivered_to="Hoàng Văn Pháo" if status == "delivered" else "",
            at=start + dt.timedelta(hours=hours),
        )
    accepted.refresh_from_db()
    return accepted


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_anyone_finds_an_item_and_its_events_newest_first_without_login(
    delivered: PostalItem, tree: Tree, places: Places
) -> None:
    response = Client().get(URL, {"so": delivered.s10.lower()})
    assert response.status_code == 200
    page = _text(response)
    assert delivered.s10 in page
    assert "Bưu kiện" in page or delivered.service.name in page
    assert "Đã phát thành công" in page
    assert places.b1.name in page
    labels = re.findall(r'<span class="what">([^<]+)</span>', page)
    assert labels == [
        "Đã phát thành công",
        "Đang phát",
        "Phát không thành công",
        "Đang phát",
        "Đã đến bưu cục",
        "Đã nhận gửi",
    ]
    assert "Người nhận vắng nhà" in page
    assert tree.point_b1.name in page and tree.point_a1.name in page
    assert "H. V. P." in page


def test_the_page_shows_nothing_personal_nor_who_scanned(
    delivered: PostalItem, users: dict[str, User]
) -> None:
    page = _text(Client().get(URL, {"so": delivered.s10}))
    admin = users[Role.ADMIN]
    for secret in (
        "0987654321",
        "0912345678",
        "Hoàng Văn Pháo",
        "Nông Thị Lan",
        "Nà Lẹng",
        DEVICE,
        admin.username,
        admin.get_full_name() or admin.username,
    ):
        assert secret not in page, secret


def test_the_lookup_is_two_queries_whatever_the_number_of_events(delivered: PostalItem) -> None:
    with CaptureQueriesContext(connection) as ctx:
        view = track(delivered.s10)
    assert view is not None and len(view.events) == 6
    assert len(ctx.captured_queries) == 2


def test_a_mistyped_id_is_answered_next_to_the_field(db: None) -> None:
    response = Client().get(URL, {"so": "RR473124828VN"})
    assert response.status_code == 200
    page = _text(response)
    error = re.search(r'<ul class="errors" id="tr-err"[^>]*>(.*?)</ul>', page, re.S)
    assert error is not None and "số kiểm tra" in error[1]
    assert 'aria-describedby="tr-err"' in page
    assert 'value="RR473124828VN"' in page  # what was typed stays in the box


def test_an_id_no_item_has_is_said_not_found(db: None) -> None:
    page = _text(Client().get(URL, {"so": UNKNOWN}))
    assert f"Không tìm thấy bưu gửi {UNKNOWN}" in page


def test_several_ids_in_one_box_are_answered_in_the_order_typed(delivered: PostalItem) -> None:
    page = _text(Client().get(URL, {"so": f"{UNKNOWN}, {delivered.s10} RR47312482VN"}))
    assert page.index(f"Không tìm thấy bưu gửi {UNKNOWN}") < page.index('data-testid="track-item"')
    assert "13 ký tự" in page


def test_walking_through_serials_that_do_not_exist_is_slowed(db: None) -> None:
    client = Client()
    for serial in range(UNKNOWN_PER_ADDRESS):
        assert client.get(URL, {"so": s10.make("CP", serial)}).status_code == 200
    response = client.get(URL, {"so": s10.make("CP", 777)})
    assert response.status_code == 429
    assert "thử lại sau 15 phút" in _text(response)
    assert "no-store" in response["Cache-Control"]


def test_the_page_is_in_english_when_asked(delivered: PostalItem) -> None:
    response = Client().get(URL, {"so": delivered.s10, "lang": "en"})
    page = _text(response)
    assert '<html lang="en">' in page
    assert response["Content-Language"] == "en"
    # The link back to Vietnamese keeps the id asked for; the form keeps the language.
    assert f'href="?so={delivered.s10}&amp;lang=vi"' in page
    assert '<input type="hidden" name="lang" value="en">' in page
    assert delivered.s10 in page
    vietnamese = _text(Client().get(URL, {"so": delivered.s10}))
    assert '<html lang="vi">' in vietnamese and ">English</a>" in vietnamese


def test_the_page_is_small_and_cacheable_for_a_minute(delivered: PostalItem) -> None:
    response = Client().get(URL, {"so": delivered.s10})
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    # Bytes, not time: the page and its only stylesheet, gzipped, fit a 2G phone's budget.
    assert "track.css" in _text(response) and "app.css" not in _text(response)
    wire = len(gzip.compress(response.content)) + len(gzip.compress(CSS.read_bytes()))
    assert wire < 30 * 1024
    assert not re.search(r"<script|<style|style=", _text(response))  # the CSP allows neither


def test_the_empty_page_asks_for_an_id(db: None) -> None:
    page = _text(Client().get(URL))
    assert 'name="so"' in page and "track-item" not in page
    assert "Hãy nhập" in _text(Client().get(URL, {"so": "  "}))


def test_the_api_answers_the_same_as_json(delivered: PostalItem, places: Places) -> None:
    response = Client().get(f"/api/public/track/{delivered.s10}")
    assert response.status_code == 200
    body = response.json()
    assert body["s10"] == delivered.s10
    assert body["status"] == "delivered"
    assert body["delivered_to"] == "H. V. P."
    assert places.b1.name in body["destination"]
    assert [e["status"] for e in body["events"]][:3] == ["delivered", "out_for_delivery", "failed"]
    assert body["events"][2]["reason"] == "Người nhận vắng nhà"
    assert "0987654321" not in response.content.decode()
    assert DEVICE not in response.content.decode()
    assert set(body["events"][0]) == {"at", "status", "label", "reason", "place"}
    assert "max-age=60" in response["Cache-Control"]


def test_the_api_refuses_a_mistyped_id_and_says_an_unknown_one_is_not_found(db: None) -> None:
    bad = Client().get("/api/public/track/RR473124828VN")
    assert bad.status_code == 422
    assert bad.json()["code"] == "core.s10_invalid"
    assert "số kiểm tra" in bad.json()["message"]
    missing = Client().get(f"/api/public/track/{UNKNOWN}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "core.not_found"
    assert UNKNOWN in missing.json()["message"]
    too_long = Client().get("/api/public/track/" + "9" * 60)
    assert too_long.status_code == 422 and too_long.json()["field"] == "s10"
