"""Accent-insensitive search: 'nguyen van a' finds 'Nguyễn Văn A' on both databases."""

from __future__ import annotations

import pytest

from buudien.core.text import build_search_text, fold, search_terms
from tests.factories import PostUnitFactory


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn Đức ", "nguyen van duc"),
        ("ĐIỂM BĐ-VHX  Cốc   Pàng", "diem bd-vhx coc pang"),
        ("Thừa Thiên\tHuế\n", "thua thien hue"),
        ("Bà Rịa - Vũng Tàu", "ba ria - vung tau"),
        ("VHX01", "vhx01"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_strips_diacritics_and_d_with_stroke(text: str | None, folded: str) -> None:
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_accents_alike() -> None:
    composed = "Nguyễn"
    decomposed = "Nguye\u0302\u0303n"
    assert fold(composed) == fold(decomposed) == "nguyen"


def test_search_terms_are_folded_words() -> None:
    assert search_terms("  Thục  Phán ") == ["thuc", "phan"]
    assert search_terms("   ") == []


def test_search_text_joins_the_folded_parts_that_are_not_empty() -> None:
    assert build_search_text("VHX01", None, "Điểm Đức Long", "") == "vhx01 diem duc long"
    assert build_search_text("  ", 12, "Cốc Pàng") == "12 coc pang"
    assert build_search_text() == ""


@pytest.mark.parametrize("query", ["duc long", "ĐỨC LONG", "Đức Lòng", "đuc", "long duc"])
def test_every_term_of_any_accented_query_is_in_the_search_text(query: str) -> None:
    text = build_search_text("A1", "Bưu điện khu vực Đức Long")
    assert all(term in text for term in search_terms(query))


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
