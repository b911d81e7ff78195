"""An item's printed label: its S10 id in large type and as a Code 128 barcode, on A6 or
100×150 mm paper, with the facts the carrier reads."""

from __future__ import annotations

import pytest
from django.test import Client

from buudien.core.errors import DomainError
from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.mail.labels import code128_svg
from buudien.mail.models import PostalItem
from buudien.mail.services.acceptance import accept
from tests.mail.conftest import Places, parcel


def test_the_barcode_is_an_inline_svg_of_the_id_only() -> None:
    svg = code128_svg("rr 473 124 829 vn")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert 'aria-label="RR473124829VN"' in svg
    assert "<?xml" not in svg and "DOCTYPE" not in svg
    # Fills are attributes, not inline styles, which the site's CSP would refuse.
    assert "style=" not in svg and 'fill="black"' in svg


def test_the_barcode_refuses_anything_but_an_s10_id() -> None:
    with pytest.raises(DomainError):
        code128_svg('"><script>alert(1)</script>')


@pytest.mark.django_db
@pytest.mark.parametrize(("size", "paper"), [("a6", "105mm 148mm"), ("100x150", "100mm 150mm")])
def test_the_label_page_shows_the_id_the_barcode_and_the_cod_amount(
    accepted: PostalItem, users: dict[str, User], size: str, paper: str
) -> None:
    client = Client()
    client.force_login(users[Role.CLERK])
    answer = client.get(f"/mail/items/{accepted.s10}/label/?size={size}")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert f'data-page-size="{paper}"' in page
    assert f'data-testid="label-s10">{accepted.s10}<' in page
    assert "<svg" in page and f'aria-label="{accepted.s10}"' in page
    assert "350.000" in page and "Hoàng Văn Pháo" in page and accepted.receiver_commune.name in page


@pytest.mark.django_db
def test_an_unknown_size_prints_on_a6_and_no_one_outside_the_scope_gets_a_label(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    local = accept(session=shift, clerk=users[Role.CLERK], data=parcel(places.a2))
    client = Client()
    client.force_login(users[Role.CLERK])
    page = client.get(f"/mail/items/{local.s10}/label/?size=A0").content.decode()
    assert 'data-page-size="105mm 148mm"' in page
    # The auditor of area B does not see a parcel that stays within area A.
    auditor = Client()
    auditor.force_login(users[Role.AUDITOR])
    assert auditor.get(f"/mail/items/{local.s10}/label/").status_code == 404
    officer = Client()
    officer.force_login(users[Role.PARTNER_OFFICER])
    assert officer.get(f"/mail/items/{local.s10}/label/").status_code == 403
