"""The report as an HTML page, an Excel workbook and a PDF (same figures, same charts)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from buudien.core.excel import defuse_formulas
from buudien.core.scoping import Actor
from buudien.network import selectors as network_selectors
from buudien.plans.numbers import PERCENT_SCALE
from buudien.plans.periods import Period
from buudien.reports import builders, charts, figures, narrative
from buudien.reports.figures import LAST_YEAR, PLAN

if TYPE_CHECKING:
    from buudien.network.models import PostUnit
    from buudien.plans.models import Indicator

LINE_LABELS = [
    ("delivery", "DT_BCCP", gettext_lazy("Bưu chính chuyển phát")),
    ("finance", "DT_TCBC", gettext_lazy("Tài chính bưu chính")),
    ("media", "DT_PPTT", gettext_lazy("Phân phối truyền thông")),
]


def context(user: Actor, unit: PostUnit, period: Period) -> dict[str, Any]:
    """Everything the page, the workbook and the PDF show."""
    with network_selectors.remembering():
        report = builders.plan_vs_actual(user, unit, period)
        network = builders.network_report(user, unit, period, report=report)
    mix = []
    for key, code, label in LINE_LABELS:
        row = report.row(code)
        mix.append((key, str(label), (row.actual or 0) if row else 0))
    return {
        "report": report,
        "network": network,
        "text": narrative.plan_vs_actual_text(report),
        "network_text": narrative.network_text(network),
        "chart_monthly": charts.monthly_vs_plan(
            report.monthly, _("Doanh thu theo tháng so với kế hoạch")
        ),
        "chart_mix": charts.line_mix(mix, _("Cơ cấu doanh thu theo nhóm dịch vụ")),
        "chart_ranking": charts.ranking(
            [(u.name, v) for u, v in network.top],
            _("Xếp hạng điểm BĐ-VHX: doanh thu bình quân tháng"),
        ),
        "period": period,
        "unit": unit,
    }


def pdf(ctx: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    font_dir = settings.BASE_DIR / "static" / "fonts"
    html = render_to_string("reports/print.html", ctx | {"font_dir": font_dir.as_uri()})
    return bytes(HTML(string=html, base_url=str(font_dir)).write_pdf())


def html_document(ctx: dict[str, Any]) -> str:
    font_dir = settings.BASE_DIR / "static" / "fonts"
    return render_to_string("reports/print.html", ctx | {"font_dir": font_dir.as_uri()})


def _figure(cell: Cell, ind: Indicator, value: int | None) -> None:
    """A figure as a number Excel can add: đồng and counts whole, a share as a percentage."""
    if value is None:
        return
    if ind.is_share:
        cell.value = value / (100 * PERCENT_SCALE)
        cell.number_format = "0.0%"
    else:
        cell.value = value
        cell.number_format = "#,##0"


def _comparison(cell: Cell, row: builders.Row, *, to: str) -> None:
    """Attainment as a percentage, a share's change in points, or a loss in words."""
    base = row.plan if to == PLAN else row.last_year
    attained = row.pct_plan if to == PLAN else row.pct_last_year
    points = row.points_vs_plan if to == PLAN else row.points_vs_last_year
    if attained is not None:
        cell.value = attained / 100
        cell.number_format = "0%"
    elif points is not None:
        cell.value = points / 100
        unit = _("điểm %")
        cell.number_format = f'+0.0" {unit}";-0.0" {unit}";0" {unit}"'
    else:
        cell.value = figures.against(row.indicator, row.actual, base, to=to, short=True) or None


HEADER = [
    gettext_lazy("Chỉ tiêu"),
    gettext_lazy("Đơn vị đo"),
    gettext_lazy("Thực hiện"),
    gettext_lazy("Kế hoạch"),
    gettext_lazy("So với KH"),
    gettext_lazy("Cùng kỳ"),
    gettext_lazy("So với cùng kỳ"),
    gettext_lazy("Kế hoạch sử dụng"),
]


def _plan_sheet(wb: Workbook, report: builders.PlanActualReport) -> None:
    """Every indicator: actual, plan, attainment, last year and the change, as numbers."""
    ws = wb.active
    ws.title = _("KH - Thực hiện")
    ws.append([f"{report.unit.name} – {report.period.label}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([str(h) for h in HEADER])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in report.rows:
        ind = r.indicator
        ws.append([ind.local_name, ind.get_measure_display() + ind.per_unit])
        n = ws.max_row
        _figure(ws.cell(n, 3), ind, r.actual)
        _figure(ws.cell(n, 4), ind, r.plan)
        _comparison(ws.cell(n, 5), r, to=PLAN)
        _figure(ws.cell(n, 6), ind, r.last_year)
        _comparison(ws.cell(n, 7), r, to=LAST_YEAR)
        ws.cell(n, 8).value = r.plan_label
    if report.plan_warning:
        ws.append([])
        ws.append([report.plan_warning])
    ws.column_dimensions["A"].width = 48
    for col in "CDEFG":
        ws.column_dimensions[col].width = 20


def _children_sheet(wb: Workbook, report: builders.PlanActualReport) -> None:
    cs = wb.create_sheet(_("Đơn vị cấp dưới"))
    head = [_("Mã"), _("Đơn vị"), _("Tổng doanh thu"), *[str(h) for h in HEADER[3:7]]]
    cs.append([*head, "BCCP", "TCBC", "PPTT"])
    for cell in cs[1]:
        cell.font = Font(bold=True)
    for c in report.children:
        t = c.rows["DT_TONG"]
        cs.append([c.unit.code, c.unit.name])
        n = cs.max_row
        _figure(cs.cell(n, 3), t.indicator, t.actual)
        _figure(cs.cell(n, 4), t.indicator, t.plan)
        _comparison(cs.cell(n, 5), t, to=PLAN)
        _figure(cs.cell(n, 6), t.indicator, t.last_year)
        _comparison(cs.cell(n, 7), t, to=LAST_YEAR)
        for col, code in ((8, "DT_BCCP"), (9, "DT_TCBC"), (10, "DT_PPTT")):
            _figure(cs.cell(n, col), c.rows[code].indicator, c.rows[code].actual)
    cs.column_dimensions["B"].width = 40


def _network_sheet(wb: Workbook, network: builders.NetworkReport) -> None:
    ns = wb.create_sheet(_("Điểm BĐ-VHX"))
    ns.append([_("Số điểm"), network.points])
    ns.append([_("Doanh thu bình quân điểm/tháng"), network.average_per_point_month])
    for label, n in network.by_model.items():
        ns.append([_("Mô hình %(model)s") % {"model": label}, n])
    for label, n in network.by_area_class.items():
        ns.append([_("Địa bàn %(area)s") % {"area": label}, n])
    for band, n in network.distribution:
        ns.append([_("Doanh thu %(band)s/tháng") % {"band": band}, n])
    ns.append([_("Chưa có internet cố định"), network.no_internet])
    ns.append([_("Chưa có sóng 3G/4G"), network.no_mobile_data])
    ns.append([_("Chuyển sang đa dịch vụ trong kỳ"), network.conversions])
    ns.append([_("Thu nhập bình quân nhân viên điểm (đồng/người/tháng)"), network.clerk_income])
    ns.append([])
    ns.append([_("Xếp hạng"), _("Mã điểm"), _("Tên điểm"), _("Doanh thu bình quân tháng")])
    for i, (u, v) in enumerate(network.top, start=1):
        ns.append([i, u.code, u.name, v])
    ns.column_dimensions["A"].width = 36


def xlsx(ctx: dict[str, Any]) -> bytes:
    """The report as a workbook: the same figures as the page, numbers that Excel can add."""
    report: builders.PlanActualReport = ctx["report"]
    wb = Workbook()
    _plan_sheet(wb, report)
    if report.children:
        _children_sheet(wb, report)
    _network_sheet(wb, ctx["network"])
    ts = wb.create_sheet(_("Văn bản"))
    ts.append([ctx["text"]])
    ts.append([ctx["network_text"]])
    ts.column_dimensions["A"].width = 160
    for sheet in wb.worksheets:
        defuse_formulas(sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
