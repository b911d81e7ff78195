"""Public tracking by S10 id: what every post's tracking page shows, and nothing personal
(no sender, no phones, no addresses, no clerk, no device; the receiver as initials only)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from buudien.core import s10, throttle
from buudien.core.errors import DomainError, Throttled
from buudien.mail.models import PostalItem, Reason, Status, TrackingEvent

MAX_IDS = 10
MAX_TEXT = 400  # ten ids with their separators, and room for spaces typed inside them
# Well-formed ids that match no item, per address: enough for a family's parcels and typing
# slips, too few to walk a range of serials.
UNKNOWN_PER_ADDRESS = 30
UNKNOWN_WINDOW = dt.timedelta(minutes=15)
_LISTS = re.compile(r"[,;\n]+")


@dataclass(frozen=True)
class TrackStep:
    at: dt.datetime
    status: str
    label: str
    reason: str  # the reason's label where a delivery failed or the item goes back
    place: str  # the unit's name


@dataclass(frozen=True)
class TrackView:
    s10: str
    service: str
    status: str
    status_label: str
    destination: str
    delivered_to: str  # initials only: "H. V. P."
    events: list[TrackStep] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class Answer:
    """One id as typed: its item, or the message that says why there is none."""

    typed: str
    s10: str = ""
    view: TrackView | None = None
    error: str = ""  # a malformed id: what is wrong in it
    unknown: str = ""  # a well-formed id no item has


def initials(name: str) -> str:
    """A name as its initials: "Hoàng Văn Pháo" is "H. V. P."."""
    return " ".join(word[0].upper() + "." for word in name.split())


def split_ids(text: str) -> list[str]:
    """The ids typed in one box, separated by commas, semicolons, new lines or spaces (an id
    typed with spaces inside it, "RR 123 456 785 VN", stays one id)."""
    found: list[str] = []
    for part in _LISTS.split(text[:MAX_TEXT]):
        words = part.split()
        if len("".join(words)) <= len("RR123456785VN"):
            found += ["".join(words)] if words else []
        else:
            found += words
    return list(dict.fromkeys(found))[:MAX_IDS]


@cache
def _labels(language: str | None) -> dict[str, str]:
    """The statuses' and reasons' labels in a language (looked up once, not once an event)."""
    with override(language):
        return {str(v): str(label) for v, label in (*Status.choices, *Reason.choices)}


def _service_name(name: str, name_en: str, language: str | None) -> str:
    return name_en if name_en and (language or "").startswith("en") else name


ITEM_COLUMNS = (
    "pk",
    "s10",
    "status",
    "delivered_to",
    "service__name",
    "service__name_en",
    "receiver_commune__name",
    "receiver_commune__province__name",
)
EVENT_COLUMNS = ("at", "status", "reason", "unit__name")
_ITEM_KEY = PostalItem._meta.get_field("id")


def _item_query(code: Any) -> QuerySet[PostalItem, tuple[Any, ...]]:
    """The item by its unique S10 id, with its service and its destination commune."""
    return PostalItem.objects.filter(s10=code).values_list(*ITEM_COLUMNS).order_by()[:1]


def _events_query(item_id: Any) -> QuerySet[TrackingEvent, tuple[Any, ...]]:
    """Its events by the (item, at) index, newest first, with their unit's name."""
    return (
        TrackingEvent.objects.filter(item_id=item_id)
        .values_list(*EVENT_COLUMNS)
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class _Prepared:
    sql: str
    compiler: SQLCompiler
    converters: dict[int, Any]

    def run(self, cursor: Any, param: Any) -> list[Any]:
        cursor.execute(self.sql, [param])
        rows = cursor.fetchall()
        if self.converters:
            return list(self.compiler.apply_converters(rows, self.converters))
        return list(rows)


def _prepare(query: QuerySet[Any, Any], wrapper: BaseDatabaseWrapper) -> _Prepared:
    compiler = query.query.get_compiler(connection=wrapper)
    sql, _params = compiler.as_sql()
    fields = [column[0] for column in compiler.select]
    return _Prepared(sql, compiler, compiler.get_converters(fields))


# The two queries' SQL, made by the ORM from the querysets above once per connection (one a
# thread): compiling them again at each look-up cost ten times the queries themselves.
_PREPARED: WeakKeyDictionary[BaseDatabaseWrapper, tuple[_Prepared, _Prepared]] = WeakKeyDictionary()


def _prepared(wrapper: BaseDatabaseWrapper) -> tuple[_Prepared, _Prepared]:
    found = _PREPARED.get(wrapper)
    if found is None:
        found = (
            _prepare(_item_query(""), wrapper),
            _prepare(_events_query(uuid.UUID(int=0)), wrapper),
        )
        _PREPARED[wrapper] = found
    return found


def track(code: str) -> TrackView | None:
    """An item by its S10 id (as `s10.parse` gives it) with its events, newest first: two
    indexed queries, the item by its unique id, then its events by the (item, at) index."""
    wrapper = connections[DEFAULT_DB_ALIAS]  # this thread's connection
    item_sql, events_sql = _prepared(wrapper)
    with wrapper.cursor() as cursor:
        found = item_sql.run(cursor, code)
        if not found:
            return None
        pk, s10_id, status, delivered_to, service, service_en, commune, province = found[0]
        rows = events_sql.run(cursor, _ITEM_KEY.get_db_prep_value(pk, wrapper))
    language = get_language()
    labels = _labels(language)
    return TrackView(
        s10=s10_id,
        service=_service_name(service, service_en, language),
        status=status,
        status_label=labels.get(status, status),
        destination=f"{commune}, {province}",
        delivered_to=initials(delivered_to) if status == Status.DELIVERED else "",
        events=[
            TrackStep(
                at=at,
                status=step,
                label=labels.get(step, step),
                reason=labels.get(reason, "") if reason else "",
                place=unit or "",
            )
            for at, step, reason, unit in rows
        ],
    )


def _budgets(address: str) -> list[throttle.Budget]:
    return [throttle.Budget(("track", address), UNKNOWN_PER_ADDRESS, UNKNOWN_WINDOW)]


def look_up(text: str, *, address: str) -> list[Answer]:
    """Each id typed, answered in the order typed; well-formed ids that match nothing are
    counted against the caller's address, so that walking through serials is slow."""
    budgets = _budgets(address)
    if throttle.spent(budgets) is not None:
        raise Throttled(_("Bạn đã tra cứu nhiều số hiệu không có thật. Hãy thử lại sau 15 phút."))
    answers: list[Answer] = []
    unknown = 0
    for typed in split_ids(text):
        try:
            code = s10.parse(typed)
        except DomainError as exc:
            answers.append(Answer(typed=typed[:20], error=exc.message))
            continue
        view = track(code)
        if view is None:
            unknown += 1
            message = _(
                "Không tìm thấy bưu gửi %(id)s. Hãy kiểm tra lại số hiệu trên biên lai; bưu gửi "
                "vừa gửi có thể chưa có trên hệ thống."
            ) % {"id": code}
            answers.append(Answer(typed=typed, s10=code, unknown=message))
        else:
            answers.append(Answer(typed=typed, s10=code, view=view))
    if unknown:
        throttle.fail(budgets * unknown)
    if not answers:
        answers.append(Answer(typed="", error=_("Hãy nhập số hiệu bưu gửi (ví dụ RR123456785VN).")))
    return answers
