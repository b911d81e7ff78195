"""Ordinary letters counted in bundles: they reach the volumes of the report with the tracked
items, and a wrong count is refused naming its field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from buudien.core import clock
from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.mail.errors import MailError
from buudien.mail.models import OrdinaryBatch, PostalItem
from buudien.mail.services.acceptance import accept
from buudien.mail.services.ordinary import record_ordinary
from buudien.plans import registry
from tests.conftest import PASSWORD, Places, Tree
from tests.mail.conftest import DAY, parcel

pytestmark = pytest.mark.django_db


def test_the_report_counts_the_bundles_with_the_tracked_items(
    shift: CounterSession, users: dict[str, User], places: Places, tree: Tree
) -> None:
    clerk = users[Role.CLERK]
    with clock.at(dt.datetime(2025, 3, 14, 3, tzinfo=dt.UTC)):  # 10:00 in Vietnam
        accept(session=shift, clerk=clerk, data=parcel(places.a2))
        record_ordinary(
            actor=clerk,
            unit=tree.point_a1,
            day=DAY,
            service_code="BC-THU",
            direction="sent",
            count=120,
        )
        record_ordinary(
            actor=clerk,
            unit=tree.point_a1,
            day=DAY,
            service_code="BC-THU",
            direction="received",
            count=75,
        )
    found = registry.compute(
        user=users[Role.ADMIN],
        codes=["BC_DI", "BC_DEN"],
        unit_paths=[tree.province.path],
        start=DAY,
        end=DAY,
    )[tree.province.path]
    sent = PostalItem.objects.filter(accepted_at__date=DAY).count()
    bundles = {b.direction: b.count for b in OrdinaryBatch.objects.all()}
    assert found == {"BC_DI": sent + bundles["sent"], "BC_DEN": bundles["received"]}
    assert found == {"BC_DI": 121, "BC_DEN": 75}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"count": 0}, "count"),
        ({"service_code": "BC-BK"}, "service_code"),
        ({"direction": "sideways"}, "direction"),
        ({"day": dt.date(2020, 1, 1)}, "day"),
    ],
)
def test_a_wrong_bundle_is_refused_naming_its_field(
    users: dict[str, User], tree: Tree, places: Places, change: dict, field: str
) -> None:
    values = {
        "day": clock.today(),
        "service_code": "BC-THU",
        "direction": "sent",
        "count": 10,
    } | change
    with pytest.raises(MailError) as caught:
        record_ordinary(actor=users[Role.CLERK], unit=tree.point_a1, **values)
    assert caught.value.field == field
    assert not OrdinaryBatch.objects.exists()


def test_the_clerk_counts_a_bundle_on_the_page_and_the_auditor_only_reads(
    users: dict[str, User], tree: Tree, places: Places
) -> None:
    clerk = Client()
    clerk.login(username=users[Role.CLERK].username, password=PASSWORD)
    today = clock.today().isoformat()
    body = {"day": today, "service_code": "BC-THU", "direction": "received", "count": "35"}
    response = clerk.post("/mail/ordinary/", body, follow=True)
    assert "Đã ghi 35 bưu gửi" in response.content.decode()
    assert OrdinaryBatch.objects.get().unit == tree.point_a1
    bad = clerk.post("/mail/ordinary/", body | {"count": "-3"})
    assert bad.status_code == 422 and OrdinaryBatch.objects.count() == 1
    auditor = Client()
    auditor.login(username=users[Role.AUDITOR].username, password=PASSWORD)
    page = auditor.get("/mail/ordinary/").content.decode()
    assert 'data-testid="ordinary-form"' not in page
