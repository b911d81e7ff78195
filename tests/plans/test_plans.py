"""Plans: phasing, allocation that adds up, revisions kept, manual figures audited."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client

from buudien.core.audit import history
from buudien.core.errors import DomainError, Forbidden
from buudien.core.excel import run_import
from buudien.core.models import Role, User
from buudien.plans import selectors, services
from buudien.plans.importers import ManualValueImport
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.periods import Period
from tests.conftest import Tree
from tests.plans.indicators import load_indicators
from tests.reports.helpers import book


@pytest.fixture
def inds(db: None) -> dict[str, Indicator]:
    load_indicators()
    return {i.code: i for i in Indicator.objects.all()}


def test_split_is_exact_and_proportional() -> None:
    parts = services.split_exact(1_000_000_001, [1, 1, 1])
    assert sum(parts) == 1_000_000_001
    assert max(parts) - min(parts) == 1
    assert services.split_exact(100, [0, 0]) == [50, 50]


def test_monthly_phasing_must_add_up_to_the_year(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    with pytest.raises(DomainError, match="Tổng 12 tháng") as exc:
        services.set_plan(
            actor=users[Role.PROVINCE_MANAGER],
            unit=tree.province,
            indicator=inds["DT_TONG"],
            year=2025,
            target=1200,
            monthly=[100] * 11 + [99],
        )
    assert exc.value.field == "monthly"
    assert not Plan.objects.exists()


def test_allocation_by_last_year_adds_up_to_the_parent(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator], catalogue: None
) -> None:
    admin = users[Role.ADMIN]
    book(admin, tree.point_a1, dt.date(2024, 5, 2), ("TC-LHUU", 9_000_000, 1))
    book(admin, tree.point_b1, dt.date(2024, 5, 2), ("TC-LHUU", 3_000_000, 1))
    manager = users[Role.PROVINCE_MANAGER]
    services.set_plan(
        actor=manager,
        unit=tree.province,
        indicator=inds["DT_TONG"],
        year=2025,
        target=1_000_000_001,
    )
    plans = services.allocate(
        actor=manager, parent=tree.province, indicator=inds["DT_TONG"], year=2025
    )
    by_code = {p.unit.code: p.target for p in plans}
    assert sum(by_code.values()) == 1_000_000_001
    assert by_code["KVA"] > by_code["KVB"]
    assert selectors.allocation_gap(parent=tree.province, indicator=inds["DT_TONG"], year=2025) == (
        1_000_000_001,
        1_000_000_001,
    )
    assert all(sum(p.monthly) == p.target for p in plans)


def test_entered_allocation_that_does_not_add_up_is_refused(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    manager = users[Role.PROVINCE_MANAGER]
    services.set_plan(
        actor=manager, unit=tree.province, indicator=inds["DT_TONG"], year=2025, target=1_000
    )
    with pytest.raises(DomainError, match="khác kế hoạch"):
        services.allocate(
            actor=manager,
            parent=tree.province,
            indicator=inds["DT_TONG"],
            year=2025,
            method="entered",
            entered={"KVA": 600, "KVB": 300},
        )
    assert Plan.objects.filter(unit__kind="area").count() == 0


def test_a_revision_keeps_the_first_plan_and_is_audited(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    manager = users[Role.PROVINCE_MANAGER]
    first = services.set_plan(
        actor=manager, unit=tree.province, indicator=inds["DT_TONG"], year=2025, target=1_200
    )
    with pytest.raises(DomainError, match="ngày áp dụng"):
        services.set_plan(
            actor=manager, unit=tree.province, indicator=inds["DT_TONG"], year=2025, target=2_400
        )
    second = services.set_plan(
        actor=manager,
        unit=tree.province,
        indicator=inds["DT_TONG"],
        year=2025,
        target=2_400,
        effective_from=dt.date(2025, 7, 1),
    )
    assert [p.revision for p in selectors.revisions(unit=tree.province, year=2025)] == [0, 1]
    first.refresh_from_db()
    assert first.target == 1_200
    event = history(second).get()
    assert event.action == "plans.plan_revised"
    assert event.before["target"] == 1_200
    assert event.after["target"] == 2_400


def test_manual_figures_are_audited_and_read_only_roles_cannot_enter_them(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    with pytest.raises(Forbidden):
        services.enter_manual_values(
            actor=users[Role.AUDITOR], unit=tree.area_b, year=2025, month=1, values={"QUY_LUONG": 5}
        )
    services.enter_manual_values(
        actor=users[Role.PROVINCE_MANAGER],
        unit=tree.province,
        year=2025,
        month=1,
        values={"QUY_LUONG": 2_000_000_000},
    )
    services.enter_manual_values(
        actor=users[Role.PROVINCE_MANAGER],
        unit=tree.province,
        year=2025,
        month=1,
        values={"QUY_LUONG": 2_100_000_000},
    )
    value = ManualValue.objects.get()
    assert [e.action for e in history(value)] == ["plans.manual_value_entered"] * 2
    period = Period(2025, "month", 1)
    figures = selectors.values(user=users[Role.ADMIN], units=[tree.province], period=period)
    assert figures[tree.province.pk]["QUY_LUONG"] == 2_100_000_000
    with pytest.raises(DomainError, match="không nhập tay"):
        services.enter_manual_values(
            actor=users[Role.ADMIN], unit=tree.province, year=2025, month=1, values={"DT_TONG": 1}
        )


def _sheet(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã đơn vị", "Năm", "Tháng", "Mã chỉ tiêu", "Giá trị"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_manual_figures_by_excel_name_bad_rows_and_import_nothing(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    actor = users[Role.PROVINCE_MANAGER]
    bad = _sheet(
        [
            ["BDT99", 2025, 1, "QUY_LUONG", 100],
            ["KHONGCO", 2025, 1, "QUY_LUONG", 5],
            ["BDT99", 2025, 13, "QUY_LUONG", 5],
            ["BDT99", 2025, 2, "DT_TONG", 5],
        ]
    )
    report = run_import(ManualValueImport(), bad, actor=actor)
    assert [e.row for e in report.errors] == [3, 4, 5]
    assert not ManualValue.objects.exists()
    good = _sheet([["BDT99", 2025, 1, "QUY_LUONG", 100], ["KVA", 2025, 1, "CHENH_LECH", -5]])
    report = run_import(ManualValueImport(), good, actor=actor)
    assert report.committed
    assert ManualValue.objects.count() == 2


def test_plan_and_manual_pages_keep_what_was_typed_on_error(
    tree: Tree, users: dict[str, User], inds: dict[str, Indicator]
) -> None:
    client = Client()
    client.force_login(users[Role.PROVINCE_MANAGER])
    page = client.post(
        "/plans/BDT99/manual/?year=2025&month=3",
        {"year": 2025, "month": 3, "QUY_LUONG": "12,5", "CHENH_LECH": "1.000.000"},
    ).content.decode()
    assert "Số tiền không hợp lệ" in page
    assert 'value="1.000.000"' in page
    assert not ManualValue.objects.exists()
    response = client.post(
        "/plans/BDT99/?year=2025",
        {"indicator": "DT_TONG", "target": "1.200.000.000", "phasing": "even", "year": 2025},
    )
    assert response.status_code == 302
    assert Plan.objects.get().monthly == [100_000_000] * 12
