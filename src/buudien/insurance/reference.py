"""The insurance reference data: the schemes, their rates, the base salary, the state's
support and the payment modes, each row from its effective date with its legal source. The
post's commission is the tariff of each scheme's counter service (`counter.tariffs`)."""

from __future__ import annotations

from buudien.core.reference import ModelSet, data_dir
from buudien.insurance.models import BaseSalary, PaymentMode, Scheme, SchemeRule, Support

DATA = data_dir(__file__)
SCHEME = ("insurance.Scheme", "code")

SETS = [
    ModelSet(
        name="insurance.schemes",
        file=DATA / "schemes.json",
        model=Scheme,
        key=("code",),
        refs={"agency": ("network.Partner", "code")},
    ),
    ModelSet(
        name="insurance.rules",
        file=DATA / "rules.json",
        model=SchemeRule,
        key=("scheme", "valid_from"),
        refs={"scheme": SCHEME},
    ),
    ModelSet(
        name="insurance.base_salaries",
        file=DATA / "base_salaries.json",
        model=BaseSalary,
        key=("valid_from",),
    ),
    ModelSet(
        name="insurance.supports",
        file=DATA / "supports.json",
        model=Support,
        key=("scheme", "category", "valid_from"),
        refs={"scheme": SCHEME},
    ),
    ModelSet(
        name="insurance.modes",
        file=DATA / "modes.json",
        model=PaymentMode,
        key=("scheme", "code", "valid_from"),
        refs={"scheme": SCHEME},
    ),
]
