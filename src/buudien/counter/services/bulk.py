"""The bulk door: closed shifts of past days, written at once by the rules of the counter.

For the history a province brings from its old system, and for the demo's years: hundreds of
thousands of entries in one call. Each entry is checked and priced like one posted at the
counter (`ledger.price`: the service offered at the unit, the tariff in force on its day, the
amount and the revenue computed), each key once per point (a retry of the same request is
skipped, another request under a used key refused), each settlement once; each shift is
closed and balanced, with its totals and its receipt numbers. The rows go in with bulk
inserts (COPY on PostgreSQL) and the rollups are rebuilt once, in the database, for the
months touched, instead of an upsert per entry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.bulk import insert_rows, paused_gc
from buudien.core.errors import DomainError
from buudien.core.permissions import Target, require
from buudien.core.uuids import uuid7
from buudien.counter.errors import CounterCode, CounterError
from buudien.counter.models import CounterSession, LedgerEntry, Service
from buudien.counter.services.ledger import (
    Catalogue,
    EntryRequest,
    at_entry,
    check_key,
    check_settlements,
    key_conflict,
    price,
    receipt_prefix,
)
from buudien.counter.services.rollups import rebuild_rollups

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

# The change a drawer opens with, on top of the cash the shift pays out, when the old
# system did not keep the opening count.
DEFAULT_FLOAT = 2_000_000
# Entries written per round trip, and held in memory at once.
CHUNK = 20_000
OPENS, CLOSES = dt.time(7, 0), dt.time(17, 0)
ID_ROOM = 0xFFFF_FFFF

ENTRY_COLUMNS = (
    "id",
    "idempotency_key",
    "request_digest",
    "settles",
    "receipt_no",
    "unit_id",
    "clerk_id",
    "session_id",
    "service_id",
    "line",
    "business_date",
    "occurred_at",
    "quantity",
    "amount",
    "direction",
    "revenue",
    "method",
    "customer_name",
    "customer_phone",
    "customer_id_no",
    "source_type",
    "source_id",
    "reason",
    "created_at",
)
SESSION_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "version",
    "unit_id",
    "clerk_id",
    "business_date",
    "status",
    "opened_at",
    "opening_cash",
    "cash_in",
    "cash_out",
    "entries_count",
    "revenue",
    "closed_at",
    "counted_cash",
    "expected_cash",
    "discrepancy_reason",
)


@dataclass(frozen=True, slots=True)
class PastShift:
    """A closed shift of a past day as the counter kept it: who, where, which day, and the
    requests with the time each was made (`occurred_at`, on that day)."""

    unit: PostUnit
    clerk: User
    business_date: dt.date
    requests: Sequence[EntryRequest]
    # The counted opening cash; None when unknown: a float that covers the cash paid out.
    opening_cash: int | None = None


@dataclass
class ImportResult:
    """What an import wrote, and the entry that settles each thing (new or recorded before)."""

    entries: int = 0
    skipped: int = 0
    sessions: int = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    settled: dict[str, Any] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)
    first_session: Any = None


@dataclass
class _Prepared:
    """One shift as it is prepared, then ready to write: its row, its entries' rows, what
    they settle and what was recorded already."""

    shift: PastShift
    session_id: str
    prefix: str
    ids: int  # the shift's key; its entries' keys follow it
    unit_id: str
    clerk_id: Any
    session: tuple[Any, ...] = ()
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    settles: list[tuple[str, Any]] = field(default_factory=list)  # (what is settled, entry)
    fresh_settles: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    totals: list[int] = field(default_factory=lambda: [0, 0, 0])  # cash in, cash out, revenue


# (unit's key as hex, idempotency key) -> (request digest, entry id, what it settles)
Seen = dict[tuple[str, str], tuple[str, Any, str]]


class _Ids:
    """UUIDv7 keys made fast: one from the clock now and then, the next ones counting up in
    its random bits (RFC 9562's monotonic counter), so that they still sort by creation."""

    def __init__(self) -> None:
        self.next = self.left = 0

    def take(self, n: int) -> int:
        """The first of n consecutive keys, as an integer."""
        if n > self.left:
            self.next, self.left = uuid7().int & ~ID_ROOM, ID_ROOM
        first = self.next
        self.next += n
        self.left -= n
        return first


class _Writer:
    """Prepares shifts, writes them by chunks, and falls back to exact checks on a clash."""

    def __init__(self, *, actor: User, now: dt.datetime, today: dt.date) -> None:
        self.actor, self.now, self.today = actor, now, today
        self.tz = timezone.get_current_timezone()
        codes = set(Service.objects.values_list("code", flat=True))
        self.catalogue = Catalogue.load(codes)
        self.allowed: set[tuple[Any, Any]] = set()
        self.services: dict[Any, tuple[str, str, str]] = {}
        self.ids = _Ids()
        self.pending: list[PastShift] = []
        self.size = 0
        self.result = ImportResult()

    def add(self, shift: PastShift) -> None:
        self.pending.append(shift)
        self.size += len(shift.requests)
        if self.size >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        prepared = [self._prepare(s, {}) for s in self.pending]
        # COPY (PostgreSQL) raises the driver's own error, not Django's.
        clash = (IntegrityError, connection.Database.IntegrityError)  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                self._write(prepared)
        except clash:
            # A key or a settlement met an entry already recorded: decide one by one.
            seen = self._recorded(self.pending)
            prepared = [self._prepare(s, seen) for s in self.pending]
            check_settlements([s for p in prepared for s in p.fresh_settles])
            self._write(prepared)
        self._count(prepared)
        self.pending, self.size = [], 0

    def _write(self, prepared: list[_Prepared]) -> None:
        insert_rows(CounterSession, SESSION_COLUMNS, [p.session for p in prepared if p.entries])
        insert_rows(LedgerEntry, ENTRY_COLUMNS, (row for p in prepared for row in p.entries))

    def _count(self, prepared: list[_Prepared]) -> None:
        result = self.result
        for p in prepared:
            shift = p.shift
            result.entries += len(p.entries)
            result.skipped += len(p.skipped)
            result.sessions += bool(p.entries)
            result.settled.update(p.settles)
            if p.entries:
                result.first_session = result.first_session or p.session[0]
                day = shift.business_date
                result.first_day = min(result.first_day or day, day)
                result.last_day = max(result.last_day or day, day)
                result.paths.add(shift.unit.path)

    def _recorded(self, shifts: list[PastShift]) -> Seen:
        """The entries the points already recorded under the keys of these shifts."""
        keys: dict[Any, set[str]] = {}
        for shift in shifts:
            keys.setdefault(shift.unit.pk, set()).update(r.idempotency_key for r in shift.requests)
        seen: Seen = {}
        for unit_id, unit_keys in keys.items():
            wanted = sorted(unit_keys)
            for start in range(0, len(wanted), 5000):
                found = LedgerEntry.objects.filter(
                    unit_id=unit_id, idempotency_key__in=wanted[start : start + 5000]
                ).values_list("idempotency_key", "request_digest", "id", "settles")
                for key, digest, pk, settles in found:
                    seen[(unit_id.hex, key)] = (digest, pk, settles)
        return seen

    def _check(self, shift: PastShift) -> None:
        if shift.business_date >= self.today:
            raise CounterError(
                _(
                    "Ca ngày %(day)s chưa qua: chỉ nhập ca của những ngày đã qua; ca hôm nay "
                    "ghi tại quầy."
                )
                % {"day": shift.business_date.strftime("%d/%m/%Y")},
                code=CounterCode.SESSION_CLOSED,
                field="business_date",
            )
        pair = (shift.unit.pk, shift.clerk.pk)
        if pair not in self.allowed:
            require(self.actor, "counter.operate", Target(path=shift.unit.path))
            require(shift.clerk, "counter.operate", Target(path=shift.unit.path))
            self.allowed.add(pair)

    def _moment(self, req: EntryRequest, day: dt.date, index: int, total: int) -> dt.datetime:
        at = req.occurred_at
        if at is None or at.astimezone(self.tz).date() != day:
            error = CounterError(
                _("Mỗi giao dịch của ca ngày %(day)s cần thời điểm trong ngày đó.")
                % {"day": day.strftime("%d/%m/%Y")},
                code=CounterCode.BAD_AMOUNT,
                field="occurred_at",
            )
            raise at_entry(error, index, total)
        return at

    def _prepare(self, shift: PastShift, seen: Seen) -> _Prepared:
        """Check and price a shift's requests; keys met before are skipped or refused."""
        self._check(shift)
        unit, day, requests = shift.unit, shift.business_date, shift.requests
        first = self.ids.take(len(requests) + 1)
        session_id = uuid.UUID(int=first).hex
        out = _Prepared(
            shift,
            session_id,
            receipt_prefix(unit_code=unit.code, day=day, session_id=session_id),
            first,
            unit.pk.hex,
            shift.clerk.pk,
        )
        moments = [self._moment(req, day, i, len(requests)) for i, req in enumerate(requests)]
        for index in sorted(range(len(requests)), key=moments.__getitem__):
            try:
                self._entry(requests[index], out, seen)
            except DomainError as exc:
                raise at_entry(exc, index, len(requests)) from exc
        out.session = self._session(out, moments)
        return out

    def _entry(self, req: EntryRequest, out: _Prepared, seen: Seen) -> None:
        check_key(req)
        digest = req.digest
        shift, totals = out.shift, out.totals
        unit = shift.unit
        known = seen.get((out.unit_id, req.idempotency_key))
        if known is not None:
            if known[0] and known[0] != digest:
                raise key_conflict(req.idempotency_key)
            out.skipped.append(req.idempotency_key)
            if known[2]:
                out.settles.append((known[2], known[1]))
            return
        priced = price(req, unit=unit, day=shift.business_date, catalogue=self.catalogue)
        service_id, line, direction = self._service(priced.service)
        number = len(out.entries) + 1
        pk = uuid.UUID(int=out.ids + number)
        seen[(out.unit_id, req.idempotency_key)] = (digest, pk, req.settles)
        if req.settles:
            out.settles.append((req.settles, pk))
            out.fresh_settles.append(req.settles)
        if req.method == "cash":
            totals[0 if direction == "in" else 1] += priced.amount
        totals[2] += priced.revenue
        out.entries.append(
            (
                pk.hex,
                req.idempotency_key,
                digest,
                req.settles,
                f"{out.prefix}-{number:04d}",
                out.unit_id,
                out.clerk_id,
                out.session_id,
                service_id,
                line,
                shift.business_date,
                req.occurred_at,
                req.quantity,
                priced.amount,
                direction,
                priced.revenue,
                req.method,
                req.customer_name.strip()[:200],
                priced.phone,
                req.customer_id_no,
                req.source_type,
                req.source_id,
                "",
                self.now,
            )
        )

    def _service(self, service: Service) -> tuple[str, str, str]:
        """A service's key, line and direction, as the rows hold them."""
        found = self.services.get(service.code)
        if found is None:
            found = self.services[service.code] = (
                service.pk.hex,
                str(service.line),
                service.direction,
            )
        return found

    def _session(self, out: _Prepared, moments: list[dt.datetime]) -> tuple[Any, ...]:
        """A closed, balanced shift: the drawer counted what the book says."""
        shift = out.shift
        cash_in, cash_out, revenue = out.totals
        opening = DEFAULT_FLOAT + cash_out if shift.opening_cash is None else shift.opening_cash
        if opening < 0 or opening + cash_in - cash_out < 0:
            raise CounterError(
                _("Ca ngày %(day)s chi nhiều tiền mặt hơn quỹ ca có.")
                % {"day": shift.business_date.strftime("%d/%m/%Y")},
                code=CounterCode.INSUFFICIENT_CASH,
                field="opening_cash",
            )
        opens = dt.datetime.combine(shift.business_date, OPENS, tzinfo=self.tz)
        closes = dt.datetime.combine(shift.business_date, CLOSES, tzinfo=self.tz)
        book = opening + cash_in - cash_out
        return (
            out.session_id,
            self.now,
            self.now,
            1,
            out.unit_id,
            out.clerk_id,
            shift.business_date,
            CounterSession.Status.CLOSED.value,
            min([opens, *moments]),
            opening,
            cash_in,
            cash_out,
            len(out.entries),
            revenue,
            max([closes, *moments]),
            book,
            book,
            "",
        )


def _common_path(paths: Iterable[str]) -> str:
    found = sorted(paths)
    if not found:
        return ""
    first, last = found[0], found[-1]
    end = 0
    while end < min(len(first), len(last)) and first[end] == last[end]:
        end += 1
    return first[: first.rfind("/", 0, end + 1) + 1]


@transaction.atomic
def import_shifts(*, actor: User, shifts: Iterable[PastShift]) -> ImportResult:
    """Write the closed shifts of past days and their entries at once, by the counter's rules.

    One audit record tells who imported how much, not one per entry or per shift: the
    entries are what the counters recorded at the time, and the ledger itself keeps each of
    them (append-only, with its key and its digest)."""
    writer = _Writer(actor=actor, now=timezone.now(), today=timezone.localdate())
    with paused_gc():
        for shift in shifts:
            writer.add(shift)
        writer.flush()
    result = writer.result
    if result.entries:
        rebuild_rollups(since=result.first_day, until=result.last_day)
        audit.record(
            actor=actor,
            action="counter.history_imported",
            instance=CounterSession.objects.select_related("unit").get(pk=result.first_session),
            before=None,
            after={
                "entries": result.entries,
                "skipped": result.skipped,
                "sessions": result.sessions,
                "first_day": str(result.first_day),
                "last_day": str(result.last_day),
            },
            unit_path=_common_path(result.paths),
        )
    return result
