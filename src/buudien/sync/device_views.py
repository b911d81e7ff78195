"""The three doors a point's laptop knocks on: enrol once, then push and pull.

They answer a device, not a person: the laptop shows its credential in the Authorization
header (`Device <id> <secret>`), and the province keeps only the secret's digest."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from buudien.core import numbers, throttle
from buudien.core.errors import DomainError, ErrorCode, http_status
from buudien.sync import pull, wire
from buudien.sync.models import Device
from buudien.sync.services import devices
from buudien.sync.services.push import push as apply_push

MAX_BODY = 2 * 1024 * 1024


def _device_door(view: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    """A device's route: POST only, no CSRF (no cookie is used), errors as JSON."""

    def inner(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except DomainError as exc:
            body = {"code": str(exc.code), "message": exc.message}
            return JsonResponse(body, status=http_status(exc.code))

    inner.buudien_actions = {"POST": "sync.device"}  # type: ignore[attr-defined]
    return csrf_exempt(require_POST(inner))


def _device(request: HttpRequest) -> Device:
    scheme, _sep, rest = request.headers.get("Authorization", "").partition(" ")
    device_id, _sep, secret = rest.strip().partition(" ")
    if scheme != "Device" or not device_id or not secret:
        raise DomainError(_("Thiếu khóa thiết bị."), code="sync.device_forbidden")  # type: ignore[arg-type]
    return devices.authenticate(device_id=device_id, secret=secret)


def _body(request: HttpRequest) -> bytes:
    try:
        body = request.body
    except RawPostDataException as exc:  # a form was posted, not a device's frame
        raise DomainError(_("Gói dữ liệu đồng bộ không đọc được."), field="body") from exc
    if len(body) > MAX_BODY:
        raise DomainError(_("Gói dữ liệu quá lớn."), field="body")
    return body


def _frame(data: Any) -> HttpResponse:
    return HttpResponse(wire.pack(data), content_type=wire.CONTENT_TYPE)


def _enrol_budget(request: HttpRequest) -> list[throttle.Budget]:
    """Wrong codes from one address: ten an hour, so a code cannot be guessed."""
    address = throttle.client_address(request)
    return [throttle.Budget(("sync.enroll", address), 10, dt.timedelta(hours=1))]


@_device_door
def enroll(request: HttpRequest) -> HttpResponse:
    budget = _enrol_budget(request)
    if throttle.spent(budget):
        raise DomainError(
            _("Nhập sai mã quá nhiều lần; hãy thử lại sau một giờ."), code=ErrorCode.THROTTLED
        )
    try:
        data = json.loads(_body(request) or b"{}")
        code, label = str(data["code"]), str(data.get("label", ""))[:100]
    except (ValueError, KeyError, TypeError) as exc:
        raise DomainError(_("Cần mã đăng ký."), field="code") from exc
    try:
        device, secret = devices.enroll(code=code, label=label)
    except DomainError:
        throttle.fail(budget)
        raise
    point = device.point
    return JsonResponse(
        {
            "device": str(device.pk),
            "secret": secret,
            "point": {"id": str(point.pk), "code": point.code, "name": point.name},
            "numbers": numbers.reserve_all(holder=device.pk),
        }
    )


@_device_door
def push(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    return HttpResponse(
        apply_push(device=device, body=_body(request)), content_type=wire.CONTENT_TYPE
    )


@_device_door
def pull_page(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    asked = wire.unpack(_body(request))
    if not isinstance(asked, dict):
        raise DomainError(_("Yêu cầu tải dữ liệu không đúng định dạng."), field="body")
    page = pull.pull_page(
        point_id=device.point_id,
        have={str(k): str(v) for k, v in dict(asked.get("have") or {}).items()},
        cursor=asked.get("cursor") or None,
        skip_mutable=bool(asked.get("skip_mutable")),
    )
    page["n"] = numbers.reserve_all(holder=device.pk)
    return _frame(page)
