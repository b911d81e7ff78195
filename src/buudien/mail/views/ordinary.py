"""Mail page: bundles of ordinary letters counted at a unit (they carry no S10 id)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from buudien.core import clock
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.mail.ordinary_forms import OrdinaryForm
from buudien.mail.selectors import ordinary as selectors
from buudien.mail.services.ordinary import record_ordinary
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.network.models import PostUnit

UNIT_CODE = r"[A-Za-z0-9._-]{1,20}"


def _unit(request: HttpRequest) -> PostUnit | None:
    user = require_user(request.user)
    code = (request.POST.get("unit") or request.GET.get("unit") or "").strip()
    if code:
        if not re.fullmatch(UNIT_CODE, code):
            raise NotFound(_("Không có đơn vị mã này trong phạm vi của bạn."))
        return network_selectors.unit_by_code(user, code.upper())
    try:
        return network_selectors.home_unit(user=user)
    except (NotFound, OutOfScope):
        return None


@guard(read="mail.view", write="mail.scan")
def ordinary(request: HttpRequest) -> HttpResponse:
    """Count a bundle sent or received, and see the unit's recent counts."""
    user = require_user(request.user)
    unit = _unit(request)
    choices = [(s.code, s.name) for s in selectors.untracked_services()]
    initial = {"day": clock.today(), "direction": "sent"}
    form = OrdinaryForm(
        request.POST if request.method == "POST" else None, services=choices, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        if unit is None:
            form.add_error(None, _("Tài khoản chưa gắn với đơn vị nào."))
        else:
            try:
                batch = record_ordinary(actor=user, unit=unit, **form.cleaned_data)  # type: ignore[arg-type]
            except Forbidden:
                raise
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("Đã ghi %(n)s bưu gửi thư thường ngày %(day)s.")
                    % {"n": batch.count, "day": f"{batch.day:%d/%m/%Y}"},
                )
                return redirect(f"{reverse('mail:ordinary')}?unit={unit.code}")
    path_ = getattr(unit, "path", "")
    page = Paginator(selectors.batches(user, unit_path=path_), 50).get_page(request.GET.get("page"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "unit": unit, "page": page}
    return render(request, "mail/ordinary.html", context, status=status)


urlpatterns: list[URLPattern] = [path("ordinary/", ordinary, name="ordinary")]
