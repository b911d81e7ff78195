"""The public tracking page at the site's root: anyone types up to ten S10 ids and sees where
each item is. Small enough for a phone on 2G, and cacheable for a minute."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language, get_language_info

from buudien.core.errors import Throttled
from buudien.core.permissions import guard
from buudien.core.throttle import client_address
from buudien.mail.selectors import public as selectors

LANGUAGES = ("vi", "en")
CACHE_S = 60


@guard(read="public.track")
def track(request: HttpRequest) -> HttpResponse:
    """Tracking by S10 id. The language may be chosen in the address (`lang=en`), so that the
    page holds no CSRF token and a cache may keep it; without it, the visitor's cookie or
    browser decide."""
    lang = request.GET.get("lang", "")
    lang = lang if lang in LANGUAGES else ""
    text = request.GET.get("so", "")[: selectors.MAX_TEXT]
    with translation.override(lang or get_language()):
        answers: list[selectors.Answer] = []
        error, status = "", 200
        if "so" in request.GET:
            try:
                answers = selectors.look_up(text, address=client_address(request))
            except Throttled as exc:
                error, status = exc.message, 429
        context = {
            "answers": answers,
            "errors": [a for a in answers if a.error],
            "error": error,
            "typed": " ".join(text.split()),
            "lang": lang,
            "switch": _switch(text, get_language()),
        }
        response = render(request, "mail/public_track.html", context, status=status)
        response["Content-Language"] = get_language()
    if status == 200:
        patch_cache_control(response, public=True, max_age=CACHE_S)
    else:
        patch_cache_control(response, no_store=True)
    if not lang:
        patch_vary_headers(response, ("Cookie",))
    return response


def _switch(text: str, current: str | None) -> tuple[str, str, str]:
    """The other language: its code, its own name and the same page's query in it."""
    other = "vi" if (current or "").startswith("en") else "en"
    name = get_language_info(other)["name_local"]  # each language in its own words
    query = {"so": " ".join(text.split()), "lang": other} if text.strip() else {"lang": other}
    return other, name, "?" + urlencode(query)


urlpatterns: list[URLPattern] = [
    path("tra-cuu-buu-gui/", track, name="mail_track"),
]
