"""Building ledger activity for report tests through the real posting path."""

from __future__ import annotations

import datetime as dt
import uuid

from buudien.core.models import User
from buudien.counter import services
from buudien.counter.services import EntryRequest
from buudien.network.models import PostUnit


def book(actor: User, unit: PostUnit, day: dt.date, *items: tuple[str, int | None, int]) -> None:
    """Open a session on that day at that unit, post (code, amount, quantity) items, close."""
    session = services.open_session(clerk=actor, unit=unit, opening_cash=10**10, business_date=day)
    services.post_entries(
        session=session,
        clerk=actor,
        requests=[
            EntryRequest(
                idempotency_key=str(uuid.uuid4()), service_code=code, amount=amount, quantity=qty
            )
            for code, amount, qty in items
        ],
    )
    session.refresh_from_db()
    services.close_session(session=session, clerk=actor, counted_cash=session.book_cash)


def revenue(actor: User, unit: PostUnit, day: dt.date, **by_line: int) -> None:
    """Exact revenue by business line on a day (`finance=6_230_000`), as rolled-up entries.

    Written straight into the ledger so a test can state round figures; the rollups are rebuilt
    from the entries the way the counter rebuilds them."""
    from django.utils import timezone

    from buudien.counter.models import CounterSession, LedgerEntry, Service
    from buudien.counter.services import rebuild_rollups

    session = CounterSession.objects.create(
        unit=unit,
        clerk=actor,
        opened_at=timezone.now(),
        business_date=day,
        opening_cash=0,
        status=CounterSession.Status.CLOSED,
    )
    entries = []
    for line, amount in by_line.items():
        service = Service.objects.filter(line=line, kind=Service.Kind.SALE).first() or (
            Service.objects.filter(line=line).first()
        )
        assert service is not None, line
        entries.append(
            LedgerEntry(
                idempotency_key=f"t-{uuid.uuid4()}",
                receipt_no=f"T{uuid.uuid4().hex[:8]}",
                unit=unit,
                clerk=actor,
                session=session,
                service=service,
                line=line,
                business_date=day,
                occurred_at=timezone.now(),
                quantity=1,
                amount=amount,
                direction="in",
                revenue=amount,
                method="cash",
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    rebuild_rollups()
