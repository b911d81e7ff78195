"""The report as prose, in the style and rounding of the published reports (in English when
the language is English: each sentence is one message with named placeholders).

The well-known figures read as the published reports word them; any other indicator with a
figure (one a new module registers, say) gets a sentence of its own in the same style, so a
new module's indicators reach the prose without this module knowing them.
"""

from __future__ import annotations

from django.utils.translation import gettext, pgettext

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
# People enrolled (lượt người: BHXH_TN, BHYT_HGD …) read as the published report words them.
PEOPLE = "people"
MAIL = ("BC_DI", "BC_DEN", "BC_DUNG_HAN", "COD_TON")
# The parts of the on-time rate, told through it.
MAIL_PARTS = ("BC_PHAT", "BC_PHAT_DUNG_HAN")
# Figures told elsewhere: transactions, revenue per point (the network text), the workforce
# (inside productivity and income).
QUIET = ("SO_GD", "DT_DIEM", "LAO_DONG")
TOLD = (TOTAL, *LINES, SHARE, *FINANCE, *DOSSIERS, *PAYOUTS, *MAIL, *MAIL_PARTS, *QUIET)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clause(row: Row, *, first: bool = False, last_year: bool = False) -> str:
    """'tài chính bưu chính 80 tỷ 572 triệu đồng, đạt 125% KH'; a share in points."""
    ind = row.indicator
    name = ind.prose_name
    text = f"{_capital(name) if first else name} {figures.amount(ind, row.actual)}"
    if ind.is_share and ind.denominator is not None:
        text += " " + pgettext("share of", "%(whole)s") % {"whole": ind.denominator.prose_name}
    against = figures.against(ind, row.actual, row.plan, to=PLAN)
    if against and first:
        against = against.replace(" " + gettext("KH"), " " + gettext("kế hoạch (KH)"), 1)
    if against:
        text += ", " + against
    if last_year or ind.is_share:
        against = figures.against(ind, row.actual, row.last_year, to=LAST_YEAR)
        text += f", {against}" if against else ""
    return text


def _people(row: Row) -> str:
    """'Dịch vụ phát triển BHXH tự nguyện 15.959/19.668 lượt người, đạt 81%, tăng 317 …'."""
    name = _capital(row.indicator.prose_name)
    unit = row.indicator.get_measure_display()
    if row.plan:
        text = f"{name} {format_number(row.actual or 0)}/{format_number(row.plan)} {unit}"
        if row.pct_plan is not None:
            text += gettext(", đạt %(pct)s%%") % {"pct": row.pct_plan}
    else:
        text = f"{name} {format_number(row.actual or 0)} {unit}"
    if row.last_year and row.actual is not None:  # nobody last year: nothing to compare
        diff = row.actual - row.last_year
        if diff:
            up = gettext(", tăng %(n)s %(unit)s so với cùng kỳ")
            down = gettext(", giảm %(n)s %(unit)s so với cùng kỳ")
            text += (up if diff > 0 else down) % {"n": format_number(abs(diff)), "unit": unit}
    return text


def _dossiers(received: Row | None, returned: Row | None) -> str:
    if received is None or not received.actual:
        return ""
    text = gettext("Tiếp nhận %(n)s hồ sơ thủ tục hành chính") % {
        "n": format_number(received.actual)
    }
    if received.pct_plan is not None:
        text += gettext(", đạt %(pct)s%% KH") % {"pct": received.pct_plan}
    if returned is not None and returned.actual:
        text += gettext("; trả %(n)s kết quả giải quyết") % {"n": format_number(returned.actual)}
    return text + "."


def _payouts(paid: Row | None, amount: Row | None) -> str:
    if paid is None or not paid.actual or amount is None or not amount.actual:
        return ""
    return gettext("Chi trả %(n)s lượt lương hưu, trợ cấp với tổng số tiền %(amount)s.") % {
        "n": format_number(paid.actual),
        "amount": format_report(amount.actual),
    }


def _against(row: Row | None) -> str:
    """' (đạt 98% KH)' where there is a plan, else ' (bằng 105% so với cùng kỳ)'; or ''."""
    if row is None:
        return ""
    ind = row.indicator
    against = figures.against(ind, row.actual, row.plan, to=PLAN) or figures.against(
        ind, row.actual, row.last_year, to=LAST_YEAR
    )
    return f" ({against})" if against else ""


def _mail(sent: Row | None, received: Row | None, on_time: Row | None, cod: Row | None) -> str:
    """'Sản lượng bưu chính chuyển phát đi 735.665 bưu gửi (đạt 98% KH), đến 936.517 bưu gửi
    (đạt 101% KH); tỷ lệ phát đúng chỉ tiêu thời gian 92,4%.'"""
    if not (sent and sent.actual) and not (received and received.actual):
        return ""
    text = gettext(
        "Sản lượng bưu chính chuyển phát đi %(sent)s bưu gửi%(sent_against)s, "
        "đến %(received)s bưu gửi%(received_against)s"
    ) % {
        "sent": format_number((sent.actual if sent else 0) or 0),
        "sent_against": _against(sent),
        "received": format_number((received.actual if received else 0) or 0),
        "received_against": _against(received),
    }
    if on_time is not None and on_time.actual is not None:
        text += gettext("; tỷ lệ phát đúng chỉ tiêu thời gian %(rate)s%(against)s") % {
            "rate": figures.percent(on_time.actual),
            "against": _against(on_time),
        }
    text += "."
    if cod is not None and cod.actual:
        text += " " + gettext(
            "Tiền thu hộ COD đã thu chưa trả người gửi đến cuối kỳ: %(amount)s."
        ) % {"amount": format_report(cod.actual)}
    return text


def _revenue(report: PlanActualReport) -> list[str]:
    """The total, its three lines and the finance share of it."""
    sentences = []
    total = report.row(TOTAL)
    if total is not None and total.actual is not None:
        sentences.append(_clause(total, first=True, last_year=True) + ".")
    parts = [_clause(r) for c in LINES if (r := report.row(c)) is not None and r.actual]
    if parts:
        sentences.append(gettext("Trong đó, %(parts)s.") % {"parts": "; ".join(parts)})
    share = report.row(SHARE)
    if share is not None and share.actual is not None:
        sentences.append(_clause(share, first=True) + ".")
    return sentences


def plan_vs_actual_text(report: PlanActualReport) -> str:
    """'Tổng doanh thu 113 tỷ 298 triệu đồng, đạt 95% kế hoạch (KH), …'."""
    opening = gettext("%(period)s, %(unit)s đạt các kết quả sau.")
    sentences = [_capital(opening % {"period": report.period.label, "unit": report.unit.name})]
    sentences += _revenue(report)
    parts = [
        _clause(r) for c in FINANCE if (r := report.row(c)) is not None and r.actual is not None
    ]
    if parts:
        sentences.append(_capital("; ".join(parts)) + ".")
    sentences.append(_dossiers(*(report.row(c) for c in DOSSIERS)))
    sentences.append(_payouts(*(report.row(c) for c in PAYOUTS)))
    sentences.append(_mail(*(report.row(c) for c in MAIL)))
    sentences += [
        _people(r) + "."
        for r in report.rows
        if r.indicator.measure == PEOPLE and (r.actual or r.plan)
    ]
    sentences += [
        _clause(r, first=True, last_year=True) + "."
        for r in report.rows
        if r.indicator.code not in TOLD and r.indicator.measure != PEOPLE and r.actual
    ]
    return " ".join(s for s in sentences if s)


def network_text(report: NetworkReport) -> str:
    """'Đối với Bưu điện - Văn hóa xã, có 150 điểm …, doanh thu đạt 6,8 triệu đồng/điểm/tháng'."""
    text = gettext("Đối với Bưu điện - Văn hóa xã, có %(n)s điểm") % {"n": report.points}
    multi = report.multi_service
    if multi:
        text += gettext(", trong đó %(n)s điểm hoạt động theo mô hình đa dịch vụ") % {"n": multi}
    text += _average(report)
    low, high = report.thresholds
    share_low, share_high = report.share_above(low), report.share_above(high)
    if share_low:
        text += gettext("; %(share)s%% số điểm có doanh thu bình quân trên %(amount)s/tháng") % {
            "share": share_low,
            "amount": format_short(low),
        }
        if share_high:
            text += gettext(", %(share)s%% trên %(amount)s") % {
                "share": share_high,
                "amount": format_short(high),
            }
    return text + "." + _gaps(report)


def _average(report: NetworkReport) -> str:
    """'; doanh thu đạt 6,8 triệu đồng/điểm/tháng, tăng 0,4 triệu đồng so với cùng kỳ'."""
    average = report.average_per_point_month
    if average is None:
        return ""
    text = gettext("; doanh thu đạt %(amount)s/điểm/tháng") % {"amount": format_short(average)}
    change = average - report.average_last_year if report.average_last_year else 0
    if change:
        up = gettext(", tăng %(amount)s so với cùng kỳ")
        down = gettext(", giảm %(amount)s so với cùng kỳ")
        text += (up if change > 0 else down) % {"amount": format_short(abs(change))}
    return text


def _gaps(report: NetworkReport) -> str:
    """What the points still lack, the conversions of the period and the staff's income."""
    gaps = []
    if report.no_internet:
        gaps.append(gettext("%(n)s điểm chưa có internet cố định") % {"n": report.no_internet})
    if report.no_mobile_data:
        gaps.append(gettext("%(n)s điểm chưa có sóng di động 3G/4G") % {"n": report.no_mobile_data})
    text = ""
    if gaps:
        text += " " + gettext("Còn %(gaps)s.") % {"gaps": ", ".join(gaps)}
    if report.conversions:
        text += " " + gettext("Trong %(period)s, %(n)s điểm đã chuyển sang mô hình đa dịch vụ.") % {
            "period": report.period.label,
            "n": report.conversions,
        }
    if report.clerk_income:
        text += " " + gettext("Thu nhập bình quân của nhân viên điểm %(amount)s/người/tháng.") % {
            "amount": format_short(report.clerk_income)
        }
    return text
