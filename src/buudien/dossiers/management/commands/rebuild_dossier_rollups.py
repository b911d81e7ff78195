import datetime as dt
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext_lazy as _

from buudien.dossiers.services import rebuild_rollups


class Command(BaseCommand):
    help = cast(str, _("Tính lại bảng tổng hợp hồ sơ theo tháng từ các hồ sơ."))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--until", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        rows = rebuild_rollups(since=options["since"], until=options["until"])
        self.stdout.write(_("Đã tính lại %(rows)s dòng tổng hợp hồ sơ.") % {"rows": rows})
