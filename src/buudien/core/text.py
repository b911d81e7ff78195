"""Accent-insensitive search helpers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """Cached: imports fold the same names and places thousands of times."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def fold(text: str | None) -> str:
    """Lowercase, strip Vietnamese diacritics (đ → d) and collapse whitespace."""
    if not text:
        return ""
    return _fold(str(text))


def search_terms(query: str) -> list[str]:
    """The folded words of a search box; a row matches when its search text has them all."""
    return fold(query).split()


def build_search_text(*parts: object) -> str:
    """The folded text of a record's searchable fields, for its `search_text` column."""
    folded = (fold(str(part)) for part in parts if part is not None)
    return " ".join(text for text in folded if text)
