"""The insurance targets page (`/bao-hiem/chi-tieu/`, mounted with the insurance pages). For a
unit and each unit under it (the province's areas, an area's points): the people enrolled in
each scheme against the plan and the same period last year, and the participants covered at
the end of the period, with the unit's total.

It lives in `reports` because its figures are the indicators of the plans and reports, read
as the report reads them (`plans.selectors`), so the page says what the report says; the
insurance app, below the plans, cannot read them itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import clock
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.permissions import guard, require
from buudien.core.scoping import Actor, require_user
from buudien.insurance.selectors import participants as people
from buudien.network import selectors as network_selectors
from buudien.plans import selectors as plan_selectors
from buudien.plans.periods import Period

if TYPE_CHECKING:
    from buudien.network.models import PostUnit

MIN_YEAR, MAX_YEAR = 2000, 2100
# Each scheme's people enrolled (a sum over the period) and covered at its end (a level).
SCHEMES = (
    (gettext_lazy("BHXH tự nguyện"), "BHXH_TN", "BHXH_TN_DANG"),
    (gettext_lazy("BHYT hộ gia đình"), "BHYT_HGD", "BHYT_HGD_DANG"),
)
ENROLMENTS = tuple(enrolled for _s, enrolled, _c in SCHEMES)
CODES = ENROLMENTS + tuple(covered for _s, _e, covered in SCHEMES)


class PeriodForm(forms.Form):
    """The unit and the period asked for in the query string (this year to date by default)."""

    unit = forms.CharField(label=gettext_lazy("Đơn vị"), max_length=20, required=False)
    year = forms.IntegerField(
        label=gettext_lazy("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    quarter = forms.IntegerField(
        label=gettext_lazy("Quý"), min_value=1, max_value=4, required=False
    )
    month = forms.IntegerField(
        label=gettext_lazy("Tháng"), min_value=1, max_value=12, required=False
    )
    ytd = forms.BooleanField(label=gettext_lazy("Lũy kế"), required=False)
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"),
        choices=[("html", "HTML"), ("xlsx", "Excel")],
        required=False,
    )

    def period(self) -> Period:
        """The period asked for; this year to date when nothing (valid) is."""
        today = clock.today()
        data = self.cleaned_data if self.is_valid() else {}
        year, month, quarter = data.get("year"), data.get("month"), data.get("quarter")
        if not (year or month or quarter):
            return Period(today.year, "ytd", today.month)
        return Period.parse(
            year=year or today.year, month=month, quarter=quarter, ytd=bool(data.get("ytd"))
        )


def pct(actual: int | None, base: int | None) -> int | None:
    """A whole percentage, rounded half up, as the reports give it; none without a base."""
    if actual is None or base is None or base <= 0 or actual < 0:
        return None
    return (actual * 200 + base) // (2 * base)


@dataclass(frozen=True)
class Figure:
    """One scheme at one unit: people enrolled against the plan and last year, and covered."""

    planned: int | None
    enrolled: int | None
    last_year: int | None
    covered: int | None

    @property
    def pct_plan(self) -> int | None:
        return pct(self.enrolled, self.planned)

    @property
    def change(self) -> int | None:
        """More (or fewer) people than in the same period last year (none to compare with
        when nobody was enrolled then, as the report says it)."""
        if self.enrolled is None or not self.last_year:
            return None
        return self.enrolled - self.last_year

    @property
    def cells(self) -> list[int | None]:
        return [
            self.planned,
            self.enrolled,
            self.pct_plan,
            self.last_year,
            self.change,
            self.covered,
        ]

    @property
    def empty(self) -> bool:
        return not any(self.cells)


@dataclass(frozen=True)
class TargetRow:
    unit: PostUnit
    figures: list[Figure]


@dataclass(frozen=True)
class Targets:
    """The page: a unit, the period, a row for each unit under it, and the unit's own."""

    unit: PostUnit
    period: Period
    rows: list[TargetRow]
    total: TargetRow


def targets_of(user: Actor, unit: PostUnit, period: Period) -> Targets:
    """The figures of the unit and of each unit its plans are allocated to, as the report
    reads them: the plans in force, the indicators now and a year before."""
    children = plan_selectors.units_below(unit=unit, open_only=False)
    units = [*children, unit]
    with network_selectors.remembering():
        now = plan_selectors.values(user=user, units=units, period=period, codes=CODES)
        before = plan_selectors.values(
            user=user, units=units, period=period.last_year(), codes=ENROLMENTS
        )
    plans = plan_selectors.planned(units=units, period=period)

    def row(u: PostUnit) -> TargetRow:
        return TargetRow(
            u,
            [
                Figure(
                    plans[u.pk][enrolled].value,
                    now[u.pk].get(enrolled),
                    before[u.pk].get(enrolled),
                    now[u.pk].get(covered),
                )
                for _scheme, enrolled, covered in SCHEMES
            ],
        )

    rows = [row(c) for c in children]
    shown = [r for r in rows if r.unit.status != "closed" or not all(f.empty for f in r.figures)]
    return Targets(unit, period, shown, row(unit))


def _asked(request: HttpRequest) -> PeriodForm:
    """The query read through the form; a bad value is a message naming its field."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}")
    return form


def _unit(user: Actor, form: PeriodForm) -> PostUnit:
    """The unit asked for (the user's own by default), in his scope and his agency's."""
    code = form.cleaned_data.get("unit", "") if form.is_valid() else ""
    if code:
        unit = network_selectors.unit(user=user, code=code)
    else:
        unit = network_selectors.home_unit(user=user)
    require(user, "insurance.targets", people.target(unit))
    return unit


def _headers() -> list[str]:
    heads = [_("Mã đơn vị"), _("Đơn vị")]
    for scheme, _e, _c in SCHEMES:
        name = str(scheme)
        heads += [
            _("%(s)s: kế hoạch (lượt người)") % {"s": name},
            _("%(s)s: thực hiện (lượt người)") % {"s": name},
            _("%(s)s: %% kế hoạch") % {"s": name},
            _("%(s)s: cùng kỳ năm trước") % {"s": name},
            _("%(s)s: tăng, giảm so với cùng kỳ") % {"s": name},
            _("%(s)s: người đang tham gia cuối kỳ") % {"s": name},
        ]
    return heads


def _xlsx(found: Targets) -> HttpResponse:
    """The table as a workbook, the unit's total last."""
    rows: list[list[Any]] = [
        [r.unit.code, r.unit.name, *(c for f in r.figures for c in f.cells)]
        for r in [*found.rows, found.total]
    ]
    rows[-1][1] = _("Tổng cộng %(unit)s") % {"unit": found.unit.name}
    title = _("Chỉ tiêu phát triển người tham gia %(unit)s, %(period)s") % {
        "unit": found.unit.name,
        "period": found.period.label,
    }
    name = f"chi-tieu-bao-hiem-{found.unit.code}-{found.period.query.replace('&', '-')}"
    return xlsx_response(
        export_xlsx(title=title, headers=_headers(), rows=rows, sheet=_("Chỉ tiêu")),
        name.replace("=", "") + ".xlsx",
    )


@guard(read="insurance.targets")
def targets(request: HttpRequest) -> HttpResponse:
    """Enrolments of each scheme against plan and last year, participants at the end of the
    period, for the unit's areas or points and in total; as Excel on ?format=xlsx."""
    user = require_user(request.user)
    form = _asked(request)
    unit = _unit(user, form)
    found = targets_of(user, unit, form.period())
    if form.is_valid() and form.cleaned_data.get("format") == "xlsx":
        return _xlsx(found)
    year = found.period.year
    return render(
        request,
        "insurance/targets.html",
        {
            "targets": found,
            "unit": unit,
            "period": found.period,
            "schemes": [scheme for scheme, _e, _c in SCHEMES],
            "ancestors": network_selectors.ancestors(user=user, unit=unit),
            "years": range(max(year - 3, MIN_YEAR), min(year + 1, MAX_YEAR) + 1),
            "months": range(1, 13),
            "section": "targets",
        },
    )


urlpatterns: list[URLPattern] = [
    path("chi-tieu/", targets, name="targets"),
]
