"""The report as an HTML page, an Excel workbook and a PDF (same figures, same charts)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Font

from buudien.core.excel import defuse_formulas
from buudien.plans.periods import Period
from buudien.reports import builders, charts, narrative

LINE_LABELS = [
    ("delivery", "DT_BCCP", "Bưu chính chuyển phát"),
    ("finance", "DT_TCBC", "Tài chính bưu chính"),
    ("media", "DT_PPTT", "Phân phối truyền thông"),
]


def context(user: Any, unit: Any, period: Period) -> dict[str, Any]:
    """Everything the page, the workbook and the PDF show."""
    report = builders.plan_vs_actual(user, unit, period)
    network = builders.network_report(user, unit, period)
    mix = []
    for key, code, label in LINE_LABELS:
        row = report.row(code)
        mix.append((key, label, (row.actual or 0) if row else 0))
    return {
        "report": report,
        "network": network,
        "text": narrative.plan_vs_actual_text(report),
        "network_text": narrative.network_text(network),
        "chart_monthly": charts.monthly_vs_plan(
            report.monthly, "Doanh thu theo tháng so với kế hoạch"
        ),
        "chart_mix": charts.line_mix(mix, "Cơ cấu doanh thu theo nhóm dịch vụ"),
        "chart_ranking": charts.ranking(
            [(u.name, v) for u, v in network.top], "Xếp hạng điểm BĐ-VHX: doanh thu bình quân tháng"
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


def xlsx(ctx: dict[str, Any]) -> bytes:
    report: builders.PlanActualReport = ctx["report"]
    network: builders.NetworkReport = ctx["network"]
    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    ws.title = "KH - Thực hiện"
    ws.append([f"{report.unit.name} – {report.period.label}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        [
            "Chỉ tiêu",
            "Đơn vị đo",
            "Thực hiện",
            "Kế hoạch",
            "% KH",
            "Cùng kỳ",
            "% cùng kỳ",
            "Kế hoạch sử dụng",
        ]
    )
    for cell in ws[2]:
        cell.font = bold
    for r in report.rows:
        ws.append(
            [
                r.indicator.name,
                r.indicator.get_measure_display(),
                r.actual,
                r.plan,
                r.pct_plan,
                r.last_year,
                r.pct_last_year,
                r.plan_label,
            ]
        )
    ws.column_dimensions["A"].width = 48
    for col in "CDF":
        ws.column_dimensions[col].width = 20
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=6):
        for cell in row:
            cell.number_format = "#,##0"
    if report.children:
        cs = wb.create_sheet("Đơn vị cấp dưới")
        cs.append(
            [
                "Mã",
                "Đơn vị",
                "Tổng doanh thu",
                "KH",
                "% KH",
                "Cùng kỳ",
                "% cùng kỳ",
                "BCCP",
                "TCBC",
                "PPTT",
            ]
        )
        for cell in cs[1]:
            cell.font = bold
        for c in report.children:
            t = c.rows["DT_TONG"]
            cs.append(
                [
                    c.unit.code,
                    c.unit.name,
                    t.actual,
                    t.plan,
                    t.pct_plan,
                    t.last_year,
                    t.pct_last_year,
                    c.rows["DT_BCCP"].actual,
                    c.rows["DT_TCBC"].actual,
                    c.rows["DT_PPTT"].actual,
                ]
            )
        cs.column_dimensions["B"].width = 40
    ns = wb.create_sheet("Điểm BĐ-VHX")
    ns.append(["Số điểm", network.points])
    ns.append(["Doanh thu bình quân điểm/tháng", network.average_per_point_month])
    for label, n in network.by_model.items():
        ns.append([f"Mô hình {label}", n])
    for label, n in network.by_area_class.items():
        ns.append([f"Địa bàn {label}", n])
    for band, n in network.distribution:
        ns.append([f"Doanh thu {band}/tháng", n])
    ns.append(["Chưa có internet cố định", network.no_internet])
    ns.append(["Chưa có sóng 3G/4G", network.no_mobile_data])
    ns.append(["Chuyển sang đa dịch vụ trong kỳ", network.conversions])
    ns.append([])
    ns.append(["Xếp hạng", "Mã điểm", "Tên điểm", "Doanh thu bình quân tháng"])
    for i, (u, v) in enumerate(network.top, start=1):
        ns.append([i, u.code, u.name, v])
    ns.column_dimensions["A"].width = 36
    ts = wb.create_sheet("Văn bản")
    ts.append([ctx["text"]])
    ts.append([ctx["network_text"]])
    ts.column_dimensions["A"].width = 160
    for sheet in wb.worksheets:
        defuse_formulas(sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
