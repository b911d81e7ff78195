"""On PostgreSQL, concurrent intakes: one form sent twenty times at once is one dossier with
one set of fees; twenty forms are twenty dossiers."""

from __future__ import annotations

import pytest
from django.db import connection

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.dossiers import services
from buudien.dossiers.models import Dossier, DossierEvent, Procedure
from tests.concurrency import race
from tests.dossiers.conftest import CITIZEN, full_documents

ATTEMPTS = 20
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent inserts under a unique index need PostgreSQL; CI runs it",
    ),
]


def _intake(session: CounterSession, clerk: User, procedure: Procedure, key: str) -> Dossier:
    return services.intake(
        clerk=clerk,
        session=session,
        procedure=procedure,
        documents=full_documents(procedure),
        request_key=key,
        **CITIZEN,
    )


def test_one_form_sent_twenty_times_at_once_is_one_dossier_with_one_set_of_fees(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    licence = procedures["1.002809"]
    codes: list[str] = []

    def work(_: int) -> None:
        codes.append(_intake(clerk_session, users[Role.CLERK], licence, "one-form").code)

    assert race(ATTEMPTS, work) == []
    dossier = Dossier.objects.get()
    assert codes == [dossier.code] * ATTEMPTS
    fees = LedgerEntry.objects.filter(source_id=str(dossier.pk))
    assert sorted(fees.values_list("service__code", flat=True)) == ["BC-HCC", "TC-PHIHC"]
    assert LedgerEntry.objects.count() == 2
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_twenty_forms_sent_at_once_are_twenty_dossiers(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    licence = procedures["1.002809"]

    def work(i: int) -> None:
        _intake(clerk_session, users[Role.CLERK], licence, f"form-{i}")

    assert race(ATTEMPTS, work) == []
    assert Dossier.objects.count() == ATTEMPTS
    assert LedgerEntry.objects.count() == 2 * ATTEMPTS
    clerk_session.refresh_from_db()
    assert clerk_session.entries_count == 2 * ATTEMPTS
