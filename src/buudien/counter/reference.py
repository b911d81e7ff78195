"""The service catalogue of the three business lines, and its tariffs by effective date."""

from __future__ import annotations

from buudien.core.reference import ModelSet, data_dir
from buudien.counter.models import Service, Tariff

DATA = data_dir(__file__)

SETS = [
    ModelSet(
        name="counter.services",
        file=DATA / "services.json",
        model=Service,
        key=("code",),
        refs={"partner": ("network.Partner", "code")},
    ),
    # A price change is a new row from its date on (the letter rate rose on 1 July 2024).
    ModelSet(
        name="counter.tariffs",
        file=DATA / "tariffs.json",
        model=Tariff,
        key=("service", "valid_from"),
        refs={"service": ("counter.Service", "code")},
    ),
]
