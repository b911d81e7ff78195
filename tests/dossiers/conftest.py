from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.dossiers.calendar import seed_holidays
from buudien.dossiers.models import Procedure
from buudien.dossiers.seed import seed_procedures
from buudien.dossiers.services import DocumentIn
from buudien.network.models import Partner
from tests.conftest import Tree
from tests.factories import UserFactory

CITIZEN = {
    "citizen_name": "Nông Thị Hoa",
    "citizen_id": "004185001234",
    "phone": "0912345678",
    "address": "Thôn Nà Lẹng, xã Đức Long",
}


@pytest.fixture
def procedures(tree: Tree, catalogue: None) -> dict[str, Procedure]:
    seed_holidays()
    seed_procedures()
    return {p.code: p for p in Procedure.objects.all()}


@pytest.fixture
def clerk_session(tree: Tree, users: dict[str, User], procedures: Any) -> CounterSession:
    return counter_services.open_session(
        clerk=users[Role.CLERK],
        unit=tree.point_a1,
        opening_cash=0,
        business_date=dt.date(2025, 3, 14),
    )


@pytest.fixture
def officer(procedures: Any) -> User:
    return UserFactory(
        role=Role.PARTNER_OFFICER,
        username="canbo-ubnd",
        partner=Partner.objects.get(code="UBNDXA04"),
    )


def full_documents(procedure: Procedure) -> list[DocumentIn]:
    return [
        DocumentIn(
            required_id=r.pk,
            name=r.name,
            form="original" if r.form != "copy" else "copy",
            count=r.copies,
        )
        for r in procedure.documents.all()
    ]
