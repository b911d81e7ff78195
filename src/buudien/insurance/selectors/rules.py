"""The rules in force: the scheme's dated rows as a `premium.RuleBook`, and the rules page."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from buudien.counter import selectors as counter_selectors
from buudien.insurance import premium
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.models import (
    BaseSalary,
    PaymentMode,
    Scheme,
    SchemeCode,
    SchemeRule,
    Support,
)


def rule_book(scheme: str) -> premium.RuleBook:
    """One scheme's rates, base salaries, supports and modes, newest first (reference data,
    the same for everyone)."""
    rates = tuple(
        premium.Rate(
            valid_from=r.valid_from,
            contribution_bp=r.contribution_bp,
            income_floor=r.income_floor,
            ceiling_base_multiple=r.ceiling_base_multiple,
            member_shares_bp=tuple(int(x) for x in (r.member_shares_bp or [])),
            waiting_days=r.waiting_days,
            discount_bp=r.discount_bp,
            source=r.source,
        )
        for r in SchemeRule.objects.filter(scheme_id=scheme).order_by("-valid_from")
    )
    salaries = tuple(
        premium.Salary(s.valid_from, s.amount, s.source)
        for s in BaseSalary.objects.order_by("-valid_from")
    )
    supports: dict[str, list[premium.Share]] = defaultdict(list)
    for s in Support.objects.filter(scheme_id=scheme).order_by("-valid_from"):
        supports[s.category].append(
            premium.Share(s.valid_from, s.share_bp, s.limit_months, s.needs_evidence, s.source)
        )
    modes: dict[str, list[premium.Mode]] = defaultdict(list)
    for m in PaymentMode.objects.filter(scheme_id=scheme).order_by("months_min", "-valid_from"):
        modes[m.code].append(
            premium.Mode(m.valid_from, m.months_min, m.months_max, m.months_step, m.source)
        )
    return premium.RuleBook(
        scheme=scheme,
        rates=rates,
        salaries=salaries,
        supports={k: tuple(v) for k, v in supports.items()},
        modes={k: tuple(v) for k, v in modes.items()},
    )


def schemes() -> list[Scheme]:
    return list(Scheme.objects.select_related("agency").order_by("code"))


def scheme(code: str) -> Scheme | None:
    return Scheme.objects.filter(code=code).first()


def chosen_scheme(code: str) -> Scheme:
    """The scheme a form or a call names; none or an unknown code is a message on its field."""
    found = scheme(code) if code in SchemeCode.values else None
    if found is None:
        raise InsuranceError(
            _("Hãy chọn loại bảo hiểm."), code=InsuranceCode.INVALID, field="scheme"
        )
    return found


def rules_page() -> dict[str, Any]:
    """Everything the rules page shows, each row with its effective date and legal source;
    the commission is the tariff of each scheme's counter service."""
    found = schemes()
    return {
        "schemes": found,
        "rates": list(
            SchemeRule.objects.select_related("scheme").order_by("scheme", "-valid_from")
        ),
        "salaries": list(BaseSalary.objects.order_by("-valid_from")),
        "supports": list(
            Support.objects.select_related("scheme").order_by("scheme", "category", "-valid_from")
        ),
        "modes": list(
            PaymentMode.objects.select_related("scheme").order_by("scheme", "months_min", "code")
        ),
        "commissions": [(s, counter_selectors.tariffs_of(s.service_code)) for s in found],
    }
