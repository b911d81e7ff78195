"""Messages to citizens behind one interface: SMS or Zalo adapters, an outbox by default."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from buudien.core.models import OutboxMessage


class Sender(Protocol):
    def send(self, *, to: str, body: str, topic: str, ref: str) -> None: ...


class OutboxSender:
    """Development and tests: keep the message in the outbox table, listed on a page."""

    def send(self, *, to: str, body: str, topic: str, ref: str) -> None:
        OutboxMessage.objects.create(channel="sms", to=to, body=body, topic=topic, ref=ref)


def sender() -> Sender:
    dotted = getattr(settings, "BUUDIEN_MESSAGE_SENDER", "buudien.core.notify.OutboxSender")
    return import_string(dotted)()  # type: ignore[no-any-return]


def notify(*, to: str, body: str, topic: str = "", ref: str = "") -> None:
    """Send after the surrounding transaction commits, never for a rolled-back change."""
    if not to:
        return
    transaction.on_commit(lambda: sender().send(to=to, body=body, topic=topic, ref=ref))


def kept(
    *, topic_prefix: str, refs: Iterable[str] | QuerySet[Any], limit: int
) -> list[OutboxMessage]:
    """Messages the outbox kept about these records (by reference), newest first."""
    messages = OutboxMessage.objects.filter(topic__startswith=topic_prefix, ref__in=refs)
    return list(messages.order_by("-created_at")[:limit])
