"""The social-insurance agency's confirmation file: its column headings and its answer words
are the agency's own format (in Vietnamese whatever the interface's language), so a file
typed at the agency is read as it is."""

from __future__ import annotations

from typing import Any

from buudien.core.excel import Column, ImportSpec

ACCEPTED, REFUSED = "x", "0"
RESULTS = {
    "xác nhận": ACCEPTED,
    "đã xác nhận": ACCEPTED,
    "đồng ý": ACCEPTED,
    "x": ACCEPTED,
    "từ chối": REFUSED,
    "không xác nhận": REFUSED,
    "0": REFUSED,
}
SI_DIGITS = 10
CONFIRMATION_COLUMNS = (
    Column("citizen_id", "Số CCCD", kind="citizen_id", required=True),
    Column("si_number", "Mã số BHXH", kind="text", max_length=SI_DIGITS),
    Column("period_from", "Từ ngày", kind="date", required=True),
    Column("result", "Kết quả", kind="choice", required=True, choices=RESULTS),
    Column("reason", "Lý do", kind="text", max_length=200),
)
CID, SI = (c.header for c in CONFIRMATION_COLUMNS[:2])


class Confirmation(ImportSpec):
    """The agency's answer to a declaration list: one row per line, confirmed or refused."""

    title = "Kết quả xác nhận"
    columns = CONFIRMATION_COLUMNS

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values.get("citizen_id"), values.get("period_from"))
