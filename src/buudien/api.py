"""The django-ninja API: mounts each app's router under /api/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from buudien.core.api_auth import auth_methods
from buudien.core.errors import DomainError, ErrorCode
from buudien.counter.api import router as counter_router
from buudien.dossiers.api import public_router
from buudien.dossiers.api import router as dossiers_router
from buudien.network.api import router as network_router
from buudien.payouts.api import router as payouts_router
from buudien.reports.api import router as reports_router

api = NinjaAPI(
    title="buudien API",
    version="1",
    description=(
        "API của buudien. Máy khách dùng `Authorization: Bearer <mã>` "
        "(tạo bằng `buudien create-token TÊN`); trình duyệt dùng phiên đăng nhập và CSRF."
    ),
    auth=auth_methods,
    docs_url="/docs",
)

STATUS_BY_CODE = {
    ErrorCode.OUT_OF_SCOPE: 403,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.STALE: 409,
    "dossier.stale": 409,
    "dossier.not_found": 404,
    "dossier.throttled": 429,
    "payout.already_settled": 409,
}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = STATUS_BY_CODE.get(exc.code, 422)
    return api.create_response(
        request,
        {"code": str(exc.code), "message": exc.message, "field": exc.field},
        status=status,
    )


api.add_router("/network/", network_router)
api.add_router("/counter/", counter_router)
api.add_router("/reports/", reports_router)
api.add_router("/dossiers/", dossiers_router)
api.add_router("/public/", public_router)
api.add_router("/payouts/", payouts_router)
