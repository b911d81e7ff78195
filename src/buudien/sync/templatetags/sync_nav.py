"""`{% point_laptop as on_point %}`: whether this installation is a point's laptop, for the menu."""

from __future__ import annotations

from django import template

from buudien.core import journal

register = template.Library()


@register.simple_tag
def point_laptop() -> bool:
    """True on a commune point's laptop (read once per process), False at the province."""
    return journal.point_device() is not None
