"""Budgets of failed tries, so that guessing is slow and nobody is locked out by a stranger.

A budget is a key (what is being guessed, from where) with a limit per window. A request is
refused when any of its budgets is spent; a failure is counted against all of them; a success
clears the narrow ones. The client's address comes from REMOTE_ADDR, or from the header a
trusted proxy sets (`BUUDIEN_PROXY_HEADER`, `BUUDIEN_TRUSTED_PROXIES`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from buudien.core.models import Attempt


@dataclass(frozen=True)
class Budget:
    """At most `limit` failures per `window` for one key."""

    parts: tuple[str, ...]
    limit: int
    window: dt.timedelta

    @property
    def key(self) -> str:
        raw = "\x1f".join(self.parts).encode()
        return hashlib.sha256(settings.SECRET_KEY.encode() + b"\x1e" + raw).hexdigest()


def client_address(request: HttpRequest) -> str:
    """The caller's address: the proxy's header when the request came through trusted proxies."""
    header = getattr(settings, "BUUDIEN_PROXY_HEADER", "")
    hops = int(getattr(settings, "BUUDIEN_TRUSTED_PROXIES", 0) or 0)
    if header and hops > 0:
        chain = [a.strip() for a in str(request.META.get(header, "")).split(",") if a.strip()]
        if len(chain) >= hops:
            return chain[-hops][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def spent(budgets: Sequence[Budget], now: dt.datetime | None = None) -> Budget | None:
    """The first budget that has no tries left, if any."""
    now = now or timezone.now()
    for budget in budgets:
        since = now - budget.window
        if Attempt.objects.filter(key=budget.key, at__gte=since).count() >= budget.limit:
            return budget
    return None


def fail(budgets: Sequence[Budget]) -> None:
    """Count one failed try against every budget."""
    Attempt.objects.bulk_create([Attempt(key=b.key) for b in budgets])


def clear(budgets: Sequence[Budget]) -> None:
    """Forget the failures of these budgets (after a success)."""
    Attempt.objects.filter(key__in=[b.key for b in budgets]).delete()


def forget_older_than(age: dt.timedelta) -> int:
    """Delete tries older than any window; run from time to time."""
    deleted, _ = Attempt.objects.filter(at__lt=timezone.now() - age).delete()
    return deleted
