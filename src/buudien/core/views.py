"""Login, the home page and the error pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import throttle
from buudien.core.permissions import actions_of, guard, public, rule


def login_budgets(username: str, address: str) -> list[throttle.Budget]:
    """Per (user name, address): a stranger elsewhere cannot lock the owner out; per address:
    a larger budget, since a whole office may sit behind one address."""
    window = dt.timedelta(minutes=settings.BUUDIEN_LOGIN_COOLOFF_MINUTES)
    return [
        throttle.Budget(
            ("login", username.strip().lower(), address),
            settings.BUUDIEN_LOGIN_FAILURE_LIMIT,
            window,
        ),
        throttle.Budget(("login-address", address), settings.BUUDIEN_LOGIN_ADDRESS_LIMIT, window),
    ]


class ThrottledLoginForm(AuthenticationForm):
    """The login form, refusing further tries once a budget of failures is spent."""

    locked = False

    def clean(self) -> dict[str, Any]:
        request = self.request
        address = throttle.client_address(request) if request is not None else ""
        budgets = login_budgets(str(self.cleaned_data.get("username") or ""), address)
        if throttle.spent(budgets) is not None:
            self.locked = True
            raise ValidationError(
                _("Đăng nhập sai quá nhiều lần từ máy này. Hãy đợi %(m)s phút rồi thử lại.")
                % {"m": round(settings.BUUDIEN_LOGIN_COOLOFF_MINUTES)},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.fail(budgets)
            raise
        throttle.clear(budgets[:1])
        return cleaned


@public
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledLoginForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response


@public
class LogoutView(auth_views.LogoutView):
    pass


HOME_ACTIONS: list[tuple[str, str, Promise, Promise]] = [
    # (action that must be allowed, URL name, title, description)
    (
        "counter.operate",
        "counter:page",
        gettext_lazy("Quầy giao dịch"),
        gettext_lazy("Mở ca, ghi giao dịch, in biên lai, kết ca."),
    ),
    (
        "network.view",
        "network:overview",
        gettext_lazy("Tổng quan mạng lưới"),
        gettext_lazy("Số điểm đa dịch vụ, điểm thiếu internet hay sóng di động theo khu vực."),
    ),
    (
        "network.view",
        "network:list",
        gettext_lazy("Danh sách đơn vị"),
        gettext_lazy("Tìm, lọc, sắp xếp và xuất Excel các điểm và bưu cục trong phạm vi."),
    ),
    (
        "network.manage",
        "network:create",
        gettext_lazy("Thêm đơn vị"),
        gettext_lazy("Đăng ký bưu cục hoặc điểm mới."),
    ),
    (
        "network.manage",
        "network:import",
        gettext_lazy("Nhập danh sách điểm từ Excel"),
        gettext_lazy("Nhận danh sách điểm BĐ-VHX của tỉnh, có báo cáo lỗi từng dòng."),
    ),
    (
        "dossiers.view",
        "dossiers:list",
        gettext_lazy("Hồ sơ thủ tục hành chính"),
        gettext_lazy("Hồ sơ đến hạn, quá hạn; biên bản bàn giao; tra cứu."),
    ),
    (
        "payouts.view",
        "payouts:index",
        gettext_lazy("Chi trả lương hưu, trợ cấp"),
        gettext_lazy("Danh sách chi trả, tiến độ, đối soát."),
    ),
    (
        "reports.view",
        "reports:dashboard",
        gettext_lazy("Bảng điều hành và báo cáo"),
        gettext_lazy("Thực hiện so với kế hoạch, cùng kỳ, theo nhóm dịch vụ và đơn vị."),
    ),
]


@guard(read="core.home")
def home(request: HttpRequest) -> HttpResponse:
    allowed = actions_of(request.user)
    actions = [(url, title, desc) for a, url, title, desc in HOME_ACTIONS if a in allowed]
    writes = any(rule(a).writes for a in allowed)
    show_dashboard = "reports.view" in allowed
    return render(
        request,
        "core/home.html",
        {"actions": actions, "read_only": not writes, "show_dashboard": show_dashboard},
    )


@public
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = getattr(exception, "message", "") or _("Bạn không có quyền truy cập trang này.")
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"message": _("Không tìm thấy trang.")}, status=404)
