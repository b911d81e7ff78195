"""Mail pages: the counter's acceptance, items and customers (filled in by its own change)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from buudien.core.permissions import guard


@guard(read="mail.view")
def items(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


urlpatterns: list[URLPattern] = [path("", items, name="items")]
