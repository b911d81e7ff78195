"""Turn domain errors raised in views into 403/404/429 pages, refuse control characters, and
keep the bytes on the wire small (compressed pages, static files cached for a year)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile
from django.utils.translation import gettext as _
from whitenoise.middleware import WhiteNoiseMiddleware  # type: ignore[import-untyped]

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


# Characters no form value, query value or JSON string of ours may hold: NUL is refused by
# PostgreSQL, and the other controls only ever come from a broken or hostile client.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_CONTROL = re.compile(rb"\\u00(?:0[0-8bcef]|1[0-9a-f])|\\u007f", re.IGNORECASE)


class RejectControlCharacters:
    """Answer a value with control characters with a message naming its field, before any
    view or database sees it (400 on pages, 422 with {code, message, field} in the API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = self._bad_field(request)
        if field is None:
            return self.get_response(request)
        message = _("Trường «%(field)s» chứa ký tự không hợp lệ.") % {"field": field}
        if request.path.startswith("/api/"):
            body = {"code": "core.invalid", "message": message, "field": field}
            return JsonResponse(body, status=422)
        return render(request, "400.html", {"message": message}, status=400)

    @staticmethod
    def _bad_field(request: HttpRequest) -> str | None:
        if _CONTROL.search(request.path):
            return "path"
        for name, value in request.GET.lists():
            if _CONTROL.search(name) or any(_CONTROL.search(v) for v in value):
                return name
        content_type = request.content_type or ""
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            for name, value in request.POST.lists():
                if any(_CONTROL.search(v) for v in value):
                    return name
        elif content_type == "application/json" and _JSON_CONTROL.search(request.body):
            return _json_field(request.body)
        return None


def _json_field(body: bytes) -> str:
    """The dotted name of the first JSON value holding a control character ("body" if none)."""
    try:
        data = json.loads(body)
    except ValueError:
        return "body"
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        name, value = stack.pop(0)
        if isinstance(value, str) and _CONTROL.search(value):
            return name or "body"
        if isinstance(value, dict):
            stack += [(f"{name}.{k}" if name else str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{name}.{i}" if name else str(i), v) for i, v in enumerate(value)]
    return "body"


try:  # brotli comes with WeasyPrint's font tools; without it the pages are gzipped only.
    import brotli  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover
    brotli = None

_ACCEPTS_BROTLI = _lazy_re_compile(r"\bbr\b")
# Quality 5 compresses a page better than gzip in about the time gzip takes; 11 is for
# files compressed once (collectstatic), not for every answer.
_BROTLI_QUALITY = 5


class CompressPages(GZipMiddleware):
    """Brotli for a client that accepts it, gzip for one that accepts only gzip, the page as
    it is otherwise. The CSRF token is masked anew in every answer (BREACH)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not isinstance(response, HttpResponse) or not _wants_brotli(request, response):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        compressed = brotli.compress(response.content, quality=_BROTLI_QUALITY)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "br"
        return response


def _wants_brotli(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        brotli is not None
        and len(response.content) >= 200  # as GZipMiddleware
        and not response.has_header("Content-Encoding")
        and bool(_ACCEPTS_BROTLI.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
    )


class StaticFiles(WhiteNoiseMiddleware):  # type: ignore[misc]
    """WhiteNoise, with a fingerprinted file (app.3f2a….css) cached for one year, immutable.
    A file under its plain name keeps WhiteNoise's short max-age (WHITENOISE_MAX_AGE)."""

    FOREVER = 365 * 24 * 60 * 60
