"""Template context shared by every page: the user's unit, role and menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from buudien.core.scoping import scope_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    return {
        "nav_unit": getattr(user, "home_unit", None),
        "nav_partner": getattr(user, "partner", None),
        "nav_role": user.get_role_display() if hasattr(user, "get_role_display") else "",
        "nav_can_manage": not scope.read_only,
    }
