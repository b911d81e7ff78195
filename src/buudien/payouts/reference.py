"""The programmes a provincial post pays each month, with their agency and payday window."""

from __future__ import annotations

from buudien.core.reference import ModelSet, data_dir
from buudien.payouts.models import Programme

DATA = data_dir(__file__)

SETS = [
    ModelSet(
        name="payouts.programmes",
        file=DATA / "programmes.json",
        model=Programme,
        key=("code",),
        refs={"agency": ("network.Partner", "code")},
    ),
]
