"""Reference files load once, update with a newer version, and keep what an admin edited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from buudien.core.reference import ModelSet, load_set
from buudien.network.models import Partner


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
    with pytest.raises(ValueError, match="expected set"):
        load_set(ModelSet(name="other", file=path, model=Partner, key=("code",)))
