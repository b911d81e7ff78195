"""Load the 34 provinces and 3,321 communes from the vietnam-provinces package."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from vietnam_provinces import Province as VNProvince
from vietnam_provinces import Ward as VNWard

from buudien.core.text import build_search_text
from buudien.network.models import Commune, Province


@dataclass
class LoadResult:
    provinces: int
    communes: int
    created: int
    updated: int


@transaction.atomic
def load_admin_units() -> LoadResult:
    """Insert or refresh every province and commune; safe to run again."""
    created = updated = 0
    existing_p = {p.code: p for p in Province.objects.all()}
    for vp in VNProvince.iter_all():
        code = int(vp.code)
        values = {"name": vp.name, "codename": vp.codename, "division_type": vp.division_type.value}
        current = existing_p.get(code)
        if current is None:
            Province.objects.create(code=code, **values)
            created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            Province.objects.filter(code=code).update(**values)
            updated += 1
    existing_c = {c.code: c for c in Commune.objects.all()}
    new: list[Commune] = []
    changed: list[Commune] = []
    for vw in VNWard.iter_all():
        code = int(vw.code)
        ward_values: dict[str, object] = {
            "name": vw.name,
            "codename": vw.codename,
            "division_type": vw.division_type.value,
            "province_id": int(vw.province_code),
            "search_text": build_search_text(vw.name),
        }
        current_c = existing_c.get(code)
        if current_c is None:
            new.append(Commune(code=code, **ward_values))
        elif any(getattr(current_c, k) != v for k, v in ward_values.items()):
            for k, v in ward_values.items():
                setattr(current_c, k, v)
            changed.append(current_c)
    Commune.objects.bulk_create(new, batch_size=1000)
    Commune.objects.bulk_update(
        changed,
        ["name", "codename", "division_type", "province_id", "search_text"],
        batch_size=1000,
    )
    created += len(new)
    updated += len(changed)
    return LoadResult(
        provinces=Province.objects.count(),
        communes=Commune.objects.count(),
        created=created,
        updated=updated,
    )
