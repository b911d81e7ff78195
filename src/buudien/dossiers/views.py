"""Dossier pages: the public look-up (no login)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buudien.dossiers import selectors
from buudien.dossiers.api import client_address
from buudien.dossiers.errors import DossierError


def public_lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    last4 = request.GET.get("phone_last4", "").strip()
    view = error = None
    if code:
        try:
            view = selectors.public_lookup(
                code=code, phone_last4=last4, address=client_address(request)
            )
        except DossierError as exc:
            error = exc.message
    return render(
        request,
        "dossiers/lookup.html",
        {"view": view, "error": error, "code": code, "last4": last4},
        status=429 if error and "quá nhiều" in error else 200,
    )
