"""Enrolment and renewal: the months each person's payment covers (a renewal goes on from
the end of the paid period, never from today), their price under the rules of each month,
the money through the counter's ledger once, the covers moved on, all in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal
from buudien.core.errors import DomainError, ErrorCode
from buudien.core.ids import is_uuid
from buudien.core.permissions import Target, require
from buudien.counter import services as counter_services
from buudien.counter.services import EntryRequest
from buudien.insurance import premium
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.models import (
    Category,
    Cover,
    Household,
    ModeCode,
    Participant,
    Payment,
    PaymentLine,
    Scheme,
)
from buudien.insurance.periods import ONE_DAY, first_of_month, months_between
from buudien.insurance.selectors import rules as rule_selectors
from buudien.insurance.selectors.participants import participants
from buudien.insurance.services import rollups

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.core.scoping import Actor
    from buudien.counter.models import CounterSession
    from buudien.network.models import PostUnit

ACTION = "insurance.enrol"
SOURCE = "insurance.payment"
MAX_MEMBERS = 30


@dataclass(frozen=True, slots=True)
class MemberIn:
    """One person of a payment, as the form or the API sends him."""

    participant_id: str
    income: int | None = None
    category: str = Category.OTHER
    evidence: str = ""
    # The end of his paid period as the clerk saw it (none: he had no cover), when `checked`:
    # a payment made meanwhile elsewhere is refused instead of being taken a second time.
    paid_until_seen: dt.date | None = None
    checked: bool = False


@dataclass(frozen=True, slots=True)
class EnrolmentIn:
    scheme: str
    mode: str
    months: int
    members: tuple[MemberIn, ...]
    payer_name: str = ""
    at_home: bool = False
    request_key: str = ""


@dataclass(frozen=True)
class Plan:
    """A payment before it is taken: who, which covers, the quote."""

    scheme: Scheme
    people: list[Participant]
    covers: list[Cover | None]
    quote: premium.Quote
    household: Household | None
    paid_on: dt.date

    @property
    def lines(self) -> list[premium.CalcLine]:
        return premium.calculation(self.quote)


def _participants(user: Actor, members: tuple[MemberIn, ...], *, lock: bool) -> list[Participant]:
    """The people named, each once and each in the user's scope."""
    if not members:
        raise InsuranceError(
            _("Cần ít nhất một người tham gia."), code=InsuranceCode.INVALID, field="members"
        )
    if len(members) > MAX_MEMBERS:
        raise InsuranceError(
            _("Một lần đóng tối đa %(n)s người.") % {"n": MAX_MEMBERS},
            code=InsuranceCode.INVALID,
            field="members",
        )
    ids = [m.participant_id for m in members]
    qs = participants(user=user).filter(pk__in=[i for i in ids if is_uuid(i)])
    found = {str(p.pk): p for p in (qs.select_for_update(of=("self",)) if lock else qs)}
    people: list[Participant] = []
    for n, pid in enumerate(ids, start=1):
        person = found.get(str(pid))
        if person is None:
            raise InsuranceError(
                _("Người thứ %(n)s: không tìm thấy người tham gia này.") % {"n": n},
                code=InsuranceCode.NOT_FOUND,
                field="members",
            )
        if person in people:
            raise InsuranceError(
                _("%(who)s có tên hai lần trong cùng một lần đóng.") % {"who": person.name},
                code=InsuranceCode.MEMBER_TWICE,
                field="members",
            )
        people.append(person)
    return people


def _household(scheme: Scheme, people: list[Participant]) -> Household | None:
    """Household health insurance is paid by one household for its own members."""
    if scheme.code != premium.HEALTH:
        return None
    homes = {p.household_id for p in people}
    if None in homes:
        who = next(p.name for p in people if p.household_id is None)
        raise InsuranceError(
            _("%(who)s chưa thuộc hộ gia đình nào; BHYT hộ gia đình đóng theo hộ.") % {"who": who},
            code=InsuranceCode.INVALID,
            field="members",
        )
    if len(homes) > 1:
        raise InsuranceError(
            _("Những người trong một lần đóng BHYT phải cùng một hộ gia đình."),
            code=InsuranceCode.INVALID,
            field="members",
        )
    return people[0].household


def _start(
    scheme: Scheme, cover: Cover | None, *, mode: str, months: int, paid_on: dt.date, waiting: int
) -> dt.date:
    """Where this payment's months begin for one person."""
    month = first_of_month(paid_on)
    if mode == ModeCode.BACK_PAY:
        if cover is None or cover.paid_until + ONE_DAY >= month:
            raise InsuranceError(
                _("Không có tháng nào còn thiếu để đóng bù."),
                code=InsuranceCode.MODE,
                field="mode",
            )
        start = cover.paid_until + ONE_DAY
        missing = months_between(start, month)
        if months > missing:
            raise InsuranceError(
                _("Chỉ còn thiếu %(n)s tháng để đóng bù.") % {"n": missing},
                code=InsuranceCode.MODE,
                field="months",
            )
        return start
    if scheme.code == premium.VOLUNTARY:
        if cover is not None and cover.paid_until + ONE_DAY >= month:
            return cover.paid_until + ONE_DAY
        return month
    if cover is not None and cover.paid_until >= paid_on - ONE_DAY:
        return cover.paid_until + ONE_DAY
    return paid_on + dt.timedelta(days=waiting)


def _already_covered(household: Household | None, people: list[Participant], day: dt.date) -> int:
    """Members of the household covered on the day and not in this payment: they come first."""
    if household is None:
        return 0
    paying = {p.pk for p in people}
    others = [pk for pk in household.members.values_list("pk", flat=True) if pk not in paying]
    return Cover.objects.filter(
        scheme_id=premium.HEALTH, participant_id__in=others, paid_until__gte=day
    ).count()


def _covers(scheme: Scheme, people: list[Participant], *, lock: bool) -> dict[Any, Cover]:
    """Each person's cover in the scheme, if he has one (looked up by person: one or two
    covers each, whatever the planner thinks of the scheme's many)."""
    qs = Cover.objects.filter(participant_id__in=[p.pk for p in people])
    if lock:
        qs = qs.select_for_update()
    return {c.participant_id: c for c in qs if c.scheme_id == scheme.code}


def _check_member(scheme: Scheme, member: MemberIn, person: Participant) -> None:
    if member.category not in Category.values:
        raise InsuranceError(
            _("%(who)s: đối tượng hỗ trợ không hợp lệ.") % {"who": person.name},
            code=InsuranceCode.INVALID,
            field="category",
        )
    if scheme.code == premium.VOLUNTARY and not member.income:
        raise InsuranceError(
            _("%(who)s: hãy nhập thu nhập chọn đóng.") % {"who": person.name},
            code=InsuranceCode.INCOME,
            field="income",
        )


def plan(
    *, user: Actor, point: PostUnit, data: EnrolmentIn, paid_on: dt.date, lock: bool = False
) -> Plan:
    """What the payment would be: checked in full, nothing written."""
    scheme = rule_selectors.chosen_scheme(data.scheme)
    book = rule_selectors.rule_book(scheme.code)
    premium.check_mode(book, mode=data.mode, months=data.months, day=paid_on)
    people = _participants(user, data.members, lock=lock)
    household = _household(scheme, people)
    covers = _covers(scheme, people, lock=lock)
    waiting = book.rate(paid_on).waiting_days
    earlier = _already_covered(household, people, paid_on)
    members: list[premium.Member] = []
    for n, (member, person) in enumerate(zip(data.members, people, strict=True), start=1):
        _check_member(scheme, member, person)
        cover = covers.get(person.pk)
        _check_seen(member, person, cover)
        start = _start(
            scheme, cover, mode=data.mode, months=data.months, paid_on=paid_on, waiting=waiting
        )
        members.append(
            premium.Member(
                name=person.name,
                start=start,
                order=earlier + n,
                income=member.income if scheme.code == premium.VOLUNTARY else None,
                category=member.category if scheme.code == premium.VOLUNTARY else Category.OTHER,
                evidence=member.evidence,
                supported_months=cover.supported_months if cover else 0,
            )
        )
    quote = premium.quote(
        book, mode=data.mode, months=data.months, members=members, paid_on=paid_on
    )
    return Plan(scheme, people, [covers.get(p.pk) for p in people], quote, household, paid_on)


def _check_seen(member: MemberIn, person: Participant, cover: Cover | None) -> None:
    """A form opened before someone else's payment for the same person is refused."""
    if not member.checked and member.paid_until_seen is None:
        return
    now = cover.paid_until if cover else None
    if now != member.paid_until_seen:
        raise InsuranceError(
            _(
                "%(who)s vừa được đóng tiền ở nơi khác (nay đã đóng đến %(d)s); hãy mở lại để "
                "không thu hai lần."
            )
            % {"who": person.name, "d": now.strftime("%d/%m/%Y") if now else "—"},
            code=InsuranceCode.ALREADY_SETTLED,
            field="members",
        )


def preview(*, user: Actor, point: PostUnit, data: EnrolmentIn) -> Plan:
    """The price and the calculation line by line, for the form before it is saved."""
    require(user, ACTION, Target(path=point.path))  # type: ignore[arg-type]
    return plan(user=user, point=point, data=data, paid_on=timezone.localdate(clock.now()))


def _existing(point: PostUnit, data: EnrolmentIn) -> Payment | None:
    """The payment a repeated submission already made (same request key at the point)."""
    if not data.request_key:
        return None
    found = Payment.objects.filter(point=point, request_key=data.request_key[:64]).first()
    if found is None:
        return None
    same = (
        found.scheme_id == data.scheme
        and found.months == data.months
        and sorted(str(i) for i in found.lines.values_list("participant_id", flat=True))
        == sorted(str(m.participant_id) for m in data.members)
    )
    if not same:
        raise InsuranceError(
            _("Khóa yêu cầu này đã dùng cho một lần đóng khác."),
            code=InsuranceCode.IDEMPOTENCY_CONFLICT,
            field="request_key",
        )
    return found


def _payer(data: EnrolmentIn, people: list[Participant]) -> str:
    name = " ".join((data.payer_name or "").split()) or people[0].name
    if len(name) > 200:
        raise DomainError(
            _("Tên người nộp tối đa 200 ký tự."), code=ErrorCode.INVALID, field="payer_name"
        )
    return name


def _cover(
    planned: Plan, person: Participant, cover: Cover | None, member: MemberIn, pq: Any
) -> tuple[Cover, bool]:
    """The person's cover moved on to the end of this payment (made on his first one)."""
    is_new = cover is None
    if cover is None:
        cover = Cover(
            participant=person,
            scheme=planned.scheme,
            point=person.point,
            first_from=pq.period_from,
            paid_until=pq.period_to,
        )
    cover.mode = planned.quote.mode
    cover.income = pq.member.income
    cover.category = pq.member.category
    cover.evidence = member.evidence.strip()[:200]
    cover.paid_until = max(cover.paid_until, pq.period_to)
    cover.supported_months += pq.supported_months
    return cover, is_new


def _post(payment: Payment, session: CounterSession, clerk: User) -> None:
    posted = counter_services.post_entries(
        session=session,
        clerk=clerk,
        requests=[
            EntryRequest(
                idempotency_key=f"insurance:{payment.pk}",
                service_code=payment.scheme.service_code,
                amount=payment.total,
                customer_name=payment.payer_name,
                source_type=SOURCE,
                source_id=str(payment.pk),
                settles=f"insurance.payment:{payment.pk}",
            )
        ],
    )
    payment.entry_id = posted[0].entry.pk
    payment.receipt_no = posted[0].entry.receipt_no
    payment.save(update_fields=["entry_id", "receipt_no"])


@journal.operation("insurance.enrol")
@transaction.atomic
def enrol(*, session: CounterSession, clerk: User, data: EnrolmentIn) -> Payment:
    """Take one payment for one or several people of a scheme, exactly once."""
    counter_services.check_session(session, clerk)
    point = session.unit
    require(clerk, ACTION, Target(path=point.path))
    found = _existing(point, data)
    if found is not None:
        return found
    now = clock.now()
    planned = plan(user=clerk, point=point, data=data, paid_on=timezone.localdate(now), lock=True)
    payment = Payment.objects.create(
        scheme=planned.scheme,
        point=point,
        household=planned.household,
        payer_name=_payer(data, planned.people),
        mode=data.mode,
        months=data.months,
        at_home=data.at_home,
        total=planned.quote.total,
        support=planned.quote.support,
        paid_at=now,
        business_date=session.business_date,
        clerk=clerk,
        session_id=session.pk,
        request_key=data.request_key[:64],
    )
    new_people = _write_lines(planned, payment, data)
    _post(payment, session, clerk)
    rollups.count(
        unit_id=point.pk,
        day=session.business_date,
        scheme_id=planned.scheme.code,
        enrolments=len(planned.people),
        new_people=new_people,
        amount=payment.total,
    )
    audit.record(
        actor=clerk,
        action="insurance.paid",
        instance=payment,
        before=None,
        after=audit.snapshot(payment),
        unit_path=point.path,
    )
    return payment


def _write_lines(planned: Plan, payment: Payment, data: EnrolmentIn) -> int:
    """Each person's line and cover; the number of people new to the scheme."""
    new_people = 0
    rows = zip(planned.people, planned.covers, data.members, planned.quote.people, strict=True)
    for person, cover, member, pq in rows:
        before = audit.snapshot(cover) if cover else None
        saved, is_new = _cover(planned, person, cover, member, pq)
        new_people += is_new
        try:
            with transaction.atomic():
                saved.save()
                PaymentLine.objects.create(
                    payment=payment,
                    cover=saved,
                    participant=person,
                    period_from=pq.period_from,
                    period_to=pq.period_to,
                    months=pq.months,
                    member_order=pq.member.order,
                    income=pq.member.income,
                    category=pq.member.category,
                    gross=pq.gross,
                    support=pq.support,
                    amount=pq.amount,
                    supported_months=pq.supported_months,
                    detail=[s.as_dict() for s in pq.spans],
                    is_new=is_new,
                )
        except IntegrityError:
            raise InsuranceError(
                _("%(who)s đã được đóng cho những tháng này; không thu hai lần.")
                % {"who": person.name},
                code=InsuranceCode.ALREADY_SETTLED,
                field="members",
            ) from None
        audit.record(
            actor=payment.clerk,
            action="insurance.cover_paid",
            instance=saved,
            before=before,
            after=audit.snapshot(saved),
            unit_path=person.point.path,
        )
    return new_people
