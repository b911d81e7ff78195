"""Indicators belong to the app whose activity they count; plans and reports ask a registry."""

from __future__ import annotations

import ast
import datetime as dt
import sys
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from buudien.core.models import Role, User
from buudien.plans import registry
from buudien.plans.models import Indicator
from buudien.plans.periods import Period
from buudien.reports.builders import plan_vs_actual
from buudien.reports.narrative import plan_vs_actual_text
from tests.conftest import Tree
from tests.plans.indicators import load_indicators

SRC = Path(__file__).resolve().parents[2] / "src" / "buudien"


def test_each_indicator_is_computed_by_the_app_that_counts_it() -> None:
    owners = {code: found.app for code, found in registry.registered().items()}
    assert owners == {
        "DT_TONG": "counter",
        "DT_BCCP": "counter",
        "DT_TCBC": "counter",
        "DT_PPTT": "counter",
        "SO_GD": "counter",
        "DT_DIEM": "counter",
        "HS_NHAN": "dossiers",
        "HS_TRA": "dossiers",
        "CT_LUOT": "payouts",
        "CT_TIEN": "payouts",
        "BC_DI": "mail",
        "BC_DEN": "mail",
        "BC_PHAT": "mail",
        "BC_PHAT_DUNG_HAN": "mail",
        "COD_TON": "mail",
        "BHXH_TN": "insurance",
        "BHYT_HGD": "insurance",
        "BHXH_TN_DANG": "insurance",
        "BHYT_HGD_DANG": "insurance",
    }


def test_the_indicator_table_agrees_with_what_the_apps_declare(db: None) -> None:
    assert registry.mismatches(load_indicators().values()) == []
    Indicator.objects.filter(code="HS_NHAN").update(measure="count")
    assert registry.mismatches(Indicator.objects.all()) == [
        "HS_NHAN: measure count, dossiers says dossiers"
    ]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize("app", ["plans", "reports"])
def test_plans_and_reports_import_nothing_from_the_apps_whose_activity_they_report(
    app: str,
) -> None:
    """The demo, which builds a province on every app's data, is one exception; the insurance
    targets page, served by reports among the insurance pages, asks the insurance selectors
    whose agency a unit's targets are (its figures come from the plans), the other."""
    owners = (
        "buudien.dossiers",
        "buudien.payouts",
        "buudien.counter",
        "buudien.mail",
        "buudien.insurance",
    )
    offending = {
        f"{path.relative_to(SRC)}: {name}"
        for path in (SRC / app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "demo.py"
        for name in _imports(path)
        if name.startswith(owners)
    }
    assert offending - {"reports/insurance_targets.py: buudien.insurance.selectors"} == set()


@pytest.fixture
def market_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A new app, `market`, that counts what it ships: installed without touching plans or
    reports."""

    def compute(
        *, user: Any, codes: frozenset[str], unit_paths: Sequence[str], start: dt.date, end: dt.date
    ) -> dict[str, dict[str, int | None]]:
        return {p: {"BG_DI": 735_665 if start.year == 2023 else 600_000} for p in unit_paths}

    module = types.ModuleType("buudien.market.indicators")
    module.INDICATORS = (("BG_DI", "items", "sum"),)  # type: ignore[attr-defined]
    module.compute = compute  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "buudien.market.indicators", module)
    installed = [*registry.installed(), ("buudien.market", "market")]
    monkeypatch.setattr(registry, "installed", lambda: installed)
    registry.registered.cache_clear()
    yield
    registry.registered.cache_clear()


@pytest.mark.usefixtures("market_module")
def test_a_new_module_brings_its_indicators_to_the_report_and_its_prose(
    tree: Tree, users: dict[str, User]
) -> None:
    load_indicators()
    Indicator.objects.create(
        code="BG_DI",
        name="Sản lượng bưu gửi đi",
        short_name="sản lượng bưu gửi đi",
        measure="items",
        source="computed",
        order=150,
    )
    assert registry.registered()["BG_DI"].app == "market"
    report = plan_vs_actual(users[Role.PROVINCE_MANAGER], tree.province, Period(2023, "year", 12))
    row = report.row("BG_DI")
    assert row is not None
    assert (row.actual, row.last_year, row.pct_last_year) == (735_665, 600_000, 123)
    assert "Sản lượng bưu gửi đi 735.665 bưu gửi, bằng 123% so với cùng kỳ." in (
        plan_vs_actual_text(report)
    )
