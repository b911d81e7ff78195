"""The mail indicators in the plans and reports: items sent and received, delivered on time,
COD owed to senders; and the report's sentence about them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from buudien.core import clock
from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.mail.models import PostalItem
from buudien.mail.services.acceptance import accept
from buudien.mail.services.tracking import record_event
from buudien.plans import registry
from buudien.plans import selectors as plan_selectors
from buudien.plans import services as plan_services
from buudien.plans.models import Indicator
from buudien.plans.periods import Period
from buudien.reports import builders, figures, narrative
from tests.conftest import Tree
from tests.mail.conftest import DAY, Places, parcel

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VOLUMES = ("BC_DI", "BC_DEN", "BC_PHAT", "BC_PHAT_DUNG_HAN")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), TZ)


def later(days: int) -> dt.date:
    return DAY + dt.timedelta(days=days)


@dataclass
class Mail:
    on_time: PostalItem  # a parcel for B1, delivered the next day (due in two)
    late: PostalItem  # an EMS item for B1, due the next day, delivered three days later
    away: PostalItem  # a parcel for Lâm Đồng: sent, never received here
    cod: PostalItem  # a parcel with 350,000 đồng COD for B1, on its way


def _deliver(item: PostalItem, admin: User, unit: object, arrived: dt.date, done: dt.date) -> None:
    record_event(item=item, actor=admin, status="arrived", unit=unit, at=at(arrived, 8))  # type: ignore[arg-type]
    record_event(item=item, actor=admin, status="out_for_delivery", unit=unit, at=at(done, 9))  # type: ignore[arg-type]
    record_event(item=item, actor=admin, status="delivered", unit=unit, at=at(done, 10))  # type: ignore[arg-type]


@pytest.fixture
def mail(shift: CounterSession, users: dict[str, User], places: Places, tree: Tree) -> Mail:
    clerk, admin = users[Role.CLERK], users[Role.ADMIN]
    with clock.at(at(DAY)):
        made = Mail(
            on_time=accept(session=shift, clerk=clerk, data=parcel(places.b1)),
            late=accept(session=shift, clerk=clerk, data=parcel(places.b1, service_code="BC-EMS")),
            away=accept(session=shift, clerk=clerk, data=parcel(places.far)),
            cod=accept(session=shift, clerk=clerk, data=parcel(places.b1, cod_amount=350_000)),
        )
    _deliver(made.on_time, admin, tree.point_b1, later(1), later(1))
    _deliver(made.late, admin, tree.point_b1, later(1), later(3))
    return made


def _paths(tree: Tree) -> list[str]:
    units = (tree.province, tree.area_a, tree.area_b, tree.office_b, tree.point_a1, tree.point_b1)
    return [u.path for u in units]


def _on_time(when: dt.datetime | None, due: dt.date | None) -> bool:
    return when is not None and due is not None and when.astimezone(TZ).date() <= due


def _counted(path: str, start: dt.date, end: dt.date) -> dict[str, int]:
    """The same figures counted straight off the items."""
    lo, hi = at(start, 0), at(end + dt.timedelta(days=1), 0)
    items = PostalItem.objects.all()
    delivered = list(
        items.filter(
            destination__path__startswith=path, delivered_at__gte=lo, delivered_at__lt=hi
        ).values_list("delivered_at", "due_on")
    )
    return {
        "BC_DI": items.filter(
            origin__path__startswith=path, accepted_at__gte=lo, accepted_at__lt=hi
        ).count(),
        "BC_DEN": items.filter(
            destination__path__startswith=path, received_on__gte=start, received_on__lte=end
        ).count(),
        "BC_PHAT": len(delivered),
        "BC_PHAT_DUNG_HAN": len([d for d in delivered if _on_time(*d)]),
    }


def test_the_volumes_are_the_items_of_the_period_added_up_the_tree(
    mail: Mail, tree: Tree, users: dict[str, User]
) -> None:
    paths = _paths(tree)
    found = registry.compute(
        user=users[Role.ADMIN], codes=VOLUMES, unit_paths=paths, start=DAY, end=later(30)
    )
    for path in paths:
        assert found[path] == _counted(path, DAY, later(30)), path
    # Four taken in at A1; three for B1, two of them arrived and delivered, one of those late.
    assert found[tree.province.path] == {
        "BC_DI": 4,
        "BC_DEN": 2,
        "BC_PHAT": 2,
        "BC_PHAT_DUNG_HAN": 1,
    }
    assert found[tree.area_a.path] == {"BC_DI": 4, "BC_DEN": 0, "BC_PHAT": 0, "BC_PHAT_DUNG_HAN": 0}
    assert found[tree.point_b1.path]["BC_DEN"] == 2


def test_an_item_counts_on_the_day_it_was_sent_and_the_day_it_arrived(
    mail: Mail, tree: Tree, users: dict[str, User]
) -> None:
    admin, path = users[Role.ADMIN], tree.province.path
    first_day = registry.compute(user=admin, codes=VOLUMES, unit_paths=[path], start=DAY, end=DAY)
    assert first_day[path] == {"BC_DI": 4, "BC_DEN": 0, "BC_PHAT": 0, "BC_PHAT_DUNG_HAN": 0}
    next_days = registry.compute(
        user=admin, codes=VOLUMES, unit_paths=[path], start=later(1), end=later(2)
    )
    assert next_days[path] == {"BC_DI": 0, "BC_DEN": 2, "BC_PHAT": 1, "BC_PHAT_DUNG_HAN": 1}
    assert next_days[path] == _counted(path, later(1), later(2))


def test_the_on_time_rate_is_delivered_on_time_over_delivered(
    mail: Mail, tree: Tree, users: dict[str, User]
) -> None:
    rate = Indicator.objects.get(code="BC_DUNG_HAN")
    assert rate.derived and rate.is_share
    found = plan_selectors.values(
        user=users[Role.ADMIN],
        units=[tree.province, tree.point_b1, tree.point_a1],
        period=Period(DAY.year, "month", DAY.month),
        codes=["BC_DUNG_HAN"],
    )
    assert figures.percent(found[tree.province.pk]["BC_DUNG_HAN"] or 0) == "50%"
    assert found[tree.point_b1.pk]["BC_DUNG_HAN"] == found[tree.province.pk]["BC_DUNG_HAN"]
    assert found[tree.point_a1.pk]["BC_DUNG_HAN"] is None  # nothing delivered there


def test_cod_is_owed_from_its_collection_until_it_is_paid_to_the_sender(
    mail: Mail, tree: Tree, users: dict[str, User]
) -> None:
    # The COD taken at the door, as the delivery page does, then the item delivered.
    PostalItem.objects.filter(pk=mail.cod.pk).update(cod_collected_at=at(later(2), 10))
    _deliver(mail.cod, users[Role.ADMIN], tree.point_b1, later(1), later(2))
    paths = _paths(tree)

    def owed(end: dt.date) -> dict[str, int | None]:
        found = registry.compute(
            user=users[Role.ADMIN], codes=["COD_TON"], unit_paths=paths, start=DAY, end=end
        )
        return {path: found[path]["COD_TON"] for path in paths}

    assert owed(later(1))[tree.province.path] == 0
    held = owed(later(3))
    assert held[tree.province.path] == held[tree.point_b1.path] == 350_000
    assert held[tree.area_a.path] == 0
    PostalItem.objects.filter(pk=mail.cod.pk).update(cod_paid_at=at(later(5), 15))
    assert owed(later(4))[tree.province.path] == 350_000  # a level at the end of the period
    assert owed(later(5))[tree.province.path] == 0


def test_the_indicators_table_and_the_mail_app_agree(catalogue: None) -> None:
    problems = registry.mismatches(Indicator.objects.all())
    assert not [p for p in problems if p.startswith(("BC_", "COD_"))]
    assert {"BC_DI", "BC_DEN", "COD_TON"} <= set(registry.registered())


def test_the_report_tells_the_volumes_with_the_plan_and_the_on_time_rate(
    mail: Mail, tree: Tree, users: dict[str, User]
) -> None:
    admin = users[Role.ADMIN]
    sent = Indicator.objects.get(code="BC_DI")
    plan_services.set_plan(
        actor=admin, unit=tree.province, indicator=sent, year=DAY.year, target=48
    )
    period = Period(DAY.year, "month", DAY.month)
    report = builders.plan_vs_actual(admin, tree.province, period, with_monthly=False)
    text = narrative.plan_vs_actual_text(report)
    assert (
        "Sản lượng bưu chính chuyển phát đi 4 bưu gửi (đạt 100% KH), đến 2 bưu gửi; "
        "tỷ lệ phát đúng chỉ tiêu thời gian 50%." in text
    )
    # Told once: not again as sentences of their own.
    assert "Bưu gửi chuyển phát đi" not in text and "Bưu gửi đã phát" not in text


def test_the_report_says_nothing_of_mail_where_there_was_none(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    period = Period(DAY.year, "month", DAY.month)
    report = builders.plan_vs_actual(users[Role.ADMIN], tree.province, period, with_monthly=False)
    assert "bưu gửi" not in narrative.plan_vs_actual_text(report)
