"""Reference files load once, update with a newer version, and keep what an admin edited."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from buudien.core import reference
from buudien.core.models import Role, User
from buudien.core.reference import ModelSet, ReferenceDataError, load_set
from buudien.counter import services as counter
from buudien.counter.models import Service
from buudien.dossiers.calendar import is_working_day
from buudien.dossiers.models import Holiday, Procedure
from buudien.network.models import Partner
from buudien.payouts.models import Programme
from buudien.plans.models import Indicator
from tests.conftest import Tree


def _file(tmp_path: Path, version: int, items: list[dict[str, Any]]) -> Path:
    path = tmp_path / f"partners-{version}.json"
    path.write_text(json.dumps({"set": "test.partners", "version": version, "items": items}))
    return path


def _set(path: Path) -> ModelSet:
    return ModelSet(name="test.partners", file=path, model=Partner, key=("code",))


AGENCY = {"code": "BHXH", "name": "BHXH tỉnh", "kind": "social_insurance", "phone": "0206111"}


@pytest.mark.django_db
def test_loading_twice_creates_once_and_then_changes_nothing(tmp_path: Path) -> None:
    first = load_set(_set(_file(tmp_path, 1, [AGENCY])))
    again = load_set(_set(_file(tmp_path, 1, [AGENCY])))
    assert (first.created, again.created, again.updated, again.unchanged) == (1, 0, 0, 1)
    assert Partner.objects.get(code="BHXH").name == "BHXH tỉnh"


@pytest.mark.django_db
def test_a_newer_version_updates_what_the_admin_left_and_keeps_what_he_edited(
    tmp_path: Path,
) -> None:
    load_set(_set(_file(tmp_path, 1, [AGENCY])))
    Partner.objects.filter(code="BHXH").update(phone="0206999")  # edited in the back office
    newer = dict(AGENCY, name="Bảo hiểm xã hội tỉnh", phone="0206222")
    added = {"code": "DL", "name": "Điện lực", "kind": "power_company"}
    outcome = load_set(_set(_file(tmp_path, 2, [newer, added])))
    agency = Partner.objects.get(code="BHXH")
    assert agency.name == "Bảo hiểm xã hội tỉnh"
    assert agency.phone == "0206999"
    assert (outcome.created, outcome.updated, outcome.kept) == (1, 1, 1)
    assert Partner.objects.filter(code="DL").exists()


@pytest.mark.django_db
def test_a_file_of_another_set_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, 1, [AGENCY])
    with pytest.raises(ReferenceDataError, match="expected set"):
        load_set(ModelSet(name="other", file=path, model=Partner, key=("code",)))


# Other records named by their codes, and files that cannot load -------------------------------


def _services(tmp_path: Path, items: list[dict[str, Any]]) -> ModelSet:
    path = tmp_path / "services.json"
    path.write_text(json.dumps({"set": "test.services", "version": 1, "items": items}))
    return ModelSet(
        name="test.services",
        file=path,
        model=Service,
        key=("code",),
        refs={"partner": ("network.Partner", "code")},
    )


SERVICE = {"code": "TC-X", "name": "Thu hộ thử", "line": "finance", "kind": "collection"}


@pytest.mark.django_db
def test_an_item_names_another_record_by_its_code(tmp_path: Path) -> None:
    load_set(_set(_file(tmp_path, 1, [AGENCY])))
    load_set(_services(tmp_path, [dict(SERVICE, partner="BHXH"), dict(SERVICE, code="BC-Y")]))
    assert Service.objects.get(code="TC-X").partner == Partner.objects.get(code="BHXH")
    assert Service.objects.get(code="BC-Y").partner is None


@pytest.mark.django_db
def test_a_code_that_names_nothing_stops_the_whole_load(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="KHONGCO"):
        load_set(_services(tmp_path, [dict(SERVICE, partner="KHONGCO")]))


@pytest.mark.django_db
def test_a_field_the_model_does_not_have_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="no field 'gia'"):
        load_set(_set(_file(tmp_path, 1, [dict(AGENCY, gia=5)])))
    assert not Partner.objects.exists()


@pytest.mark.django_db
def test_a_file_naming_one_record_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="'BHXH' appears twice"):
        load_set(_set(_file(tmp_path, 1, [AGENCY, dict(AGENCY, name="BHXH")])))


@pytest.mark.django_db
def test_a_record_the_admin_deleted_is_not_brought_back(tmp_path: Path) -> None:
    load_set(_set(_file(tmp_path, 1, [AGENCY])))
    Partner.objects.filter(code="BHXH").delete()
    outcome = load_set(_set(_file(tmp_path, 2, [dict(AGENCY, name="Bảo hiểm xã hội tỉnh")])))
    assert not Partner.objects.filter(code="BHXH").exists()
    assert (outcome.created, outcome.deleted) == (0, 1)


@pytest.mark.django_db
def test_an_unknown_set_name_is_refused_and_nothing_loads() -> None:
    with pytest.raises(ReferenceDataError, match="counter.servicez"):
        reference.load(only=["counter.services", "counter.servicez"])
    assert not Service.objects.exists()


# The files shipped with the package -------------------------------------------------------


@pytest.mark.django_db
def test_the_shipped_files_load_into_an_empty_database_and_a_second_load_changes_nothing() -> None:
    first = {o.name: o.created for o in reference.load()}
    again = reference.load()
    assert first == {
        "network.partners": 11,
        "counter.services": 23,
        "counter.tariffs": 24,
        "plans.indicators": 28,
        "dossiers.holidays": 60,
        "dossiers.procedures": 42,
        "dossiers.documents": 113,
        "payouts.programmes": 3,
        "mail.regions": 34,
        "mail.services": 5,
        "mail.bands": 75,
        "mail.extras": 4,
        "insurance.schemes": 2,
        "insurance.rules": 5,
        "insurance.base_salaries": 3,
        "insurance.supports": 8,
        "insurance.modes": 9,
    }
    assert all((o.created, o.updated, o.unchanged) == (0, 0, first[o.name]) for o in again)


@pytest.mark.django_db
def test_the_command_prints_what_each_set_did() -> None:
    out = io.StringIO()
    call_command("load_reference", "--only", "plans.indicators", stdout=out)
    assert out.getvalue().startswith("plans.indicators v4: 28 bản ghi — 28 mới")
    with pytest.raises(CommandError, match="Không có tập danh mục"):
        call_command("load_reference", "--only", "plans.chitieu", stdout=out)


@pytest.mark.django_db
def test_each_service_names_its_agency_and_each_procedure_its_documents() -> None:
    reference.load()
    assert Service.objects.get(code="TC-LHUU").partner.code == "BHXH04"
    assert Service.objects.get(code="TC-DIEN").partner.code == "PC04"
    birth = Procedure.objects.get(code="1.001193")
    assert (birth.agency.code, birth.processing_days) == ("UBNDXA04", 1)
    assert [d.name for d in birth.documents.order_by("order")] == [
        "Tờ khai theo mẫu",
        "Giấy chứng sinh",
        "Căn cước công dân / thẻ căn cước",
        "Giấy ủy quyền (khi nộp thay)",
    ]
    assert Procedure.objects.filter(search_text__contains="dang ky khai sinh").exists()
    share = Indicator.objects.get(code="TT_TCBC")
    assert (share.numerator_id, share.denominator_id) == ("DT_TCBC", "DT_TONG")
    assert Programme.objects.get(code="LHUU").agency.code == "BHXH04"


def test_a_letter_costs_4000_dong_until_30_june_2024_and_5000_from_1_july(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    clerk = users[Role.CLERK]
    revenue = {}
    for day in (dt.date(2024, 6, 28), dt.date(2024, 7, 1)):
        shift = counter.open_session(
            clerk=clerk, unit=tree.point_a1, opening_cash=0, business_date=day
        )
        entry = counter.post_entry(
            session=shift,
            clerk=clerk,
            request=counter.EntryRequest(idempotency_key=f"thu-{day}", service_code="BC-THU"),
        ).entry
        counter.close_session(session=shift, clerk=clerk, counted_cash=entry.amount)
        revenue[day] = entry.revenue
    assert revenue == {dt.date(2024, 6, 28): 4_000, dt.date(2024, 7, 1): 5_000}


@pytest.mark.django_db
def test_the_calendar_knows_the_holidays_as_soon_as_they_are_loaded() -> None:
    tet_monday = dt.date(2026, 2, 16)
    assert is_working_day(tet_monday)  # nothing loaded yet: a Monday like any other
    reference.load(only=["dossiers.holidays"])
    assert not is_working_day(tet_monday)
    assert is_working_day(dt.date(2025, 4, 26))  # the Saturday worked for 2 May 2025
    assert Holiday.objects.filter(date__year=2027).count() == 13
