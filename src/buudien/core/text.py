"""Accent-insensitive search helpers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def fold(text: str | None) -> str:
    """Lowercase, strip Vietnamese diacritics (đ → d) and collapse whitespace."""
    if not text:
        return ""
    return _fold(str(text))


def search_terms(query: str) -> list[str]:
    return [t for t in fold(query).split(" ") if t]


def build_search_text(*parts: object) -> str:
    return " ".join(fold(str(p)) for p in parts if p not in (None, ""))
