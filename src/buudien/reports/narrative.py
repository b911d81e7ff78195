"""The report as Vietnamese prose, in the style and rounding of the published reports.

The well-known figures read as the published reports word them; any other indicator with a
figure (one a new module registers, say) gets a sentence of its own in the same style, so a
new module's indicators reach the prose without this module knowing them.
"""

from __future__ import annotations

from buudien.core.money import format_number, format_report, format_short
from buudien.reports import figures
from buudien.reports.builders import NetworkReport, PlanActualReport, Row
from buudien.reports.figures import LAST_YEAR, PLAN

TOTAL = "DT_TONG"
LINES = ("DT_BCCP", "DT_TCBC", "DT_PPTT")
SHARE = "TT_TCBC"
FINANCE = ("DT_TINH_LUONG", "NSLD", "CHENH_LECH", "CP_KHONG_LUONG", "QUY_LUONG", "THU_NHAP_BQ")
DOSSIERS = ("HS_NHAN", "HS_TRA")
PAYOUTS = ("CT_LUOT", "CT_TIEN")
PEOPLE = "BHXH_TN"
# Figures told elsewhere: transactions, revenue per point (the network text), the workforce
# (inside productivity and income).
QUIET = ("SO_GD", "DT_DIEM", "LAO_DONG")
TOLD = (TOTAL, *LINES, SHARE, *FINANCE, *DOSSIERS, *PAYOUTS, PEOPLE, *QUIET)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clause(row: Row, *, first: bool = False, last_year: bool = False) -> str:
    """'tài chính bưu chính 80 tỷ 572 triệu đồng, đạt 125% KH'; a share in points."""
    ind = row.indicator
    name = ind.short_name or ind.name.lower()
    text = f"{_capital(name) if first else name} {figures.amount(ind, row.actual)}"
    if ind.is_share and ind.denominator is not None:
        text += f" {ind.denominator.short_name or ind.denominator.name.lower()}"
    against = figures.against(ind, row.actual, row.plan, to=PLAN)
    if against:
        text += ", " + (against.replace(" KH", " kế hoạch (KH)", 1) if first else against)
    if last_year or ind.is_share:
        against = figures.against(ind, row.actual, row.last_year, to=LAST_YEAR)
        text += f", {against}" if against else ""
    return text


def _people(row: Row) -> str:
    """'Dịch vụ phát triển BHXH tự nguyện 15.959/19.668 lượt người, đạt 81%, tăng 317 …'."""
    name = _capital(row.indicator.short_name or row.indicator.name)
    unit = row.indicator.get_measure_display()
    if row.plan:
        text = f"{name} {format_number(row.actual or 0)}/{format_number(row.plan)} {unit}"
        if row.pct_plan is not None:
            text += f", đạt {row.pct_plan}%"
    else:
        text = f"{name} {format_number(row.actual or 0)} {unit}"
    if row.last_year is not None and row.actual is not None:
        diff = row.actual - row.last_year
        if diff:
            word = "tăng" if diff > 0 else "giảm"
            text += f", {word} {format_number(abs(diff))} {unit} so với cùng kỳ"
    return text


def _dossiers(received: Row | None, returned: Row | None) -> str:
    if received is None or not received.actual:
        return ""
    text = f"Tiếp nhận {format_number(received.actual)} hồ sơ thủ tục hành chính"
    if received.pct_plan is not None:
        text += f", đạt {received.pct_plan}% KH"
    if returned is not None and returned.actual:
        text += f"; trả {format_number(returned.actual)} kết quả giải quyết"
    return text + "."


def _payouts(paid: Row | None, amount: Row | None) -> str:
    if paid is None or not paid.actual or amount is None or not amount.actual:
        return ""
    return (
        f"Chi trả {format_number(paid.actual)} lượt lương hưu, trợ cấp với tổng số "
        f"tiền {format_report(amount.actual)}."
    )


def _revenue(report: PlanActualReport) -> list[str]:
    """The total, its three lines and the finance share of it."""
    sentences = []
    total = report.row(TOTAL)
    if total is not None and total.actual is not None:
        sentences.append(_clause(total, first=True, last_year=True) + ".")
    parts = [_clause(r) for c in LINES if (r := report.row(c)) is not None and r.actual]
    if parts:
        sentences.append("Trong đó, " + "; ".join(parts) + ".")
    share = report.row(SHARE)
    if share is not None and share.actual is not None:
        sentences.append(_clause(share, first=True) + ".")
    return sentences


def plan_vs_actual_text(report: PlanActualReport) -> str:
    """'Tổng doanh thu 113 tỷ 298 triệu đồng, đạt 95% kế hoạch (KH), …'."""
    label = report.period.label
    sentences = [f"{_capital(label)}, {report.unit.name} đạt các kết quả sau."]
    sentences += _revenue(report)
    parts = [
        _clause(r) for c in FINANCE if (r := report.row(c)) is not None and r.actual is not None
    ]
    if parts:
        sentences.append(_capital("; ".join(parts)) + ".")
    sentences.append(_dossiers(*(report.row(c) for c in DOSSIERS)))
    sentences.append(_payouts(*(report.row(c) for c in PAYOUTS)))
    people = report.row(PEOPLE)
    if people is not None and people.actual is not None:
        sentences.append(_people(people) + ".")
    sentences += [
        _clause(r, first=True, last_year=True) + "."
        for r in report.rows
        if r.indicator.code not in TOLD and r.actual
    ]
    return " ".join(s for s in sentences if s)


def network_text(report: NetworkReport) -> str:
    """'Đối với Bưu điện - Văn hóa xã, có 150 điểm …, doanh thu đạt 6,8 triệu đồng/điểm/tháng'."""
    text = f"Đối với Bưu điện - Văn hóa xã, có {report.points} điểm"
    multi = report.by_model.get("Đa dịch vụ", 0)
    if multi:
        text += f", trong đó {multi} điểm hoạt động theo mô hình đa dịch vụ"
    if report.average_per_point_month is not None:
        text += f"; doanh thu đạt {format_short(report.average_per_point_month)}/điểm/tháng"
        if report.average_last_year:
            change = report.average_per_point_month - report.average_last_year
            if change:
                word = "tăng" if change > 0 else "giảm"
                text += f", {word} {format_short(abs(change))} so với cùng kỳ"
    low, high = report.thresholds
    share_low, share_high = report.share_above(low), report.share_above(high)
    if share_low:
        text += f"; {share_low}% số điểm có doanh thu bình quân trên {format_short(low)}/tháng"
        if share_high:
            text += f", {share_high}% trên {format_short(high)}"
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
        text += (
            f" Thu nhập bình quân của nhân viên điểm {format_short(report.clerk_income)}"
            "/người/tháng."
        )
    return text
