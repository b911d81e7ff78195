"""Every write at the counter, by sub-domain: the ledger's one door `post_entry` and
reversals (`ledger`), shifts (`sessions`), the rollups (`rollups`), and the bulk door for
the closed shifts of past days (`bulk`). Callers import from here."""

from buudien.counter.basket import Candidate, Source
from buudien.counter.basket import register as register_basket_source
from buudien.counter.services.bulk import ImportResult, PastShift, import_shifts
from buudien.counter.services.checkout import BasketLine, Checkout, checkout
from buudien.counter.services.customers import create_customer, update_customer
from buudien.counter.services.ledger import (
    MAX_ENTRY_AMOUNT,
    MAX_QUANTITY,
    EntryRequest,
    PostResult,
    compute,
    post_entries,
    post_entry,
    reverse_entry,
)
from buudien.counter.services.rollups import add_to_rollups, rebuild_rollups
from buudien.counter.services.sessions import (
    approve_discrepancy,
    check_session,
    close_session,
    open_session,
)

__all__ = [
    "MAX_ENTRY_AMOUNT",
    "MAX_QUANTITY",
    "BasketLine",
    "Candidate",
    "Checkout",
    "EntryRequest",
    "ImportResult",
    "PastShift",
    "PostResult",
    "Source",
    "add_to_rollups",
    "approve_discrepancy",
    "check_session",
    "checkout",
    "close_session",
    "compute",
    "create_customer",
    "import_shifts",
    "open_session",
    "post_entries",
    "post_entry",
    "rebuild_rollups",
    "register_basket_source",
    "reverse_entry",
    "update_customer",
]
