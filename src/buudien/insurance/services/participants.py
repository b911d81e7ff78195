"""People and households: one record per citizen id, a likely duplicate (the same name and
birth date) shown before a second record is made, consent to processing personal data kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal
from buudien.core.errors import DomainError, ErrorCode, StaleRecord
from buudien.core.ids import is_uuid, mask_citizen_id, normalise_phone, parse_citizen_id
from buudien.core.permissions import Target, require
from buudien.core.text import build_search_text, fold
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.models import Household, Participant
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

ACTION = "insurance.enrol"
SEXES = ("nam", "nu")
SI_DIGITS = 10


@dataclass(frozen=True, slots=True)
class PersonIn:
    """What the clerk types for one person."""

    citizen_id: str
    name: str
    birth_date: dt.date | None
    sex: str = ""
    phone: str = ""
    si_number: str = ""
    hamlet: str = ""
    commune_code: int | None = None
    household_id: str = ""
    relation: str = ""
    consent: bool = False
    # The clerk saw the likely duplicates and says this is another person.
    not_a_duplicate: bool = False


@dataclass(frozen=True, slots=True)
class HouseholdIn:
    head_name: str
    hamlet: str = ""
    address: str = ""
    code: str = ""
    commune_code: int | None = None


def name_key(name: str, birth_date: dt.date) -> str:
    """The folded name and the birth date: what two records of one person share."""
    return f"{fold(' '.join(name.split()))}|{birth_date.isoformat()}"


def _text(value: str, field: str, label: str, limit: int, *, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise DomainError(
            _("Hãy nhập %(what)s.") % {"what": label}, code=ErrorCode.INVALID, field=field
        )
    if len(text) > limit:
        raise DomainError(
            _("%(what)s tối đa %(n)s ký tự.") % {"what": label.capitalize(), "n": limit},
            code=ErrorCode.INVALID,
            field=field,
        )
    return text


def _birth_date(value: dt.date | None, today: dt.date) -> dt.date:
    if value is None:
        raise DomainError(_("Hãy nhập ngày sinh."), code=ErrorCode.INVALID, field="birth_date")
    if value > today or value.year < today.year - 120:
        raise DomainError(
            _("Ngày sinh %(d)s không hợp lệ.") % {"d": value.strftime("%d/%m/%Y")},
            code=ErrorCode.INVALID,
            field="birth_date",
        )
    return value


def _si_number(value: str) -> str | None:
    digits = (value or "").strip()
    if not digits:
        return None
    if not (digits.isdigit() and len(digits) == SI_DIGITS):
        raise DomainError(
            _("Mã số BHXH gồm đúng 10 chữ số."), code=ErrorCode.INVALID, field="si_number"
        )
    return digits


def _phone(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return normalise_phone(value)
    except DomainError as exc:
        raise DomainError(exc.message, code=ErrorCode.PHONE_INVALID, field="phone") from exc


def _citizen_id(value: str, birth_date: dt.date, today: dt.date) -> str:
    """A valid CCCD whose birth year is the person's."""
    try:
        parsed = parse_citizen_id(value, today=today)
    except DomainError as exc:
        raise DomainError(
            exc.message, code=ErrorCode.CITIZEN_ID_INVALID, field="citizen_id"
        ) from exc
    if parsed.birth_year != birth_date.year:
        raise DomainError(
            _("Số CCCD ghi năm sinh %(a)s, khác ngày sinh đã nhập (%(b)s).")
            % {"a": parsed.birth_year, "b": birth_date.strftime("%d/%m/%Y")},
            code=ErrorCode.CITIZEN_ID_INVALID,
            field="citizen_id",
        )
    return parsed.number


def _check_unique(
    citizen_id: str, si_number: str | None, key: str, *, other: Any, confirm: bool
) -> None:
    """The same citizen id or social-insurance number is refused; the same folded name and
    birth date is refused until the clerk says it is another person."""
    found = Participant.objects.filter(citizen_id=citizen_id).exclude(pk=other).first()
    if found is not None:
        raise InsuranceError(
            _("Số CCCD này đã có người tham gia: %(name)s (%(point)s).")
            % {"name": found.name, "point": found.point.name},
            code=InsuranceCode.DUPLICATE,
            field="citizen_id",
        )
    if si_number and Participant.objects.filter(si_number=si_number).exclude(pk=other).exists():
        raise InsuranceError(
            _("Mã số BHXH này đã thuộc một người tham gia khác."),
            code=InsuranceCode.DUPLICATE,
            field="si_number",
        )
    if confirm:
        return
    alike = Participant.objects.filter(name_key=key).exclude(pk=other).first()
    if alike is not None:
        raise InsuranceError(
            _(
                "Đã có người trùng họ tên và ngày sinh: %(name)s, CCCD %(id)s, %(point)s. Nếu "
                "đúng là người khác, hãy đánh dấu «Không phải người này» rồi lưu lại."
            )
            % {
                "name": alike.name,
                "id": mask_citizen_id(alike.citizen_id),
                "point": alike.point.name,
            },
            code=InsuranceCode.DUPLICATE,
            field="not_a_duplicate",
        )


def _household(value: str, point: PostUnit) -> Household | None:
    """The person's household, which must be one of the point's."""
    if not value:
        return None
    found = Household.objects.filter(pk=value, point=point).first() if is_uuid(value) else None
    if found is None:
        raise InsuranceError(
            _("Không tìm thấy hộ gia đình này tại điểm."),
            code=InsuranceCode.NOT_FOUND,
            field="household",
        )
    return found


def _fill(person: Participant, data: PersonIn, point: PostUnit, today: dt.date) -> None:
    person.name = _text(data.name, "name", _("họ tên"), 200, required=True)
    person.birth_date = _birth_date(data.birth_date, today)
    person.citizen_id = _citizen_id(data.citizen_id, person.birth_date, today)
    person.sex = data.sex if data.sex in SEXES else ""
    person.phone = _phone(data.phone)
    person.si_number = _si_number(data.si_number)
    person.hamlet = _text(data.hamlet, "hamlet", _("thôn, bản"), 120)
    person.relation = _text(data.relation, "relation", _("quan hệ với chủ hộ"), 40)
    person.household = _household(data.household_id, point)
    person.commune = (
        network_selectors.commune(code=data.commune_code) if data.commune_code else point.commune
    )
    person.name_key = name_key(person.name, person.birth_date)
    person.search_text = build_search_text(
        person.name, person.citizen_id, person.si_number or "", person.hamlet
    )


def _save(person: Participant) -> None:
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise InsuranceError(
            _("Số CCCD hoặc mã số BHXH này vừa được đăng ký cho người khác."),
            code=InsuranceCode.DUPLICATE,
            field="citizen_id",
        ) from None


@journal.operation("insurance.register_participant")
@transaction.atomic
def register_participant(*, actor: User, point: PostUnit, data: PersonIn) -> Participant:
    """Add a person at a point, with his consent to the processing of his personal data."""
    require(actor, ACTION, Target(path=point.path))
    if not data.consent:
        raise InsuranceError(
            _("Người tham gia cần đồng ý cho xử lý dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP)."),
            code=InsuranceCode.CONSENT,
            field="consent",
        )
    now = clock.now()
    person = Participant(point=point, consent_at=now, consent_by=actor)
    _fill(person, data, point, now.date())
    _check_unique(
        person.citizen_id,
        person.si_number,
        person.name_key,
        other=None,
        confirm=data.not_a_duplicate,
    )
    _save(person)
    audit.record(
        actor=actor,
        action="insurance.participant_registered",
        instance=person,
        before=None,
        after=audit.snapshot(person),
        unit_path=point.path,
    )
    return person


@journal.operation("insurance.update_participant")
@transaction.atomic
def update_participant(
    *, actor: User, participant: Participant, data: PersonIn, expected_version: int | None = None
) -> Participant:
    """Correct a person's record; a form opened before someone else's change is refused."""
    locked = Participant.objects.select_for_update().select_related("point").get(pk=participant.pk)
    require(actor, ACTION, Target(path=locked.point.path))
    if expected_version is not None and expected_version != locked.version:
        raise StaleRecord(_("Hồ sơ người tham gia vừa được người khác sửa; hãy mở lại."))
    before = audit.snapshot(locked)
    _fill(locked, data, locked.point, clock.now().date())
    _check_unique(
        locked.citizen_id, locked.si_number, locked.name_key, other=locked.pk, confirm=True
    )
    locked.version += 1
    _save(locked)
    audit.record(
        actor=actor,
        action="insurance.participant_updated",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.point.path,
    )
    return locked


@journal.operation("insurance.create_household")
@transaction.atomic
def create_household(*, actor: User, point: PostUnit, data: HouseholdIn) -> Household:
    """Open a household at a point; its members are added as participants."""
    require(actor, ACTION, Target(path=point.path))
    household = Household(
        point=point,
        head_name=_text(data.head_name, "head_name", _("tên chủ hộ"), 200, required=True),
        hamlet=_text(data.hamlet, "hamlet", _("thôn, bản"), 120),
        address=_text(data.address, "address", _("địa chỉ"), 300),
        code=_text(data.code, "code", _("mã hộ gia đình"), 20),
        commune=(
            network_selectors.commune(code=data.commune_code)
            if data.commune_code
            else point.commune
        ),
    )
    household.search_text = build_search_text(household.head_name, household.hamlet, household.code)
    household.save()
    audit.record(
        actor=actor,
        action="insurance.household_created",
        instance=household,
        before=None,
        after=audit.snapshot(household),
        unit_path=point.path,
    )
    return household
