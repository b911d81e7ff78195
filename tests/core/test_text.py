"""Accent-insensitive search: 'nguyen van a' finds 'Nguyễn Văn A' on both databases."""

from __future__ import annotations

import pytest

from buudien.core.text import build_search_text, fold, search_terms
from tests.factories import PostUnitFactory


def test_fold_strips_diacritics_and_d_with_stroke() -> None:
    assert fold("Nguyễn Văn Đức ") == "nguyen van duc"
    assert fold("ĐIỂM BĐ-VHX  Cốc   Pàng") == "diem bd-vhx coc pang"
    assert fold(None) == ""


def test_search_terms_and_search_text() -> None:
    assert search_terms("  Thục  Phán ") == ["thuc", "phan"]
    assert build_search_text("VHX01", None, "Điểm Đức Long", "") == "vhx01 diem duc long"


@pytest.mark.django_db
def test_search_finds_units_whatever_accents_the_user_types() -> None:
    from buudien.network.selectors import UnitFilter, units
    from tests.factories import UserFactory

    province = PostUnitFactory(code="P1", name="Bưu điện tỉnh Thử", kind="province")
    PostUnitFactory(code="A1", name="Bưu điện khu vực Đức Long", kind="area", parent=province)
    PostUnitFactory(code="A2", name="Bưu điện khu vực Bảo Lạc", kind="area", parent=province)
    admin = UserFactory(role="admin")
    for query in ("duc long", "ĐỨC LONG", "Đức Lòng", "đuc"):
        assert [u.code for u in units(admin, UnitFilter(q=query))] == ["A1"], query
