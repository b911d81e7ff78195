"""The working calendar 2024–2027 and the Decision 45 procedure catalogue with its documents."""

from __future__ import annotations

from typing import Any

from buudien.core.reference import ModelSet, data_dir
from buudien.core.text import build_search_text
from buudien.dossiers import calendar
from buudien.dossiers.models import Holiday, Procedure, RequiredDocument

DATA = data_dir(__file__)


def _procedure(item: dict[str, Any]) -> dict[str, Any]:
    """A procedure is found by its code, name or field, with or without accents."""
    return dict(item, search_text=build_search_text(item["code"], item["name"], item["field"]))


SETS = [
    # The government's holiday decisions, swapped days and make-up Saturdays.
    ModelSet(
        name="dossiers.holidays",
        file=DATA / "holidays.json",
        model=Holiday,
        key=("date",),
        after=calendar.calendar.cache_clear,
    ),
    ModelSet(
        name="dossiers.procedures",
        file=DATA / "procedures.json",
        model=Procedure,
        key=("code",),
        resolve=_procedure,
        refs={"agency": ("network.Partner", "code")},
    ),
    ModelSet(
        name="dossiers.documents",
        file=DATA / "documents.json",
        model=RequiredDocument,
        key=("procedure", "order"),
        refs={"procedure": ("dossiers.Procedure", "code")},
    ),
]
