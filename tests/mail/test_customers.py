"""Customers: one record per phone at a unit, found without accents, scoped to the user's
units, edited with a check for a stale form, and their mail this year and last."""

from __future__ import annotations

import pytest
from django.test import Client

from buudien.core.audit import history
from buudien.core.errors import DomainError, Forbidden, NotFound
from buudien.core.models import Role, User
from buudien.counter import selectors
from buudien.counter.models import CounterSession, Customer
from buudien.counter.services import create_customer, update_customer
from buudien.mail.services.acceptance import accept
from tests.conftest import Tree
from tests.mail.conftest import Places, parcel

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shop(tree: Tree, users: dict[str, User]) -> Customer:
    return create_customer(
        actor=users[Role.CLERK],
        unit=tree.point_a1,
        name="Hợp tác xã Chè Phìn Hồ",
        kind=Customer.Kind.OCOP,
        phone="+84 912 345 678",
        contract_no="HD-12/2025",
    )


def test_a_customer_is_saved_with_its_phone_normalised_and_audited(shop: Customer) -> None:
    assert shop.phone == "0912345678"
    assert history(shop).filter(action="counter.customer_created").exists()


def test_a_second_customer_with_the_same_phone_at_the_unit_is_refused_by_name(
    shop: Customer, tree: Tree, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError) as caught:
        create_customer(
            actor=users[Role.CLERK], unit=tree.point_a1, name="Người khác", phone="0912345678"
        )
    assert caught.value.field == "phone" and "Hợp tác xã Chè Phìn Hồ" in caught.value.message
    # Another unit may have its own customer with this phone.
    other = create_customer(
        actor=users[Role.AREA_MANAGER], unit=tree.point_a2, name="Người khác", phone="0912345678"
    )
    assert other.unit == tree.point_a2


def test_a_clerk_may_not_add_a_customer_at_another_point(
    tree: Tree, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError):
        create_customer(actor=users[Role.CLERK], unit=tree.point_b1, name="Ngoài phạm vi")
    with pytest.raises(Forbidden):
        create_customer(actor=users[Role.AUDITOR], unit=tree.point_b1, name="Chỉ được xem")
    assert not Customer.objects.exists()


def test_search_finds_a_name_typed_without_accents_and_by_kind(
    shop: Customer, tree: Tree, users: dict[str, User]
) -> None:
    create_customer(actor=users[Role.CLERK], unit=tree.point_a1, name="Lò Văn Pó")
    clerk = users[Role.CLERK]
    assert list(selectors.customers(clerk, "che phin ho")) == [shop]
    assert list(selectors.customers(clerk, "HD-12")) == [shop]
    assert [c.name for c in selectors.customers(clerk, "", "person")] == ["Lò Văn Pó"]
    # Scoped: the auditor of area B sees no customer of point A1.
    assert not selectors.customers(users[Role.AUDITOR], "che").exists()
    with pytest.raises(NotFound):
        selectors.customer(users[Role.AUDITOR], shop.pk)


def test_a_stale_edit_is_refused_and_a_fresh_one_saved(
    shop: Customer, users: dict[str, User]
) -> None:
    clerk = users[Role.CLERK]
    changed = update_customer(
        actor=clerk, customer=shop, name="HTX Chè Phìn Hồ", kind="ocop", expected_version=1
    )
    assert (changed.name, changed.phone, changed.version) == ("HTX Chè Phìn Hồ", "", 2)
    with pytest.raises(DomainError) as caught:
        update_customer(actor=clerk, customer=shop, name="Cũ", kind="ocop", expected_version=1)
    assert caught.value.code == "core.stale"


def test_the_customers_page_searches_masks_phones_and_adds_a_customer(
    shop: Customer, users: dict[str, User]
) -> None:
    client = _client(users[Role.CLERK])
    page = client.get("/mail/customers/?q=phin ho").content.decode()
    assert "Hợp tác xã Chè Phìn Hồ" in page and "0912***678" in page and "0912345678" not in page
    answer = client.post(
        "/mail/customers/new/",
        {"name": "Cửa hàng Tạp hóa Bằng", "kind": "shop", "phone": "0987 654 321"},
    )
    made = Customer.objects.get(name="Cửa hàng Tạp hóa Bằng")
    assert answer["Location"] == f"/mail/customers/{made.pk}/"
    refused = client.post(
        "/mail/customers/new/", {"name": "Trùng số", "kind": "person", "phone": "0987654321"}
    )
    assert refused.status_code == 422
    assert "Cửa hàng Tạp hóa Bằng" in refused.content.decode()
    assert 'value="Trùng số"' in refused.content.decode()


def test_an_auditor_sees_customers_but_may_not_add_one(tree: Tree, users: dict[str, User]) -> None:
    create_customer(actor=users[Role.PROVINCE_MANAGER], unit=tree.point_b1, name="Khách Bảo Lạc")
    auditor = _client(users[Role.AUDITOR])
    page = auditor.get("/mail/customers/").content.decode()
    assert "Khách Bảo Lạc" in page and 'data-testid="new-customer"' not in page
    assert auditor.post("/mail/customers/new/", {"name": "X", "kind": "person"}).status_code == 403


def test_the_customer_page_shows_the_phone_in_full_and_this_years_mail(
    shop: Customer, shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    clerk = users[Role.CLERK]
    for _i in range(2):
        accept(session=shift, clerk=clerk, data=parcel(places.b1, customer_id=str(shop.pk)))
    page = _client(clerk).get(f"/mail/customers/{shop.pk}/").content.decode()
    assert 'data-testid="phone">0912345678<' in page
    volumes = page[page.index('data-testid="volumes"') :]
    assert "<td>2</td><td>72.000</td>" in volumes  # two 1.5 kg parcels at 36,000


def test_the_customer_page_saves_an_edit_and_names_a_bad_phone(
    shop: Customer, users: dict[str, User]
) -> None:
    client = _client(users[Role.CLERK])
    url = f"/mail/customers/{shop.pk}/"
    bad = client.post(url, {"name": "HTX", "kind": "ocop", "phone": "12345", "version": "1"})
    assert bad.status_code == 422 and 'data-testid="error-phone"' in bad.content.decode()
    ok = client.post(
        url, {"name": "HTX Phìn Hồ", "kind": "ocop", "phone": "0912345678", "version": "1"}
    )
    assert ok.status_code == 302
    shop.refresh_from_db()
    assert shop.name == "HTX Phìn Hồ"
