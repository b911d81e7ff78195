"""The plans pages as a manager uses them: the landing page, the 12-month grid."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from buudien.core.models import Role, User
from buudien.plans import services
from buudien.plans.models import Indicator, Plan
from tests.conftest import Tree
from tests.plans.indicators import load_indicators

YEAR = dt.date.today().year


@pytest.fixture
def inds(db: None) -> dict[str, Indicator]:
    return load_indicators()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _plan(users: dict[str, User], unit: object, ind: Indicator, target: int) -> None:
    services.set_plan(
        actor=users[Role.ADMIN],
        unit=unit,
        indicator=ind,
        year=YEAR,
        target=target,  # type: ignore[arg-type]
    )


def test_plans_landing_lists_the_plans_in_scope_with_links(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    _plan(users, tree.province, inds["DT_TONG"], 24_000_000_000)
    _plan(users, tree.area_a, inds["DT_TONG"], 12_000_000_000)
    page = _client(users[Role.PROVINCE_MANAGER]).get(f"/plans/?year={YEAR}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "24.000.000.000" in html and "12.000.000.000" in html
    assert f"/plans/{tree.area_a.code}/?year={YEAR}" in html
    assert "/plans/manual/upload/" in html


def test_plans_landing_of_an_area_leaves_other_areas_out(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    _plan(users, tree.area_a, inds["DT_TONG"], 12_000_000_000)
    _plan(users, tree.area_b, inds["DT_TONG"], 7_777_000_000)
    client = _client(users[Role.AREA_MANAGER])
    html = client.get("/plans/").content.decode()
    assert "12.000.000.000" in html
    assert "7.777.000.000" not in html and tree.area_b.name not in html
    assert client.get(f"/plans/{tree.area_b.code}/").status_code == 404


def test_plans_are_in_the_navigation_only_for_roles_that_may_see_them(
    tree: Tree, users: dict[str, User], officer: User
) -> None:
    assert 'href="/plans/"' in _client(users[Role.PROVINCE_MANAGER]).get("/").content.decode()
    assert 'href="/plans/"' not in _client(officer).get("/").content.decode()
    assert _client(officer).get("/plans/").status_code == 403


def _grid(inds: dict[str, Indicator], months: list[str], target: str) -> dict[str, str]:
    data = {"indicator": "DT_TONG", "target": target, "phasing": "entered", "year": str(YEAR)}
    return data | {f"m{m}": v for m, v in enumerate(months, start=1)}


def test_the_12_month_grid_saves_twelve_months(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    months = [f"{m}.000.000" for m in range(1, 13)]
    client = _client(users[Role.PROVINCE_MANAGER])
    page = client.get(f"/plans/{tree.area_a.code}/?year={YEAR}").content.decode()
    assert all(f">T{m}<" in page for m in range(1, 13))
    answer = client.post(f"/plans/{tree.area_a.code}/", _grid(inds, months, "78.000.000"))
    assert answer.status_code == 302
    plan = Plan.objects.get(unit=tree.area_a, indicator_id="DT_TONG")
    assert plan.monthly == [m * 1_000_000 for m in range(1, 13)]


def test_a_bad_month_is_refused_naming_it_and_the_typing_is_kept(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    months = ["1.000.000"] * 12
    months[2] = "ba triệu"
    client = _client(users[Role.PROVINCE_MANAGER])
    page = client.post(f"/plans/{tree.area_a.code}/", _grid(inds, months, "12.000.000"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tháng 3:" in html
    assert 'value="ba triệu"' in html and 'value="12.000.000"' in html
    assert not Plan.objects.exists()


def test_months_that_do_not_add_up_to_the_year_are_refused_with_the_gap(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    months = ["1.000.000"] * 11 + ["900.000"]
    client = _client(users[Role.PROVINCE_MANAGER])
    html = client.post(
        f"/plans/{tree.area_a.code}/", _grid(inds, months, "12.000.000")
    ).content.decode()
    assert "Tổng 12 tháng (11.900.000) khác kế hoạch năm (12.000.000)" in html
    assert 'data-testid="months-sum"' in html
    assert not Plan.objects.exists()


def test_this_year_is_the_default(tree: Tree, users: dict[str, User], inds: object) -> None:
    html = _client(users[Role.PROVINCE_MANAGER]).get("/plans/").content.decode()
    assert f"{timezone.localdate().year} · {tree.province.name}" in html


def test_the_grid_page_loads_its_script_and_keeps_a_place_for_the_running_total(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    client = _client(users[Role.PROVINCE_MANAGER])
    page = client.get(f"/plans/{tree.area_a.code}/?year={YEAR}").content.decode()
    assert '<script src="/static/buudien/plans.js" defer>' in page
    total = re.search(r'<p[^>]*data-testid="months-sum"[^>]*>', page)
    assert total is not None and "hidden" in total.group(0)  # nothing typed yet
    assert "plans.js" not in client.get(f"/plans/?year={YEAR}").content.decode()


def test_after_sending_the_grid_the_total_of_the_12_months_is_shown(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    months = ["1.000.000"] * 11 + ["900.000"]
    client = _client(users[Role.PROVINCE_MANAGER])
    html = client.post(
        f"/plans/{tree.area_a.code}/", _grid(inds, months, "12.000.000")
    ).content.decode()
    total = re.search(r'<p[^>]*data-testid="months-sum"[^>]*>.*?</p>', html)
    assert total is not None and " hidden" not in total.group(0).split(">")[0]
    assert "Tổng 12 tháng: <output data-sum" in total.group(0)
    assert ">11.900.000</output>" in total.group(0)
