"""A pension line payable today at point A1, for the counter's basket."""

from __future__ import annotations

from django.utils import timezone

from buudien.core.models import Role, User
from buudien.core.text import build_search_text
from buudien.payouts.models import Beneficiary, Payout, PayoutList
from tests.conftest import Tree
from tests.payouts.conftest import pension_programme


def pension_today(
    tree: Tree,
    users: dict[str, User],
    *,
    name: str = "Hoàng Thị Mến",
    citizen_id: str = "004150000123",
    amount: int = 3_200_000,
    status: str = "active",
) -> Payout:
    """A pending line of this month's pension list, in a window open every day."""
    programme = pension_programme(tree.province)
    programme.window_start, programme.window_end = 1, 31
    programme.save()
    month = timezone.localdate().replace(day=1)
    payout_list, _ = PayoutList.objects.get_or_create(
        programme=programme, month=month, defaults={"imported_by": users[Role.PROVINCE_MANAGER]}
    )
    person = Beneficiary.objects.create(
        citizen_id=citizen_id,
        name=name,
        point=tree.point_a1,
        status=status,
        search_text=build_search_text(name, citizen_id),
    )
    return Payout.objects.create(
        list=payout_list,
        beneficiary=person,
        point=tree.point_a1,
        row=Payout.objects.count() + 1,
        amount=amount,
        method="counter",
    )
