"""The procedure catalogue from Excel: one row per procedure, its documents in one cell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.excel import Column, ImportSpec, ParsedRow
from buudien.core.text import build_search_text, fold
from buudien.dossiers.models import DossierDocument, Procedure, RequiredDocument
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import Partner

FORMS = {"ban chinh": "original", "ban sao": "copy", "ban chinh hoac ban sao": "either"}


def parse_documents(text: str) -> list[tuple[str, str, int, bool]]:
    """'Tờ khai | bản chính | 1 | bắt buộc; Ảnh 3x4 | bản chính | 2 | bắt buộc'."""
    out = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        bits = [b.strip() for b in part.split("|")]
        name = bits[0]
        form = FORMS.get(fold(bits[1]) if len(bits) > 1 else "ban chinh")
        if form is None:
            raise ValueError(
                f"«{bits[1]}»: hình thức phải là bản chính, bản sao, hoặc bản chính hoặc bản sao"
            )
        copies = int(bits[2]) if len(bits) > 2 and bits[2].isdigit() else 1
        required = fold(bits[3]) != "khong bat buoc" if len(bits) > 3 else True
        if not name:
            raise ValueError("thiếu tên giấy tờ")
        out.append((name, form, copies, required))
    return out


class ProcedureImport(ImportSpec):
    title = "Danh mục thủ tục hành chính"
    columns = (
        Column("code", "Mã thủ tục", required=True, max_length=32),
        Column("name", "Tên thủ tục", required=True, max_length=300),
        Column("agency", "Mã cơ quan", required=True, max_length=32),
        Column("field", "Lĩnh vực", max_length=120),
        Column(
            "days",
            "Thời hạn (ngày làm việc)",
            kind="int",
            required=True,
            min_value=0,
            max_value=365,
        ),
        Column("fee", "Phí, lệ phí", kind="money"),
        Column("intake", "Nhận qua bưu điện", kind="bool"),
        Column("return_", "Trả qua bưu điện", kind="bool"),
        Column("documents", "Thành phần hồ sơ", max_length=4000),
    )

    def __init__(self) -> None:
        self.agencies: dict[str, Partner] = {}

    def row_key(self, values: dict[str, Any]) -> Any:
        return str(values["code"]).strip()

    def prepare(self, rows: list[ParsedRow], actor: User) -> None:
        # Only the agencies the importing user deals with: another province's stay unknown.
        self.agencies = {p.code: p for p in network_selectors.partners(actor)}

    def validate_row(self, row: ParsedRow, actor: User) -> None:
        if str(row.values["agency"]).upper() not in self.agencies:
            raise DomainError(
                _("Không có cơ quan mã %(code)s.") % {"code": row.values["agency"]}, field="agency"
            )
        try:
            parse_documents(row.values.get("documents") or "")
        except ValueError as exc:
            raise DomainError(str(exc), field="documents") from exc

    def apply_row(
        self, values: dict[str, Any], actor: User
    ) -> Literal["created", "updated", "unchanged"]:
        code = str(values["code"]).strip()
        fields = {
            "name": values["name"],
            "agency": self.agencies[str(values["agency"]).upper()],
            "field": values.get("field") or "",
            "processing_days": values["days"],
            "agency_fee": values.get("fee") or 0,
            "intake_by_post": True if values.get("intake") is None else values["intake"],
            "return_by_post": True if values.get("return_") is None else values["return_"],
            "search_text": build_search_text(code, values["name"], values.get("field")),
        }
        procedure, created = Procedure.objects.update_or_create(code=code, defaults=fields)
        docs = parse_documents(values.get("documents") or "")
        if docs:
            used = DossierDocument.objects.filter(required__procedure=procedure).exists()
            if not used:
                procedure.documents.all().delete()
            known = set(procedure.documents.values_list("name", flat=True))
            RequiredDocument.objects.bulk_create(
                RequiredDocument(procedure=procedure, name=n, form=f, copies=c, required=r, order=i)
                for i, (n, f, c, r) in enumerate(docs)
                if n not in known
            )
        return "created" if created else "updated"
