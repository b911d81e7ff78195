from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from buudien.core.models import ApiToken, User


class Command(BaseCommand):
    help = cast(
        str, _("Tạo mã truy cập API (Bearer token) cho một người dùng; mã chỉ hiện một lần.")
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default=_("máy khách"))

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("Không có người dùng %(name)s.") % {"name": options["username"]})
        _token, raw = ApiToken.issue(user=user, name=str(options["name"]))
        self.stdout.write(raw)
