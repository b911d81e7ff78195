"""Point mode's pages: at the province the laptops of the points (enrolment codes, revoking,
what each had refused) and the conflicts to settle; on a laptop, its own sync status."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from buudien.core.errors import DomainError, NotFound, OutOfScope
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.permissions import Target, allows, guard
from buudien.core.scoping import require_user
from buudien.network import selectors as network_selectors
from buudien.sync import selectors, services
from buudien.sync.forms import (
    DEVICE_STATES,
    PROBLEM_OUTCOMES,
    ConflictFilterForm,
    DeviceFilterForm,
    IssueCodeForm,
    ProblemFilterForm,
    ResolveForm,
    cleaned,
)
from buudien.sync.models import AppliedOperation, Conflict, Device

PER_PAGE = 50


def _point_in_scope(request: HttpRequest, values: dict[str, Any]) -> list[str]:
    """A point code outside the user's scope is named as such (and not filtered on), in the
    same words as a code that does not exist."""
    code = str(values.get("point") or "").strip()
    if not code:
        return []
    try:
        network_selectors.unit_by_code(user=request.user, code=code)
    except (NotFound, OutOfScope) as exc:
        values["point"] = ""
        return [f"{_('Mã điểm')}: {exc.message}"]
    return []


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Any:
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


# --- the laptop's own page ---------------------------------------------------------------


def _synced(done: Any) -> str:
    """What a sync did, in one sentence for the clerk."""
    return _(
        "Đã đồng bộ với máy chủ tỉnh: gửi %(pushed)s thao tác (%(refused)s bị từ chối, "
        "%(conflicts)s xung đột), còn %(waiting)s thao tác chờ gửi."
    ) % {
        "pushed": getattr(done, "pushed", 0),
        "refused": getattr(done, "refused", 0),
        "conflicts": getattr(done, "conflicts", 0),
        "waiting": getattr(done, "waiting", 0),
    }


@never_cache
@guard(read="sync.point", write="sync.point")
def status(request: HttpRequest) -> HttpResponse:
    """On a point's laptop: what waits, when it last synced, what was refused; sync now."""
    current = selectors.point_status()
    if request.method == "POST":
        if current is None:
            messages.error(request, _("Máy này là máy chủ tỉnh, không có gì để đồng bộ."))
            return redirect("sync:status")
        from buudien.sync import client

        try:
            done = client.sync_now()
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _synced(done))
        return redirect("sync:status")
    if current is None:
        return render(request, "sync/province.html")
    values, errors = cleaned(ProblemFilterForm(request.GET))
    page = _page(request, selectors.point_problems(state=values["outcome"]))
    return render(
        request,
        "sync/status.html",
        {
            "status": current,
            "page": page,
            "values": values,
            "errors": errors,
            "outcomes": PROBLEM_OUTCOMES,
        },
    )


# --- devices at the province -------------------------------------------------------------


def _device_rows(qs: QuerySet[Device]) -> list[tuple[Device, int | None]]:
    now = timezone.now()
    return [(d, selectors.days_silent(d, now=now)) for d in qs]


def _device_state(d: Device) -> str:
    if d.revoked_at is not None:
        return _("Đã thu hồi")
    return _("Im lặng") if getattr(d, "silent", False) else _("Đang dùng")


def _export_devices(qs: QuerySet[Device]) -> HttpResponse:
    rows = (
        [
            d.point.code,
            d.point.name,
            d.label,
            _device_state(d),
            d.enrolled_at,
            d.enrolled_by.display_name,
            d.last_seen_at,
            d.backlog,
            d.applied,
            d.refused,
            getattr(d, "open_conflicts", 0),
            d.revoked_at,
        ]
        for d in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Mã điểm"),
        _("Điểm"),
        _("Tên máy"),
        _("Tình trạng"),
        _("Đăng ký lúc"),
        _("Người cấp mã"),
        _("Liên lạc lần cuối"),
        _("Còn chờ gửi"),
        _("Đã ghi"),
        _("Bị từ chối"),
        _("Xung đột chờ xử lý"),
        _("Thu hồi lúc"),
    ]
    content = export_xlsx(title=_("Máy điểm"), headers=headers, rows=rows)
    return xlsx_response(content, "may-diem.xlsx")


def _issue(request: HttpRequest, form: IssueCodeForm) -> dict[str, Any] | None:
    """Issue a code from the posted form; the code, its expiry and the command to type, to be
    shown once."""
    if not form.is_valid():
        return None
    try:
        code, raw = services.issue_code(
            actor=require_user(request.user), point_id=form.cleaned_data["point"]
        )
    except DomainError as exc:
        form.add_error("point", exc.message)
        return None
    server = request.build_absolute_uri("/").rstrip("/")
    return {
        "code": raw,
        "point": code.point,
        "expires_at": code.expires_at,
        "command": f"buudien point enroll --server {server} --code {raw}",
    }


@never_cache
@guard(read="sync.view", write="sync.manage")
def devices(request: HttpRequest) -> HttpResponse:
    """The laptops in scope: filtered, sorted, paged, exported; a code to enrol one more."""
    user = request.user
    values, errors = cleaned(DeviceFilterForm(request.GET))
    errors += _point_in_scope(request, values)
    sort = values["sort"] or "point"
    qs = selectors.devices(user=user, point=values["point"], state=values["state"], sort=sort)
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        return _export_devices(qs)
    can_issue = allows(user, "sync.manage")
    points = selectors.commune_points(user=user) if can_issue else []
    posted = request.POST if request.method == "POST" else None
    form = IssueCodeForm(posted, points=points)
    issued = _issue(request, form) if request.method == "POST" else None
    if issued is not None:
        form = IssueCodeForm(points=points)
    ctx = {
        "page": (page := _page(request, qs)),
        "rows": _device_rows(page.object_list),
        "values": values,
        "sort": sort,
        "errors": errors,
        "states": DEVICE_STATES,
        "silent": selectors.silent_count(user=user),
        "silent_days": selectors.silent_days(),
        "open_conflicts": selectors.open_conflicts_count(user=user),
        "can_issue": can_issue,
        "enrol_hours": services.enrol_hours(),
        "form": form,
        "issued": issued,
    }
    return render(request, "sync/devices.html", ctx)


def _export_problems(device: Device, qs: QuerySet[AppliedOperation]) -> HttpResponse:
    rows = (
        [o.seq, o.at, o.kind, o.actor, o.get_outcome_display(), o.code, o.message]
        for o in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Số thứ tự"),
        _("Làm lúc"),
        _("Thao tác"),
        _("Người làm"),
        _("Kết quả"),
        _("Mã lỗi"),
        _("Lý do"),
    ]
    content = export_xlsx(title=str(device), headers=headers, rows=rows)
    return xlsx_response(content, f"may-diem-{device.point.code}.xlsx")


@guard(read="sync.view")
def device(request: HttpRequest, device_id: uuid.UUID) -> HttpResponse:
    """One laptop: its contacts, and the operations the province refused or found in conflict."""
    found = selectors.device(user=request.user, pk=device_id)
    values, errors = cleaned(ProblemFilterForm(request.GET))
    qs = selectors.device_problems(user=request.user, device=found, outcome=values["outcome"])
    if request.GET.get("format") == "xlsx":
        return _export_problems(found, qs)
    ctx = {
        "device": found,
        "days_silent": selectors.days_silent(found),
        "page": _page(request, qs),
        "values": values,
        "errors": errors,
        "outcomes": PROBLEM_OUTCOMES,
        "can_revoke": found.revoked_at is None
        and allows(request.user, "sync.manage", Target(path=found.point.path)),
    }
    return render(request, "sync/device.html", ctx)


@guard(write="sync.manage")
def revoke(request: HttpRequest, device_id: uuid.UUID) -> HttpResponse:
    found = selectors.device(user=request.user, pk=device_id)
    try:
        services.revoke(actor=require_user(request.user), device=found)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã thu hồi máy %(device)s của %(point)s; từ nay máy này không đồng bộ được nữa.")
            % {"device": found, "point": found.point.name},
        )
    return redirect("sync:device", device_id=found.pk)


# --- conflicts ---------------------------------------------------------------------------

RECEIPT_KEYS = ("first_receipt", "second_receipt")


def _receipts(c: Conflict) -> list[tuple[str, str]]:
    """The receipts a conflict names, labelled: the settlement that stands, and the second."""
    details = c.details if isinstance(c.details, dict) else {}
    labels = {"first_receipt": _("Lần chi trước"), "second_receipt": _("Lần tại điểm")}
    if c.kind == Conflict.Kind.DOUBLE_COLLECTION:
        labels["first_receipt"] = _("Lần thu trước")
    elif c.kind != Conflict.Kind.DOUBLE_PAYMENT:
        labels["second_receipt"] = _("Biên lai")
    return [(labels[k], str(details[k])) for k in RECEIPT_KEYS if details.get(k)]


def _receipt_numbers(c: Conflict) -> list[str]:
    details = c.details if isinstance(c.details, dict) else {}
    return [str(details.get(k) or "") for k in RECEIPT_KEYS]


def _export_conflicts(qs: QuerySet[Conflict]) -> HttpResponse:
    rows = (
        [
            c.found_at,
            c.point.code,
            c.point.name,
            c.get_kind_display(),
            c.message,
            c.amount,
            *_receipt_numbers(c),
            c.get_state_display(),
            c.resolution,
            c.resolved_by.display_name if c.resolved_by else "",
            c.resolved_at,
        ]
        for c in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Phát hiện lúc"),
        _("Mã điểm"),
        _("Điểm"),
        _("Loại"),
        _("Nội dung"),
        _("Số tiền (đồng)"),
        _("Biên lai trước"),
        _("Biên lai tại điểm"),
        _("Trạng thái"),
        _("Cách xử lý"),
        _("Người xử lý"),
        _("Xử lý lúc"),
    ]
    content = export_xlsx(title=_("Xung đột đồng bộ"), headers=headers, rows=rows)
    return xlsx_response(content, "xung-dot-dong-bo.xlsx")


@guard(read="sync.view")
def conflicts(request: HttpRequest) -> HttpResponse:
    """The conflicts at the points in scope, open first; each with its receipts and, for a
    manager, the form to settle it."""
    user = request.user
    states, kinds = selectors.conflict_states(), selectors.conflict_kinds()
    values, errors = cleaned(ConflictFilterForm(request.GET, states=states, kinds=kinds))
    errors += _point_in_scope(request, values)
    sort = values["sort"] or ""
    qs = selectors.conflicts(
        user=user, state=values["state"], kind=values["kind"], point=values["point"], sort=sort
    )
    if request.GET.get("format") == "xlsx":
        return _export_conflicts(qs)
    page = _page(request, qs)
    rows = [
        (
            c,
            _receipts(c),
            c.state == Conflict.State.OPEN
            and allows(user, "sync.resolve", Target(path=c.point.path)),
        )
        for c in page.object_list
    ]
    ctx = {
        "page": page,
        "rows": rows,
        "values": values,
        "sort": sort,
        "errors": errors,
        "states": states,
        "kinds": kinds,
        "back": request.get_full_path(),
    }
    return render(request, "sync/conflicts.html", ctx)


def _back(request: HttpRequest) -> str:
    """Back to the conflicts list as it was filtered (only ever a path of that list)."""
    back = str(request.POST.get("back") or "")
    if back.startswith("/sync/conflicts/") and "//" not in back and "\\" not in back:
        return back
    return "/sync/conflicts/"


@guard(write="sync.resolve")
def resolve(request: HttpRequest, conflict_id: uuid.UUID) -> HttpResponse:
    found = selectors.conflict(user=request.user, pk=conflict_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect(_back(request))
    try:
        services.resolve(
            actor=require_user(request.user),
            conflict=found,
            resolution=form.cleaned_data["resolution"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã ghi cách xử lý xung đột tại %(point)s.") % {"point": found.point.name},
        )
    return redirect(_back(request))
