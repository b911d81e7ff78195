"""Excel import of commune points (the way a province hands over its list) and list export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.excel import Column, ImportSpec, ParsedRow
from buudien.core.permissions import Target, allows
from buudien.network import services
from buudien.network.models import Commune, CommunePointProfile, PostUnit

if TYPE_CHECKING:
    from buudien.core.models import User

P = CommunePointProfile


def _choices(enum: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for value, label in enum.choices:
        out[str(label)] = value
        out[value] = value
    return out


COLUMNS: list[Column] = [
    Column("code", "Mã điểm", required=True, max_length=20, aliases=("Mã đơn vị",)),
    Column("name", "Tên điểm", required=True, max_length=200, aliases=("Tên đơn vị",)),
    Column(
        "parent_code",
        "Mã bưu cục quản lý",
        required=True,
        max_length=20,
        aliases=("Mã bưu cục", "Đơn vị cấp trên"),
    ),
    Column("commune_code", "Mã xã, phường", kind="int", aliases=("Mã xã",)),
    Column("address", "Địa chỉ", max_length=255),
    Column("latitude", "Vĩ độ", kind="decimal"),
    Column("longitude", "Kinh độ", kind="decimal"),
    Column("phone", "Điện thoại", kind="phone"),
    Column("status", "Trạng thái", kind="choice", choices=_choices(PostUnit.Status)),
    Column("opened_on", "Ngày mở", kind="date"),
    Column("operating_model", "Mô hình", kind="choice", choices=_choices(P.OperatingModel)),
    Column("converted_on", "Ngày chuyển đổi đa dịch vụ", kind="date", aliases=("Ngày chuyển đổi",)),
    Column("area_class", "Địa bàn", kind="choice", choices=_choices(P.AreaClass)),
    Column("internet_type", "Internet cố định", kind="choice", choices=_choices(P.InternetType)),
    Column("mobile_coverage", "Sóng di động", kind="choice", choices=_choices(P.Coverage)),
    Column("has_wifi", "Wifi", kind="bool"),
    Column("computers", "Số máy tính", kind="int", min_value=0, max_value=100),
    Column("has_public_service_terminal", "Máy tra cứu dịch vụ công", kind="bool"),
    Column("has_reading_room", "Phòng đọc", kind="bool"),
    Column("books", "Số đầu sách", kind="int", min_value=0, max_value=1_000_000),
    Column("newspapers_received", "Số loại báo nhận", kind="int", min_value=0, max_value=1000),
    Column("opening_hours", "Giờ mở cửa", max_length=100),
    Column("clerk_name", "Nhân viên phụ trách", max_length=200),
    Column("clerk_phone", "Điện thoại nhân viên", kind="phone"),
    Column("clerk_since", "Phụ trách từ ngày", kind="date"),
]

UNIT_KEYS = ("name", "address", "latitude", "longitude", "phone", "opened_on")
PROFILE_KEYS = tuple(c.key for c in COLUMNS[10:])


class PointImport(ImportSpec):
    title = "Danh sách điểm BĐ-VHX"
    columns = COLUMNS

    def __init__(self) -> None:
        self.offices: dict[str, PostUnit] = {}
        self.communes: dict[int, Commune] = {}
        self.existing: dict[str, PostUnit] = {}

    def row_key(self, values: dict[str, Any]) -> Any:
        code = values.get("code")
        return str(code).strip().upper() if code else None

    def prepare(self, rows: list[ParsedRow], actor: User) -> None:
        parent_codes = {str(r.values.get("parent_code") or "").upper() for r in rows}
        self.offices = {u.code: u for u in PostUnit.objects.filter(code__in=parent_codes)}
        codes = {str(r.values.get("code") or "").upper() for r in rows}
        self.existing = {
            u.code: u for u in PostUnit.objects.select_related("profile").filter(code__in=codes)
        }
        commune_codes = {r.values.get("commune_code") for r in rows if r.values.get("commune_code")}
        self.communes = {c.code: c for c in Commune.objects.filter(code__in=commune_codes)}

    def validate_row(self, row: ParsedRow, actor: User) -> None:
        v = row.values
        code = str(v["code"]).strip().upper()
        parent_code = str(v["parent_code"]).strip().upper()
        office = self.offices.get(parent_code)
        if (
            office is None
            or office.kind != PostUnit.Kind.OFFICE
            or not allows(actor, "network.manage", Target(path=office.path))
        ):
            raise DomainError(
                _("Không có bưu cục mã %(code)s trong phạm vi quản lý của bạn.")
                % {"code": parent_code},
                field="parent_code",
            )
        current = self.existing.get(code)
        if current is not None and current.kind != PostUnit.Kind.COMMUNE_POINT:
            raise DomainError(
                _("Mã %(code)s đã dùng cho một đơn vị không phải điểm BĐ-VHX.") % {"code": code},
                field="code",
            )
        if current is not None and current.parent_id != office.pk:
            raise DomainError(
                _("Điểm %(code)s đang thuộc bưu cục khác; chuyển bưu cục không làm qua nhập Excel.")
                % {"code": code},
                field="parent_code",
            )
        commune_code = v.get("commune_code")
        if commune_code and commune_code not in self.communes:
            raise DomainError(
                _("Không có xã, phường mã %(code)s.") % {"code": commune_code},
                field="commune_code",
            )
        if v.get("operating_model") == P.OperatingModel.MULTI_SERVICE and not v.get("converted_on"):
            raise DomainError(_("Điểm đa dịch vụ cần có ngày chuyển đổi."), field="converted_on")
        if v.get("status") == PostUnit.Status.CLOSED and current is None:
            raise DomainError(_("Không nhập điểm mới ở trạng thái đã đóng cửa."), field="status")

    def apply_row(
        self, values: dict[str, Any], actor: User
    ) -> Literal["created", "updated", "unchanged"]:
        code = str(values["code"]).strip().upper()
        unit_fields: dict[str, Any] = {
            k: values.get(k) for k in UNIT_KEYS if values.get(k) is not None
        }
        unit_fields["name"] = str(values["name"]).strip()
        if values.get("commune_code"):
            unit_fields["commune_id"] = values["commune_code"]
        profile = {k: values[k] for k in PROFILE_KEYS if values.get(k) not in (None, "")}
        status = values.get("status") or PostUnit.Status.ACTIVE
        current = self.existing.get(code)
        if current is None:
            name = unit_fields.pop("name")
            unit = services.create_unit(
                actor=actor,
                code=code,
                name=name,
                kind=PostUnit.Kind.COMMUNE_POINT,
                parent=self.offices[str(values["parent_code"]).strip().upper()],
                profile=profile,
                **unit_fields,
            )
            outcome: Literal["created", "updated", "unchanged"] = "created"
        else:
            if _same(current, unit_fields, profile) and current.status == status:
                return "unchanged"
            unit = services.update_unit(actor=actor, unit=current, profile=profile, **unit_fields)
            outcome = "updated"
        if unit.status != status:
            services.change_status(
                actor=actor,
                unit=unit,
                status=status,
                on=timezone.localdate(),
                note=_("Nhập từ Excel"),
            )
        return outcome


def _same(unit: PostUnit, fields: dict[str, Any], profile: dict[str, Any]) -> bool:
    if any(getattr(unit, k) != v for k, v in fields.items()):
        return False
    current = getattr(unit, "profile", None)
    if current is None:
        return not profile
    return all(getattr(current, k) == v for k, v in profile.items())


def export_rows(qs: QuerySet[PostUnit]) -> tuple[list[str], Iterable[Sequence[Any]]]:
    """Headers and rows of a unit list, in the import layout so the file can be re-imported."""
    headers = [c.header for c in COLUMNS] + ["Cấp", "Khu vực", "Xã, phường"]
    labels = {
        key: dict(enum.choices)
        for key, enum in (
            ("status", PostUnit.Status),
            ("operating_model", P.OperatingModel),
            ("area_class", P.AreaClass),
            ("internet_type", P.InternetType),
            ("mobile_coverage", P.Coverage),
        )
    }

    def cell(key: str, value: Any) -> Any:
        if key in labels and value:
            return str(labels[key].get(value, value))
        if isinstance(value, bool):
            return "có" if value else "không"
        if isinstance(value, dt.date):
            return value
        return value

    def rows() -> Iterable[Sequence[Any]]:
        for unit in qs.iterator(chunk_size=2000):
            prof = getattr(unit, "profile", None) if unit.is_point else None
            base = {
                "code": unit.code,
                "name": unit.name,
                "parent_code": unit.parent.code if unit.parent else "",
                "commune_code": unit.commune_id,
                "address": unit.address,
                "latitude": unit.latitude,
                "longitude": unit.longitude,
                "phone": unit.phone,
                "status": unit.status,
                "opened_on": unit.opened_on,
            }
            out = [
                cell(c.key, base[c.key])
                if c.key in base
                else (cell(c.key, getattr(prof, c.key)) if prof else None)
                for c in COLUMNS
            ]
            area = unit.parent.parent if unit.parent and unit.kind == "commune_point" else None
            out += [
                str(unit.get_kind_display()),
                area.name if area else "",
                unit.commune.name if unit.commune else "",
            ]
            yield out

    return headers, rows()
