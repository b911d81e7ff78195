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
