"""A scanner's CSV file: every row checked first, then all applied, or none with each bad row
named by its line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.mail.errors import MailError
from buudien.mail.models import PostalItem, Status, TrackingEvent
from buudien.mail.services import scans
from buudien.mail.services.acceptance import accept
from tests.conftest import Tree
from tests.mail.conftest import Places, parcel

HEADER = "so_hieu,trang_thai,ly_do,ma_don_vi,thoi_gian"


@pytest.fixture
def clerk(users: dict[str, User]) -> User:
    return users[Role.CLERK]


@pytest.fixture
def two(shift: CounterSession, clerk: User, places: Places) -> list[PostalItem]:
    """Two parcels taken in at A1 for receivers A1 serves (no COD)."""
    return [accept(session=shift, clerk=clerk, data=parcel(places.a1)) for _ in range(2)]


def _when(hours_ago: int) -> str:
    return (timezone.localtime() - dt.timedelta(hours=hours_ago)).strftime("%d/%m/%Y %H:%M")


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def _wrong_check_digit(ident: str) -> str:
    return ident[:10] + str((int(ident[10]) + 1) % 10) + ident[11:]


def test_a_good_file_records_every_row_in_order(two: list[PostalItem], clerk: User) -> None:
    a, b = two
    data = _csv(
        f"{a.s10},arrived,,VHXA1,{_when(5)}",
        f"{a.s10},out_for_delivery,,VHXA1,{_when(4)}",
        f"{a.s10},failed,absent,VHXA1,{_when(3)}",
        f"{b.s10},arrived,,vhxa1,{_when(2)}",
        f"{b.s10},delivered,,VHXA1,{_when(1)}",
    )
    result = scans.import_file(actor=clerk, data=data)
    assert result.ok and result.applied == 5
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (Status.FAILED, Status.DELIVERED)
    assert TrackingEvent.objects.get(item=a, status="failed").reason == "absent"
    assert a.received_on is not None


def test_the_english_header_and_semicolons_are_accepted(two: list[PostalItem], clerk: User) -> None:
    data = _csv(f"{two[0].s10};arrived;;VHXA1;{_when(1)}", header="s10;status;reason;unit;at")
    assert scans.import_file(actor=clerk, data=data).applied == 1


def test_one_bad_row_writes_nothing_and_each_bad_row_is_named(
    two: list[PostalItem], clerk: User
) -> None:
    a, b = two
    before = TrackingEvent.objects.count()
    data = _csv(
        f"{a.s10},arrived,,VHXA1,{_when(3)}",
        f"{_wrong_check_digit(b.s10)},arrived,,VHXA1,{_when(2)}",
        f"{b.s10},failed,absent,VHXA1,{_when(2)}",
        f"{b.s10},bagged,,VHXA1,{_when(2)}",
        f"{b.s10},arrived,,KHONGCO,{_when(2)}",
        f"{b.s10},arrived,,VHXA1,31/02/2025 10:00",
        f"{b.s10},arrived,,VHXB1,{_when(1)}",
    )
    result = scans.import_file(actor=clerk, data=data)
    assert not result.ok and result.applied == 0
    messages = [e.message for e in result.errors]
    assert [e.row for e in result.errors] == [3, 4, 5, 6, 7, 8]
    assert messages[0].startswith("Dòng 3:") and "sai số kiểm tra" in messages[0]
    assert "không ghi" in messages[1]  # accepted → failed is not a step
    assert "máy quét" in messages[2]
    assert "KHONGCO" in messages[3]
    assert "dd/mm/yyyy" in messages[4]
    assert "VHXB1" in messages[5]  # another point's unit: out of the clerk's scope
    assert TrackingEvent.objects.count() == before
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED


def test_a_failed_scan_needs_its_reason_and_a_delivery_with_cod_is_refused(
    shift: CounterSession, clerk: User, places: Places
) -> None:
    cod = accept(session=shift, clerk=clerk, data=parcel(places.a1, cod_amount=100_000))
    data = _csv(
        f"{cod.s10},arrived,,VHXA1,{_when(3)}",
        f"{cod.s10},failed,,VHXA1,{_when(2)}",
        f"{cod.s10},delivered,,VHXA1,{_when(1)}",
    )
    result = scans.import_file(actor=clerk, data=data)
    assert [e.row for e in result.errors] == [3, 4]
    assert "lý do" in result.errors[0].message and "COD" in result.errors[1].message


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "trống"),
        (b"a,b,c\n1,2,3\n", "tiêu đề"),
        (HEADER.encode() + b"\n", "không có dòng nào"),
        (b"\x00\x01PK", "không phải CSV"),
        (b"x" * (scans.MAX_BYTES + 1), "5 MB"),
    ],
)
def test_a_file_that_is_not_a_scanner_file_is_refused(
    clerk: User, tree: Tree, data: bytes, says: str
) -> None:
    with pytest.raises(MailError) as caught:
        scans.import_file(actor=clerk, data=data)
    assert caught.value.field == "file" and says in caught.value.message


def test_a_file_longer_than_the_cap_is_refused(clerk: User, tree: Tree) -> None:
    rows = [f"RR000000000VN,arrived,,VHXA1,{_when(1)}"] * (scans.MAX_ROWS + 1)
    with pytest.raises(MailError) as caught:
        scans.import_file(actor=clerk, data=_csv(*rows))
    assert "20.000" in caught.value.message


def test_the_page_shows_the_bad_rows_and_the_api_answers_422(
    two: list[PostalItem], clerk: User
) -> None:
    client = Client()
    client.force_login(clerk)
    assert client.get("/mail/scans/").status_code == 200
    bad = _csv(f"{_wrong_check_digit(two[0].s10)},arrived,,VHXA1,{_when(1)}")
    page = client.post("/mail/scans/", {"file": SimpleUploadedFile("quet.csv", bad)})
    assert page.status_code == 422 and "Dòng 2:" in page.content.decode()
    api = client.post("/api/mail/scans", {"file": SimpleUploadedFile("quet.csv", bad)})
    assert api.status_code == 422 and "Dòng 2:" in api.json()["message"]
    good = _csv(f"{two[0].s10},arrived,,VHXA1,{_when(1)}")
    done = client.post("/api/mail/scans", {"file": SimpleUploadedFile("quet.csv", good)})
    assert done.status_code == 200 and done.json() == {"applied": 1}
    page = client.post(
        "/mail/scans/",
        {"file": SimpleUploadedFile("quet.csv", _csv(f"{two[1].s10},arrived,,VHXA1,{_when(1)}"))},
        follow=True,
    )
    assert "Đã ghi 1" in page.content.decode()
