"""The time a business action happens at: now, or the time a point made it offline.

Services ask `clock.now()` and `clock.today()` instead of the wall clock, so the province,
applying an operation a point made yesterday, dates it yesterday."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_at: ContextVar[dt.datetime | None] = ContextVar("clock_at", default=None)


def now() -> dt.datetime:
    return _at.get() or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def milliseconds(moment: dt.datetime) -> int:
    """A moment as whole milliseconds since the epoch: how an operation's time travels."""
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


@contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """Inside, it is `moment`."""
    token = _at.set(moment)
    try:
        yield
    finally:
        _at.reset(token)
