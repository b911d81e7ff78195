"""Numbers set aside in blocks for a point's laptop, so offline numbering never collides.

The province reserves a block of each kind for a device (`reserve`) and the laptop keeps a
copy (`keep`); the laptop takes its numbers from it (`take`) and the province, numbering
for itself, steps around every reserved block (`is_reserved`)."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F, Min, Sum
from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.models import NumberBlock

# kind: (the numbers it draws from, a block's size). Dossier codes end in six digits;
# blocks are handed out from the top down, away from the province's random draws.
# A shift's series is needed only unique per point and day, so a laptop uses its one block
# of shift series again every day (as many shifts a day as the block holds). S10 serials are
# shared by every service's two letters, so an id is unique whatever its letters.
KINDS = {"dossier": (10**6 - 1, 500), "shift": (36**3 - 1, 20), "s10": (10**8 - 1, 1000)}
LOW = 0.5  # refill when less than half of what a device holds is left


def _left(holder: uuid.UUID, kind: str) -> int:
    left = (
        NumberBlock.objects.filter(holder=holder, kind=kind, next_value__lte=F("last"))
        .annotate(n=F("last") - F("next_value") + 1)
        .aggregate(total=Sum("n"))["total"]
    )
    return int(left or 0)


def _new_block(kind: str) -> tuple[int, int]:
    """The next free block below every block handed out (blocks are all of one size, so a
    clash on the first number is the only clash there can be)."""
    top, size = KINDS[kind]
    lowest = NumberBlock.objects.filter(kind=kind).aggregate(m=Min("first"))["m"]
    last = top if lowest is None else lowest - 1
    if last - size + 1 < 0:
        raise DomainError(_("Đã hết số dự trữ cho thiết bị."))
    return last - size + 1, last


def reserve(*, holder: uuid.UUID, kind: str) -> list[dict[str, int]]:
    """A device's blocks of `kind`, with a new one when less than half a block is left.
    Two devices asking at once may pick the same block: the unique first number refuses
    one of them, which takes the next block down."""
    _top, size = KINDS[kind]
    for _attempt in range(10):
        if _left(holder, kind) >= size * LOW:
            break
        first, last = _new_block(kind)
        try:
            with transaction.atomic():
                NumberBlock.objects.create(
                    kind=kind, holder=holder, first=first, last=last, next_value=first
                )
        except IntegrityError:
            continue
    blocks = NumberBlock.objects.filter(holder=holder, kind=kind, next_value__lte=F("last"))
    return [{"first": b.first, "last": b.last} for b in blocks.order_by("first")]


@transaction.atomic
def keep(*, holder: uuid.UUID, kind: str, blocks: list[dict[str, int]]) -> None:
    """The laptop's copy of its blocks: new ones added, used numbers kept used."""
    for block in blocks:
        NumberBlock.objects.get_or_create(
            kind=kind,
            first=block["first"],
            defaults={
                "holder": holder,
                "last": block["last"],
                "next_value": block["first"],
            },
        )


def take(*, holder: uuid.UUID, kind: str) -> int:
    """The laptop's next number of `kind`."""
    block = (
        NumberBlock.objects.select_for_update()
        .filter(holder=holder, kind=kind, next_value__lte=F("last"))
        .order_by("first")
        .first()
    )
    if block is None:
        raise DomainError(
            _("Máy đã dùng hết số dự trữ; hãy kết nối để đồng bộ rồi thử lại."), code=None
        )
    NumberBlock.objects.filter(pk=block.pk).update(next_value=F("next_value") + 1)
    return block.next_value


def is_reserved(kind: str, value: int) -> bool:
    return NumberBlock.objects.filter(kind=kind, first__lte=value, last__gte=value).exists()


def reserve_all(*, holder: uuid.UUID) -> dict[str, list[dict[str, int]]]:
    """Every kind's blocks for a device, refilled where low: what the laptop is sent."""
    return {kind: reserve(holder=holder, kind=kind) for kind in KINDS}


def keep_all(*, holder: uuid.UUID, blocks: dict[str, list[dict[str, int]]]) -> None:
    for kind, held in blocks.items():
        if kind in KINDS:
            keep(holder=holder, kind=kind, blocks=held)


def nth_of_block(*, holder: uuid.UUID, kind: str, n: int) -> int:
    """The laptop's `n`-th number of its first block of `kind` (used again every day)."""
    block = NumberBlock.objects.filter(holder=holder, kind=kind).order_by("first").first()
    if block is None:
        raise DomainError(
            _("Máy đã dùng hết số dự trữ; hãy kết nối để đồng bộ rồi thử lại."), code=None
        )
    if block.first + n > block.last:
        raise DomainError(
            _("Máy này đã mở %(n)s ca trong ngày, số ca tối đa một máy mở được trong một ngày.")
            % {"n": n},
            code=None,
        )
    return block.first + n
