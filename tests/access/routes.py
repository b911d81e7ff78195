"""Every route of the site and of the API, with the actions it declared."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from buudien.api import operations
from buudien.core.permissions import route_actions

# Django's admin has its own permission system (staff flags), outside the roles' matrix.
SKIPPED_PREFIXES = ("admin/", "api/")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Route:
    """One route: its id (URL name, or "METHOD /api/path"), and the action of each method."""

    id: str
    actions: dict[str, str | None]
    api: bool
    method: str = ""


def _walk(patterns: list[object], prefix: str, namespace: str) -> list[tuple[str, str, object]]:
    found: list[tuple[str, str, object]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            ns = p.namespace or namespace
            found += _walk(list(p.url_patterns), route, ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else str(p.name)
            found.append((name, prefix + str(p.pattern), p.callback))
    return found


def html_routes() -> list[Route]:
    out = []
    for name, _pattern, view in _walk(list(get_resolver().url_patterns), "", ""):
        out.append(Route(id=name, actions=route_actions(view) or {}, api=False))
    return out


def api_routes() -> list[Route]:
    out = []
    for method, path, operation in operations():
        declared = route_actions(operation.view_func) or {}
        action = declared.get("POST" if method in WRITE_METHODS else "GET")
        out.append(Route(id=f"{method} {path}", actions={method: action}, api=True, method=method))
    return out


def all_routes() -> list[Route]:
    return html_routes() + api_routes()
