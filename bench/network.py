"""Network list over 8,000 points (national scale): the page and the API against a bare query."""

from __future__ import annotations

import datetime as dt

from bench._common import median_time, setup_django, write_result

N_POINTS = 8000


def build(n_points: int) -> None:
    from django.db import transaction

    from buudien.core.models import Role, User
    from buudien.core.text import build_search_text
    from buudien.network.models import CommunePointProfile, PostUnit

    if PostUnit.objects.filter(code="VN").exists():
        return
    with transaction.atomic():
        nation = PostUnit(code="VN", name="Bưu điện Việt Nam (bench)", kind="province")
        nation.refresh_path()
        nation.save()
        units: list[PostUnit] = []
        profiles: list[CommunePointProfile] = []
        models = ["traditional", "multi_service"]
        for a in range(80):
            area = PostUnit(
                code=f"A{a:03d}", name=f"Bưu điện khu vực {a}", kind="area", parent=nation
            )
            area.refresh_path()
            units.append(area)
            office = PostUnit(code=f"O{a:03d}", name=f"Bưu cục {a}", kind="office", parent=area)
            office.refresh_path()
            units.append(office)
            for p in range(n_points // 80):
                i = a * (n_points // 80) + p
                point = PostUnit(
                    code=f"P{i:05d}",
                    name=f"Điểm BĐ-VHX Bản Làng {i}",
                    kind="commune_point",
                    parent=office,
                    address=f"Thôn {i % 17}, xã Thử {a}",
                )
                point.refresh_path()
                point.search_text = build_search_text(point.code, point.name, point.address)
                units.append(point)
                profiles.append(
                    CommunePointProfile(
                        unit=point,
                        operating_model=models[i % 2],
                        converted_on=dt.date(2025, 1, 1) if i % 2 else None,
                        internet_type="fiber" if i % 3 else "none",
                        mobile_coverage="4g" if i % 7 else "2g",
                    )
                )
        PostUnit.objects.bulk_create(units, batch_size=2000)
        CommunePointProfile.objects.bulk_create(profiles, batch_size=2000)
        User.objects.update_or_create(
            username="bench-admin", defaults={"role": Role.ADMIN, "home_unit": nation}
        )


def main() -> None:
    database = setup_django("network")
    build(N_POINTS)
    from django.test import Client

    from buudien.core.models import User
    from buudien.network.models import PostUnit

    user = User.objects.get(username="bench-admin")
    client = Client()
    client.force_login(user)

    def page() -> None:
        response = client.get("/network/?kind=commune_point&page=40")
        assert response.status_code == 200

    def api() -> None:
        response = client.get("/api/network/units?kind=commune_point&page=40&page_size=50")
        assert response.status_code == 200

    def bare() -> None:
        rows = list(
            PostUnit.objects.filter(kind="commune_point")
            .select_related("parent__parent", "commune", "profile")
            .order_by("path")[1950:2000]
        )
        assert len(rows) == 50

    n = PostUnit.objects.filter(kind="commune_point").count()
    base = median_time(bare, repeat=30)
    page_s = median_time(page, repeat=30)
    api_s = median_time(api, repeat=30)
    write_result(
        name="network_list_page",
        database=database,
        n=n,
        median_s=page_s,
        baseline="bare ORM query for the same 50 rows",
        baseline_median_s=base,
    )
    write_result(
        name="network_list_api",
        database=database,
        n=n,
        median_s=api_s,
        baseline="bare ORM query for the same 50 rows",
        baseline_median_s=base,
    )


if __name__ == "__main__":
    main()
