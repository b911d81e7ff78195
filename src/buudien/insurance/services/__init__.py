"""Every write on the insurance agency, by sub-domain: people and households, enrolment and
payment, the agency's declaration lists and its confirmation, reminders. Callers import here."""

from buudien.insurance.importers import CONFIRMATION_COLUMNS
from buudien.insurance.services.declarations import (
    ConfirmationResult,
    confirm_declaration,
    declaration_rows,
    make_declaration,
)
from buudien.insurance.services.enrolment import EnrolmentIn, MemberIn, enrol, preview
from buudien.insurance.services.participants import (
    HouseholdIn,
    PersonIn,
    create_household,
    register_participant,
    update_participant,
)
from buudien.insurance.services.reminders import send_reminders

__all__ = [
    "CONFIRMATION_COLUMNS",
    "ConfirmationResult",
    "EnrolmentIn",
    "HouseholdIn",
    "MemberIn",
    "PersonIn",
    "confirm_declaration",
    "create_household",
    "declaration_rows",
    "enrol",
    "make_declaration",
    "preview",
    "register_participant",
    "send_reminders",
    "update_participant",
]
