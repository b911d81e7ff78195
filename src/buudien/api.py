"""The django-ninja API: mounts each app's router under /api/."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from buudien.core.api_auth import auth_methods
from buudien.core.errors import ERROR_STATUSES, DomainError, ErrorCode, http_status
from buudien.counter.api import router as counter_router
from buudien.dossiers.api import public_router
from buudien.dossiers.api import router as dossiers_router
from buudien.insurance.api import routers as insurance_routers
from buudien.mail.api import public_router as mail_public_router
from buudien.mail.api import routers as mail_routers
from buudien.network.api import router as network_router
from buudien.payouts.api import router as payouts_router
from buudien.reports.api import router as reports_router

api = NinjaAPI(
    title="buudien API",
    version="1",
    description=_(
        "API của buudien. Máy khách dùng `Authorization: Bearer <mã>` "
        "(tạo bằng `buudien create_token TÊN`); trình duyệt dùng phiên đăng nhập và CSRF. "
        "Mọi lỗi trả về `{code, message, field}`: `code` ổn định cho máy, `message` cho người."
    ),
    auth=auth_methods,
    docs_url="/docs",
)


class ErrorOut(Schema):
    """Every error: a stable code, a Vietnamese message, the field at fault (if one is)."""

    code: str
    message: str
    field: str | None = None


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: Any = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "field": field}, status=status
    )


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, http_status(exc.code), str(exc.code), exc.message, exc.field)


def _field_of(loc: Any) -> str:
    parts = [str(p) for p in (loc or ()) if p not in {"body", "query", "path", "form", "payload"}]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    field = _field_of(first.get("loc"))
    message = _("Giá trị của «%(field)s» không hợp lệ: %(why)s") % {
        "field": field,
        "why": first.get("msg", ""),
    }
    return _error(request, 422, str(ErrorCode.INVALID), message, field)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request, 401, "core.unauthenticated", _("Bạn cần đăng nhập hoặc gửi mã truy cập.")
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "core.bad_request", 404: "core.not_found", 429: "core.throttled"}
    status = exc.status_code if exc.status_code in ERROR_STATUSES else 400
    return _error(request, status, code.get(status, "core.invalid"), str(exc))


api.add_router("/network/", network_router)
api.add_router("/counter/", counter_router)
api.add_router("/reports/", reports_router)
api.add_router("/dossiers/", dossiers_router)
api.add_router("/public/", public_router)
api.add_router("/payouts/", payouts_router)
for mail_router in mail_routers:
    api.add_router("/mail/", mail_router)
api.add_router("/public/", mail_public_router)
for insurance_router in insurance_routers:
    api.add_router("/insurance/", insurance_router)


def operations() -> list[tuple[str, str, Any]]:
    """Every API operation as (method, path, operation), for the docs and the access test."""
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    full = "/api/" + re.sub("/+", "/", f"{prefix}/{path}").strip("/")
                    found.append((method, full, operation))
    return found


def _declare_errors() -> None:
    """Every operation declares the error statuses it can answer, in the OpenAPI document."""
    for _method, _path, operation in operations():
        for status in ERROR_STATUSES:
            if status not in operation.response_models:
                operation.response_models[status] = operation._create_response_model(ErrorOut)


_declare_errors()
