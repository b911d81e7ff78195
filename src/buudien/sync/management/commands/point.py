"""`buudien point enroll|sync|status`: the laptop's side of point mode from the console."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import journal
from buudien.core.errors import DomainError
from buudien.sync import client


class Command(BaseCommand):
    help = str(
        gettext_lazy("Máy của điểm BĐ-VHX: đăng ký với máy chủ tỉnh, đồng bộ, xem trạng thái.")
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        enroll = sub.add_parser(
            "enroll", help=str(gettext_lazy("đăng ký máy bằng mã một lần do tỉnh cấp"))
        )
        enroll.add_argument("--server", required=True, help="http://bdtinh.example:8000")
        enroll.add_argument("--code", required=True)
        enroll.add_argument("--label", default="")
        sync = sub.add_parser("sync", help=str(gettext_lazy("gửi thao tác chờ, tải dữ liệu mới")))
        sync.add_argument(
            "--loop", action="store_true", help=str(gettext_lazy("chạy nền, tự thử lại"))
        )
        sync.add_argument("--interval", type=float, default=30.0)
        sub.add_parser("status", help=str(gettext_lazy("trạng thái đồng bộ của máy")))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _enroll(self, options: dict[str, Any]) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        device = client.enroll(
            server=options["server"], code=options["code"], label=options["label"]
        )
        self.stdout.write(_("Đã đăng ký máy cho điểm %(p)s.") % {"p": device.point_code})
        summary = client.sync_now()
        self.stdout.write(_("Đã tải dữ liệu của điểm (%(n)s trang).") % {"n": summary.pulled_pages})

    def _sync(self, options: dict[str, Any]) -> None:
        if options["loop"]:
            client.run(interval=options["interval"])
            return
        summary = client.sync_now()
        self.stdout.write(
            _("Đã gửi %(p)s thao tác (%(r)s bị từ chối, %(c)s xung đột); còn chờ %(w)s.")
            % {
                "p": summary.pushed,
                "r": summary.refused,
                "c": summary.conflicts,
                "w": summary.waiting,
            }
        )

    def _status(self, options: dict[str, Any]) -> None:
        device = journal.point_device()
        if device is None:
            self.stdout.write(_("Máy này là máy chủ tỉnh (chưa đăng ký làm máy của điểm)."))
            return
        self.stdout.write(f"{device.point_code} {device.pk} {device.server_url}")
