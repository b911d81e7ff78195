"""The ledger's keys and settlements: a key is the point's own and stands for one request; a
settled thing is settled by one entry, whatever key or door a second attempt uses."""

from __future__ import annotations

import pytest
from django.test import Client

from buudien.core.models import Role, User
from buudien.counter import services
from buudien.counter.errors import CounterError
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.counter.services import EntryRequest
from tests.conftest import Tree
from tests.factories import UserFactory

LETTER = EntryRequest(idempotency_key="k-1", service_code="BC-THU", customer_name="Bà Lự")


def test_the_same_request_twice_returns_the_first_entry(
    session: CounterSession, users: dict[str, User]
) -> None:
    first = services.post_entry(session=session, clerk=users[Role.CLERK], request=LETTER)
    again = services.post_entry(session=session, clerk=users[Role.CLERK], request=LETTER)
    assert (first.created, again.created) == (True, False)
    assert again.entry.pk == first.entry.pk
    assert LedgerEntry.objects.count() == 1


def test_a_key_reused_for_another_request_is_refused_and_writes_nothing(
    session: CounterSession, users: dict[str, User]
) -> None:
    services.post_entry(session=session, clerk=users[Role.CLERK], request=LETTER)
    other = EntryRequest(idempotency_key="k-1", service_code="TC-DIEN", amount=2_000_000)
    with pytest.raises(CounterError) as refused:
        services.post_entry(session=session, clerk=users[Role.CLERK], request=other)
    assert refused.value.code == "counter.idempotency_conflict"
    assert LedgerEntry.objects.count() == 1
    session.refresh_from_db()
    assert session.entries_count == 1


def test_a_key_used_at_another_point_reveals_nothing_of_that_point(
    session: CounterSession, tree: Tree, users: dict[str, User]
) -> None:
    mine = services.post_entry(session=session, clerk=users[Role.CLERK], request=LETTER)
    neighbour = UserFactory(username="diem-b", role=Role.CLERK, home_unit=tree.point_b1)
    theirs = services.open_session(clerk=neighbour, unit=tree.point_b1, opening_cash=0)
    same_key = EntryRequest(idempotency_key="k-1", service_code="BC-THU", customer_name="Ông Pả")
    result = services.post_entry(session=theirs, clerk=neighbour, request=same_key)
    assert result.created
    assert result.entry.pk != mine.entry.pk
    assert result.entry.customer_name == "Ông Pả"
    assert result.entry.receipt_no != mine.entry.receipt_no


def test_one_thing_is_settled_once_whatever_the_key(
    session: CounterSession, users: dict[str, User]
) -> None:
    def bill(key: str) -> EntryRequest:
        return EntryRequest(
            idempotency_key=key, service_code="TC-DIEN", amount=350_000, settles="bill:PE001"
        )

    services.post_entry(session=session, clerk=users[Role.CLERK], request=bill("a"))
    with pytest.raises(CounterError) as refused:
        services.post_entry(session=session, clerk=users[Role.CLERK], request=bill("b"))
    assert refused.value.code == "counter.already_settled"
    assert LedgerEntry.objects.filter(settles="bill:PE001").count() == 1


def test_a_settling_entry_is_not_reversed_at_the_counter(
    session: CounterSession, users: dict[str, User]
) -> None:
    entry = services.post_entry(
        session=session,
        clerk=users[Role.CLERK],
        request=EntryRequest(
            idempotency_key="a", service_code="TC-DIEN", amount=350_000, settles="bill:PE002"
        ),
    ).entry
    with pytest.raises(CounterError) as refused:
        services.reverse_entry(entry=entry, clerk=users[Role.CLERK], session=session, reason="x")
    assert refused.value.code == "counter.settled_by_module"


def _api(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_api_client_cannot_say_what_its_entry_settles(
    session: CounterSession, users: dict[str, User]
) -> None:
    body = {
        "session_id": str(session.pk),
        "entries": [
            {
                "idempotency_key": "api-1",
                "service_code": "BC-THU",
                "settles": "payout:1",
                "source_type": "payout",
                "source_id": "1",
            }
        ],
    }
    response = _api(users[Role.CLERK]).post(
        "/api/counter/entries", body, content_type="application/json"
    )
    assert response.status_code == 200
    entry = LedgerEntry.objects.get(idempotency_key="api-1")
    assert (entry.settles, entry.source_type, entry.source_id) == ("", "", "")


def test_the_api_answers_409_with_a_stable_code_for_a_reused_key(
    session: CounterSession, users: dict[str, User]
) -> None:
    client = _api(users[Role.CLERK])

    def post(service: str) -> object:
        return client.post(
            "/api/counter/entries",
            {
                "session_id": str(session.pk),
                "entries": [{"idempotency_key": "api-2", "service_code": service}],
            },
            content_type="application/json",
        )

    assert post("BC-THU").status_code == 200  # type: ignore[attr-defined]
    refused = post("BC-BK")
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert refused.json()["code"] == "counter.idempotency_conflict"  # type: ignore[attr-defined]
