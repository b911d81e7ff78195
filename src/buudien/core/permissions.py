"""What each role may do, and where: the one declared permission matrix.

Every write service, every page or export that shows personal data and every agency step
names its action here. Services, views, API handlers and templates all ask `check` (through
`require`, `allows`, the `guard` decorator and the `can` template filter), so access is
decided in one place. `buudien permissions` prints the matrix as the table in
docs/security.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseNotAllowed
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buudien.core.errors import Forbidden, OutOfScope
from buudien.core.models import Role
from buudien.core.scoping import Actor, Scope, scope_of

R = Role


class Reach(StrEnum):
    """The scope an action needs of its target."""

    ANY = "any"  # no single target: the page lists only what the user's scope covers
    UNIT = "unit"  # the target's unit lies in the user's subtree
    AGENCY = "agency"  # an agency officer: his agency's; post staff: as UNIT
    PROVINCE = "province"  # the user's own scope is a whole province
    PUBLIC = "public"  # anyone, without logging in
    DEVICE = "device"  # an enrolled point laptop, by its device credential, not a person


REACH_LABELS: dict[Reach, Promise] = {
    Reach.ANY: _("trong phạm vi của người dùng"),
    Reach.UNIT: _("đơn vị thuộc phạm vi (điểm của mình, khu vực của mình, tỉnh)"),
    Reach.AGENCY: _("cán bộ đối tác: của cơ quan mình; nhân viên bưu điện: như đơn vị"),
    Reach.PROVINCE: _("người dùng cấp tỉnh"),
    Reach.PUBLIC: _("mọi người, không cần đăng nhập"),
    Reach.DEVICE: _("máy điểm đã đăng ký, xác thực bằng khóa thiết bị"),
}

ALL = frozenset(R.values)
STAFF = frozenset({R.ADMIN, R.PROVINCE_MANAGER, R.AREA_MANAGER, R.CLERK, R.AUDITOR})
READERS = frozenset({R.ADMIN, R.PROVINCE_MANAGER, R.AREA_MANAGER, R.AUDITOR})
MANAGERS = frozenset({R.ADMIN, R.PROVINCE_MANAGER, R.AREA_MANAGER})
COUNTER = frozenset({R.ADMIN, R.PROVINCE_MANAGER, R.AREA_MANAGER, R.CLERK})
PROVINCE = frozenset({R.ADMIN, R.PROVINCE_MANAGER})
OFFICER = frozenset({R.PARTNER_OFFICER})


@dataclass(frozen=True)
class Rule:
    """One line of the matrix: who may do an action, and which scope it needs."""

    action: str
    label: Promise
    roles: frozenset[str]
    reach: Reach
    writes: bool = False
    personal: bool = False


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.action: r for r in rules}


MATRIX: dict[str, Rule] = _rules(
    # Public pages and the home page.
    Rule("public.lookup", _("tra cứu hồ sơ của mình"), ALL, Reach.PUBLIC),
    Rule("public.login", _("đăng nhập, đăng xuất, chọn ngôn ngữ"), ALL, Reach.PUBLIC),
    Rule("core.home", _("xem trang chủ"), ALL, Reach.ANY),
    # Network.
    Rule("network.view", _("xem danh sách và thông tin đơn vị"), ALL, Reach.UNIT),
    Rule("network.manage", _("tạo, sửa, nhập danh sách đơn vị"), MANAGERS, Reach.UNIT, True),
    # Counter and ledger.
    Rule("counter.operate", _("mở ca, ghi và hủy giao dịch, kết ca"), COUNTER, Reach.UNIT, True),
    Rule(
        "counter.view",
        _("xem giao dịch, biên lai, ca làm việc, kết ngày"),
        STAFF,
        Reach.UNIT,
        personal=True,
    ),
    Rule("counter.approve", _("duyệt chênh lệch kết ca"), MANAGERS, Reach.UNIT, True),
    # Plans and reports: the post's internal figures.
    Rule("plans.view", _("xem kế hoạch"), STAFF, Reach.UNIT),
    Rule("plans.manage", _("giao, điều chỉnh, phân bổ kế hoạch"), MANAGERS, Reach.UNIT, True),
    Rule("plans.view_manual", _("xem số liệu tài chính nhập tay"), READERS, Reach.UNIT),
    Rule("plans.enter_manual", _("nhập số liệu tài chính"), MANAGERS, Reach.UNIT, True),
    Rule("reports.view", _("xem báo cáo và bảng điều hành"), READERS, Reach.UNIT),
    # Administrative dossiers.
    Rule(
        "dossiers.view",
        _("xem hồ sơ, phiếu hẹn, biên bản, khiếu nại"),
        ALL,
        Reach.AGENCY,
        personal=True,
    ),
    Rule("dossiers.procedures", _("xem danh mục thủ tục"), ALL, Reach.ANY),
    Rule(
        "dossiers.import_procedures",
        _("nhập danh mục thủ tục"),
        PROVINCE,
        Reach.PROVINCE,
        True,
    ),
    Rule("dossiers.intake", _("tiếp nhận hồ sơ, thu phí"), COUNTER, Reach.UNIT, True),
    Rule(
        "dossiers.post_step",
        _("chuyển, nhận, trả kết quả hồ sơ tại bưu điện"),
        COUNTER,
        Reach.UNIT,
        True,
    ),
    Rule(
        "dossiers.agency_step",
        _("ghi bước của cơ quan: hẹn trả, yêu cầu bổ sung, có kết quả, từ chối"),
        OFFICER,
        Reach.AGENCY,
        True,
    ),
    Rule("dossiers.batch", _("lập và giao biên bản bàn giao"), COUNTER, Reach.UNIT, True),
    Rule(
        "dossiers.confirm_handover",
        _("xác nhận biên bản gửi đến cơ quan"),
        OFFICER,
        Reach.AGENCY,
        True,
    ),
    Rule(
        "dossiers.confirm_arrival",
        _("xác nhận kết quả về đến điểm"),
        COUNTER,
        Reach.UNIT,
        True,
    ),
    Rule("dossiers.file_complaint", _("ghi nhận khiếu nại"), COUNTER, Reach.UNIT, True),
    Rule(
        "dossiers.resolve_complaint",
        _("giải quyết khiếu nại, bồi thường"),
        MANAGERS,
        Reach.UNIT,
        True,
    ),
    Rule(
        "dossiers.outbox",
        _("xem tin nhắn gửi công dân"),
        PROVINCE,
        Reach.ANY,
        personal=True,
    ),
    # Pensions and allowances.
    Rule(
        "payouts.view",
        _("xem danh sách chi trả và tiến độ"),
        ALL,
        Reach.AGENCY,
        personal=True,
    ),
    Rule(
        "payouts.import",
        _("nhập danh sách chi trả của cơ quan"),
        PROVINCE | OFFICER,
        Reach.AGENCY,
        True,
    ),
    Rule("payouts.pay", _("chi trả một dòng"), COUNTER, Reach.UNIT, True),
    Rule("payouts.return", _("trả lại dòng chưa chi"), COUNTER, Reach.UNIT, True),
    Rule("payouts.close", _("quyết toán danh sách"), PROVINCE, Reach.AGENCY, True),
    Rule("payouts.reconciliation", _("xem đối soát chi trả"), ALL, Reach.AGENCY),
    Rule(
        "payouts.settlement",
        _("tải lệnh chi qua tài khoản (đủ số CCCD, số tài khoản)"),
        PROVINCE,
        Reach.AGENCY,
        personal=True,
    ),
    Rule(
        "payouts.bank_results",
        _("nhập kết quả chi qua ngân hàng"),
        PROVINCE,
        Reach.AGENCY,
        True,
    ),
    Rule("payouts.cashless", _("xem tiến độ chi không dùng tiền mặt"), READERS, Reach.UNIT),
    Rule(
        "payouts.beneficiaries",
        _("xem đối tượng hưởng"),
        STAFF,
        Reach.UNIT,
        personal=True,
    ),
    Rule(
        "payouts.update_beneficiary",
        _("sửa đối tượng hưởng: trạng thái, tài khoản, ủy quyền"),
        COUNTER,
        Reach.UNIT,
        True,
    ),
    # Mail: postal items, tracking, bags and routes, delivery and COD, customers.
    Rule("public.track", _("tra cứu bưu gửi theo số hiệu"), ALL, Reach.PUBLIC),
    Rule(
        "mail.view",
        _("xem bưu gửi, hành trình, túi thư, chuyến thư, bưu gửi chậm"),
        STAFF,
        Reach.UNIT,
        personal=True,
    ),
    Rule("mail.accept", _("nhận gửi bưu gửi, thu cước, in nhãn"), COUNTER, Reach.UNIT, True),
    Rule(
        "mail.scan",
        _("ghi trạng thái bưu gửi, nhập tệp quét, đóng và nhận túi thư"),
        COUNTER,
        Reach.UNIT,
        True,
    ),
    Rule(
        "mail.deliver",
        _("phát bưu gửi, thu COD, chuyển hoàn, trả COD cho người gửi"),
        COUNTER,
        Reach.UNIT,
        True,
    ),
    Rule("mail.trips", _("xuất phát, kết thúc chuyến thư"), COUNTER, Reach.UNIT, True),
    Rule("mail.routes", _("lập, sửa tuyến đường thư"), MANAGERS, Reach.UNIT, True),
    Rule("mail.customers", _("xem khách hàng"), STAFF, Reach.UNIT, personal=True),
    Rule("mail.manage_customers", _("thêm, sửa khách hàng"), COUNTER, Reach.UNIT, True),
    # Insurance agency: voluntary social insurance and household health insurance.
    Rule(
        "insurance.view",
        _("xem người tham gia BHXH, BHYT, hộ gia đình, lần đóng, danh sách gia hạn"),
        ALL,
        Reach.AGENCY,
        personal=True,
    ),
    Rule(
        "insurance.enrol",
        _("đăng ký người tham gia, hộ gia đình; thu tiền đóng BHXH, BHYT"),
        COUNTER,
        Reach.UNIT,
        True,
    ),
    Rule(
        "insurance.remind",
        _("nhắc gia hạn qua tin nhắn, tải danh sách gọi điện"),
        COUNTER,
        Reach.UNIT,
        True,
        personal=True,
    ),
    Rule(
        "insurance.declare",
        _("lập danh sách kê khai gửi cơ quan BHXH"),
        MANAGERS,
        Reach.UNIT,
        True,
        personal=True,
    ),
    Rule(
        "insurance.confirm",
        _("nhập kết quả xác nhận của cơ quan BHXH"),
        PROVINCE | OFFICER,
        Reach.AGENCY,
        True,
    ),
    Rule("insurance.rules", _("xem mức đóng, mức hỗ trợ, phương thức đóng"), ALL, Reach.ANY),
    Rule("insurance.targets", _("xem chỉ tiêu phát triển người tham gia"), ALL, Reach.AGENCY),
    # Point mode: the province's view of the laptops, and a laptop's own sync.
    Rule("sync.view", _("xem máy điểm, hàng chờ và xung đột đồng bộ"), READERS, Reach.UNIT),
    Rule("sync.manage", _("cấp mã đăng ký máy điểm, thu hồi máy"), MANAGERS, Reach.UNIT, True),
    Rule(
        "sync.device",
        _("máy điểm: đăng ký bằng mã một lần, gửi thao tác, tải dữ liệu của điểm"),
        frozenset(),
        Reach.DEVICE,
        True,
    ),
    Rule("sync.resolve", _("xử lý xung đột đồng bộ"), MANAGERS, Reach.UNIT, True),
    Rule(
        "sync.point",
        _("xem tình trạng đồng bộ của máy điểm, đồng bộ ngay"),
        COUNTER,
        Reach.ANY,
        True,
    ),
)


@dataclass(frozen=True)
class Target:
    """What an action is about: the unit it happens at and, where it has one, its agency."""

    path: str = ""
    agency_id: Any = None


def rule(action: str) -> Rule:
    try:
        return MATRIX[action]
    except KeyError:
        raise LookupError(f"No rule for action {action!r} in the permission matrix") from None


def _role_of(user: Actor) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if getattr(user, "is_superuser", False):
        return str(R.ADMIN)
    return str(getattr(user, "role", "") or "") or None


def _covers(scope: Scope, role: str, reach: Reach, target: Target) -> bool:
    if scope.everything:
        return True
    if role == R.PARTNER_OFFICER and reach == Reach.AGENCY:
        return target.agency_id is not None and str(target.agency_id) == str(scope.partner_id)
    return scope.covers(target.path) if target.path else False


def _province_level(scope: Scope) -> bool:
    return scope.everything or (bool(scope.path) and (scope.path or "").count("/") == 2)


@dataclass(frozen=True)
class Refusal:
    """Why a user may not: the role (403, names the rule) or the scope (404, reveals nothing)."""

    rule: Rule
    out_of_scope: bool

    @property
    def message(self) -> str:
        if self.out_of_scope:
            return gettext("Không tìm thấy.")
        return gettext("Vai trò của bạn không được %(what)s (quy tắc %(rule)s).") % {
            "what": self.rule.label,
            "rule": self.rule.action,
        }

    def error(self) -> Forbidden | OutOfScope:
        if self.out_of_scope:
            return OutOfScope(self.message)
        return Forbidden(self.message)


def check(user: Actor, action: str, target: Target | None = None) -> Refusal | None:
    """The one decision: None when the user may do the action (on the target), else why not."""
    found = rule(action)
    if found.reach == Reach.PUBLIC:
        return None
    if found.reach == Reach.DEVICE:  # a laptop's credential, checked at its door; no person
        return Refusal(found, out_of_scope=False)
    role = _role_of(user)
    if role is None or role not in found.roles:
        return Refusal(found, out_of_scope=False)
    scope = scope_of(user)
    if scope.path is None and not scope.everything:
        return Refusal(found, out_of_scope=False)
    if found.reach == Reach.PROVINCE and not _province_level(scope):
        return Refusal(found, out_of_scope=False)
    if target is not None and not _covers(scope, role, found.reach, target):
        return Refusal(found, out_of_scope=True)
    return None


def allows(user: Actor, action: str, target: Target | None = None) -> bool:
    return check(user, action, target) is None


def require(user: Actor, action: str, target: Target | None = None) -> None:
    """Raise Forbidden (the role may not) or OutOfScope (not in the user's scope)."""
    refusal = check(user, action, target)
    if refusal is not None:
        raise refusal.error()


def actions_of(user: Actor) -> set[str]:
    """Every action the user's role may take somewhere (for menus and templates)."""
    return {a for a in MATRIX if check(user, a) is None}


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
V = TypeVar("V", bound=Callable[..., Any])


def guard(*, read: str | None = None, write: str | None = None) -> Callable[[V], V]:
    """Declare the action a route performs (reads by GET, writes by POST) and refuse early.

    The scope of the object itself is decided by the selector the view calls; this refuses
    the role before anything is read or stored, and names the route's actions for the
    generated access test."""
    for action in (read, write):
        if action is not None:
            rule(action)

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            action = read if request.method in SAFE_METHODS else write
            if action is None:
                allowed = [m for m, a in (("GET", read), ("POST", write)) if a is not None]
                return HttpResponseNotAllowed(allowed)
            found = rule(action)
            user = request.user
            if found.reach != Reach.PUBLIC and not user.is_authenticated:
                if _is_api(request):
                    raise Forbidden(gettext("Bạn cần đăng nhập."))
                return redirect_to_login(request.get_full_path())
            require(user, action)
            return view(request, *args, **kwargs)

        wrapper.buudien_actions = {"GET": read, "POST": write}  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: V) -> V:
    """Mark a route that anyone may open (login, language, health)."""
    view.buudien_actions = {"GET": "public.login", "POST": "public.login"}  # type: ignore[attr-defined]
    return view


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def route_actions(view: Any) -> dict[str, str | None] | None:
    """The actions a route declared with `guard` or `public`, if any."""
    seen = 0
    while view is not None and seen < 10:
        found = getattr(view, "buudien_actions", None)
        if found is not None:
            return dict(found)
        view = getattr(view, "view_class", None) or getattr(view, "__wrapped__", None)
        seen += 1
    return None


def table(roles: Iterable[str] = tuple(R.values)) -> list[list[str]]:
    """The matrix as rows of text: action, what, each role (✓ or blank), scope, personal."""
    roles = list(roles)
    rows = []
    for r in MATRIX.values():
        marks = ["✓" if role in r.roles else "" for role in roles]
        rows.append(
            [
                r.action,
                str(r.label),
                *marks,
                str(REACH_LABELS[r.reach]),
                gettext("ghi") if r.writes else gettext("xem"),
                gettext("có") if r.personal else "",
            ]
        )
    return rows


def markdown() -> str:
    """The matrix as the Markdown table of docs/security.md."""
    roles = list(R)
    head = [
        gettext("hành động"),
        gettext("nội dung"),
        *[str(r.label) for r in roles],
        gettext("phạm vi"),
        gettext("loại"),
        gettext("dữ liệu cá nhân"),
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in table([r.value for r in roles])]
    return "\n".join(lines) + "\n"
