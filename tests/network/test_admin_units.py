"""The administrative units come from vietnam-provinces: 34 provinces, 3,321 communes."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from buudien.network.models import Commune, Province


@pytest.mark.django_db
def test_load_admin_units_loads_the_2025_map_and_is_idempotent() -> None:
    call_command("load_admin_units", verbosity=0)
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    cao_bang = Province.objects.get(code=4)
    assert cao_bang.name == "Cao Bằng"
    assert Commune.objects.filter(province=cao_bang).count() > 40
    call_command("load_admin_units", verbosity=0)
    assert Commune.objects.count() == 3321


@pytest.mark.django_db
def test_communes_can_be_found_without_accents() -> None:
    call_command("load_admin_units", verbosity=0)
    found = Commune.objects.filter(province_id=4, search_text__contains="thuc phan")
    assert [c.name for c in found] == ["Phường Thục Phán"]
