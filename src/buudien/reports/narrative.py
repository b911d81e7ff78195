"""The report as Vietnamese prose, in the style and rounding of the published reports."""

from __future__ import annotations

from buudien.core.money import format_report, format_short
from buudien.plans.models import Indicator
from buudien.reports.builders import NetworkReport, PlanActualReport, Row


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _amount(row: Row) -> str:
    value = row.actual or 0
    if row.indicator.measure == Indicator.Measure.DONG:
        return format_report(value)
    if row.indicator.measure == Indicator.Measure.PERCENT:
        return f"{value}%"
    unit = dict(Indicator.Measure.choices)[row.indicator.measure]
    return f"{_number(value)} {unit}"


def _against_last_year(row: Row) -> str:
    p = row.pct_last_year
    if p is None:
        return ""
    return f"bằng {p}% so với cùng kỳ"


def _clause(row: Row, *, first: bool = False) -> str:
    name = row.indicator.short_name or row.indicator.name.lower()
    if first:
        name = name[0].upper() + name[1:]
    text = f"{name} {_amount(row)}"
    if row.pct_plan is not None:
        text += f", đạt {row.pct_plan}% {'kế hoạch (KH)' if first else 'KH'}"
    if first and row.pct_last_year is not None:
        text += f", {_against_last_year(row)}"
    return text


def _people(row: Row) -> str:
    name = row.indicator.short_name or row.indicator.name
    name = name[0].upper() + name[1:]
    unit = dict(Indicator.Measure.choices)[row.indicator.measure]
    if row.plan:
        text = f"{name} {_number(row.actual or 0)}/{_number(row.plan)} {unit}"
        if row.pct_plan is not None:
            text += f", đạt {row.pct_plan}%"
    else:
        text = f"{name} {_number(row.actual or 0)} {unit}"
    if row.last_year is not None and row.actual is not None:
        diff = row.actual - row.last_year
        if diff:
            text += f", {'tăng' if diff > 0 else 'giảm'} {_number(abs(diff))} {unit} so với cùng kỳ"
    return text


def plan_vs_actual_text(report: PlanActualReport) -> str:
    """'Tổng doanh thu 113 tỷ 298 triệu đồng, đạt 95% kế hoạch (KH), …'."""
    total = report.row("DT_TONG")
    sentences = []
    label = report.period.label
    sentences.append(f"{label[0].upper()}{label[1:]}, {report.unit.name} đạt các kết quả sau.")
    if total is not None and total.actual is not None:
        sentences.append(_clause(total, first=True) + ".")
    lines = [report.row(c) for c in ("DT_BCCP", "DT_TCBC", "DT_PPTT")]
    parts = [_clause(r) for r in lines if r is not None and r.actual]
    if parts:
        sentences.append("Trong đó, " + "; ".join(parts) + ".")
    finance = [
        report.row(c)
        for c in ("DT_TINH_LUONG", "NSLD", "CHENH_LECH", "CP_KHONG_LUONG", "QUY_LUONG")
    ]
    parts = [_clause(r) for r in finance if r is not None and r.actual is not None]
    if parts:
        text = "; ".join(parts)
        sentences.append(text[0].upper() + text[1:] + ".")
    received, returned = report.row("HS_NHAN"), report.row("HS_TRA")
    if received is not None and received.actual:
        text = f"Tiếp nhận {_number(received.actual)} hồ sơ thủ tục hành chính"
        if received.pct_plan is not None:
            text += f", đạt {received.pct_plan}% KH"
        if returned is not None and returned.actual:
            text += f"; trả {_number(returned.actual)} kết quả giải quyết"
        sentences.append(text + ".")
    paid, amount = report.row("CT_LUOT"), report.row("CT_TIEN")
    if paid is not None and paid.actual and amount is not None and amount.actual:
        sentences.append(
            f"Chi trả {_number(paid.actual)} lượt lương hưu, trợ cấp với tổng số "
            f"tiền {format_report(amount.actual)}."
        )
    people = report.row("BHXH_TN")
    if people is not None and people.actual is not None:
        sentences.append(_people(people) + ".")
    return " ".join(sentences)


def network_text(report: NetworkReport) -> str:
    """'Đối với Bưu điện - Văn hóa xã, có 150 điểm …, doanh thu đạt 6,8 triệu đồng/điểm/tháng'."""
    text = f"Đối với Bưu điện - Văn hóa xã, có {report.points} điểm"
    multi = report.by_model.get("Đa dịch vụ", 0)
    if multi:
        text += f", trong đó {multi} điểm hoạt động theo mô hình đa dịch vụ"
    if report.average_per_point_month is not None:
        text += f"; doanh thu đạt {format_short(report.average_per_point_month)}".replace(
            " đồng", " đồng/điểm/tháng"
        )
        if report.average_last_year:
            change = report.average_per_point_month - report.average_last_year
            if change:
                word = "tăng" if change > 0 else "giảm"
                text += f", {word} {format_short(abs(change))} so với cùng kỳ"
    share40 = report.share_above(40_000_000)
    share20 = report.share_above(20_000_000)
    if share20:
        text += f"; {share20}% số điểm có doanh thu bình quân trên 20 triệu đồng/tháng"
        if share40:
            text += f", {share40}% trên 40 triệu đồng"
    text += "."
    gaps = []
    if report.no_internet:
        gaps.append(f"{report.no_internet} điểm chưa có internet cố định")
    if report.no_mobile_data:
        gaps.append(f"{report.no_mobile_data} điểm chưa có sóng di động 3G/4G")
    if gaps:
        text += " Còn " + ", ".join(gaps) + "."
    if report.conversions:
        text += (
            f" Trong {report.period.label}, {report.conversions} điểm đã chuyển sang mô hình "
            "đa dịch vụ."
        )
    if report.clerk_income:
        text += f" Thu nhập bình quân của nhân viên điểm {format_short(report.clerk_income)}/tháng."
    return text
