"""Every write of point mode at the province: devices (`devices`: enrolment codes, enrolment,
the device credential, revocation) and conflicts (`conflicts`: a manager settles one).
Callers import from here."""

from buudien.sync.services.conflicts import resolve
from buudien.sync.services.devices import (
    authenticate,
    digest,
    enrol_hours,
    enroll,
    format_code,
    issue_code,
    normalise_code,
    revoke,
)

__all__ = [
    "authenticate",
    "digest",
    "enrol_hours",
    "enroll",
    "format_code",
    "issue_code",
    "normalise_code",
    "resolve",
    "revoke",
]
