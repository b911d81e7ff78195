"""What a payment costs, month by month, under the rules in force in each month it covers.

Pure arithmetic on a `RuleBook` (the scheme's dated rows, read once by `selectors.rule_book`):
no database, so every scheme, mode and category is tested directly. Money is integer đồng;
shares are in basis points (phần vạn) and every product is rounded half up to the đồng.

- Voluntary social insurance: the rate times the income chosen (between the floor and a
  multiple of the base salary), less the state's support for the person's category, which is
  a share of the contribution at the floor income, for at most the category's months in a
  lifetime. Paying several years ahead is discounted month by month; paying back missed months
  carries interest month by month, and has no support.
- Household health insurance: the rate times the base salary for the first member, then the
  shares of that for the 2nd, 3rd, 4th and 5th-and-later members.

Each month is charged with the values in force on its first day, so a change of rate or of
the base salary in the middle of a period is charged from the month it applies to; what was
paid before a change is not charged again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol, TypeVar

from django.utils.translation import gettext as _

from buudien.core.money import format_vnd
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.periods import month_starts, months_between, period_end

VOLUNTARY, HEALTH = "voluntary_social", "household_health"
AHEAD, BACK = "years", "back"
NO_SUPPORT = "other"


@dataclass(frozen=True)
class Rate:
    valid_from: dt.date
    contribution_bp: int
    income_floor: int | None
    ceiling_base_multiple: int | None
    member_shares_bp: tuple[int, ...]
    waiting_days: int
    discount_bp: int
    source: str = ""


@dataclass(frozen=True)
class Salary:
    valid_from: dt.date
    amount: int
    source: str = ""


@dataclass(frozen=True)
class Share:
    valid_from: dt.date
    share_bp: int
    limit_months: int | None
    needs_evidence: bool
    source: str = ""


@dataclass(frozen=True)
class Mode:
    valid_from: dt.date
    months_min: int
    months_max: int
    months_step: int
    source: str = ""


class _Dated(Protocol):
    @property
    def valid_from(self) -> dt.date: ...


D = TypeVar("D", bound=_Dated)


def _in_force(rows: Sequence[D], day: dt.date) -> D | None:
    """The row that started latest on or before the day (rows newest first)."""
    return next((r for r in rows if r.valid_from <= day), None)


@dataclass(frozen=True)
class RuleBook:
    """One scheme's rules, each list newest first."""

    scheme: str
    rates: tuple[Rate, ...]
    salaries: tuple[Salary, ...]
    supports: dict[str, tuple[Share, ...]] = field(default_factory=dict)
    modes: dict[str, tuple[Mode, ...]] = field(default_factory=dict)

    def rate(self, day: dt.date) -> Rate:
        found = _in_force(self.rates, day)
        if found is None:
            raise InsuranceError(
                _("Chưa có mức đóng áp dụng ngày %(d)s.") % {"d": day.strftime("%d/%m/%Y")},
                code=InsuranceCode.NO_RULE,
            )
        return found

    def salary(self, day: dt.date) -> int:
        found = _in_force(self.salaries, day)
        if found is None:
            raise InsuranceError(
                _("Chưa có mức lương cơ sở áp dụng ngày %(d)s.") % {"d": day.strftime("%d/%m/%Y")},
                code=InsuranceCode.NO_RULE,
            )
        return found.amount

    def support(self, category: str, day: dt.date) -> Share | None:
        return _in_force(self.supports.get(category, ()), day)

    def mode(self, code: str, day: dt.date) -> Mode | None:
        found = _in_force(self.modes.get(code, ()), day)
        return found if found is not None and found.months_max > 0 else None

    def modes_on(self, day: dt.date) -> list[str]:
        return [code for code in self.modes if self.mode(code, day) is not None]


@dataclass(frozen=True)
class Member:
    """One person in a payment, as the calculation needs him."""

    name: str
    start: dt.date  # the first day this payment covers for him
    order: int = 1  # household health insurance: 1 for the first member, 2 for the second …
    income: int | None = None
    category: str = NO_SUPPORT
    evidence: str = ""
    supported_months: int = 0  # already used in his life


Month = tuple[int, int, int, int, int, int]  # gross, support, its share, base, rate, member


@dataclass(frozen=True)
class Span:
    """Consecutive months charged alike."""

    first: dt.date
    last: dt.date
    months: int
    gross_each: int
    support_each: int
    support_share_bp: int
    base: int  # the base salary (health) or the income (social) the month is charged on
    rate_bp: int  # the scheme's rate
    member_bp: int  # health: the member's share of the first member's premium

    @property
    def charged(self) -> Month:
        return (
            self.gross_each,
            self.support_each,
            self.support_share_bp,
            self.base,
            self.rate_bp,
            self.member_bp,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "months": self.months,
            "gross_each": self.gross_each,
            "support_each": self.support_each,
            "support_share_bp": self.support_share_bp,
            "base": self.base,
            "rate_bp": self.rate_bp,
            "member_bp": self.member_bp,
        }


@dataclass(frozen=True)
class PersonQuote:
    member: Member
    period_from: dt.date
    period_to: dt.date
    months: int
    spans: tuple[Span, ...]
    gross: int
    support: int
    adjustment: int  # − discount for years ahead, + interest for back pay
    supported_months: int

    @property
    def amount(self) -> int:
        return self.gross - self.support + self.adjustment


@dataclass(frozen=True)
class CalcLine:
    text: str
    amount: int | None = None


@dataclass(frozen=True)
class Quote:
    scheme: str
    mode: str
    months: int
    people: tuple[PersonQuote, ...]

    @property
    def gross(self) -> int:
        return sum(p.gross for p in self.people)

    @property
    def support(self) -> int:
        return sum(p.support for p in self.people)

    @property
    def adjustment(self) -> int:
        return sum(p.adjustment for p in self.people)

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.people)


def round_half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)) // 1)


def _pct(bp: int) -> str:
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if not rest else f"{whole},{rest:02d}".rstrip("0") + "%"


def check_mode(book: RuleBook, *, mode: str, months: int, day: dt.date) -> None:
    """The mode exists on the day and allows that many months."""
    found = book.mode(mode, day)
    if found is None:
        raise InsuranceError(
            _("Phương thức đóng này không áp dụng cho loại bảo hiểm đã chọn."),
            code=InsuranceCode.MODE,
            field="mode",
        )
    steps_ok = (months - found.months_min) % max(found.months_step, 1) == 0
    if not (found.months_min <= months <= found.months_max) or not steps_ok:
        allowed = ", ".join(
            str(n) for n in range(found.months_min, found.months_max + 1, found.months_step)
        )
        raise InsuranceError(
            _("Phương thức này đóng %(allowed)s tháng, không phải %(n)s tháng.")
            % {"allowed": allowed, "n": months},
            code=InsuranceCode.MODE,
            field="months",
        )


def _check_evidence(book: RuleBook, member: Member, day: dt.date) -> None:
    share = book.support(member.category, day)
    if share is not None and share.needs_evidence and not member.evidence.strip():
        raise InsuranceError(
            _(
                "%(who)s: đối tượng hỗ trợ cần số giấy tờ chứng minh (sổ hộ nghèo, cận nghèo, "
                "giấy xác nhận dân tộc)."
            )
            % {"who": member.name},
            code=InsuranceCode.EVIDENCE,
            field="evidence",
        )


def _social_month(
    book: RuleBook, member: Member, month: dt.date, used: int, supported: bool
) -> Month:
    """One month of voluntary insurance: the rate on the income, less the state's support."""
    rate = book.rate(month)
    income = member.income or 0
    floor = rate.income_floor or 0
    ceiling = (rate.ceiling_base_multiple or 0) * book.salary(month)
    if income < floor or (ceiling and income > ceiling):
        raise InsuranceError(
            _(
                "%(who)s: thu nhập chọn đóng %(income)s phải từ %(floor)s đến %(ceiling)s "
                "(áp dụng tháng %(m)s)."
            )
            % {
                "who": member.name,
                "income": format_vnd(income),
                "floor": format_vnd(floor),
                "ceiling": format_vnd(ceiling),
                "m": month.strftime("%m/%Y"),
            },
            code=InsuranceCode.INCOME,
            field="income",
        )
    gross = round_half_up(Fraction(income * rate.contribution_bp, 10_000))
    share = book.support(member.category, month) if supported else None
    if share is None or (share.limit_months is not None and used >= share.limit_months):
        return gross, 0, 0, income, rate.contribution_bp, 10_000
    support = round_half_up(Fraction(floor * rate.contribution_bp * share.share_bp, 10_000**2))
    return gross, support, share.share_bp, income, rate.contribution_bp, 10_000


def _health_month(book: RuleBook, member: Member, month: dt.date) -> Month:
    """One month of household health insurance: the member's share of the first's premium."""
    rate = book.rate(month)
    base = book.salary(month)
    shares = rate.member_shares_bp or (10_000,)
    share_bp = shares[min(member.order, len(shares)) - 1]
    first = round_half_up(Fraction(base * rate.contribution_bp, 10_000))
    gross = round_half_up(Fraction(first * share_bp, 10_000))
    return gross, 0, 0, base, rate.contribution_bp, share_bp


def _adjusted(
    book: RuleBook, nets: list[tuple[dt.date, int]], *, mode: str, paid_on: dt.date
) -> int:
    """The discount (negative) of paying years ahead, or the interest of paying back."""
    if mode not in (AHEAD, BACK):
        return 0
    monthly = Fraction(book.rate(paid_on).discount_bp, 12 * 10_000)
    exact = Fraction(0)
    for index, (month, net) in enumerate(nets):
        if mode == AHEAD:
            exact += Fraction(net) / (1 + monthly) ** index
        else:
            exact += net * (1 + monthly) ** max(months_between(month, paid_on), 0)
    return round_half_up(exact) - sum(net for _, net in nets)


def _person(
    book: RuleBook, member: Member, *, mode: str, months: int, paid_on: dt.date
) -> PersonQuote:
    start = member.start
    starts = month_starts(start, months)
    _check_evidence(book, member, start)
    used = member.supported_months
    spans: list[Span] = []
    nets: list[tuple[dt.date, int]] = []
    for k, month in enumerate(starts):
        if book.scheme == VOLUNTARY:
            values = _social_month(book, member, month, used, supported=mode != BACK)
        else:
            values = _health_month(book, member, month)
        used += 1 if values[1] else 0
        nets.append((month, values[0] - values[1]))
        last = period_end(start, k + 1)
        prev = spans[-1] if spans else None
        if prev and prev.charged == values:
            spans[-1] = Span(prev.first, last, prev.months + 1, *values)
        else:
            spans.append(Span(month, last, 1, *values))
    return PersonQuote(
        member=member,
        period_from=start,
        period_to=period_end(start, months),
        months=months,
        spans=tuple(spans),
        gross=sum(s.gross_each * s.months for s in spans),
        support=sum(s.support_each * s.months for s in spans),
        adjustment=_adjusted(book, nets, mode=mode, paid_on=paid_on),
        supported_months=used - member.supported_months,
    )


def quote(
    book: RuleBook,
    *,
    mode: str,
    months: int,
    members: Sequence[Member],
    paid_on: dt.date,
) -> Quote:
    """The price of `months` months from each member's start, paid on `paid_on`."""
    check_mode(book, mode=mode, months=months, day=paid_on)
    if not members:
        raise InsuranceError(
            _("Cần ít nhất một người tham gia."), code=InsuranceCode.INVALID, field="members"
        )
    people = tuple(_person(book, m, mode=mode, months=months, paid_on=paid_on) for m in members)
    return Quote(scheme=book.scheme, mode=mode, months=months, people=people)


def calculation(q: Quote) -> list[CalcLine]:
    """The quote line by line, as the receipt and the form show it."""
    lines: list[CalcLine] = []
    for n, person in enumerate(q.people, start=1):
        lines.append(_person_heading(q, n, person))
        for span in person.spans:
            lines.append(_span_line(q, span))
            if span.support_each:
                lines.append(
                    CalcLine(
                        _(
                            "   Nhà nước hỗ trợ %(share)s mức đóng trên mức chuẩn nghèo: "
                            "%(n)s tháng × %(each)s"
                        )
                        % {
                            "share": _pct(span.support_share_bp),
                            "n": span.months,
                            "each": format_vnd(span.support_each),
                        },
                        -span.support_each * span.months,
                    )
                )
        if person.adjustment:
            label = (
                _("   Chiết khấu khi đóng trước nhiều năm")
                if q.mode == AHEAD
                else _("   Lãi đóng bù")
            )
            lines.append(CalcLine(label, person.adjustment))
        lines.append(CalcLine(_("   Cộng người thứ %(n)s") % {"n": n}, person.amount))
    lines.append(CalcLine(_("Tổng số tiền phải nộp"), q.total))
    return lines


def _person_heading(q: Quote, n: int, person: PersonQuote) -> CalcLine:
    text = _("%(n)s. %(who)s, từ %(a)s đến %(b)s (%(m)s tháng)") % {
        "n": n,
        "who": person.member.name,
        "a": person.period_from.strftime("%d/%m/%Y"),
        "b": person.period_to.strftime("%d/%m/%Y"),
        "m": person.months,
    }
    if q.scheme == HEALTH:
        text += _(", người thứ %(o)s trong hộ") % {"o": person.member.order}
    return CalcLine(text)


def _span_line(q: Quote, span: Span) -> CalcLine:
    values = {
        "a": span.first.strftime("%m/%Y"),
        "b": span.last.strftime("%m/%Y"),
        "n": span.months,
        "each": format_vnd(span.gross_each),
        "base": format_vnd(span.base),
        "rate": _pct(span.rate_bp),
        "share": _pct(span.member_bp),
    }
    if q.scheme == HEALTH:
        text = _(
            "   %(a)s–%(b)s: %(n)s tháng × %(each)s (%(share)s của %(rate)s × lương cơ sở %(base)s)"
        )
    else:
        text = _("   %(a)s–%(b)s: %(n)s tháng × %(each)s (%(rate)s × thu nhập %(base)s)")
    return CalcLine(text % values, span.gross_each * span.months)
