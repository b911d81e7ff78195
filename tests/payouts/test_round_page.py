"""The home-delivery round: a sheet the clerk prints and the beneficiaries sign."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from buudien.core.models import Role
from tests.access import cases_payouts
from tests.access.world import World

pytestmark = pytest.mark.django_db


# A page with a written-in /static/ path would miss the fingerprinted, year-cached files.
@override_settings(STATIC_URL="/s/")
def test_the_round_sheet_prints_with_its_stylesheet_through_static(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.CLERK])
    sheet = client.get(cases_payouts.CASES["payouts:round"].url(world, "in"))
    html = sheet.content.decode()
    assert sheet.status_code == 200
    assert world.obj("in", "home_line").beneficiary.name in html
    assert 'href="/s/buudien/receipt.css"' in html and "/static/" not in html
    assert '<script src="/s/buudien/print.js" defer>' in html
    assert 'data-print data-testid="round-print">In danh sách<' in html
