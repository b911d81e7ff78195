"""Login, the home page and the error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from buudien.core.models import Role
from buudien.core.scoping import scope_of


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    scope = scope_of(user)
    actions: list[tuple[str, str, str]] = []
    if user.role in {Role.ADMIN, Role.PROVINCE_MANAGER, Role.AREA_MANAGER, Role.AUDITOR}:
        actions.append(
            (
                "network:overview",
                _("Tổng quan mạng lưới"),
                _("Số điểm đa dịch vụ, điểm thiếu internet hay sóng di động theo khu vực."),
            )
        )
    actions.append(
        (
            "network:list",
            _("Danh sách đơn vị"),
            _("Tìm, lọc, sắp xếp và xuất Excel các điểm và bưu cục trong phạm vi."),
        )
    )
    if not scope.read_only:
        actions.append(("network:create", _("Thêm đơn vị"), _("Đăng ký bưu cục hoặc điểm mới.")))
        actions.append(
            (
                "network:import",
                _("Nhập danh sách điểm từ Excel"),
                _("Nhận danh sách điểm BĐ-VHX của tỉnh, có báo cáo lỗi từng dòng."),
            )
        )
    if user.role in {Role.CLERK}:
        actions.insert(
            0,
            ("counter:page", _("Quầy giao dịch"), _("Mở ca, ghi giao dịch, in biên lai, kết ca.")),
        )
    show_dashboard = user.role != Role.CLERK and bool(user.home_unit_id or user.partner_id)
    if show_dashboard:
        actions.append(
            (
                "reports:dashboard",
                _("Bảng điều hành và báo cáo"),
                _("Thực hiện so với kế hoạch, cùng kỳ, theo nhóm dịch vụ và đơn vị."),
            )
        )
    return render(
        request,
        "core/home.html",
        {"actions": actions, "scope": scope, "show_dashboard": show_dashboard},
    )


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = getattr(exception, "message", "") or _("Bạn không có quyền truy cập trang này.")
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"message": _("Không tìm thấy trang.")}, status=404)
