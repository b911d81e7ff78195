"""The active interface language, for the few texts that are not in the catalogue: reference
data that ships its English beside its Vietnamese (`name` / `name_en`), and number formats."""

from __future__ import annotations

from django.utils.translation import get_language


def english() -> bool:
    """Whether the page, file or message being made is in English."""
    return (get_language() or "vi").startswith("en")


def pick(vietnamese: str, english_text: str) -> str:
    """The English of a reference name when the language is English and it has one."""
    return english_text if english_text and english() else vietnamese
