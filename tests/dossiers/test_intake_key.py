"""The intake form's key: the same form sent twice is one dossier with one set of fees; the
key reused for another request is refused (409); each point has its own keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from buudien.core.errors import DomainError, http_status
from buudien.core.models import AuditEvent, Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.dossiers import services
from buudien.dossiers.errors import DossierError
from buudien.dossiers.models import Dossier, DossierEvent, Procedure
from tests.conftest import Tree
from tests.dossiers.conftest import CITIZEN, full_documents
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _take_in(
    session: CounterSession, clerk: User, procedure: Procedure, key: str, **kw: Any
) -> Dossier:
    return services.intake(
        clerk=clerk,
        session=session,
        procedure=procedure,
        documents=full_documents(procedure),
        request_key=key,
        **(CITIZEN | kw),
    )


def test_the_same_form_sent_twice_is_one_dossier_with_one_set_of_fees(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    clerk, licence = users[Role.CLERK], procedures["1.002809"]
    first = _take_in(clerk_session, clerk, licence, "a1b2c3d4e5f60718")
    fees = LedgerEntry.objects.count()

    again = _take_in(clerk_session, clerk, licence, "a1b2c3d4e5f60718", phone="0912 345 678 ")

    assert again.pk == first.pk
    assert again.code == first.code
    assert Dossier.objects.count() == 1
    assert LedgerEntry.objects.count() == fees > 0
    assert DossierEvent.objects.filter(dossier=first).count() == 1
    assert AuditEvent.objects.filter(action="dossiers.received").count() == 1
    assert first.note == ""  # the key has its own column now, not the clerk's note


def test_the_key_of_one_form_used_for_another_citizen_is_refused_and_nothing_is_written(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    clerk, licence = users[Role.CLERK], procedures["1.002809"]
    first = _take_in(clerk_session, clerk, licence, "form-1")
    fees = LedgerEntry.objects.count()

    with pytest.raises(DossierError) as refused:
        _take_in(clerk_session, clerk, licence, "form-1", citizen_name="Hoàng Văn Páo")

    assert refused.value.code == "dossier.idempotency_conflict"
    assert http_status(refused.value.code) == 409
    assert refused.value.field == "request_key"
    assert first.code in refused.value.message
    assert Dossier.objects.count() == 1
    assert LedgerEntry.objects.count() == fees


def test_each_point_has_its_own_keys(
    tree: Tree,
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
) -> None:
    licence = procedures["1.002809"]
    other_clerk = UserFactory(role=Role.CLERK, home_unit=tree.point_a2)
    other_shift = counter_services.open_session(
        clerk=other_clerk,
        unit=tree.point_a2,
        opening_cash=0,
        business_date=clerk_session.business_date,
    )
    here = _take_in(clerk_session, users[Role.CLERK], licence, "same-key")
    there = _take_in(other_shift, other_clerk, licence, "same-key")
    assert here.pk != there.pk
    assert (here.point, there.point) == (tree.point_a1, tree.point_a2)


def test_a_key_too_long_or_with_control_characters_is_refused(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    for key in ("k" * 65, "form\x00one"):
        with pytest.raises(DomainError) as refused:
            _take_in(clerk_session, users[Role.CLERK], procedures["1.002809"], key)
        assert refused.value.field == "request_key"
    assert not Dossier.objects.exists()


def test_the_database_keeps_one_dossier_per_key_and_point(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    first = _take_in(clerk_session, users[Role.CLERK], procedures["1.002809"], "form-1")
    second = _take_in(clerk_session, users[Role.CLERK], procedures["1.002809"], "")
    third = _take_in(clerk_session, users[Role.CLERK], procedures["1.002809"], "")
    assert second.pk != third.pk  # without a key, each intake is its own
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.filter(pk=second.pk).update(request_key=first.request_key)


def test_sending_the_intake_page_twice_opens_the_same_dossier(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    licence = procedures["1.002809"]
    form = {"procedure": licence.code, "request_key": "9f8e7d6c5b4a3210", **CITIZEN}
    for r in licence.documents.all():
        form |= {
            f"doc_{r.pk}": "1",
            f"doc_{r.pk}_count": str(r.copies),
            f"doc_{r.pk}_form": "original",
        }
    client = Client()
    client.force_login(users[Role.CLERK])

    first = client.post(f"/dossiers/new/?procedure={licence.code}", form)
    again = client.post(f"/dossiers/new/?procedure={licence.code}", form)

    dossier = Dossier.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/dossiers/{dossier.code}/"


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_keys_kept_in_notes_to_their_column(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> None:
    """Back to where intake wrote "[key]" in the note, then forward: each key in its column,
    the note keeps only what else it said."""
    clerk, licence = users[Role.CLERK], procedures["1.002809"]
    made = [_take_in(clerk_session, clerk, licence, key) for key in ("k-1", "k-2", "", "")]
    call_command("migrate", "dossiers", "0003", verbosity=0)
    notes = list(Dossier.objects.filter(pk__in=[d.pk for d in made]).values_list("pk", "note"))
    assert sorted(note for _, note in notes) == ["", "", "[k-1]", "[k-2]"]
    Dossier.objects.filter(pk=made[1].pk).update(note="[k-2] gọi lại sau 16h")
    Dossier.objects.filter(pk=made[2].pk).update(note="[k-1]")  # two clerks once could
    Dossier.objects.filter(pk=made[3].pk).update(note="không có khóa")

    call_command("migrate", "dossiers", verbosity=0)

    moved = [Dossier.objects.get(pk=d.pk) for d in made]
    assert [(d.request_key, d.note) for d in moved] == [
        ("k-1", ""),
        ("k-2", "gọi lại sau 16h"),
        ("", "[k-1]"),  # the same key twice at one point: the first received keeps it
        ("", "không có khóa"),
    ]
