"""The agency's payout list and the bank's results file, as Excel specs on core.excel."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from buudien.core.excel import Column, ImportSpec
from buudien.core.uploads import check_upload
from buudien.payouts.models import Beneficiary

B = Beneficiary
METHODS = {
    "Tại quầy": B.Method.COUNTER,
    "Tại nhà": B.Method.HOME,
    "Qua tài khoản": B.Method.ACCOUNT,
    "Tài khoản": B.Method.ACCOUNT,
    "counter": B.Method.COUNTER,
    "home": B.Method.HOME,
    "account": B.Method.ACCOUNT,
}
DEFAULT_HEADERS = {
    "citizen_id": "Số CCCD",
    "name": "Họ tên",
    "birth_date": "Ngày sinh",
    "amount": "Số tiền",
    "commune": "Mã xã",
    "point": "Mã điểm",
    "method": "Hình thức nhận",
    "account_no": "Số tài khoản",
    "hamlet": "Thôn, bản",
}
MAX_LINE_AMOUNT = 10_000_000_000
BANK_RESULTS = {"Thành công": "ok", "ok": "ok", "Thất bại": "failed", "failed": "failed"}


class PayoutListImport(ImportSpec):
    """A month's list from the agency: one line per person, under the agency's own headers."""

    title = "Danh sách chi trả"

    def __init__(
        self, mapping: dict[str, str] | None = None, *, registered: Container[str] = ()
    ) -> None:
        h = DEFAULT_HEADERS | (mapping or {})
        self.columns = (
            Column("citizen_id", h["citizen_id"], kind="citizen_id", required=True),
            Column("name", h["name"], required=True, max_length=200),
            Column("birth_date", h["birth_date"], kind="date"),
            Column(
                "amount",
                h["amount"],
                kind="money",
                required=True,
                min_value=1,
                max_value=MAX_LINE_AMOUNT,
            ),
            Column("commune", h["commune"], kind="int"),
            Column("point", h["point"], required=True, max_length=20),
            Column("method", h["method"], kind="choice", choices=METHODS),
            Column("account_no", h["account_no"], max_length=40),
            Column("hamlet", h["hamlet"], max_length=120),
        )
        self.registered = registered

    def row_key(self, values: dict[str, Any]) -> Any:
        return values.get("citizen_id")

    def trusted(self, key: str) -> Container[Any]:
        # An id already registered was checked then: 79,000 of them come back every month.
        return self.registered if key == "citizen_id" else frozenset()


# The settlement file sent to the bank: the bank answers in the same layout (BankResultsImport).
SETTLEMENT_HEADERS = ["Mã dòng", "Họ tên", "Số CCCD", "Số tài khoản", "Số tiền", "Kết quả"]


class BankResultsImport(ImportSpec):
    """The bank's answer to a settlement file: each account line paid or failed."""

    title = "Kết quả chi qua tài khoản"
    columns = (
        Column("line", "Mã dòng", kind="int", required=True, min_value=1, max_value=2**31 - 1),
        Column("amount", "Số tiền", kind="money", required=True),
        Column("result", "Kết quả", kind="choice", required=True, choices=BANK_RESULTS),
    )

    def row_key(self, values: dict[str, Any]) -> Any:
        return values.get("line")


def check_source(source: Any, *, field: str = "file") -> None:
    """An uploaded file is checked for its kind and size before anything reads it."""
    if isinstance(source, (bytes, bytearray)):
        return
    check_upload(source, kinds=("xlsx",), field=field)
