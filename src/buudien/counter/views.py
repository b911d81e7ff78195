"""The clerk's counter page, receipts, session closing and approvals, day closing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
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
from buudien.counter import basket_form, selectors, services
from buudien.counter import session_list as session_list_page
from buudien.counter.forms import CloseForm, EntryForm, OpenSessionForm, ReverseForm
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.counter.services.checkout import SERVICE
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
    query = request.GET.get("q", "")[:100]
    return _page(request, session, basket_form.Basket(key=_new_key()), query=query)


# The empty lines counter.js copies when a search result is added to the basket.
ROW_TEMPLATES = {
    "service": basket_form.Row(label="…"),
    "other": basket_form.Row(kind="other", ref="", label="…", direction="out", authorised="…"),
}


def _new_key() -> str:
    return uuid.uuid4().hex


def _page(
    request: HttpRequest,
    session: CounterSession,
    basket: basket_form.Basket,
    *,
    query: str = "",
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = require_user(request.user)
    latest = list(selectors.entries(user=user, session_id=session.pk)[:15])
    favourites = selectors.favourite_services(session.unit, day=session.business_date)
    prices = selectors.fixed_prices(favourites, session.business_date)
    return render(
        request,
        "counter/page.html",
        {
            "session": session,
            "basket": basket,
            "blank_rows": range(max(0, 3 - len(basket.rows))),
            "blank_row": basket_form.Row(),
            "query": query,
            "found": basket_form.candidates(user, session, query),
            "favourites": [basket_form.service_row(s, prices.get(s.pk)) for s in favourites],
            "services": selectors.sellable_services(session.unit.kind),
            "methods": [m for m in LedgerEntry.Method.choices if m[0] != "account"],
            "latest": latest,
            "reversed_ids": {e.reverses_id for e in latest if e.reverses_id},
            "close_form": close_form or CloseForm(),
            "row_templates": ROW_TEMPLATES,
        },
        status=status,
    )


def _edit(basket: basket_form.Basket, op: str, user: Any, session: CounterSession) -> None:
    """A page round trip without JavaScript: add a found line, or drop one."""
    verb, _sep, arg = op.partition(":")
    if verb == "remove" and arg.isdigit() and int(arg) < len(basket.rows):
        basket.rows.pop(int(arg))
        return
    kind, _sep, ref = arg.partition(":")
    if verb != "add" or not ref:
        return
    row = basket_form.Row(code=ref) if kind == SERVICE else basket_form.Row(kind=kind, ref=ref)
    basket_form.describe(row, user, session)
    basket.rows.append(row)


@require_POST
@guard(write="counter.operate")
def checkout(request: HttpRequest) -> HttpResponse:
    """Serve the customer of the basket; or, without JavaScript, search and edit it."""
    user = require_user(request.user)
    session = selectors.open_session_of(user)
    if session is None:
        messages.error(request, _("Ca đã đóng; hãy mở ca mới."))
        return redirect("counter:page")
    basket = basket_form.read(request.POST, user, session)
    op = request.POST.get("op", "pay")
    query = request.POST.get("q", "")[:100]
    if op != "pay":
        _edit(basket, op, user, session)
        return _page(request, session, basket, query=query if op == "search" else "")
    try:
        order = basket_form.order(basket, session.unit.kind)
        txn = services.checkout(session=session, clerk=user, order=order)
    except DomainError as exc:
        basket.errors["cash_given" if exc.field == "cash_given" else "basket"] = exc.message
        session.refresh_from_db()
        return _page(request, session, basket, status=422)
    return redirect("counter:transaction", transaction_id=txn.pk)


@guard(read="counter.operate")
def search(request: HttpRequest) -> JsonResponse:
    """The basket's search box: services by name or code, and payable lines of other
    modules, for counter.js."""
    user = require_user(request.user)
    session = selectors.open_session_of(user)
    if session is None:
        return JsonResponse({"services": [], "others": []})
    found = basket_form.candidates(user, session, request.GET.get("q", "")[:100])
    return JsonResponse(
        {
            "services": [
                {"code": r.code, "name": r.label, "price": r.price} for r in found["services"]
            ],
            "others": [
                {
                    "kind": c.kind,
                    "ref": c.ref,
                    "name": c.label,
                    "detail": c.detail,
                    "amount": c.amount,
                    "direction": c.direction,
                    "authorised": c.authorised,
                }
                for c in found["others"]
            ],
        }
    )


def _by_method(entries: list[LedgerEntry]) -> list[dict[str, Any]]:
    """What the customer paid (or got) by each method, in the order of the methods."""
    labels = dict(LedgerEntry.Method.choices)
    sums: dict[str, int] = {}
    for e in entries:
        sign = -1 if e.direction == "out" else 1
        sums[e.method] = sums.get(e.method, 0) + sign * e.amount
    return [
        {"method": m, "label": labels[m], "net": sums[m], "net_abs": abs(sums[m])}
        for m in labels
        if m in sums
    ]


def _transaction_context(request: HttpRequest, transaction_id: uuid.UUID) -> dict[str, Any]:
    txn = selectors.counter_transaction(request.user, transaction_id)
    entries = selectors.transaction_entries(txn)
    by_method = _by_method(list(entries))
    return {
        "txn": txn,
        "entries": entries,
        "total_in": sum(e.amount for e in entries if e.direction == "in"),
        "total_out": sum(e.amount for e in entries if e.direction == "out"),
        "revenue": sum(e.revenue for e in entries),
        "due_abs": abs(txn.due),
        "due_words": amount_in_words(abs(txn.due)),
        "phone": mask_phone(txn.customer_phone),
        "by_method": by_method,
        "method_label": ", ".join(str(m["label"]) for m in by_method),
        "font_dir": (settings.BASE_DIR / "static" / "fonts").as_uri(),
    }


@guard(read="counter.view")
def transaction_receipt(request: HttpRequest, transaction_id: uuid.UUID) -> HttpResponse:
    ctx = _transaction_context(request, transaction_id)
    return render(request, "counter/transaction.html", ctx)


@guard(read="counter.view")
def transaction_pdf(request: HttpRequest, transaction_id: uuid.UUID) -> HttpResponse:
    ctx = _transaction_context(request, transaction_id) | {"pdf": True}
    html = render_to_string("counter/transaction_receipt.html", ctx, request=request)
    return _pdf(request, html, f"bien-lai-{ctx['txn'].receipt_no}.pdf")


def _pdf(request: HttpRequest, html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@guard(write="counter.operate")
def post(request: HttpRequest) -> HttpResponse:
    """The single-entry form of before the basket: one line, served as a transaction."""
    user = require_user(request.user)
    session = selectors.open_session_of(user)
    if session is None:
        messages.error(request, _("Ca đã đóng; hãy mở ca mới."))
        return redirect("counter:page")
    form = EntryForm(request.POST)
    basket = basket_form.Basket(
        key=str(request.POST.get("idempotency_key", ""))[:60] or _new_key(),
        rows=[
            basket_form.Row(
                code=request.POST.get("service", "")[:40],
                qty=request.POST.get("quantity", "1")[:10],
                amount=request.POST.get("amount", "")[:20],
            )
        ],
        method=request.POST.get("method", "cash"),
        customer_name=request.POST.get("customer_name", "")[:200],
        customer_phone=request.POST.get("customer_phone", "")[:20],
    )
    basket_form.describe(basket.rows[0], user, session)
    if not form.is_valid():
        basket.errors["basket"] = " ".join(
            f"{form.fields[f].label}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()
        )
        return _page(request, session, basket, status=422)
    return _post_one(request, session, basket)


def _post_one(
    request: HttpRequest, session: CounterSession, basket: basket_form.Basket
) -> HttpResponse:
    user = require_user(request.user)
    existing = selectors.transactions(user=user).filter(idempotency_key=basket.key).exists()
    try:
        txn = services.checkout(
            session=session, clerk=user, order=basket_form.order(basket, session.unit.kind)
        )
    except DomainError as exc:
        basket.errors["basket"] = exc.message
        session.refresh_from_db()
        return _page(request, session, basket, status=422)
    entry = selectors.transaction_entries(txn)[0]
    if existing:
        messages.info(
            request,
            _("Giao dịch này đã được ghi trước đó (%(no)s), không ghi lần hai.")
            % {"no": entry.receipt_no},
        )
    else:
        messages.success(
            request,
            _("Đã ghi %(no)s: %(service)s, %(amount)s.")
            % {
                "no": entry.receipt_no,
                "service": entry.service.local_name,
                "amount": format_vnd(entry.amount),
            },
        )
    return redirect("counter:page")


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
    """Closing a shift in two steps: the count against the book, confirmed, then the report."""
    user = require_user(request.user)
    session = selectors.open_session_of(user)
    if session is None:
        return redirect("counter:page")
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _page(request, session, basket_form.Basket(key=_new_key()), close_form=form)
    counted = form.cleaned_data["counted_cash"]
    if request.POST.get("confirm") != "1":
        return _confirm_close(request, session, form)
    try:
        closed = services.close_session(
            session=session, clerk=user, counted_cash=counted, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        form.add_error("reason" if exc.field == "reason" else None, exc.message)
        return _confirm_close(request, session, form)
    messages.success(
        request,
        _("Đã kết ca.")
        if closed.status == "closed"
        else _("Đã kết ca; chênh lệch chờ quản lý duyệt."),
    )
    return redirect("counter:report", session_id=closed.pk)


def _confirm_close(request: HttpRequest, session: CounterSession, form: CloseForm) -> HttpResponse:
    counted = form.cleaned_data["counted_cash"]
    return render(
        request,
        "counter/close_confirm.html",
        {
            "session": session,
            "form": form,
            "counted": counted,
            "difference": counted - session.book_cash,
        },
    )


@guard(read="counter.view")
def session_report(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """A shift's closing report, printable: by service, by method, cash counted and expected."""
    session = selectors.session(request.user, session_id)
    return render(
        request,
        "counter/report.html",
        {"session": session, **selectors.session_report(session)},
    )


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
    """Shifts in scope: filtered, sorted, paged, exported (see counter.session_list)."""
    return session_list_page.render_list(request)


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
