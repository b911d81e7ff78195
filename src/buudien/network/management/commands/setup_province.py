"""`buudien setup_province`: a real province's post unit and its first administrator.

Run after `migrate`, `load_admin_units` and `load_reference` on an empty database (docs/
operations.md). Running it again changes nothing: the unit and the account are found and
kept; a name given anew renames the unit."""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from buudien.core import audit, users
from buudien.core.errors import DomainError
from buudien.network import services
from buudien.network.models import Commune, Partner, PostUnit, Province

if TYPE_CHECKING:
    from buudien.core.models import User

PASSWORD_ENV = "BUUDIEN_ADMIN_PASSWORD"  # noqa: S105 - the name of a variable, not a password


def _province(code: int) -> Province:
    found = Province.objects.filter(code=code).first()
    if found is None:
        raise CommandError(
            _("Chưa có tỉnh, thành phố mã %(code)s. Hãy chạy `buudien load_admin_units` trước.")
            % {"code": code}
        )
    return found


def _commune(province: Province, code: int | None) -> Commune:
    """The commune the province post stands in: the one given, or the province's first."""
    communes = Commune.objects.filter(province=province).order_by("code")
    found = communes.filter(code=code).first() if code else communes.first()
    if found is None:
        raise CommandError(
            _("Không có xã, phường mã %(code)s thuộc %(province)s.")
            % {"code": code or "?", "province": province.name}
        )
    return found


def _password(given: str | None, interactive: bool) -> str:
    password = given or os.environ.get(PASSWORD_ENV, "")
    if not password and interactive:
        password = getpass.getpass(_("Mật khẩu của quản trị viên: "))
    if not password:
        raise CommandError(
            _("Cần mật khẩu cho quản trị viên: --password hoặc biến môi trường %(env)s.")
            % {"env": PASSWORD_ENV}
        )
    return password


def _check_existing(unit: PostUnit, province: Province) -> None:
    if unit.kind != PostUnit.Kind.PROVINCE:
        raise CommandError(
            _("Mã %(code)s đã là của «%(name)s» (%(kind)s), không phải một bưu điện tỉnh.")
            % {"code": unit.code, "name": unit.name, "kind": PostUnit.Kind(unit.kind).label}
        )
    if unit.commune is not None and unit.commune.province_id != province.code:
        raise CommandError(
            _("Bưu điện tỉnh %(code)s đã gắn với %(province)s, không phải %(given)s.")
            % {"code": unit.code, "province": unit.commune.province.name, "given": province.name}
        )


def _unit(admin: User, code: str, name: str, commune: Commune) -> tuple[PostUnit, bool]:
    """The province post: created through the network services, or found and kept."""
    code = code.strip().upper()
    found = PostUnit.objects.filter(code=code).first()
    if found is not None:
        _check_existing(found, commune.province)
        if name.strip() and found.name != name.strip():
            found = services.update_unit(actor=admin, unit=found, name=name)
        return found, False
    other = PostUnit.objects.filter(kind=PostUnit.Kind.PROVINCE).first()
    if other is not None:
        raise CommandError(
            _(
                "Cơ sở dữ liệu này đã có bưu điện tỉnh %(code)s («%(name)s»); mỗi máy chủ phục vụ "
                "một tỉnh. Kiểm tra lại --code."
            )
            % {"code": other.code, "name": other.name}
        )
    unit = services.create_unit(
        actor=admin,
        code=code,
        name=name,
        kind=PostUnit.Kind.PROVINCE,
        parent=None,
        commune_id=commune.code,
    )
    return unit, True


def _serve_agencies(admin: User, unit: PostUnit) -> int:
    """The province post serves the agencies of the reference data that no unit serves yet."""
    waiting = list(Partner.objects.filter(served_by__isnull=True).order_by("code"))
    for partner in waiting:
        before = audit.snapshot(partner)
        partner.served_by = unit
        partner.save(update_fields=["served_by", "search_text", "updated_at"])
        audit.record(
            actor=admin,
            action="network.partner_served",
            instance=partner,
            before=before,
            after=audit.snapshot(partner),
            unit_path=unit.path,
        )
    return len(waiting)


class Command(BaseCommand):
    help = cast(
        str,
        gettext_lazy(
            "Tạo bưu điện tỉnh (gắn với tỉnh trong danh mục hành chính) và tài khoản quản trị đầu "
            "tiên cho một cài đặt thật, không có dữ liệu mẫu; chạy lại an toàn."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help=gettext("mã đơn vị, ví dụ BDT04"))
        parser.add_argument("--name", required=True, help=gettext("ví dụ «Bưu điện tỉnh Cao Bằng»"))
        parser.add_argument(
            "--province-code", type=int, required=True, help=gettext("mã tỉnh, ví dụ 4")
        )
        parser.add_argument("--commune-code", type=int, help=gettext("xã, phường đặt trụ sở"))
        parser.add_argument(
            "--admin", required=True, help=gettext("tên đăng nhập của quản trị viên")
        )
        parser.add_argument("--admin-name", default="", help=gettext("họ và tên quản trị viên"))
        parser.add_argument(
            "--password", help=_("mật khẩu (hoặc biến môi trường %(env)s)") % {"env": PASSWORD_ENV}
        )
        parser.add_argument("--no-input", action="store_false", dest="interactive")

    def handle(self, *args: Any, **options: Any) -> None:
        province = _province(options["province_code"])
        commune = _commune(province, options["commune_code"])
        existing = users.find_user(options["admin"]) is not None
        password = None if existing else _password(options["password"], options["interactive"])
        try:
            with transaction.atomic():
                admin, new_admin = users.ensure_admin(
                    username=options["admin"], password=password, full_name=options["admin_name"]
                )
                unit, new_unit = _unit(admin, options["code"], options["name"], commune)
                if admin.home_unit_id is None:
                    users.set_home_unit(user=admin, unit=unit)
                served = _serve_agencies(admin, unit)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._report(unit, admin, new_unit=new_unit, new_admin=new_admin, served=served)

    def _report(
        self, unit: PostUnit, admin: User, *, new_unit: bool, new_admin: bool, served: int
    ) -> None:
        place = unit.commune.name if unit.commune else ""
        what = _("Đã tạo") if new_unit else _("Đã có")
        self.stdout.write(f"{what} {unit.code} – {unit.name} ({place})")
        who = _("Đã tạo") if new_admin else _("Đã có (giữ nguyên mật khẩu)")
        self.stdout.write(_("%(what)s quản trị viên %(user)s") % {"what": who, "user": admin})
        self.stdout.write(
            _("Cơ quan, đối tác do %(code)s phục vụ: %(new)s mới gắn, %(all)s tất cả")
            % {"code": unit.code, "new": served, "all": unit.partners.count()}
        )
