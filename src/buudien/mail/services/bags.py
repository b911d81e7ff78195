"""Dispatch bags (túi thư): opened at a unit for another on a route, filled by scanning S10
ids, sealed, dispatched on a trip and received at the other end. Every step of an item is a
tracking event (bagged, dispatched, arrived), so its history shows where its bag went."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal, s10
from buudien.core.errors import DomainError
from buudien.core.permissions import Target, require
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import Bag, BagItem, PostalItem, Status, Trip
from buudien.mail.selectors import bags as bag_selectors
from buudien.mail.services.routes import route_units
from buudien.mail.services.tracking import record_event

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

S = Status
# What an item may be when it goes into a bag: just taken in, arrived on its way, going back.
BAGGABLE = frozenset({S.ACCEPTED, S.ARRIVED, S.RETURNING})
MAX_ITEMS = 2000
NUMBER_TRIES = 5


def _bad(message: str, field: str | None = None) -> MailError:
    return MailError(message, code=MailCode.BAG_INVALID, field=field)


def _lock(bag: Bag) -> Bag:
    return (
        Bag.objects.select_for_update(of=("self",))
        .select_related("origin", "destination")
        .get(pk=bag.pk)
    )


def _state(bag: Bag, wanted: str, doing: str) -> None:
    if bag.state != wanted:
        raise MailError(
            _("Túi %(number)s đang «%(state)s»: không %(doing)s được.")
            % {"number": bag.number, "state": Bag.State(bag.state).label, "doing": doing},
            code=MailCode.BAG_ALREADY_SETTLED,
        )


def _next_number(origin: PostUnit) -> str:
    """<origin code>-<yymmdd>-<seq>: the next free number of the unit's day."""
    prefix = f"{origin.code}-{clock.today():%y%m%d}-"
    taken = Bag.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    seqs = [int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()]
    return f"{prefix}{max(seqs, default=0) + 1:03d}"


@journal.operation("mail.open_bag")
@transaction.atomic
def open_bag(*, actor: User, origin: PostUnit, destination: PostUnit) -> Bag:
    """A new empty bag at a unit, for a unit a route carries it to."""
    require(actor, "mail.scan", Target(path=origin.path))
    if origin.pk == destination.pk:
        raise _bad(_("Nơi nhận túi phải khác nơi đóng túi."), "destination")
    # The destination must be one a route carries a bag to from here (refused by name).
    bag_selectors.destination(origin, destination.code)
    for _try in range(NUMBER_TRIES):
        number = journal.number("bag", lambda: _next_number(origin))
        try:
            with transaction.atomic():
                bag = Bag.objects.create(
                    number=number, origin=origin, destination=destination, created_by=actor
                )
            break
        except IntegrityError:  # the same number given at the same moment elsewhere
            continue
    else:
        raise MailError(_("Hãy thử lại: số túi vừa bị trùng."), code=MailCode.STALE)
    audit.record(
        actor=actor,
        action="mail.bag_opened",
        instance=bag,
        before=None,
        after=audit.snapshot(bag),
        unit_path=origin.path,
    )
    return bag


def _item(ident: str) -> PostalItem:
    try:
        code = s10.parse(ident)
    except DomainError as exc:
        raise MailError(exc.message, code=MailCode.INVALID, field="s10") from exc
    found = PostalItem.objects.filter(s10=code).select_related("current_unit").first()
    if found is None:
        raise MailError(
            _("Không có bưu gửi số hiệu %(id)s.") % {"id": code},
            code=MailCode.NOT_FOUND,
            field="s10",
        )
    return found


@journal.operation("mail.add_to_bag")
@transaction.atomic
def add_to_bag(*, actor: User, bag: Bag, s10: str) -> PostalItem:
    """Scan an item into an open bag: it must lie at the bag's unit, not in another bag."""
    locked = _lock(bag)
    require(actor, "mail.scan", Target(path=locked.origin.path))
    _state(locked, Bag.State.OPEN, _("cho thêm bưu gửi"))
    item = _item(s10)
    held = bag_selectors.item_bag(item)
    if held is not None:
        raise _bad(
            _("Bưu gửi %(id)s đã nằm trong túi %(number)s.")
            % {"id": item.s10, "number": held.number},
            "s10",
        )
    if item.current_unit_id != locked.origin_id:
        where = item.current_unit.name if item.current_unit else _("ngoài tỉnh")
        raise _bad(
            _("Bưu gửi %(id)s đang ở %(where)s, không ở %(origin)s: không đóng vào túi này được.")
            % {"id": item.s10, "where": where, "origin": locked.origin.name},
            "s10",
        )
    if item.status not in BAGGABLE:
        raise _bad(
            _("Bưu gửi %(id)s đang «%(state)s»: không đóng túi được.")
            % {"id": item.s10, "state": S(item.status).label},
            "s10",
        )
    if BagItem.objects.filter(bag=locked).count() >= MAX_ITEMS:
        raise _bad(_("Túi đã đủ %(n)s bưu gửi.") % {"n": MAX_ITEMS}, "s10")
    BagItem.objects.create(bag=locked, item=item)
    record_event(item=item, actor=actor, status=S.BAGGED, unit=locked.origin, note=locked.number)
    return item


@journal.operation("mail.remove_from_bag")
@transaction.atomic
def remove_from_bag(*, actor: User, bag: Bag, s10: str) -> PostalItem:
    """Take an item out of an open bag: it is back at the unit, to be bagged again."""
    locked = _lock(bag)
    require(actor, "mail.scan", Target(path=locked.origin.path))
    _state(locked, Bag.State.OPEN, _("lấy bưu gửi ra"))
    item = _item(s10)
    link = BagItem.objects.filter(bag=locked, item=item).first()
    if link is None:
        raise _bad(
            _("Bưu gửi %(id)s không có trong túi %(number)s.")
            % {"id": item.s10, "number": locked.number},
            "s10",
        )
    link.delete()
    # Bagged may only be followed by a move: the item is again "at the unit".
    record_event(
        item=item,
        actor=actor,
        status=S.ARRIVED,
        unit=locked.origin,
        note=_("Lấy ra khỏi túi %(number)s") % {"number": locked.number},
    )
    return item


@journal.operation("mail.close_bag")
@transaction.atomic
def close_bag(*, actor: User, bag: Bag) -> Bag:
    """Seal a bag that holds at least one item."""
    locked = _lock(bag)
    require(actor, "mail.scan", Target(path=locked.origin.path))
    _state(locked, Bag.State.OPEN, _("niêm phong"))
    if not BagItem.objects.filter(bag=locked).exists():
        raise _bad(_("Túi rỗng: hãy cho bưu gửi vào trước khi niêm phong."), "s10")
    before = audit.snapshot(locked)
    locked.state = Bag.State.CLOSED
    locked.closed_at = clock.now()
    locked.save()
    _audit(actor, "mail.bag_closed", locked, before, locked.origin)
    bag.state, bag.closed_at = locked.state, locked.closed_at
    return locked


def _items_of(bag: Bag) -> list[PostalItem]:
    return list(
        PostalItem.objects.filter(pk__in=BagItem.objects.filter(bag=bag).values("item")).order_by(
            "s10"
        )
    )


@journal.operation("mail.dispatch_bag")
@transaction.atomic
def dispatch_bag(*, actor: User, bag: Bag, trip: Trip) -> Bag:
    """A sealed bag leaves on a trip whose route carries it to its destination."""
    locked = _lock(bag)
    require(actor, "mail.scan", Target(path=locked.origin.path))
    _state(locked, Bag.State.CLOSED, _("chuyển đi"))
    run = Trip.objects.select_for_update(of=("self",)).select_related("route").get(pk=trip.pk)
    if run.arrived_at is not None:
        raise _bad(_("Chuyến thư này đã kết thúc."), "trip")
    units = [u.pk for u in route_units(run.route)]
    if not bag_selectors.carries(units, locked.origin_id, locked.destination_id):
        raise _bad(
            _("Tuyến %(route)s không chở túi từ %(origin)s đến %(destination)s.")
            % {
                "route": run.route.code,
                "origin": locked.origin.name,
                "destination": locked.destination.name,
            },
            "trip",
        )
    when = clock.now()
    for item in _items_of(locked):
        record_event(
            item=item,
            actor=actor,
            status=S.DISPATCHED,
            unit=locked.origin,
            note=run.route.code,
            at=when,
        )
    before = audit.snapshot(locked)
    locked.state = Bag.State.DISPATCHED
    locked.trip = run
    locked.dispatched_at = when
    locked.save()
    if run.departed_at is None:
        run.departed_at = when
        run.save(update_fields=["departed_at", "updated_at"])
    _audit(actor, "mail.bag_dispatched", locked, before, locked.origin)
    return locked


@journal.operation("mail.receive_bag")
@transaction.atomic
def receive_bag(*, actor: User, bag: Bag) -> Bag:
    """The bag reached its destination: each item in it arrived there."""
    locked = _lock(bag)
    require(actor, "mail.scan", Target(path=locked.destination.path))
    _state(locked, Bag.State.DISPATCHED, _("nhận"))
    when = clock.now()
    for item in _items_of(locked):
        record_event(
            item=item,
            actor=actor,
            status=S.ARRIVED,
            unit=locked.destination,
            note=locked.number,
            at=when,
        )
    before = audit.snapshot(locked)
    locked.state = Bag.State.RECEIVED
    locked.received_at = when
    locked.save()
    _audit(actor, "mail.bag_received", locked, before, locked.destination)
    return locked


def _audit(actor: User, action: str, bag: Bag, before: dict[str, Any], unit: PostUnit) -> None:
    audit.record(
        actor=actor,
        action=action,
        instance=bag,
        before=before,
        after=audit.snapshot(bag),
        unit_path=unit.path,
    )
