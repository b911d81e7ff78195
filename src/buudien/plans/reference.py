"""The indicators of a provincial post's report (a ratio names its two indicators)."""

from __future__ import annotations

from buudien.core.reference import ModelSet, data_dir
from buudien.plans.models import Indicator

DATA = data_dir(__file__)

SETS = [
    ModelSet(
        name="plans.indicators",
        file=DATA / "indicators.json",
        model=Indicator,
        key=("code",),
        refs={
            "numerator": ("plans.Indicator", "code"),
            "denominator": ("plans.Indicator", "code"),
        },
    ),
]
