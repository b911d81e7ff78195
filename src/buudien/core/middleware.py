"""Turn scope and permission errors raised in views into proper 403/404 pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buudien.core.errors import Forbidden, NotFound, OutOfScope, Throttled


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Forbidden):
            return render(request, "403.html", {"message": exception.message}, status=403)
        if isinstance(exception, (NotFound, OutOfScope)):
            return render(request, "404.html", {"message": exception.message}, status=404)
        if isinstance(exception, Throttled):
            return render(request, "429.html", {"message": exception.message}, status=429)
        return None
