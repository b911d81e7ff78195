"""The province's agencies and companies (partners), as editable reference data.

The shipped file is Cao Bằng's: a province renames its agencies, fills in phones and addresses
in the back office (Quản trị → Đối tác), and a newer file keeps those edits. The codes stay:
the service catalogue, the procedures and the payout programmes name their agency by code.
`buudien setup_province` makes the new province post the unit that serves them."""

from __future__ import annotations

from buudien.core.reference import ModelSet, data_dir
from buudien.network.models import Partner

DATA = data_dir(__file__)

SETS = [
    ModelSet(
        name="network.partners",
        file=DATA / "partners.json",
        model=Partner,
        key=("code",),
    ),
]
