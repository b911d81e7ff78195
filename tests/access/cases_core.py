"""Cases for the core routes: home, login, logout, language, health."""

from __future__ import annotations

from tests.access.case import Case
from tests.access.world import World


def build(world: World) -> None:
    """Core routes need nothing beyond the world."""


CASES: dict[str, Case] = {
    "home": Case(url=lambda w, s: "/", scoped=False),
    "login": Case(
        url=lambda w, s: "/login/",
        data=lambda w, s: {"username": "khong-co", "password": "sai"},
        scoped=False,
    ),
    "logout": Case(url=lambda w, s: "/logout/", scoped=False),
    "set_language": Case(
        url=lambda w, s: "/i18n/setlang/", data=lambda w, s: {"language": "vi"}, scoped=False
    ),
    "healthz": Case(url=lambda w, s: "/healthz", scoped=False),
}
