"""`{% if user|can:"payouts.pay" %}`: templates ask the same permission matrix as services."""

from __future__ import annotations

from django import template

from buudien.core import permissions
from buudien.core.scoping import Actor

register = template.Library()


@register.filter
def can(user: Actor, action: str) -> bool:
    """Whether the user's role may take this action somewhere in his scope."""
    return permissions.allows(user, action)
