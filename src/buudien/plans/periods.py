"""Reporting periods: a month, a quarter, a year or the year to date."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    year: int
    kind: str  # month | quarter | year | ytd
    number: int = 0  # the month, the quarter, or the last month of a year-to-date

    @classmethod
    def parse(
        cls, *, year: int, month: int | None = None, quarter: int | None = None, ytd: bool = False
    ) -> Period:
        if quarter:
            if not 1 <= quarter <= 4:
                raise ValueError(gettext("Quý phải từ 1 đến 4."))
            return cls(year, "quarter", quarter)
        if month:
            if not 1 <= month <= 12:
                raise ValueError(gettext("Tháng phải từ 1 đến 12."))
            return cls(year, "ytd" if ytd else "month", month)
        return cls(year, "year", 12)

    @property
    def months(self) -> tuple[int, ...]:
        if self.kind == "month":
            return (self.number,)
        if self.kind == "quarter":
            first = 3 * (self.number - 1) + 1
            return (first, first + 1, first + 2)
        return tuple(range(1, self.number + 1))

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.months[0], 1)

    @property
    def last_day(self) -> dt.date:
        last = self.months[-1]
        return dt.date(self.year, last, calendar.monthrange(self.year, last)[1])

    def last_year(self) -> Period:
        return Period(self.year - 1, self.kind, self.number)

    @property
    def label(self) -> str:
        """'tháng 10/2026', 'quý III/2026' … in the active language."""
        values = {
            "month": self.number,
            "quarter": ROMAN.get(self.number, ""),
            "year": self.year,
        }
        if self.kind == "month":
            return gettext("tháng %(month)s/%(year)s") % values
        if self.kind == "quarter":
            return gettext("quý %(quarter)s/%(year)s") % values
        if self.kind == "ytd":
            return gettext("lũy kế đến tháng %(month)s/%(year)s") % values
        return gettext("năm %(year)s") % values

    @property
    def query(self) -> str:
        if self.kind == "month":
            return f"year={self.year}&month={self.number}"
        if self.kind == "quarter":
            return f"year={self.year}&quarter={self.number}"
        if self.kind == "ytd":
            return f"year={self.year}&month={self.number}&ytd=1"
        return f"year={self.year}"
