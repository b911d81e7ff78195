"""`buudien load_reference`: load (or update) the reference data shipped with the package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from buudien.core import reference


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu danh mục (dịch vụ, biểu giá, chỉ tiêu, thủ tục, lịch làm việc, chương trình "
        "chi trả, cơ quan đối tác); chạy lại an toàn, giữ nguyên các sửa đổi của quản trị viên."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", nargs="*", default=[], help="chỉ các tập này (tên tập)")

    def handle(self, *args: Any, **options: Any) -> None:
        for outcome in reference.load(options["only"]):
            self.stdout.write(str(outcome))
