"""The mail reference data: the provinces' regions, the postal services with their service
standards, the price bands by weight and zone, and the extra services."""

from __future__ import annotations

from buudien.core.reference import ModelSet, data_dir
from buudien.mail.models import Extra, PostalService, Region, WeightBand

DATA = data_dir(__file__)

SETS = [
    ModelSet(name="mail.regions", file=DATA / "regions.json", model=Region, key=("province_code",)),
    ModelSet(
        name="mail.services",
        file=DATA / "services.json",
        model=PostalService,
        key=("code",),
    ),
    # A price change is a new set of bands from its date on.
    ModelSet(
        name="mail.bands",
        file=DATA / "bands.json",
        model=WeightBand,
        key=("service", "zone", "valid_from", "up_to_g"),
        refs={"service": ("mail.PostalService", "code")},
    ),
    ModelSet(
        name="mail.extras", file=DATA / "extras.json", model=Extra, key=("code", "valid_from")
    ),
]
