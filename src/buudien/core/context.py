"""Template context shared by every page: the user's unit, role, menu and allowed actions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from buudien.core.permissions import actions_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    allowed = actions_of(user)
    return {
        "nav_unit": getattr(user, "home_unit", None),
        "nav_partner": getattr(user, "partner", None),
        "nav_role": user.get_role_display() if hasattr(user, "get_role_display") else "",
        "nav_can_manage": "network.manage" in allowed,
        "allowed": allowed,
    }
