"""The monthly dossier rollup: kept by intake and return exactly as a rebuild from the
dossiers counts it, and read by the dossier report and the indicators with the same figures
and the same visibility as counting the dossiers themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.dossiers import indicators, selectors, services
from buudien.dossiers.models import Batch, Dossier, DossierMonthRollup, Procedure
from buudien.dossiers.selectors import Breakdown
from tests.conftest import Tree
from tests.dossiers.conftest import CITIZEN, full_documents
from tests.factories import UserFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BIRTH = "1.001193"  # settled by the commune's people's committee, the officer's agency
OTHER = "1.002809"


def _take_in(session: CounterSession, procedure: Procedure, **kw: Any) -> Dossier:
    return services.intake(
        clerk=session.clerk,
        session=session,
        procedure=procedure,
        documents=full_documents(procedure),
        **(CITIZEN | kw),
    )


def _return(dossiers: list[Dossier], *, clerk: User, officer: User) -> None:
    """Each dossier through the agency and back to the citizen, today."""
    unit, agency = dossiers[0].point, dossiers[0].agency
    out = services.open_batch(
        actor=clerk,
        unit=unit,
        agency=agency,
        direction=Batch.Direction.TO_AGENCY,
        dossiers=dossiers,
    )
    services.send_batch(actor=clerk, batch=out)
    services.confirm_handover(actor=officer, batch=out)
    for d in dossiers:
        services.transition(dossier=d, actor=officer, action="result_ready")
    back = services.open_batch(
        actor=clerk,
        unit=unit,
        agency=agency,
        direction=Batch.Direction.FROM_AGENCY,
        dossiers=list(Dossier.objects.filter(pk__in=[d.pk for d in dossiers])),
    )
    services.send_batch(actor=clerk, batch=back)
    services.confirm_arrival(actor=clerk, batch=back)
    for d in dossiers:
        services.transition(dossier=d, actor=clerk, action="return", receiver="Nông Thị Hoa")


def _rollup() -> list[tuple[Any, ...]]:
    fields = (
        "month",
        "point",
        "agency",
        "procedure",
        "channel",
        "received",
        "returned",
        "returned_on_time",
    )
    return sorted(DossierMonthRollup.objects.values_list(*fields), key=str)


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _figures(tables: dict[str, list[Breakdown]]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        by: sorted((b.key, b.label, b.received, b.returned, b.on_time) for b in rows)
        for by, rows in tables.items()
    }


def _mix(
    tree: Tree, clerk_session: CounterSession, procedures: dict[str, Procedure], officer: User
) -> None:
    """Dossiers at two points: received this month and earlier, returned on time and late,
    one withdrawn."""
    clerk = clerk_session.clerk
    clerk_b = UserFactory(username="diem-b", role=Role.CLERK, home_unit=tree.point_b1)
    session_b = counter_services.open_session(
        clerk=clerk_b, unit=tree.point_b1, opening_cash=0, business_date=dt.date(2025, 3, 14)
    )
    long_ago = dt.datetime(2025, 1, 6, 9, tzinfo=TZ)  # due long before today: returned late
    late = _take_in(clerk_session, procedures[BIRTH], received_at=long_ago)
    on_time = _take_in(clerk_session, procedures[BIRTH], channel=Dossier.Channel.HOME)
    _take_in(clerk_session, procedures[OTHER])
    withdrawn = _take_in(clerk_session, procedures[OTHER], received_at=long_ago)
    services.transition(dossier=withdrawn, actor=clerk, action="withdraw")
    at_b = _take_in(session_b, procedures[BIRTH])
    _take_in(session_b, procedures[OTHER], received_at=long_ago)
    _return([late, on_time], clerk=clerk, officer=officer)
    _return([at_b], clerk=clerk_b, officer=officer)


def test_the_kept_rollup_equals_the_one_rebuilt_from_the_dossiers(
    tree: Tree,
    clerk_session: CounterSession,
    procedures: dict[str, Procedure],
    officer: User,
    users: dict[str, User],
) -> None:
    _mix(tree, clerk_session, procedures, officer)
    kept = _rollup()
    assert services.rebuild_rollups() == len(kept)
    assert _rollup() == kept
    first, last = _month(timezone.localdate())
    by_point = {
        b.key: b
        for b in selectors.breakdowns(user=users[Role.PROVINCE_MANAGER], start=first, end=last)[
            "point"
        ]
    }
    here = by_point[tree.point_a1.code]
    assert (here.returned, here.on_time, here.on_time_rate) == (2, 1, 50)
    january = selectors.breakdowns(
        user=users[Role.PROVINCE_MANAGER], start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31)
    )
    assert sum(b.received for b in january["point"]) == 3
    assert sum(b.returned for b in january["point"]) == 0


def test_a_rebuild_of_some_months_leaves_the_others_as_they_were(
    tree: Tree, clerk_session: CounterSession, procedures: dict[str, Procedure], officer: User
) -> None:
    _mix(tree, clerk_session, procedures, officer)
    kept = _rollup()
    DossierMonthRollup.objects.filter(month=dt.date(2025, 1, 1)).update(received=99)
    DossierMonthRollup.objects.exclude(month=dt.date(2025, 1, 1)).update(received=77)
    services.rebuild_rollups(since=dt.date(2025, 1, 15), until=dt.date(2025, 1, 20))
    repaired = {row for row in _rollup() if row[0] == dt.date(2025, 1, 1)}
    assert repaired == {row for row in kept if row[0] == dt.date(2025, 1, 1)}
    assert all(row[5] == 77 for row in _rollup() if row[0] != dt.date(2025, 1, 1))


def test_whole_months_read_off_the_rollup_give_the_figures_counted_from_the_dossiers(
    tree: Tree,
    clerk_session: CounterSession,
    procedures: dict[str, Procedure],
    officer: User,
    users: dict[str, User],
) -> None:
    _mix(tree, clerk_session, procedures, officer)
    manager = users[Role.PROVINCE_MANAGER]
    for first, last in (_month(timezone.localdate()), (dt.date(2025, 1, 1), dt.date(2025, 12, 31))):
        # One more day in front, on which nothing happened: counted from the dossiers.
        day_before = first - dt.timedelta(days=1)
        rolled = selectors.breakdowns(user=manager, start=first, end=last)
        counted = selectors.breakdowns(user=manager, start=day_before, end=last)
        assert _figures(rolled) == _figures(counted)
        assert any(b.received for b in rolled["procedure"])
        codes = frozenset({"HS_NHAN", "HS_TRA"})
        paths = [tree.province.path, tree.point_a1.path, tree.point_b1.path]
        whole = indicators.compute(
            user=manager, codes=codes, unit_paths=paths, start=first, end=last
        )
        rows = indicators.compute(
            user=manager, codes=codes, unit_paths=paths, start=day_before, end=last
        )
        assert whole == rows


def test_a_clerks_report_counts_only_her_point_and_an_officer_only_his_agency(
    tree: Tree,
    clerk_session: CounterSession,
    procedures: dict[str, Procedure],
    officer: User,
    users: dict[str, User],
) -> None:
    _mix(tree, clerk_session, procedures, officer)
    first, last = _month(timezone.localdate())
    start = dt.date(2025, 1, 1)
    mine = selectors.breakdowns(user=users[Role.CLERK], start=start, end=last)
    assert [b.key for b in mine["point"]] == [tree.point_a1.code]
    assert sum(b.received for b in mine["point"]) == 4
    everyone = selectors.breakdowns(user=users[Role.PROVINCE_MANAGER], start=start, end=last)
    assert {b.key for b in everyone["point"]} == {tree.point_a1.code, tree.point_b1.code}
    agency = procedures[BIRTH].agency.code
    theirs = selectors.breakdowns(user=officer, start=start, end=last)
    assert [b.key for b in theirs["agency"]] == [agency]
    assert sum(b.returned for b in theirs["agency"]) == 3
    page = selectors.breakdowns(user=users[Role.CLERK], start=first, end=last)
    assert tree.point_b1.code not in {b.key for b in page["point"]}
