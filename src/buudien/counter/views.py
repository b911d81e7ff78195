"""The clerk's counter page, receipts, session closing and approvals, day closing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buudien.core.errors import DomainError
from buudien.core.ids import mask_phone
from buudien.core.money import amount_in_words, format_vnd
from buudien.core.permissions import Target, allows, guard
from buudien.core.scoping import require_user
from buudien.counter import selectors, services
from buudien.counter.forms import CloseForm, EntryForm, OpenSessionForm, ReverseForm
from buudien.counter.models import CounterSession
from buudien.counter.services import EntryRequest
from buudien.network import selectors as network_selectors


@guard(read="counter.operate", write="counter.operate")
def counter(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    session = selectors.open_session_of(user)
    if session is None:
        form = OpenSessionForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and user.home_unit:
            try:
                services.open_session(
                    clerk=user, unit=user.home_unit, opening_cash=form.cleaned_data["opening_cash"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("counter:page")
        return render(request, "counter/open.html", {"form": form})
    return _page(request, session, EntryForm(initial={"idempotency_key": uuid.uuid4()}))


def _page(
    request: HttpRequest,
    session: CounterSession,
    form: EntryForm,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    latest = list(selectors.entries(user=request.user, session_id=session.pk)[:15])
    reversed_ids = {e.reverses_id for e in latest if e.reverses_id}
    return render(
        request,
        "counter/page.html",
        {
            "session": session,
            "form": form,
            "services": selectors.services_for(session.unit.kind),
            "latest": latest,
            "reversed_ids": reversed_ids,
            "close_form": close_form or CloseForm(),
            "masked": {e.pk: mask_phone(e.customer_phone) for e in latest},
        },
    )


@require_POST
@guard(write="counter.operate")
def post(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    session = selectors.open_session_of(user)
    if session is None:
        messages.error(request, _("Ca đã đóng; hãy mở ca mới."))
        return redirect("counter:page")
    form = EntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.post_entry(
                session=session,
                clerk=user,
                request=EntryRequest(
                    idempotency_key=data["idempotency_key"],
                    service_code=data["service"],
                    amount=data["amount"],
                    quantity=data["quantity"],
                    method=data["method"],
                    customer_name=data["customer_name"],
                    customer_phone=data["customer_phone"],
                ),
            )
        except DomainError as exc:
            field = {
                "service": "service",
                "amount": "amount",
                "quantity": "quantity",
                "customer_phone": "customer_phone",
                "method": "method",
            }.get(exc.field or "")
            form.add_error(field, exc.message)
        else:
            entry = result.entry
            if result.created:
                messages.success(
                    request,
                    _("Đã ghi %(no)s: %(service)s, %(amount)s.")
                    % {
                        "no": entry.receipt_no,
                        "service": entry.service.name,
                        "amount": format_vnd(entry.amount),
                    },
                )
            else:
                messages.info(
                    request,
                    _("Giao dịch này đã được ghi trước đó (%(no)s), không ghi lần hai.")
                    % {"no": entry.receipt_no},
                )
            return redirect("counter:page")
    session.refresh_from_db()
    return _page(request, session, form)


@require_POST
@guard(write="counter.operate")
def reverse(request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    entry = selectors.entry(user, entry_id)
    session = selectors.open_session_of(user)
    form = ReverseForm(request.POST)
    if session is None or not form.is_valid():
        messages.error(request, _("Cần ghi lý do hủy giao dịch."))
        return redirect("counter:page")
    try:
        mirror = services.reverse_entry(
            entry=entry,
            clerk=user,
            session=session,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Đã hủy giao dịch bằng bút toán %(no)s.") % {"no": mirror.receipt_no}
        )
    return redirect("counter:page")


@require_POST
@guard(write="counter.operate")
def close(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    session = selectors.open_session_of(user)
    if session is None:
        return redirect("counter:page")
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            closed = services.close_session(
                session=session,
                clerk=user,
                counted_cash=form.cleaned_data["counted_cash"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(
                request,
                _("Đã kết ca.")
                if closed.status == "closed"
                else _("Đã kết ca; chênh lệch chờ quản lý duyệt."),
            )
            return redirect("counter:session", session_id=closed.pk)
    return _page(request, session, EntryForm(initial={"idempotency_key": uuid.uuid4()}), form)


@guard(read="counter.view", write="counter.approve")
def session_detail(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = selectors.session(request.user, session_id)
    if request.method == "POST":
        try:
            services.approve_discrepancy(
                session=session,
                manager=require_user(request.user),
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã duyệt chênh lệch; ca đã khóa."))
        return redirect("counter:session", session_id=session.pk)
    return render(
        request,
        "counter/session.html",
        {
            "session": session,
            "entries": selectors.entries(user=request.user, session_id=session.pk)[:500],
            "can_approve": session.status == "pending_approval"
            and allows(request.user, "counter.approve", Target(path=session.unit.path)),
        },
    )


@guard(read="counter.view")
def session_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.sessions(user=request.user, status=status)
    return render(
        request,
        "counter/sessions.html",
        {
            "sessions": qs.order_by("-opened_at")[:200],
            "status": status,
            "statuses": CounterSession.Status.choices,
        },
    )


def _receipt_context(request: HttpRequest, entry_id: uuid.UUID) -> dict[str, Any]:
    entry = selectors.entry(request.user, entry_id)
    return {
        "e": entry,
        "words": amount_in_words(entry.amount),
        "revenue_words": amount_in_words(entry.revenue) if entry.revenue >= 0 else "",
        "phone": mask_phone(entry.customer_phone),
        "size": "80mm" if request.GET.get("size") == "80mm" else "a5",
    }


@guard(read="counter.view")
def receipt(request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
    return render(request, "counter/receipt.html", _receipt_context(request, entry_id))


@guard(read="counter.view")
def receipt_pdf(request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
    from weasyprint import HTML

    ctx = _receipt_context(request, entry_id) | {"pdf": True}
    html = render_to_string("counter/receipt.html", ctx, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{ctx["e"].receipt_no}.pdf"'
    return response


def _day(request: HttpRequest) -> dt.date:
    """The day asked for, or today when it is missing or not a date."""
    try:
        return dt.date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        return timezone.localdate()


@guard(read="counter.view")
def day_closing(request: HttpRequest, code: str) -> HttpResponse:
    unit = network_selectors.unit_by_code(request.user, code)
    day = _day(request)
    ctx = selectors.day_closing(user=request.user, unit_path=unit.path, day=day)
    children = (
        []
        if unit.is_point
        else selectors.children_day_totals(user=request.user, unit_path=unit.path, day=day)
    )
    return render(
        request, "counter/day.html", ctx | {"unit": unit, "day": day, "children": children}
    )
