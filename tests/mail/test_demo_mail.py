"""The demo's mail, built small: the published ratio of items sent to items received, valid
S10 ids priced by the tariff, lives that read like a post's, and a rollup that matches."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from buudien.core import reference, s10
from buudien.mail import demo, pricing
from buudien.mail.models import (
    Bag,
    BagItem,
    MailDay,
    MailRoute,
    OrdinaryBatch,
    PostalItem,
    PostalService,
    TrackingEvent,
    Trip,
)
from buudien.mail.services import rollups
from buudien.network import demo as network_demo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2026, 3, 2)
SCALE = 0.002  # about 1,500 items sent and 1,900 received in the year


@pytest.fixture
def built(db: None) -> None:
    reference.load()
    network_demo.build(today=TODAY)
    demo.build(today=TODAY, scale=SCALE, tracked_share=0.2)


def _rollup() -> dict[tuple[object, dt.date, str], tuple[int, int, int, int]]:
    return {
        (m.unit_id, m.day, m.service_id): (m.sent, m.received, m.delivered, m.delivered_on_time)
        for m in MailDay.objects.all()
    }


def test_the_year_keeps_the_published_totals_and_their_ratio(built: None) -> None:
    totals = MailDay.objects.aggregate(sent=Sum("sent"), received=Sum("received"))
    assert totals == {"sent": round(735_665 * SCALE), "received": round(936_517 * SCALE)}
    assert 0.75 < totals["sent"] / totals["received"] < 0.82
    first, last = TODAY - dt.timedelta(days=365), TODAY - dt.timedelta(days=1)
    days = MailDay.objects.values_list("day", flat=True)
    assert first <= min(days) and max(days) <= last
    # Ordinary letters are counted in bundles; the tracked items are a share of the rest.
    ordinary = OrdinaryBatch.objects.aggregate(n=Sum("count"))["n"]
    tracked = PostalItem.objects.count()
    assert ordinary > 0 and tracked > 0.1 * (totals["sent"] + totals["received"])


def test_every_item_has_a_valid_unique_s10_of_its_service_and_the_tariff_s_price(
    built: None,
) -> None:
    prefixes = dict(PostalService.objects.values_list("code", "s10_prefix"))
    items = list(PostalItem.objects.select_related("service"))
    ids = [i.s10 for i in items]
    assert len(set(ids)) == len(ids)
    assert all(s10.is_valid(x) for x in ids)
    assert all(i.s10[:2] == prefixes[i.service_id] for i in items)
    for item in items[:300]:
        day = (item.accepted_at or dt.datetime.now(TZ)).astimezone(TZ).date()
        quote = pricing.quote(
            service=item.service,
            zone=item.zone,
            weight_g=item.weight_g,
            day=day,
            extras=frozenset(e for e in item.extras.split(",") if e == "AR"),
            declared_value=item.declared_value,
            cod_amount=item.cod_amount,
        )
        assert item.charge == quote.total, item.s10
        assert item.receipt_no == ""  # the counter demo holds the revenue already


def test_items_live_as_a_post_s_items_do(built: None) -> None:
    statuses = Counter(PostalItem.objects.values_list("status", flat=True))
    assert statuses["delivered"] > statuses["dispatched"] > 0
    assert statuses["returned"] + statuses["returning"] + statuses["failed"] > 0
    back = PostalItem.objects.filter(status__in=["returning", "returned"])
    assert all(i.is_return and i.received_on for i in back)
    leaving = PostalItem.objects.filter(origin__isnull=False, destination__isnull=True)
    assert set(leaving.values_list("status", flat=True)) <= {"accepted", "bagged", "dispatched"}
    coming = PostalItem.objects.filter(origin__isnull=True).first()
    assert coming is not None
    first = TrackingEvent.objects.filter(item=coming).order_by("at").first()
    assert first is not None and first.status == "arrived"
    late = PostalItem.objects.filter(delivered_at__isnull=False).exclude(due_on=None)
    assert any(i.delivered_at.astimezone(TZ).date() > i.due_on for i in late)  # type: ignore[union-attr, operator]
    parcels = PostalItem.objects.filter(service_id="BC-BK")
    assert parcels.filter(cod_amount__gt=0).exists()
    # The last days' items are on their way; none is delivered before it arrived.
    since = dt.datetime.combine(TODAY - dt.timedelta(days=3), dt.time(0), TZ)
    recent = PostalItem.objects.filter(origin__isnull=False, accepted_at__gte=since)
    assert recent.exclude(status__in=["delivered", "returned"]).exists()
    assert not PostalItem.objects.filter(status="delivered", received_on=None).exists()


def test_routes_trips_and_bags_cover_the_province_and_the_last_30_days(built: None) -> None:
    assert set(MailRoute.objects.values_list("tier", flat=True)) == {1, 2, 3}
    month_ago = TODAY - dt.timedelta(days=30)
    assert Trip.objects.filter(day__lt=month_ago).count() == 0
    assert Trip.objects.filter(day__gte=month_ago).exists()
    assert Trip.objects.exclude(departed_at=None).filter(arrived_at__gt=dt.datetime.max.replace(
        tzinfo=dt.UTC)).count() == 0  # fmt: skip
    bags = Bag.objects.all()
    assert bags.exists()
    assert all(b.created_by_id and b.closed_at for b in bags)
    bagged_days = {
        i.accepted_at.astimezone(TZ).date()  # type: ignore[union-attr]
        for i in PostalItem.objects.filter(pk__in=BagItem.objects.values("item_id"))
    }
    assert min(bagged_days) >= month_ago


def test_the_rollup_is_what_the_items_and_bundles_count(built: None) -> None:
    expected: Counter[tuple[object, dt.date, str, str]] = Counter()
    for item in PostalItem.objects.all():
        if item.origin_id and item.accepted_at:
            expected[(item.origin_id, item.accepted_at.astimezone(TZ).date(), item.service_id,
                      "sent")] += 1  # fmt: skip
        if item.destination_id and item.received_on:
            expected[(item.destination_id, item.received_on, item.service_id, "received")] += 1
        if item.destination_id and item.delivered_at:
            day = item.delivered_at.astimezone(TZ).date()
            expected[(item.destination_id, day, item.service_id, "delivered")] += 1
            if item.due_on is None or day <= item.due_on:
                expected[(item.destination_id, day, item.service_id, "on_time")] += 1
    for batch in OrdinaryBatch.objects.all():
        expected[(batch.unit_id, batch.day, batch.service_id, batch.direction)] += batch.count
    found: Counter[tuple[object, dt.date, str, str]] = Counter()
    for (unit, day, service), counts in _rollup().items():
        for name, n in zip(("sent", "received", "delivered", "on_time"), counts, strict=True):
            found[(unit, day, service, name)] += n
    assert +found == +expected


def test_the_rollup_rebuilt_from_the_rows_is_the_demo_s(built: None) -> None:
    made = _rollup()
    rollups.rebuild()
    assert _rollup() == made


def test_the_demo_is_built_once(built: None) -> None:
    items = PostalItem.objects.count()
    demo.build(today=TODAY, scale=SCALE)
    assert PostalItem.objects.count() == items
