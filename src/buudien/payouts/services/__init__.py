"""Every write on payouts, by sub-domain: the agency's lists, paying a line, settlement
through the bank, reconciliation and closing, beneficiaries. Callers import from here."""

from buudien.payouts.importers import DEFAULT_HEADERS, SETTLEMENT_HEADERS
from buudien.payouts.services.beneficiaries import update_beneficiary
from buudien.payouts.services.lists import (
    BENEFICIARY_COLUMNS,
    PAYOUT_COLUMNS,
    ImportResult,
    import_list,
)
from buudien.payouts.services.paying import in_window, pay, return_unpaid
from buudien.payouts.services.reconciliation import Reconciliation, close_list, reconciliation
from buudien.payouts.services.settlement import apply_bank_results, settlement_rows

__all__ = [
    "BENEFICIARY_COLUMNS",
    "DEFAULT_HEADERS",
    "PAYOUT_COLUMNS",
    "SETTLEMENT_HEADERS",
    "ImportResult",
    "Reconciliation",
    "apply_bank_results",
    "close_list",
    "import_list",
    "in_window",
    "pay",
    "reconciliation",
    "return_unpaid",
    "settlement_rows",
    "update_beneficiary",
]
