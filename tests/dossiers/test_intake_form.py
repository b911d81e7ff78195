"""The intake page: the fees shown before they are charged, and nothing typed is lost."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.dossiers.models import Dossier, Procedure
from tests.dossiers.conftest import CITIZEN

BIRTH = "1.001193"  # no agency fee
LICENCE = "1.002809"  # the agency's fee is 135.000 đ


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _form(procedure: Procedure, *, skip: str = "", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"procedure": procedure.code, "request_key": "k-1", **CITIZEN}
    for r in procedure.documents.all():
        if skip and skip in r.name:
            continue
        form = "copy" if r.form == "copy" else "original"
        data |= {f"doc_{r.pk}": "1", f"doc_{r.pk}_count": str(r.copies), f"doc_{r.pk}_form": form}
    return data | extra


@pytest.fixture
def clerk(users: dict[str, User], clerk_session: CounterSession) -> Client:
    client = Client()
    client.force_login(users[Role.CLERK])
    return client


def test_the_form_shows_the_fees_of_the_chosen_procedure(
    clerk: Client, procedures: dict[str, Procedure]
) -> None:
    html = clerk.get(f"/dossiers/new/?procedure={LICENCE}").content.decode()
    fees = _text(html[html.index('data-testid="intake-fees"') :])
    assert "Cước chuyển phát hồ sơ và kết quả 25.000 ₫" in fees
    assert "Phí, lệ phí của cơ quan 135.000 ₫" in fees
    assert "Tổng cộng 160.000 ₫" in fees
    assert "Trả kết quả tại nhà (khi trả tại nhà) 15.000 ₫" in fees  # shown when ticked
    birth = _text(clerk.get(f"/dossiers/new/?procedure={BIRTH}").content.decode())
    assert "Tổng cộng 25.000 ₫" in birth
    assert "Phí, lệ phí của cơ quan" not in birth


def test_the_list_of_procedures_shows_each_agencys_fee(clerk: Client, procedures: Any) -> None:
    text = _text(clerk.get("/dossiers/new/?q=giay phep lai xe").content.decode())
    assert "Cấp đổi giấy phép lái xe" in text
    assert "135.000 ₫" in text


def test_review_shows_what_will_be_charged_and_charges_nothing(
    clerk: Client, procedures: dict[str, Procedure]
) -> None:
    licence = procedures[LICENCE]
    page = clerk.post("/dossiers/new/", _form(licence, step="review", home_delivery="1"))
    html = page.content.decode()
    assert page.status_code == 200
    confirm = _text(html[html.index('data-testid="intake-confirm"') :])
    assert "Trả kết quả tại nhà 15.000 ₫" in confirm
    assert "Tổng cộng 175.000 ₫" in confirm
    assert "Xác nhận và thu 175.000 ₫" in confirm
    assert not Dossier.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_confirming_charges_exactly_the_total_that_was_shown(
    clerk: Client, procedures: dict[str, Procedure]
) -> None:
    licence = procedures[LICENCE]
    review = clerk.post("/dossiers/new/", _form(licence, step="review", home_delivery="1"))
    carried = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', review.content.decode())
    )
    assert "step" not in carried
    done = clerk.post("/dossiers/new/", {k: unescape(v) for k, v in carried.items()})
    dossier = Dossier.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/dossiers/{dossier.code}/"
    assert dossier.home_delivery
    charged = sum(e.amount for e in LedgerEntry.objects.filter(source_id=str(dossier.pk)))
    assert charged == 175_000


def test_a_missing_document_keeps_every_tick_and_everything_typed(
    clerk: Client, procedures: dict[str, Procedure]
) -> None:
    birth = procedures[BIRTH]
    data = _form(birth, skip="chứng sinh", step="review", channel="home", home_delivery="1")
    declaration = birth.documents.get(name="Tờ khai theo mẫu")
    data[f"doc_{declaration.pk}_count"] = "2"
    html = clerk.post("/dossiers/new/", data).content.decode()
    assert "cần mang thêm: Giấy chứng sinh" in html
    for r in birth.documents.all():
        box = re.search(rf'<input type="checkbox" name="doc_{r.pk}"[^>]*>', html)
        assert box is not None
        assert ("checked" in box.group(0)) == ("chứng sinh" not in r.name), r.name
    assert f'name="doc_{declaration.pk}_count" type="number" min="0" max="99" value="2"' in html
    assert f'value="{CITIZEN["citizen_name"]}"' in html
    assert '<option value="home" selected>' in html
    assert re.search(r'name="home_delivery" value="1" checked', html)
    assert not Dossier.objects.exists()


def test_edit_goes_back_to_the_form_as_it_was_typed(
    clerk: Client, procedures: dict[str, Procedure]
) -> None:
    birth = procedures[BIRTH]
    html = clerk.post("/dossiers/new/", _form(birth, step="edit")).content.decode()
    assert 'data-testid="intake-form"' in html
    assert f'value="{CITIZEN["phone"]}"' in html
    assert html.count('" checked') >= birth.documents.count()
    assert not Dossier.objects.exists()
