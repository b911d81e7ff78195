"""Random walks through valid steps: every dossier is always in exactly one place, batch
counts add up, and the history replays to the current state."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from buudien.core import reference
from buudien.core.models import Role
from buudien.counter import services as counter_services
from buudien.dossiers import services
from buudien.dossiers.models import Batch, BatchItem, Dossier, Place, Procedure
from buudien.dossiers.services import TRANSITIONS
from buudien.network.models import Partner
from tests.conftest import serve_agencies
from tests.dossiers.conftest import CITIZEN, full_documents
from tests.factories import PostUnitFactory, UserFactory

PLACE_OF = {
    "received": Place.POINT,
    "in_transit": Place.TRANSIT,
    "at_agency": Place.AGENCY,
    "supplement_requested": Place.AGENCY,
    "supplemented": Place.POINT,
    "result_ready": Place.AGENCY,
    "rejected": Place.AGENCY,
    "result_collected": Place.TRANSIT,
    "at_point": Place.POINT,
    "out_for_delivery": Place.TRANSIT,
    "delivery_failed": Place.POINT,
    "returned": Place.CITIZEN,
    "withdrawn": Place.CITIZEN,
}
SINGLE = [
    "request_supplement",
    "supplement",
    "result_ready",
    "reject",
    "dispatch",
    "delivery_failed",
    "return",
    "withdraw",
]
DATA = {
    "request_supplement": {"what": "Bản sao giấy khai sinh"},
    "reject": {"reason": "Sai mẫu"},
    "delivery_failed": {"reason": "Vắng nhà"},
    "return": {"receiver": "Nông Thị Hoa"},
}

move = st.one_of(
    st.tuples(st.just("single"), st.integers(0, 7), st.sampled_from(SINGLE)),
    st.tuples(st.just("batch_out"), st.integers(0, 7)),
    st.tuples(st.just("batch_back"), st.integers(0, 7)),
    st.tuples(st.just("confirm"), st.integers(0, 7)),
)


class NothingLost(TestCase):
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(moves=st.lists(move, min_size=5, max_size=40))
    def test_random_walks_keep_every_dossier_in_one_place(
        self, moves: list[tuple[object, ...]]
    ) -> None:
        reference.load()
        province = PostUnitFactory(kind="province")
        serve_agencies(province)
        area = PostUnitFactory(kind="area", parent=province)
        office = PostUnitFactory(kind="office", parent=area)
        point = PostUnitFactory(kind="commune_point", parent=office)
        clerk = UserFactory(role=Role.CLERK, home_unit=point)
        officer = UserFactory(
            role=Role.PARTNER_OFFICER, partner=Partner.objects.get(code="UBNDXA04")
        )
        session = counter_services.open_session(
            clerk=clerk, unit=point, opening_cash=0, business_date=dt.date(2025, 6, 2)
        )
        procedure = Procedure.objects.get(code="1.001193")
        dossiers = [
            services.intake(
                clerk=clerk,
                session=session,
                procedure=procedure,
                documents=full_documents(procedure),
                **CITIZEN,
            )
            for _ in range(8)
        ]
        agency = procedure.agency
        for kind, index, *rest in moves:
            d = Dossier.objects.get(pk=dossiers[int(index)].pk)  # type: ignore[call-overload]
            if kind == "single":
                action = str(rest[0])
                if d.status not in TRANSITIONS[action].sources:
                    continue
                actor = officer if TRANSITIONS[action].by_agency else clerk
                services.transition(dossier=d, actor=actor, action=action, **DATA.get(action, {}))
            elif kind in {"batch_out", "batch_back"}:
                direction = (
                    Batch.Direction.TO_AGENCY
                    if kind == "batch_out"
                    else Batch.Direction.FROM_AGENCY
                )
                ready = {
                    "batch_out": {"received", "supplemented"},
                    "batch_back": {"result_ready", "rejected"},
                }[str(kind)]
                group = list(
                    Dossier.objects.filter(
                        pk__in=[x.pk for x in dossiers], status__in=ready, batch__isnull=True
                    )
                )
                if group:
                    batch = services.open_batch(
                        actor=clerk, unit=point, agency=agency, direction=direction, dossiers=group
                    )
                    services.send_batch(actor=clerk, batch=batch)
            else:
                batch = Batch.objects.filter(state=Batch.State.SENT).order_by("created_at").first()
                if batch is None:
                    pass
                elif batch.direction == Batch.Direction.TO_AGENCY:
                    services.confirm_handover(actor=officer, batch=batch)
                else:
                    services.confirm_arrival(actor=clerk, batch=batch)
            self._check(dossiers)

    def _check(self, dossiers: list[Dossier]) -> None:
        for d in Dossier.objects.filter(pk__in=[x.pk for x in dossiers]):
            assert d.place == PLACE_OF[d.status], (d.code, d.status, d.place)
            if d.status in {"in_transit", "result_collected"}:
                assert d.batch is not None
                assert d.batch.state == Batch.State.SENT
                assert BatchItem.objects.filter(batch=d.batch, dossier=d).exists()
            events = list(d.events.all())
            assert events[0].from_status == ""
            for before, after in itertools.pairwise(events):
                assert after.from_status == before.to_status
            assert events[-1].to_status == d.status
            assert events[-1].place == d.place
        for batch in Batch.objects.all():
            items = list(batch.items.select_related("dossier"))
            assert items
            for item in items:
                assert item.documents == sum(x.count for x in item.dossier.documents.all())
            if batch.state == Batch.State.SENT:
                assert all(i.dossier.place == Place.TRANSIT for i in items)
