"""Manual figures by Excel upload: one row per unit, month and indicator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.excel import Column, ImportSpec, ParsedRow
from buudien.core.permissions import Target, allows
from buudien.network import selectors as network_selectors
from buudien.plans import services
from buudien.plans.models import Indicator, ManualValue

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit


class ManualValueImport(ImportSpec):
    """One row per unit, year, month and manual indicator; a re-import updates."""

    title = "Số liệu nhập tay"
    columns = (
        Column("unit", "Mã đơn vị", required=True, max_length=20),
        Column("year", "Năm", kind="int", required=True, min_value=2000, max_value=2100),
        Column("month", "Tháng", kind="int", required=True, min_value=1, max_value=12),
        Column("indicator", "Mã chỉ tiêu", required=True, max_length=32),
        Column(
            "value", "Giá trị", kind="int", required=True, min_value=-(10**16), max_value=10**16
        ),
    )

    def __init__(self) -> None:
        self.units: dict[str, PostUnit] = {}
        self.manual: dict[str, Indicator] = {}

    def row_key(self, values: dict[str, Any]) -> Any:
        return (
            str(values["unit"]).upper(),
            values["year"],
            values["month"],
            str(values["indicator"]).upper(),
        )

    def prepare(self, rows: list[ParsedRow], actor: User) -> None:
        codes = {str(r.values.get("unit") or "").upper() for r in rows}
        self.units = network_selectors.units_by_code(user=actor, codes=codes)
        self.manual = {i.code: i for i in Indicator.objects.filter(source="manual")}

    def validate_row(self, row: ParsedRow, actor: User) -> None:
        unit = self.units.get(str(row.values["unit"]).upper())
        if unit is None or not allows(actor, "plans.enter_manual", Target(path=unit.path)):
            # An unknown unit and one outside the scope get the same answer: it reveals nothing.
            raise DomainError(
                _("Không có đơn vị mã %(code)s trong phạm vi quản lý của bạn.")
                % {"code": row.values["unit"]},
                field="unit",
            )
        indicator = self.manual.get(str(row.values["indicator"]).upper())
        if indicator is None:
            raise DomainError(
                _("Chỉ tiêu %(code)s không phải chỉ tiêu nhập tay.")
                % {"code": row.values["indicator"]},
                field="indicator",
            )
        if row.values["value"] < 0 and not indicator.signed:
            # Only a figure that may be a loss (a margin) is negative; a wage fund never is.
            raise DomainError(
                _("%(name)s không được âm.") % {"name": indicator.name}, field="value"
            )

    def apply_row(
        self, values: dict[str, Any], actor: User
    ) -> Literal["created", "updated", "unchanged"]:
        unit = self.units[str(values["unit"]).upper()]
        code = str(values["indicator"]).upper()
        current = ManualValue.objects.filter(
            unit=unit, indicator_id=code, year=values["year"], month=values["month"]
        ).first()
        if current is not None and current.value == values["value"]:
            return "unchanged"
        services.enter_manual_values(
            actor=actor,
            unit=unit,
            year=values["year"],
            month=values["month"],
            values={code: values["value"]},
        )
        return "created" if current is None else "updated"
